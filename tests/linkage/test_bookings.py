import datetime as dt

import duckdb
import pytest

from linkage import bookings

DAY0 = dt.date(2021, 6, 1)
# (centre, days after DAY0, status) per registration
Booking = tuple[int, int, str]


def _history(con: duckdb.DuckDBPyConnection, given: dict[int, tuple[Booking, ...]],
             rids: str | None = None) -> None:
    con.execute("create table norm (rid integer, beneficiary_reference_id varchar)")
    con.execute("create table appointments (beneficiary_reference_id varchar, "
                "center_id bigint, session_date date, status varchar)")
    for rid, booked in given.items():
        con.execute("insert into norm values (?, ?)", [rid, f"B{rid}"])
        for centre, day, status in booked:
            con.execute("insert into appointments values (?, ?, ?, ?)",
                        [f"B{rid}", centre, DAY0 + dt.timedelta(days=day), status])
    bookings.history(con, "norm", "appointments", "hist", rids=rids)


def _level(given: dict[int, tuple[Booking, ...]], window_days: int = 7) -> int:
    con = duckdb.connect()
    _history(con, given)
    con.execute("create temp table comparisons as select 1 as id_l, 2 as id_r, 5 as name_level")
    bookings.add_levels(con, "comparisons", "hist", window_days)
    (name_level, level), = con.execute(
        "select name_level, bookings_level from comparisons").fetchall()
    assert name_level == 5  # the comparisons keep their columns
    return level


@pytest.mark.parametrize("left, right, level", [
    (((10, 0, "Booked"),), ((11, 3, "Booked"),), 2),     # two centres, three days apart
    (((10, 0, "No-show"),), ((11, 7, "Booked"),), 2),    # a no-show is a slot kept too
    (((10, 0, "Booked"),), ((10, 2, "Booked"),), 1),     # the same centre
    (((10, 0, "Booked"),), ((11, 8, "Booked"),), 1),     # a week and a day apart
    (((10, 0, "Booked"),), ((11, 1, "Completed"),), 0),  # a dose given: not live
    (((10, 0, "Booked"),), ((11, 1, "Cancelled"),), 0),
    (((10, 0, "Booked"),), (), 0),
    ((), (), 0),
    # any one pair of bookings at two centres close together is enough
    (((10, 0, "Booked"), (12, 30, "Booked")), ((10, 1, "Booked"), (13, 28, "Booked")), 2),
])
def test_level_follows_the_live_bookings_of_both_registrations(left, right, level):
    assert _level({1: left, 2: right}) == level


def test_the_window_is_a_setting():
    given = {1: ((10, 0, "Booked"),), 2: ((11, 9, "Booked"),)}
    assert _level(given, window_days=7) == 1
    assert _level(given, window_days=10) == 2


def test_history_keeps_live_bookings_only_and_of_the_registrations_asked():
    con = duckdb.connect()
    _history(con, {1: ((10, 0, "Booked"), (10, 0, "Booked")), 2: ((11, 0, "No-show"),),
                   3: ((12, 0, "Completed"),), 4: ((13, 0, "Booked"),)},
             rids="(select 1 union all select 2 union all select 3)")
    assert sorted(con.execute("select rid, center_id from hist").fetchall()) == [(1, 10), (2, 11)]


def test_without_appointments_every_pair_is_level_0():
    con = duckdb.connect()
    con.execute("create table norm (rid integer, beneficiary_reference_id varchar)")
    bookings.history(con, "norm", None, "hist")
    con.execute("create temp table comparisons as select 1 as id_l, 2 as id_r")
    bookings.add_levels(con, "comparisons", "hist", 7)
    assert con.execute("select bookings_level from comparisons").fetchall() == [(0,)]
