"""Risk per flagged person: rule severities combined, scaled by the weakest link."""
from __future__ import annotations

import json

import pytest

from warehouse_fixtures import TOUT_MOBILE, SHARED_AADHAAR, scenario
from pipelines import tables
from rules.engine import load_rules, run_rules
from rules.risk import score


@pytest.fixture
def night():
    con = scenario()
    run_rules(con, load_rules())
    return con


def _flagged(con):
    cols = "cluster_id, risk_score, rules, district_name, n_registrations, link_confidence, summary"
    rows = con.execute(f"select {cols} from {tables.FLAGGED_CLUSTERS} order by cluster_id").fetchall()
    return {r[0]: dict(zip(cols.split(", "), r)) for r in rows}


def test_scores_combine_severity_and_the_weakest_link_inside_the_cluster(night):
    assert score(night) == 2
    flagged = _flagged(night)
    person, single = flagged["C10000000000001"], flagged["C10000000000004"]
    # high (0.85) and medium (0.60) together: 1 - 0.15 * 0.40 = 0.94; weakest link 16/17
    assert person["risk_score"] == 88 and person["link_confidence"] == pytest.approx(16 / 17)
    assert person["rules"] == "multi_booking;repeat_dose1"
    assert (person["district_name"], person["n_registrations"]) == ("Patna", 3)
    assert person["summary"] == ("3 registrations judged to be one person (weakest link 94.1% "
                                 "sure), flagged for: First dose given twice; Live bookings at "
                                 "several centres at once.")
    assert (single["risk_score"], single["link_confidence"], single["rules"]) == \
        (85, 1.0, "no_show_certificate")
    assert single["summary"].startswith("A single registration, flagged for: Certificate")


def test_identifier_flags_are_listed_masked_and_flag_no_person(night, id_key):
    score(night)
    rows = night.execute(f"""select identifier_kind, identifier, rules, facts, n_registrations,
        n_people, identifier_key from {tables.FLAGGED_IDENTIFIERS}
        order by identifier_kind""").fetchall()
    (kind, ident, rules, facts, n_regs, n_people, k), photo = rows
    assert (kind, ident, rules, n_regs, n_people) == ("mobile", "******1403", "tout_mobile", 6, 6)
    assert k == id_key(TOUT_MOBILE)
    assert json.loads(facts)["tout_mobile"]["too_many_registrations"] is True
    assert photo[:3] == ("photo_id", "********1238", "shared_photo_id")
    dump = json.dumps(rows)
    assert TOUT_MOBILE not in dump and SHARED_AADHAAR not in dump
    assert "C10000000000010" not in _flagged(night)


def test_severity_weights_are_settings(night):
    score(night, {"low": 0.1, "medium": 0.1, "high": 0.5})
    assert _flagged(night)["C10000000000004"]["risk_score"] == 50
    with pytest.raises(ValueError):
        score(night, {"low": 2.0, "medium": 0.5, "high": 0.5})
