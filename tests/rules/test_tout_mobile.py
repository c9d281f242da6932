"""tout_mobile: a mobile over CoWIN's limit, shared by unrelated people, or booking in bursts."""
from __future__ import annotations

import json

MOBILE = "9876501403"


def _regs(n, pincodes=None):
    pincodes = pincodes or ["800001"] * n
    return [{"id": f"1000000000000{i}", "mobile": MOBILE, "pincode": pincodes[i],
             "name": f"Member {i}"} for i in range(n)]


def _booked(ids, times):
    return [{"id": f"A{i}", "reg": rid, "date": "2021-06-01", "booked_at": t}
            for i, (rid, t) in enumerate(zip(ids, times))]


def test_fires_over_the_registration_limit(warehouse, rule_hits, id_key):
    facts = rule_hits(warehouse(_regs(5)), "tout_mobile")[id_key(MOBILE)]
    assert facts["too_many_registrations"] and facts["n_registrations"] == 5
    assert facts["identifier"] == "******1403"
    assert "CoWIN allowed 4" in facts["explanation"]
    assert MOBILE not in json.dumps(facts)


def test_a_household_of_four_booking_together_is_not_flagged(warehouse, rule_hits):
    regs = _regs(4)
    same_second = ["2021-05-30 09:00:00"] * 4
    con = warehouse(regs, _booked([r["id"] for r in regs], same_second))
    assert rule_hits(con, "tout_mobile") == {}


def test_fires_on_people_at_different_pincodes(warehouse, rule_hits, id_key):
    con = warehouse(_regs(3, ["800001", "800002", "800003"]))
    facts = rule_hits(con, "tout_mobile")[id_key(MOBILE)]
    assert facts["unrelated_people"] and (facts["n_people"], facts["n_pincodes"]) == (3, 3)


def test_quiet_when_one_person_moved_or_two_share_a_pincode(warehouse, rule_hits):
    moved = warehouse(_regs(3, ["800001", "800002", "800003"]),
                      people=[[f"1000000000000{i}" for i in range(3)]])
    neighbours = warehouse(_regs(3, ["800001", "800001", "800003"]))
    assert rule_hits(moved, "tout_mobile") == {}
    assert rule_hits(neighbours, "tout_mobile") == {}


def test_fires_on_a_burst_of_bookings_within_seconds(warehouse, rule_hits, id_key):
    regs = _regs(2)
    ids = [r["id"] for r in regs] * 3
    times = [f"2021-05-30 09:00:{s:02d}" for s in (0, 5, 11, 20, 40)]
    facts = rule_hits(warehouse(regs, _booked(ids, times)), "tout_mobile")[id_key(MOBILE)]
    assert facts["booking_burst"] and facts["burst_bookings"] == 5
    assert facts["burst_start"].startswith("2021-05-30 09:00:00")


def test_quiet_when_the_same_bookings_are_minutes_apart(warehouse, rule_hits):
    regs = _regs(2)
    ids = [r["id"] for r in regs] * 3
    times = [f"2021-05-30 09:{m:02d}:00" for m in (0, 1, 2, 3, 4)]
    assert rule_hits(warehouse(regs, _booked(ids, times)), "tout_mobile") == {}
    assert rule_hits(warehouse(regs, _booked(ids, times)), "tout_mobile",
                     {"burst_seconds": 300}) != {}
