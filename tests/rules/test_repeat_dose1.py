"""repeat_dose1: dose 1 given to one person under two registrations."""
from __future__ import annotations

REGS = [{"id": "10000000000001"}, {"id": "10000000000002"}]
PERSON = [["10000000000001", "10000000000002"]]


def test_fires_when_one_person_got_dose_1_under_two_registrations(warehouse, rule_hits):
    con = warehouse(REGS, vaccinations=[
        {"cert": "V1", "reg": "10000000000001", "date": "2021-05-01"},
        {"cert": "V2", "reg": "10000000000002", "date": "2021-05-20", "vaccine": "COVAXIN"},
    ], people=PERSON)
    facts = rule_hits(con, "repeat_dose1")["C10000000000001"]
    assert [d["certificate_id"] for d in facts["doses"]] == ["V1", "V2"]
    assert facts["explanation"].startswith("Dose 1 was given 2 times, under 2 different")


def test_quiet_for_dose_1_then_dose_2_or_for_two_people(warehouse, rule_hits):
    doses = [{"cert": "V1", "reg": "10000000000001", "date": "2021-05-01"},
             {"cert": "V2", "reg": "10000000000002", "date": "2021-08-01", "dose": 2}]
    assert rule_hits(warehouse(REGS, vaccinations=doses, people=PERSON), "repeat_dose1") == {}
    both_first = [dict(d, dose=1) for d in doses]
    assert rule_hits(warehouse(REGS, vaccinations=both_first), "repeat_dose1") == {}


def test_quiet_for_a_repeated_record_under_one_registration(warehouse, rule_hits):
    con = warehouse(REGS, vaccinations=[
        {"cert": "V1", "reg": "10000000000001", "date": "2021-05-01"},
        {"cert": "V2", "reg": "10000000000001", "date": "2021-05-01"},
    ], people=PERSON)
    assert rule_hits(con, "repeat_dose1") == {}
