"""Candidate pairs: the union of several blocking keys, generated as SQL.

A block (registrations sharing a key) of n rows yields n(n-1)/2 pairs, so a key with a
very common value ("sunita" + 1975) explodes. Such a block is not dropped: it is split
by the rule's extra columns and paired within each part that is small enough. What is
still too large after splitting is counted and reported, and is left to the other keys.

A pair is oriented by registration id (`bid`), so it reads the same whichever night its
registrations arrived. On a night that changes a few registrations only the blocks they
sit in, before or after the change, are paired again (`update_blocks`): a pair's bit for
a rule depends only on the block it shares under that rule.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from linkage.settings import BlockingRule


@dataclass(frozen=True)
class BlockingReport:
    pairs: int
    pairs_by_rule: dict[str, int]
    oversize_rows_by_rule: dict[str, int]


def _eq(cols: tuple[str, ...]) -> str:
    return " and ".join(f"l.{c} = r.{c}" for c in cols)


def rule_sql(table: str, rule: BlockingRule, bit: int) -> str:
    """Pairs (by rid, the lower bid on the left) sharing the rule's key, as one SELECT."""
    key = ", ".join(rule.columns)
    every = rule.columns + rule.split_by
    not_null = " and ".join(f"{c} is not null" for c in every if c in rule.columns)
    sized = f"""select rid, bid, {", ".join(every)},
                       count(*) over (partition by {key}) as n
                       {f", count(*) over (partition by {', '.join(every)}) as n_split"
                        if rule.split_by else ""}
                from {table} where {not_null}"""
    small = (f"select l.rid as id_l, r.rid as id_r, {bit} as k from b l join b r "
             f"on {_eq(rule.columns)} and l.bid < r.bid where l.n <= {rule.max_block}")
    if not rule.split_by:
        return f"(with b as ({sized}) {small})"
    split = (f"select l.rid, r.rid, {bit} from b l join b r "
             f"on {_eq(every)} and l.bid < r.bid "
             f"where l.n > {rule.max_block} and l.n_split <= {rule.max_block}")
    return f"(with b as ({sized}) {small} union all {split})"


def oversize_sql(table: str, rule: BlockingRule) -> str:
    """Rows in blocks too large to pair even after splitting."""
    every = rule.columns + rule.split_by
    part = ", ".join(every)
    not_null = " and ".join(f"{c} is not null" for c in rule.columns)
    return (f"select count(*) from (select count(*) over (partition by {part}) as n "
            f"from {table} where {not_null}) where n > {rule.max_block}")


def _pairs_sql(table: str, rules: tuple[BlockingRule, ...]) -> str:
    parts = " union all ".join(rule_sql(table, r, 1 << i) for i, r in enumerate(rules))
    return (f"select id_l, id_r, bit_or(k)::integer as blocking_keys "
            f"from ({parts}) group by id_l, id_r")


def block(con: duckdb.DuckDBPyConnection, table: str, target: str,
          rules: tuple[BlockingRule, ...]) -> BlockingReport:
    """Write `target` (id_l, id_r, blocking_keys bitmask; kept across nights) and report
    pairs per rule."""
    con.execute(f"create or replace table {target} as {_pairs_sql(table, rules)}")
    return report(con, table, target, rules)


def report(con: duckdb.DuckDBPyConnection, table: str, target: str,
           rules: tuple[BlockingRule, ...], oversize: bool = True) -> BlockingReport:
    counts = ", ".join(f"count(*) filter (where blocking_keys & {1 << i} <> 0)"
                       for i in range(len(rules)))
    by_rule = dict(zip((r.name for r in rules),
                       con.execute(f"select {counts} from {target}").fetchall()[0]))
    too_large = {r.name: con.execute(oversize_sql(table, r)).fetchall()[0][0]
                 for r in rules} if oversize else {}
    total = con.execute(f"select count(*) from {target}").fetchall()[0][0]
    return BlockingReport(total, by_rule, too_large)


def update_blocks(con: duckdb.DuckDBPyConnection, table: str, before: str, target: str,
                  rules: tuple[BlockingRule, ...], fresh: str) -> None:
    """Bring `target` up to date after the registrations in `before` (their rows as they
    were) were replaced in `table` by their rows now, and new ones added (all listed by
    rid in `fresh`). Writes TEMP `_pairs_gone` (pairs no longer candidates) and
    `_pairs_added` (pairs that were not candidates); a pair of a changed registration
    that stays a candidate is in neither."""
    _touched_blocks(con, table, before, rules, fresh)
    again = " union all ".join(
        rule_sql(f"(select * from _blocks_again where mask & {1 << i} <> 0)", r, 1 << i)
        for i, r in enumerate(rules))
    con.execute(f"""create or replace temp table _pairs_again as
        select id_l, id_r, bit_or(k)::integer as blocking_keys from ({again})
        group by id_l, id_r""")
    # a pair keeps its bits for blocks left alone and takes tonight's for the others; a
    # pair that lost a bit has its left registration in the block that changed
    con.execute(f"""create or replace temp table _pairs_bits as
        select id_l, id_r, p.blocking_keys as old,
               (coalesce(p.blocking_keys, 0) & ~t.mask) | coalesce(a.blocking_keys, 0) as new
        from (select p.* from {target} p semi join _blocks_again t on t.rid = p.id_l) p
        full join _pairs_again a using (id_l, id_r)
        join _blocks_again t on t.rid = id_l""")
    con.execute("create or replace temp table _pairs_gone as "
                "select id_l, id_r from _pairs_bits where new = 0 and old is not null")
    con.execute("create or replace temp table _pairs_added as "
                "select id_l, id_r, new as blocking_keys from _pairs_bits where old is null")
    con.execute(f"""update {target} p set blocking_keys = b.new from _pairs_bits b
        where b.id_l = p.id_l and b.id_r = p.id_r and b.new <> b.old""")
    # a registration gone from the table (a snapshot's) takes all its pairs with it
    con.execute(f"""insert into _pairs_gone select id_l, id_r from {target}
        where id_l in (select rid from {before} anti join {table} using (rid))
           or id_r in (select rid from {before} anti join {table} using (rid))""")
    con.execute(f"delete from {target} p where blocking_keys = 0 or exists "
                f"(select 1 from _pairs_gone g where g.id_l = p.id_l and g.id_r = p.id_r)")
    con.execute(f"insert into {target} select * from _pairs_added")
    for tmp in ("_blocks_again", "_pairs_again", "_pairs_bits"):
        con.execute(f"drop table {tmp}")


def _touched_blocks(con: duckdb.DuckDBPyConnection, table: str, before: str,
                    rules: tuple[BlockingRule, ...], fresh: str) -> None:
    """TEMP `_blocks_again`: the rows of every block a changed registration sits in, before
    or after the change, with a bitmask of the rules whose block it is. A changed
    registration's own rows carry every bit: all its blocks are paired again."""
    rows = (f"(select * exclude (rid) from {table} where rid in (select rid from {fresh}) "
            f"union all select * exclude (rid) from {before})")
    touched = " union all ".join(
        f"select x.rid, {1 << i} as bit from {table} x semi join "
        f"(select distinct {', '.join(r.columns)} from {rows} "
        f"where {' and '.join(f'{c} is not null' for c in r.columns)}) k "
        f"using ({', '.join(r.columns)})"
        for i, r in enumerate(rules))
    con.execute(f"""create or replace temp table _blocks_again as
        select x.*, m.mask from {table} x join (
            select rid, bit_or(bit) as mask from ({touched} union all
                select rid, -1 from {before} union all select rid, -1 from {fresh})
            group by rid) m using (rid)""")
