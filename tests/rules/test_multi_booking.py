"""multi_booking: one person holding live bookings at different centres within days."""
from __future__ import annotations

REGS = [{"id": "10000000000001"}, {"id": "10000000000002", "name": "Asha Devi Kumari"}]
PERSON = [["10000000000001", "10000000000002"]]


def _bookings(second_date="2021-06-04", second_center=202, second_status="No-show"):
    return [
        {"id": "A1", "reg": "10000000000001", "center": 101, "date": "2021-06-01"},
        {"id": "A2", "reg": "10000000000002", "center": second_center, "date": second_date,
         "status": second_status},
    ]


def test_fires_on_live_bookings_at_two_centres_within_the_window(warehouse, rule_hits):
    con = warehouse(REGS, _bookings(), people=PERSON)
    hits = rule_hits(con, "multi_booking")
    facts = hits["C10000000000001"]
    assert [b["appointment_id"] for b in facts["bookings"]] == ["A1", "A2"]
    assert {b["center_id"] for b in facts["bookings"]} == {101, 202}
    assert facts["window_days"] == 7
    assert "2 live bookings at 2 different centres" in facts["explanation"]


def test_quiet_when_dates_are_further_apart_than_the_window(warehouse, rule_hits):
    con = warehouse(REGS, _bookings(second_date="2021-06-09"), people=PERSON)
    assert rule_hits(con, "multi_booking") == {}
    assert "C10000000000001" in rule_hits(con, "multi_booking", {"days": 8})


def test_quiet_for_same_centre_cancelled_booking_or_different_people(warehouse, rule_hits):
    same_centre = warehouse(REGS, _bookings(second_center=101), people=PERSON)
    cancelled = warehouse(REGS, _bookings(second_status="Cancelled"), people=PERSON)
    two_people = warehouse(REGS, _bookings())
    for con in (same_centre, cancelled, two_people):
        assert rule_hits(con, "multi_booking") == {}
