"""Doses and live bookings kept per registration across nights (linkage.histories)."""
from __future__ import annotations

import duckdb

from linkage import histories

H = histories.Histories("reg_doses", "reg_bookings", "vaccinations", "appointments")
WINDOW = 7


def _warehouse() -> duckdb.DuckDBPyConnection:
    """Registrations 1–6. 1 took dose 1; 2 has no dose; 3 took dose 2 (its dose 1 is
    elsewhere); 4 holds a live booking at centre 10; 5 none; 6 a live booking at 20."""
    con = duckdb.connect()
    con.execute("create table norm as select range::integer as rid, 'B' || range as "
                "beneficiary_reference_id from range(1, 7)")
    con.execute("create table vaccinations (beneficiary_reference_id varchar, dose integer)")
    con.execute("insert into vaccinations values ('B1', 1), ('B3', 2)")
    con.execute("create table appointments (beneficiary_reference_id varchar, "
                "center_id bigint, session_date date, status varchar)")
    con.execute("insert into appointments values ('B4', 10, '2021-06-01', 'Booked'), "
                "('B6', 20, '2021-06-20', 'Booked')")
    histories.keep_all(con, "norm", H)
    return con


def _tonight(con: duckdb.DuckDBPyConnection, pairs: list[tuple[int, int]]) -> set:
    con.execute("create or replace temp table pairs (id_l integer, id_r integer)")
    con.executemany("insert into pairs values (?, ?)", pairs)
    histories.update(con, "norm", H, "(select unnest([1, 5]))", "pairs", WINDOW)
    return set(con.execute("select id_l, id_r from _levels_as_were").fetchall())


def test_every_registration_with_a_dose_or_a_live_booking_is_kept():
    con = _warehouse()
    assert dict(con.execute("select rid, doses_mask from reg_doses").fetchall()) == {1: 1, 3: 2}
    assert sorted(con.execute("select rid, center_id from reg_bookings").fetchall()) \
        == [(4, 10), (6, 20)]


def test_a_night_finds_the_pairs_whose_levels_its_doses_and_bookings_leave_as_they_were():
    con = _warehouse()
    # tonight 1 takes dose 2, and 5 books at centre 20 within a week of 4's booking
    con.execute("insert into vaccinations values ('B1', 2)")
    con.execute("insert into appointments values ('B5', 20, '2021-06-03', 'Booked')")
    as_were = _tonight(con, [(1, 2), (1, 3), (2, 5), (4, 5), (5, 6)])
    # 1 beside 2 (no dose) stays level 1; beside 3, a split course became a dose 2 under
    # both. 5 beside 2 keeps bookings level 0; beside 4 it now books at another centre
    # that week (level 2); beside 6 it books at 6's centre (level 1, not 0)
    assert as_were == {(1, 2), (2, 5)}
    assert dict(con.execute("select rid, doses_mask from reg_doses").fetchall()) == {1: 3, 3: 2}
    assert sorted(con.execute("select rid, center_id from reg_bookings").fetchall()) \
        == [(4, 10), (5, 20), (6, 20)]


def test_a_warehouse_that_kept_no_histories_gains_them_and_knows_no_level_of_before():
    con = _warehouse()
    con.execute("drop table reg_doses")
    assert _tonight(con, [(1, 2)]) == set()
    assert dict(con.execute("select rid, doses_mask from reg_doses").fetchall()) == {1: 1, 3: 2}
