"""shared_photo_id: one photo ID number on registrations of different people."""
from __future__ import annotations

import json

AADHAAR = "234567891238"


def _regs(id_type="Aadhaar Card"):
    return [{"id": "10000000000001", "photo_id": AADHAAR, "photo_id_type": id_type},
            {"id": "10000000000002", "photo_id": AADHAAR, "photo_id_type": id_type,
             "name": "Ravi Kumar", "gender": "Male", "birth_year": 1961},
            {"id": "10000000000003", "photo_id": "345678912349"}]


def test_fires_on_the_identifier_shared_by_two_people(warehouse, rule_hits, id_key):
    con = warehouse(_regs())
    hits = rule_hits(con, "shared_photo_id")
    facts = hits[id_key(AADHAAR)]
    assert list(hits) == [id_key(AADHAAR)]
    assert (facts["identifier"], facts["n_registrations"], facts["n_people"]) == \
        ("********1238", 2, 2)
    assert {r["cluster_id"] for r in facts["registrations"]} == \
        {"C10000000000001", "C10000000000002"}
    assert AADHAAR not in json.dumps(facts)


def test_quiet_when_the_registrations_are_one_person(warehouse, rule_hits):
    con = warehouse(_regs(), people=[["10000000000001", "10000000000002"]])
    assert rule_hits(con, "shared_photo_id") == {}


def test_quiet_for_a_family_ration_card(warehouse, rule_hits):
    con = warehouse(_regs("Ration Card with Photo"))
    assert rule_hits(con, "shared_photo_id") == {}
    assert rule_hits(con, "shared_photo_id", {"family_id_types": []}) != {}
