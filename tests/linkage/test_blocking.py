import duckdb
import pytest

from linkage.blocking import block
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
