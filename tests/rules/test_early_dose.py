"""early_dose: dose 2 under another registration before the interval, or another vaccine."""
from __future__ import annotations

import pytest

REGS = [{"id": "10000000000001"}, {"id": "10000000000002"}]
PERSON = [["10000000000001", "10000000000002"]]


def _doses(first, second, vaccine="COVISHIELD", vaccine2=None, reg2="10000000000002"):
    return [{"cert": "V1", "reg": "10000000000001", "date": first, "vaccine": vaccine},
            {"cert": "V2", "reg": reg2, "date": second, "dose": 2,
             "vaccine": vaccine2 or vaccine}]


@pytest.mark.parametrize("vaccine, first, second, fires", [
    ("COVISHIELD", "2021-06-01", "2021-07-01", True),    # 30 days, 84 required
    ("COVISHIELD", "2021-06-01", "2021-08-24", False),   # exactly 84 days
    ("COVISHIELD", "2021-03-01", "2021-04-05", False),   # 35 days, 28 required before 16 May
    ("COVISHIELD", "2021-03-01", "2021-03-20", True),    # 19 days
    ("COVISHIELD", "2021-04-01", "2021-05-20", True),    # 49 days, but given after 16 May
    ("COVAXIN", "2021-06-01", "2021-06-28", True),       # 27 days
    ("COVAXIN", "2021-06-01", "2021-06-29", False),      # 28 days
    ("SPUTNIK V", "2021-06-01", "2021-06-21", True),     # 20 days
    ("SPUTNIK V", "2021-06-01", "2021-06-22", False),    # 21 days
])
def test_interval_by_vaccine(warehouse, rule_hits, vaccine, first, second, fires):
    con = warehouse(REGS, vaccinations=_doses(first, second, vaccine), people=PERSON)
    assert ("C10000000000001" in rule_hits(con, "early_dose")) is fires


def test_facts_name_both_doses_and_the_gap(warehouse, rule_hits):
    con = warehouse(REGS, vaccinations=_doses("2021-06-01", "2021-07-01"), people=PERSON)
    facts = rule_hits(con, "early_dose")["C10000000000001"]
    (dose,) = facts["doses"]
    assert (dose["dose1_certificate_id"], dose["dose2_certificate_id"]) == ("V1", "V2")
    assert (dose["days_between"], dose["days_required"]) == (30, 84)
    assert dose["too_early"] and not dose["vaccine_changed"]
    assert "at least 84 days were required" in facts["explanation"]


def test_fires_on_another_vaccine_even_when_on_time(warehouse, rule_hits):
    con = warehouse(REGS, vaccinations=_doses("2021-06-01", "2021-09-01", "COVISHIELD",
                                              "COVAXIN"), people=PERSON)
    (dose,) = rule_hits(con, "early_dose")["C10000000000001"]["doses"]
    assert dose["vaccine_changed"] and not dose["too_early"]


def test_quiet_when_both_doses_are_under_one_registration(warehouse, rule_hits):
    con = warehouse(REGS, vaccinations=_doses("2021-06-01", "2021-07-01",
                                              reg2="10000000000001"), people=PERSON)
    assert rule_hits(con, "early_dose") == {}


def test_interval_is_a_parameter(warehouse, rule_hits):
    con = warehouse(REGS, vaccinations=_doses("2021-06-01", "2021-06-29", "COVAXIN"),
                    people=PERSON)
    assert rule_hits(con, "early_dose", {"covaxin_days": 30}) != {}
