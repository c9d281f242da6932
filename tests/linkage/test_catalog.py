import duckdb

from linkage.catalog import table_exists


def test_only_a_persistent_table_counts_as_kept(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create table kept (a int)")
    con.execute("create temp table scratch (a int)")
    assert table_exists(con, "kept")
    assert not table_exists(con, "scratch")
    assert not table_exists(con, "missing")
