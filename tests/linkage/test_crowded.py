import duckdb

from linkage import crowded


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    # a tout's mobile carried by four registrations, a family's by two; one ID on three
    con.execute("""create table norm as select * from (values
        (1, 'tout', 'a'), (2, 'tout', 'b'), (3, 'tout', 'zero'), (4, 'tout', 'zero'),
        (5, 'home', 'zero'), (6, 'home', 'c')) t(rid, mobile_key, photo_id_key)""")
    con.execute("""create temp table comparisons as select * from (values
        (1, 2, 1, 1), (3, 4, 1, 3), (5, 6, 1, 1), (1, 5, 0, 1), (4, 5, 0, 3))
        t(id_l, id_r, mobile_level, photo_id_level)""")
    return con


def test_numbers_carried_by_more_than_the_limit_are_counted():
    con = _warehouse()
    crowded.count(con, "norm", "crowded", limit=2)
    assert sorted(con.execute("select field, key from crowded").fetchall()) == [
        ("mobile", "tout"), ("photo_id", "zero")]


def test_agreeing_on_a_crowded_number_weighs_neither_way_and_a_family_mobile_still_counts():
    con = _warehouse()
    crowded.count(con, "norm", "crowded", limit=2)
    crowded.discount(con, "comparisons", "norm", "crowded")
    levels = {(l, r): (m, p) for l, r, m, p in
              con.execute("select * from comparisons").fetchall()}
    assert levels[(1, 2)] == (-1, 1)  # the tout's mobile
    assert levels[(3, 4)] == (-1, -1)  # and a placeholder ID
    assert levels[(5, 6)] == (1, 1)  # a family's mobile is evidence
    assert levels[(1, 5)] == (0, 1)  # disagreeing is left as it is
    assert levels[(4, 5)] == (0, -1)


def test_nothing_crowded_changes_nothing():
    con = _warehouse()
    crowded.count(con, "norm", "crowded", limit=6)
    before = con.execute("select * from comparisons order by all").fetchall()
    crowded.discount(con, "comparisons", "norm", "crowded")
    assert con.execute("select * from comparisons order by all").fetchall() == before
