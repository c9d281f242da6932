"""Folding a night into the warehouse: snapshot or delta, and what changed."""
import duckdb
import pytest

from linkage import identifiers
from pipelines import tables
from pipelines.merge import ensure_tables, export_kind, merge
from rules.engine import INPUT_SCHEMA


def _reg(i: int, name: str = "Asha Devi") -> tuple:
    return (f"1000000000000{i}", name, "Female", 1980, "******3210", "k-mobile", "Passport",
            "****4567", f"k-photo-{i}", "UP", "Agra", "282001", "2021-05-01 10:00:00")


def _appt(i: int, reg: int, status: str = "Booked") -> tuple:
    return (f"A{i}", f"1000000000000{reg}", 1, "PHC", "Agra", "2021-05-03", "09:00AM-11:00AM",
            1, "COVAXIN", "2021-05-01 10:00:00", status)


def _tonight(con: duckdb.DuckDBPyConnection, regs: list[tuple], appts: list[tuple] = ()) -> None:
    """The night tables validation leaves, and the raw ids ingest read."""
    for file, rows in (("registrations", regs), ("appointments", appts), ("vaccinations", [])):
        stored = {"registrations": tables.REGISTRATIONS, "appointments": tables.APPOINTMENTS,
                  "vaccinations": tables.VACCINATIONS}[file]
        con.execute(f"create or replace temp table {tables.NIGHT[file]} ({INPUT_SCHEMA[stored]})")
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            con.executemany(f"insert into {tables.NIGHT[file]} values ({marks})", list(rows))
    con.execute(f"create or replace temp table {tables.RAW['registrations']} as select "
                f"beneficiary_reference_id from {tables.NIGHT['registrations']}")
    identifiers.set_secret(con, "s3cret")
    con.execute(f"create or replace temp table {tables.REGISTRATIONS_PII} as select "
                f"beneficiary_reference_id, '1234' || right(beneficiary_reference_id, 1) "
                f"as photo_id_number from {tables.NIGHT['registrations']}")


def _night(con, regs, appts=()):
    _tonight(con, regs, appts)
    ensure_tables(con)
    kind = export_kind(con)
    return merge(con, kind), dict(con.execute(
        f"select beneficiary_reference_id, change from {tables.CHANGED_REGISTRATIONS}").fetchall())


@pytest.fixture
def con():
    c = duckdb.connect()
    _night(c, [_reg(1), _reg(2)], [_appt(1, 1)])
    return c


def test_the_first_night_is_a_snapshot_and_everything_is_new():
    c = duckdb.connect()
    report, changes = _night(c, [_reg(1), _reg(2)])
    assert report.export_kind == "snapshot" and report.new == 2 and report.registrations == 2
    assert set(changes.values()) == {"new"}


def test_a_delta_adds_and_replaces_by_id(con):
    report, changes = _night(con, [_reg(2, "Asha Kumari"), _reg(3)], [_appt(1, 1, "Completed")])
    assert report.export_kind == "delta" and report.registrations == 3
    assert changes == {"10000000000002": "changed", "10000000000003": "new"}
    assert con.execute(f"select name from {tables.REGISTRATIONS} where "
                       f"beneficiary_reference_id = '10000000000002'").fetchall() == [("Asha Kumari",)]
    assert con.execute(f"select status from {tables.APPOINTMENTS}").fetchall() == [("Completed",)]
    # a five-character number: its head, itself and five deletions, for each of three
    assert con.execute(f"select count(distinct bid), count(*) from "
                       f"{tables.PHOTO_ID_PARTS}").fetchall() == [(3, 21)]


def test_a_repeated_row_is_no_change(con):
    report, changes = _night(con, [_reg(1)])
    assert report.export_kind == "delta" and changes == {}


def test_a_snapshot_replaces_bookings_and_drops_a_registration_it_rejected(con):
    _tonight(con, [_reg(1), _reg(4)])
    # registration 2 is in the file but was quarantined tonight
    con.execute(f"insert into {tables.RAW['registrations']} values ('10000000000002')")
    assert export_kind(con) == "snapshot"
    report = merge(con, "snapshot")
    assert (report.new, report.changed, report.removed, report.registrations) == (1, 0, 1, 2)
    assert con.execute(f"select count(*) from {tables.APPOINTMENTS}").fetchall() == [(0,)]
    assert con.execute(f"select count(*) from {tables.PHOTO_ID_PARTS} where "
                       f"bid = 10000000000002").fetchall() == [(0,)]


def _activity(con) -> set[tuple[str, str]]:
    return set(con.execute(f"select beneficiary_reference_id, source "
                           f"from {tables.CHANGED_ACTIVITY}").fetchall())


def test_a_delta_records_whose_bookings_it_added_or_changed(con):
    _night(con, [_reg(1)], [_appt(1, 1, "Completed"), _appt(2, 2)])
    assert _activity(con) == {("10000000000001", "appointments"),
                              ("10000000000002", "appointments")}


def test_a_booking_moved_to_another_registration_touches_both(con):
    _night(con, [_reg(1)], [_appt(1, 2)])
    assert _activity(con) == {("10000000000001", "appointments"),
                              ("10000000000002", "appointments")}


def test_a_booking_sent_again_unchanged_touches_no_one(con):
    _night(con, [_reg(1)], [_appt(1, 1)])
    assert _activity(con) == set()


def test_a_snapshot_records_the_bookings_it_drops(con):
    _tonight(con, [_reg(1), _reg(2)])
    merge(con, "snapshot")
    assert _activity(con) == {("10000000000001", "appointments")}


def test_the_first_night_records_once_everyone_it_brings_bookings_for():
    c = duckdb.connect()
    _night(c, [_reg(1), _reg(2)], [_appt(1, 1), _appt(2, 1), _appt(3, 2)])
    rows = c.execute(f"select beneficiary_reference_id, source "
                     f"from {tables.CHANGED_ACTIVITY} order by 1").fetchall()
    assert rows == [("10000000000001", "appointments"), ("10000000000002", "appointments")]
