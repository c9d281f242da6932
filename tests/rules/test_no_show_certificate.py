"""no_show_certificate: a dose recorded for a no-show booking, or at another centre."""
from __future__ import annotations

import pytest

REG = [{"id": "10000000000001"}]


def _run(warehouse, rule_hits, bookings, center=101, date="2021-06-01"):
    con = warehouse(REG, [{"reg": "10000000000001", **b} for b in bookings],
                    [{"cert": "V1", "reg": "10000000000001", "date": date, "center": center}])
    return rule_hits(con, "no_show_certificate")


def test_fires_on_a_certificate_for_a_no_show(warehouse, rule_hits):
    hits = _run(warehouse, rule_hits, [{"id": "A1", "date": "2021-06-01", "status": "No-show"}])
    (cert,) = hits["C10000000000001"]["certificates"]
    assert (cert["certificate_id"], cert["appointment_id"], cert["problem"]) == \
        ("V1", "A1", "booking marked no-show")
    assert "booking marked no-show" in hits["C10000000000001"]["explanation"]


def test_fires_on_a_certificate_from_another_centre(warehouse, rule_hits):
    hits = _run(warehouse, rule_hits, [{"id": "A1", "date": "2021-06-01", "center": 202,
                                         "status": "Completed"}])
    (cert,) = hits["C10000000000001"]["certificates"]
    assert (cert["booked_center_id"], cert["certificate_center_id"]) == (202, 101)
    assert cert["problem"] == "given at another centre than booked"


@pytest.mark.parametrize("bookings", [
    [{"id": "A1", "date": "2021-06-01", "status": "Completed"}],
    [],  # a walk-in has no booking to contradict
    [{"id": "A1", "date": "2021-06-01", "center": 202, "status": "Cancelled"},
     {"id": "A2", "date": "2021-06-01", "status": "Completed"}],
    [{"id": "A1", "date": "2021-05-25", "status": "No-show"}],  # a missed earlier date
    [{"id": "A1", "date": "2021-06-01", "status": "No-show", "dose": 2}],
])
def test_quiet_when_the_certificate_matches_an_attended_booking(warehouse, rule_hits, bookings):
    assert _run(warehouse, rule_hits, bookings) == {}
