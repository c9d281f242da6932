import random

import duckdb
import pytest

from linkage.blocking import block, update_blocks
from linkage.settings import BlockingRule


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("""create table norm as select * from (values
        (1, 'sunita', 1975, 'agra', '9000000001'),
        (2, 'sunita', 1975, 'agra', '9000000002'),
        (3, 'sunita', 1975, 'meerut', '9000000003'),
        (4, 'sunita', 1975, 'meerut', '9000000001'),
        (5, 'anita', 1975, 'agra', null),
        (6, null, 1975, 'agra', null)
    ) t(rid, first_phon, birth_year, district_name, mobile_key)""")
    con.execute("alter table norm add column bid bigint")
    con.execute("update norm set bid = 100 + rid")
    return con


def pairs(con):
    return set(con.execute("select id_l, id_r from cp").fetchall())


def test_pairs_share_a_key_and_are_ordered(con):
    rep = block(con, "norm", "cp", (BlockingRule("first_year", ("first_phon", "birth_year")),))
    assert pairs(con) == {(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)}
    assert rep.pairs == 6 and rep.pairs_by_rule == {"first_year": 6}


def test_null_keys_never_pair(con):
    block(con, "norm", "cp", (BlockingRule("mobile", ("mobile_key",)),))
    assert pairs(con) == {(1, 4)}


def test_oversize_block_is_split_not_dropped(con):
    rule = BlockingRule("first_year", ("first_phon", "birth_year"), max_block=2,
                        split_by=("district_name",))
    rep = block(con, "norm", "cp", (rule,))
    assert pairs(con) == {(1, 2), (3, 4)}
    assert rep.oversize_rows_by_rule == {"first_year": 0}


def test_oversize_after_split_is_reported(con):
    rule = BlockingRule("first_year", ("first_phon", "birth_year"), max_block=1)
    rep = block(con, "norm", "cp", (rule,))
    assert rep.pairs == 0 and rep.oversize_rows_by_rule == {"first_year": 4}


def test_union_records_every_key_that_proposed_a_pair(con):
    rules = (BlockingRule("first_year", ("first_phon", "birth_year")),
             BlockingRule("mobile", ("mobile_key",)))
    block(con, "norm", "cp", rules)
    keys = dict(((l, r), k) for l, r, k in con.execute("select * from cp").fetchall())
    assert keys[(1, 4)] == 0b11 and keys[(1, 2)] == 0b01


def test_a_pair_is_oriented_by_registration_id_not_rid(con):
    con.execute("update norm set bid = 100 - rid")  # rids in the reverse order of ids
    block(con, "norm", "cp", (BlockingRule("mobile", ("mobile_key",)),))
    assert pairs(con) == {(4, 1)}


RULES = (BlockingRule("a", ("k1",), max_block=5, split_by=("k2",)),
         BlockingRule("b", ("k2", "k3"), max_block=3),
         BlockingRule("c", ("k3",), max_block=6))


def _rows(rng: random.Random, rids: range, tag: int) -> list[tuple]:
    pick = lambda n: rng.choice([None] + list(range(n)))  # noqa: E731
    return [(rid, 1000 + rid, pick(4), pick(3), pick(5), tag) for rid in rids]


def _pairs_by_id(con, norm, target):
    return set(con.execute(f"select l.bid, r.bid, p.blocking_keys from {target} p "
                           f"join {norm} l on l.rid = p.id_l join {norm} r on r.rid = p.id_r")
               .fetchall())


@pytest.mark.parametrize("seed", range(12))
def test_updating_the_blocks_of_changed_rows_equals_blocking_again(seed):
    """Blocks that grow past their size, shrink under it, or gain and lose members by a
    change of key: a night's update gives the pairs blocking everything again gives."""
    rng = random.Random(seed)
    con = duckdb.connect()
    cols = "rid integer, bid bigint, k1 integer, k2 integer, k3 integer, night integer"
    con.execute(f"create table norm ({cols})")
    con.executemany("insert into norm values (?, ?, ?, ?, ?, ?)", _rows(rng, range(1, 41), 1))
    block(con, "norm", "cp", RULES)
    changed = rng.sample(range(1, 41), 6)
    con.execute(f"create temp table norm_before as select * from norm where rid in "
                f"({', '.join(map(str, changed))})")
    con.execute("delete from norm where rid in (select rid from norm_before)")
    con.executemany("insert into norm values (?, ?, ?, ?, ?, ?)",
                    [r for rid in changed for r in _rows(rng, range(rid, rid + 1), 2)]
                    + _rows(rng, range(41, 49), 2))
    con.execute("create temp table fresh as select rid from norm where night = 2")
    # rows unchanged tonight whose pairs the caller also wants (their doses changed, say)
    also = rng.sample(sorted(set(range(1, 41)) - set(changed)), 4)
    con.execute(f"create temp table also as select unnest({also}) as rid")
    update_blocks(con, "norm", "norm_before", "cp", RULES, "fresh", also="also")
    block(con, "norm", "again", RULES)
    assert _pairs_by_id(con, "norm", "cp") == _pairs_by_id(con, "norm", "again")
    assert con.execute("select count(*) - count(distinct (id_l, id_r)) from cp").fetchall() \
        == [(0,)]  # a pair whose bits changed is held once
    gone = set(con.execute("select id_l, id_r from _pairs_gone").fetchall())
    added = set(con.execute("select id_l, id_r from _pairs_added").fetchall())
    assert not gone & set(con.execute("select id_l, id_r from cp").fetchall())
    assert added <= set(con.execute("select id_l, id_r from cp").fetchall())
    touched = con.execute("select id_l, id_r from cp where id_l in (select rid from fresh) "
                          "or id_r in (select rid from fresh) or id_l in (select rid from also) "
                          "or id_r in (select rid from also)").fetchall()
    assert set(con.execute("select id_l, id_r from _pairs_touched").fetchall()) \
        == set(touched) | added


def test_a_block_too_large_before_and_after_is_updated_in_the_parts_tonight_touched():
    """A block over its limit on both nights pairs within its parts: a new row pairs with
    its part only, a part that crosses the limit drops its pairs, and the untouched part
    keeps its pairs (and is not re-read: the pairs come out the same either way)."""
    rule = (BlockingRule("a", ("k1",), max_block=3, split_by=("k2",)),)
    con = duckdb.connect()
    con.execute("create table norm (rid integer, bid bigint, k1 integer, k2 integer)")
    rows = [(1, 1), (2, 1), (3, 2), (4, 2), (5, 2), (6, 3)]  # block k1=0 of 6: too large
    con.executemany("insert into norm values (?, ?, 0, ?)",
                    [(rid, 100 + rid, k2) for rid, k2 in rows])
    block(con, "norm", "cp", rule)
    assert pairs(con) == {(1, 2), (3, 4), (3, 5), (4, 5)}
    con.execute("create temp table norm_before as select * from norm where rid = 6")
    con.execute("delete from norm where rid = 6")
    con.executemany("insert into norm values (?, ?, 0, ?)",
                    [(6, 106, 1), (7, 107, 3), (8, 108, 2)])  # part 2 grows to 4: too large
    con.execute("create temp table fresh as select unnest([6, 7, 8]) as rid")
    update_blocks(con, "norm", "norm_before", "cp", rule, "fresh")
    block(con, "norm", "again", rule)
    assert pairs(con) == {(1, 2), (1, 6), (2, 6)}
    assert _pairs_by_id(con, "norm", "cp") == _pairs_by_id(con, "norm", "again")
