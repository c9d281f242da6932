"""Evidence per flagged cluster: members, why linked, timeline, rule hits, identifier flags."""
from __future__ import annotations

import dataclasses
import json

import pytest

from linkage.settings import Comparison, LinkageSettings
from pipelines import tables
from pipelines.evidence import build_evidence


import warehouse_fixtures as fx


@pytest.fixture(scope="module")
def night():
    con = fx.run_night(fx.scenario())
    rows = con.execute(f"select cluster_id, evidence from {tables.EVIDENCE}").fetchall()
    return con, {cid: json.loads(text) for cid, text in rows}


def test_one_document_per_flagged_cluster(night):
    con, docs = night
    flagged = {r[0] for r in con.execute(f"select cluster_id from {tables.FLAGGED_CLUSTERS}").fetchall()}
    assert set(docs) == flagged == {"C10000000000001", "C10000000000004"}
    assert docs["C10000000000001"]["risk_score"] == 88
    assert docs["C10000000000001"]["rules"] == ["multi_booking", "repeat_dose1"]


def test_members_carry_masked_identifiers_only(night):
    con, docs = night
    members = docs["C10000000000001"]["members"]
    assert [m["beneficiary_reference_id"] for m in members] == \
        ["10000000000001", "10000000000002", "10000000000003"]
    assert members[0]["mobile"] == "******0001" and members[0]["photo_id"] == "********3457"
    assert members[2]["name"] == fx.HOSTILE_NAME
    text = " ".join(t for (t,) in con.execute(f"select evidence from {tables.EVIDENCE}").fetchall())
    for number in ("9123400001", fx.TOUT_MOBILE, "456789123457", "ABC1234567", "567891234565"):
        assert number not in text


def test_linked_pairs_inside_the_cluster_explained_field_by_field(night):
    _, docs = night
    pairs = docs["C10000000000001"]["pairs"]
    assert [(p["id_l"], p["id_r"]) for p in pairs] == \
        [("10000000000001", "10000000000002"), ("10000000000002", "10000000000003")]
    weak = {f["field"]: f for f in pairs[1]["fields"]}
    assert [f["field"] for f in pairs[1]["fields"]] == \
        ["name", "birth_year", "gender", "photo_id", "mobile", "location", "doses", "bookings"]
    assert (weak["name"]["level"], weak["name"]["weight"]) == (5, 3.0)
    assert weak["name"]["label"] == "similar names (typo or spelling variant)"
    assert (weak["mobile"]["label"], weak["mobile"]["weight"]) == \
        (LinkageSettings().comparison("mobile").none_label, 0.0)
    assert weak["photo_id"]["label"] == "different ID types"
    assert (weak["doses"]["label"], weak["doses"]["weight"]) == (
        "dose 1 under both registrations (weighs neither way)", 0.0)
    assert pairs[1]["match_probability"] == pytest.approx(16 / 17)
    assert (pairs[1]["prior_weight"], pairs[1]["total_weight"]) == (-4.0, 4.0)
    total = pairs[1]["prior_weight"] + sum(f["weight"] for f in pairs[1]["fields"])
    assert total == pytest.approx(pairs[1]["total_weight"], abs=0.02)
    assert docs["C10000000000004"]["pairs"] == []


def test_labels_come_from_the_settings(night):
    con, _ = night
    comps = tuple(dataclasses.replace(c, labels=tuple(l.upper() for l in c.labels))
                  if c.field == "name" else c for c in LinkageSettings().comparisons)
    assert all(isinstance(c, Comparison) for c in comps)
    build_evidence(con, LinkageSettings(comparisons=comps))
    doc = json.loads(con.execute(f"select evidence from {tables.EVIDENCE} "
                                 "where cluster_id = 'C10000000000001'").fetchone()[0])
    assert doc["pairs"][0]["fields"][0]["label"] == "EXACTLY THE SAME NAME"
    build_evidence(con, LinkageSettings())


def test_timeline_of_bookings_and_doses_in_time_order(night):
    _, docs = night
    timeline = docs["C10000000000001"]["timeline"]
    assert [(e["kind"], e["reference"]) for e in timeline] == \
        [("dose", "V1"), ("dose", "V2"), ("booking", "A1"), ("booking", "A2")]
    assert timeline[2]["at"] == "2021-05-28 09:00:00" and timeline[2]["session_date"] == "2021-06-01"
    assert timeline[1]["center_name"] == "CHC Gaya"  # a dose's centre, named from bookings
    # a same-day booking comes before the dose given that day
    assert [e["kind"] for e in docs["C10000000000004"]["timeline"]] == ["booking", "dose"]


def test_rule_hits_and_identifier_flags_with_their_facts(night):
    _, docs = night
    hits = {h["rule_id"]: h for h in docs["C10000000000001"]["rule_hits"]}
    assert set(hits) == {"multi_booking", "repeat_dose1"}
    assert hits["repeat_dose1"]["severity"] == "high"
    assert [d["certificate_id"] for d in hits["repeat_dose1"]["facts"]["doses"]] == ["V1", "V2"]
    assert "different vaccination centres" in hits["multi_booking"]["description"]
    (flag,) = docs["C10000000000001"]["identifier_flags"]
    assert (flag["identifier_kind"], flag["identifier"], flag["rules"]) == \
        ("mobile", "******1403", "tout_mobile")
    assert flag["facts"]["tout_mobile"]["n_registrations"] == 6
    assert docs["C10000000000004"]["identifier_flags"] == []
