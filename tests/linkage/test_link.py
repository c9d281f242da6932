"""A night's scores kept in place of the stale ones (linkage.link._keep_scored)."""
from __future__ import annotations

import duckdb

from linkage.link import LinkTables, _keep_scored

T = LinkTables(norm="norm", pairs="cp", scores="ps", clusters="cl", scored="scored",
               night_scores="night")
COLUMNS = "rid_l integer, rid_r integer, match_weight double, linked boolean, " \
          "household boolean, other_person boolean"


def _night(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create table scored ({COLUMNS})")
    con.execute("""insert into scored values
        (1, 2, 9.5, true, false, false),    -- tonight as it was
        (1, 3, 9.5, true, false, false),    -- tonight below the threshold
        (2, 3, -3.0, false, true, false),   -- tonight no longer a household
        (4, 5, 1.0, false, false, false),   -- no longer a candidate
        (6, 7, 12.0, true, false, false)    -- untouched""")
    con.execute(f"create temp table night ({COLUMNS})")
    con.execute("""insert into night values
        (1, 2, 9.5, true, false, false), (1, 3, 2.5, false, false, false),
        (2, 3, -3.0, false, false, false), (1, 8, 11.0, true, false, false)""")
    con.execute("create temp table _pairs_added as select 1 as id_l, 8 as id_r")
    con.execute("create temp table _pairs_gone as select 4 as id_l, 5 as id_r")


def test_pairs_scored_as_they_were_stay_and_only_changes_reach_clustering():
    con = duckdb.connect()
    _night(con)
    kept_at = dict(con.execute("select rid_r, rowid from scored where rid_l = 1").fetchall())
    _keep_scored(con, T, incremental=True)
    rows = set(con.execute("select * from scored").fetchall())
    assert rows == {(1, 2, 9.5, True, False, False), (1, 3, 2.5, False, False, False),
                    (2, 3, -3.0, False, False, False), (6, 7, 12.0, True, False, False),
                    (1, 8, 11.0, True, False, False)}
    # the pair that scored as it did was not deleted and written again
    assert con.execute("select rowid from scored where rid_l = 1 and rid_r = 2").fetchall() \
        == [(kept_at[2],)]
    changed = sorted(con.execute("select * from _changed_pairs").fetchall())
    assert changed == [(1, 3, False), (1, 3, True), (1, 8, True), (2, 3, False), (2, 3, False),
                       (4, 5, False)]


def test_a_night_that_fits_the_model_keeps_every_score():
    con = duckdb.connect()
    _night(con)
    _keep_scored(con, T, incremental=False)
    assert con.execute("select count(*) from scored").fetchall() == [(4,)]
