"""Candidate pairs: the union of several blocking keys, generated as SQL.

A block (registrations sharing a key) of n rows yields n(n-1)/2 pairs, so a key with a
very common value ("sunita" + 1975) explodes. Such a block is not dropped: it is split
by the rule's extra columns and paired within each part that is small enough. What is
still too large after splitting is counted and reported, and is left to the other keys.
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
    """Pairs (id_l < id_r) sharing the rule's key, as one SELECT."""
    key = ", ".join(rule.columns)
    every = rule.columns + rule.split_by
    not_null = " and ".join(f"{c} is not null" for c in every if c in rule.columns)
    sized = f"""select rid, {", ".join(every)},
                       count(*) over (partition by {key}) as n
                       {f", count(*) over (partition by {', '.join(every)}) as n_split"
                        if rule.split_by else ""}
                from {table} where {not_null}"""
    small = (f"select l.rid as id_l, r.rid as id_r, {bit} as k from b l join b r "
             f"on {_eq(rule.columns)} and l.rid < r.rid where l.n <= {rule.max_block}")
    if not rule.split_by:
        return f"(with b as ({sized}) {small})"
    split = (f"select l.rid, r.rid, {bit} from b l join b r "
             f"on {_eq(every)} and l.rid < r.rid "
             f"where l.n > {rule.max_block} and l.n_split <= {rule.max_block}")
    return f"(with b as ({sized}) {small} union all {split})"


def oversize_sql(table: str, rule: BlockingRule) -> str:
    """Rows in blocks too large to pair even after splitting."""
    every = rule.columns + rule.split_by
    part = ", ".join(every)
    not_null = " and ".join(f"{c} is not null" for c in rule.columns)
    return (f"select count(*) from (select count(*) over (partition by {part}) as n "
            f"from {table} where {not_null}) where n > {rule.max_block}")


def block(con: duckdb.DuckDBPyConnection, table: str, target: str,
          rules: tuple[BlockingRule, ...]) -> BlockingReport:
    """Write `target` (id_l, id_r, blocking_keys bitmask) and report pairs per rule."""
    parts = " union all ".join(rule_sql(table, r, 1 << i) for i, r in enumerate(rules))
    con.execute(f"""
        create or replace temp table {target} as
        select id_l, id_r, bit_or(k)::integer as blocking_keys
        from ({parts}) group by id_l, id_r
    """)
    counts = ", ".join(f"count(*) filter (where blocking_keys & {1 << i} <> 0)"
                       for i in range(len(rules)))
    by_rule = dict(zip((r.name for r in rules),
                       con.execute(f"select {counts} from {target}").fetchall()[0]))
    oversize = {r.name: con.execute(oversize_sql(table, r)).fetchall()[0][0] for r in rules}
    total = con.execute(f"select count(*) from {target}").fetchall()[0][0]
    return BlockingReport(total, by_rule, oversize)
