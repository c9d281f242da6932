import duckdb
import pytest

from linkage import doses


def _history(con: duckdb.DuckDBPyConnection, given: dict[int, tuple[int, ...]]) -> None:
    con.execute("create table norm (rid integer, beneficiary_reference_id varchar)")
    con.execute("create table vaccinations (beneficiary_reference_id varchar, dose integer)")
    for rid, ds in given.items():
        con.execute("insert into norm values (?, ?)", [rid, f"B{rid}"])
        for d in ds:
            con.execute("insert into vaccinations values (?, ?)", [f"B{rid}", d])
    doses.history(con, "norm", "vaccinations", "hist")


def test_history_holds_a_bit_per_dose_number_and_only_registrations_with_doses():
    con = duckdb.connect()
    _history(con, {1: (1,), 2: (1, 2), 3: (), 4: (2, 3), 5: (1, 1), 6: (7,)})
    assert dict(con.execute("select rid, doses_mask from hist").fetchall()) == {
        1: 1, 2: 3, 4: 6, 5: 1}


@pytest.mark.parametrize("left, right, level", [
    ((1, 2), (1, 2), 0),   # a full course under each: two people
    ((2,), (1, 2), 0),
    ((1, 2, 3), (3,), 0),
    ((1,), (1,), -1),      # dose 1 given again: the rules' concern, no evidence
    ((1,), (1, 2), -1),
    ((1,), (2,), 3),       # one course split over two registrations
    ((1, 2), (3,), 3),
    ((), (1, 2), 1),
    ((2,), (), 1),
    ((), (), 2),
])
def test_level_of_a_pair_follows_how_their_doses_combine(left, right, level):
    con = duckdb.connect()
    _history(con, {1: left, 2: right})
    con.execute("create temp table comparisons as select 1 as id_l, 2 as id_r, 5 as name_level")
    doses.add_levels(con, "comparisons", "hist")
    assert con.execute("select name_level, doses_level from comparisons").fetchall() == [
        (5, level)]


def test_without_vaccinations_every_pair_is_undosed():
    con = duckdb.connect()
    con.execute("create table norm (rid integer, beneficiary_reference_id varchar)")
    doses.history(con, "norm", None, "hist")
    con.execute("create temp table comparisons as select 1 as id_l, 2 as id_r")
    doses.add_levels(con, "comparisons", "hist")
    assert con.execute("select doses_level from comparisons").fetchall() == [(2,)]
