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
    # a few hundred distinct key masks: counting them is one pass, not one per rule
    masks = con.execute(f"select blocking_keys, count(*) from {target} group by all").fetchall()
    by_rule = {r.name: sum(n for keys, n in masks if keys & (1 << i))
               for i, r in enumerate(rules)}
    too_large = {r.name: con.execute(oversize_sql(table, r)).fetchall()[0][0]
                 for r in rules} if oversize else {}
    total = con.execute(f"select count(*) from {target}").fetchall()[0][0]
    return BlockingReport(total, by_rule, too_large)


def update_blocks(con: duckdb.DuckDBPyConnection, table: str, before: str, target: str,
                  rules: tuple[BlockingRule, ...], fresh: str, also: str | None = None) -> None:
    """Bring `target` up to date after the registrations in `before` (their rows as they
    were) were replaced in `table` by their rows now, and new ones added (all listed by
    rid in `fresh`). Writes TEMP `_pairs_gone` (pairs no longer candidates) and
    `_pairs_added` (pairs that were not candidates); a pair of a changed registration
    that stays a candidate is in neither. Writes TEMP `_pairs_touched` too: every
    candidate pair, after the update, of a row in `fresh` or in `also` (rids whose pairs
    the caller needs; reading them in the same pass saves scanning `target` again), and
    every pair added.

    Under a rule, a row pairs with the rows of its unit: its block while the block is
    small enough, else its part of the block while that is, else none. A pair's bit can
    change only if one of its rows changed or changed unit (its block or part grew past
    the limit or shrank under it), so only those rows' pairs are worked out again."""
    con.execute("create or replace temp table _moved (rid integer, bit integer)")
    con.execute("create or replace temp table _unit_pairs "
                "(id_l integer, id_r integer, bit integer)")
    # read once for every rule: each rule's blocks are those these rows sit in
    con.execute(f"create or replace temp table _fresh_rows as select * from {table} "
                f"where rid in (select rid from {fresh})")
    for i, rule in enumerate(rules):
        _rule_changes(con, table, before, rule, 1 << i, "_fresh_rows")
    con.execute(f"""create or replace temp table _redo as select rid, bit_or(bit) as mask
        from (select * from _moved union all select rid, -1 from {fresh}
              union all select rid, -1 from {before}) group by rid""")
    con.execute("""create or replace temp table _unit_pairs as
        select id_l, id_r, bit_or(bit) as bits from _unit_pairs group by all""")
    # rows of `also` alone keep their bits (their masks are null and no unit pair of
    # theirs is new): reading their pairs changes nothing below
    wanted = f"(select rid from _redo union select rid from {also or '_redo'})"
    con.execute(f"""create or replace temp table _pairs_bits as
        with hit as (
            select p.* from {target} p where p.id_l in {wanted}
            union select p.* from {target} p where p.id_r in {wanted})
        select id_l, id_r, h.blocking_keys as old,
               (coalesce(h.blocking_keys, 0) & ~(coalesce(a.mask, 0) | coalesce(b.mask, 0)))
               | coalesce(u.bits, 0) as new
        from hit h full join _unit_pairs u using (id_l, id_r)
        left join _redo a on a.rid = id_l left join _redo b on b.rid = id_r""")
    con.execute("create or replace temp table _pairs_gone as "
                "select id_l, id_r from _pairs_bits where new = 0 and old is not null")
    con.execute("create or replace temp table _pairs_added as "
                "select id_l, id_r, new as blocking_keys from _pairs_bits "
                "where old is null and new <> 0")
    # a pair whose bits changed is deleted and inserted again: an update would rewrite
    # the column in every row group it touches when the night commits
    con.execute("""create or replace temp table _pairs_rebitted as
        select id_l, id_r, new as blocking_keys from _pairs_bits
        where new <> old and new <> 0""")
    con.execute(f"""delete from {target} p where exists
        (select 1 from (select id_l, id_r from _pairs_gone
                        union all select id_l, id_r from _pairs_rebitted) g
         where g.id_l = p.id_l and g.id_r = p.id_r)""")
    con.execute(f"insert into {target} select * from _pairs_added "
                "union all select * from _pairs_rebitted")
    touched = f"(select rid from {fresh} union select rid from {also or fresh})"
    con.execute(f"""create or replace temp table _pairs_touched as
        select id_l, id_r from _pairs_bits
        where new <> 0 and (old is null or id_l in {touched} or id_r in {touched})""")
    for tmp in ("_fresh_rows", "_moved", "_unit_pairs", "_redo", "_pairs_bits",
                "_pairs_rebitted"):
        con.execute(f"drop table {tmp}")


def _rule_changes(con: duckdb.DuckDBPyConnection, table: str, before: str, rule: BlockingRule,
                  bit: int, fresh_rows: str) -> None:
    """Append to `_moved` the rows whose unit under `rule` changed, and to `_unit_pairs`
    every pair of a changed or moved row with a row of its unit now. `fresh_rows`: the
    rows added or changed tonight, as they are now."""
    key, every = ", ".join(rule.columns), ", ".join(rule.columns + rule.split_by)
    has_key = " and ".join(f"{c} is not null" for c in rule.columns)
    split_ok = " and ".join(f"{c} is not null" for c in rule.split_by) or "false"
    limit = rule.max_block
    part_sizes = (f"""left join (select {every}, count(*) as n_split,
                                 sum(is_fresh::int) as f_split from m group by all) p
                      using ({every})
                      left join (select {every}, count(*) as g_split from gone group by all) gp
                      using ({every})""" if rule.split_by else "")
    n_split = "p.n_split" if rule.split_by else "0"
    n_split_old = ("p.n_split - p.f_split + coalesce(gp.g_split, 0)" if rule.split_by else "0")
    # a block too large now and before tonight pairs within its parts only, so of those
    # blocks only the parts that tonight's rows sit in can change
    con.execute(f"""create or replace temp table _unit as
        with k as (select distinct {key} from (
                       select {key} from {fresh_rows} union all select {key} from {before})
                   where {has_key}),
        rows as materialized (select rid, bid, {every} from {table} semi join k using ({key})),
        gone as (select {every} from {before} where {has_key}),
        -- sizes before tonight: those now, less tonight's rows, plus the rows they replaced
        blocks as (
            select {key}, n, n - coalesce(f, 0) + coalesce(g, 0) as n_old
            from (select {key}, count(*) as n from rows group by all)
            left join (select {key}, count(*) as f from {fresh_rows} group by all) using ({key})
            left join (select {key}, count(*) as g from gone group by all) using ({key})),
        parts as (select distinct {every}, true as touched from (
                      select {every} from {fresh_rows} union all select {every} from gone)),
        m as (select t.*, t.rid in (select rid from {fresh_rows}) as is_fresh, b.n, b.n_old
              from rows t join blocks b using ({key}) left join parts using ({every})
              where b.n <= {limit} or b.n_old <= {limit} or parts.touched),
        sized as (select m.*, {n_split} as n_split, {n_split_old} as n_split_old
                  from m {part_sizes})
        select rid, bid, {every}, is_fresh,
               {_regime(rule, "n", "n_split", split_ok)} as unit_now,
               {_regime(rule, "n_old", "n_split_old", split_ok)} as unit_before
        from sized""")
    con.execute(f"""insert into _moved select rid, {bit} from _unit
                    where not is_fresh and unit_now <> unit_before""")
    part = " and ".join(f"x.{c} = y.{c}" for c in rule.split_by) or "true"
    con.execute(f"""insert into _unit_pairs
        select distinct case when x.bid < y.bid then x.rid else y.rid end,
               case when x.bid < y.bid then y.rid else x.rid end, {bit}
        from _unit x join _unit y
          on {" and ".join(f"x.{c} = y.{c}" for c in rule.columns)} and x.rid <> y.rid
        where (x.is_fresh or x.unit_now <> x.unit_before) and x.unit_now > 0
          and (x.unit_now = 1 or ({part}))""")
    con.execute("drop table _unit")


def _regime(rule: BlockingRule, n: str, n_split: str, split_ok: str) -> str:
    """1: pairs within the block; 2: within its part (the split columns); 0: none."""
    if not rule.split_by:
        return f"(case when {n} <= {rule.max_block} then 1 else 0 end)"
    return (f"(case when {n} <= {rule.max_block} then 1 "
            f"when {split_ok} and {n_split} <= {rule.max_block} then 2 else 0 end)")
