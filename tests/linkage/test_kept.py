"""Comparisons kept across nights: compared once, forgotten when a registration changes."""
from linkage import kept
from linkage.compare import compare
from linkage.normalise import normalise
from warehouse_fixtures import typed_registrations

ROWS = [
    ("10000000000001", "Ram Kumar Sharma", "Male", 1980, "9876543210", "Passport", "K1234567",
     "UP", "Agra", "282001"),
    ("10000000000002", "Ram Sharma", "Male", 1981, "9876543210", "Passport", "K1234576",
     "UP", "Agra", "282001"),
    ("10000000000003", "Sita Devi", "Female", 1985, "9000000001", "Voter ID", "ABC1234567",
     "UP", "Agra", "282001"),
]


def _night(con, pairs_sql="a.rid < b.rid"):
    normalise(con, "src", "norm")
    con.execute(f"create or replace table pairs as select a.rid as id_l, b.rid as id_r "
                f"from norm a join norm b on {pairs_sql}")
    n = kept.compare_new(con, "norm", "pairs", "kept", "cmp", changed="changed")
    return n, con.execute("select * from cmp order by id_l, id_r").fetchall()


def test_only_new_and_changed_pairs_are_compared():
    con = typed_registrations(ROWS[:2])
    con.execute("create table changed (beneficiary_reference_id varchar, change varchar default 'changed')")
    assert _night(con)[0] == 1
    assert _night(con)[0] == 0  # nothing new tonight
    con.execute("insert into src select * replace ('10000000000003' as beneficiary_reference_id) "
                "from src where beneficiary_reference_id = '10000000000002'")
    assert _night(con)[0] == 2  # the newcomer with each of the two
    con.execute("update src set birth_year = 1990 where beneficiary_reference_id = '10000000000001'")
    con.execute("insert into changed (beneficiary_reference_id) values ('10000000000001')")
    n, rows = _night(con)
    assert n == 2 and len(rows) == 3  # the changed one's pairs again; one pair kept


def test_kept_levels_equal_a_fresh_comparison():
    con = typed_registrations(ROWS)
    con.execute("create table changed (beneficiary_reference_id varchar, change varchar default 'changed')")
    _night(con, "a.rid < b.rid and b.rid < 3")
    _, rows = _night(con)
    compare(con, "norm", "pairs", "fresh")
    assert rows == con.execute("select * from fresh order by id_l, id_r").fetchall()


def test_pairs_no_longer_candidates_are_left_out_of_the_night():
    con = typed_registrations(ROWS)
    con.execute("create table changed (beneficiary_reference_id varchar, change varchar default 'changed')")
    _night(con)
    n, rows = _night(con, "a.rid < b.rid and b.rid < 3")
    assert n == 0 and [(r[0], r[1]) for r in rows] == [(1, 2)]


def test_a_change_of_comparison_code_forgets_every_kept_pair(monkeypatch):
    con = typed_registrations(ROWS)
    con.execute("create table changed (beneficiary_reference_id varchar, change varchar default 'changed')")
    _night(con)
    monkeypatch.setattr(kept, "code_fingerprint", lambda: "another")
    assert _night(con)[0] == 3
