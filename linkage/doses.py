"""Vaccination history as linkage evidence: one person's doses are split over their
registrations.

A person is vaccinated once over. A repeat registration mostly holds no dose, or the doses
the other lacks (dose 1 under one, dose 2 under the other); two registrations that each
hold a dose 2 (or each a dose 3) are two people. Dose 1 under both is the fraud the rules
look for (a dose 1 given again), so it weighs neither way: the linkage must not learn to
look away from it. The level follows the doses recorded so far, so it is joined onto the
comparisons when they are scored and never kept with them.
"""
from __future__ import annotations

import duckdb

FIELD = "doses"
# a bit per dose number (1, 2, 3) held by a registration
_MASK = "coalesce({side}.doses_mask, 0)"
LEVEL_SQL = """case
    when {l} & {r} & 6 <> 0 then 0      -- the same later dose under both
    when {l} & {r} = 1 then -1          -- dose 1 under both: for the rules, not evidence
    when {l} > 0 and {r} > 0 then 3     -- the doses split between them
    when {l} > 0 or {r} > 0 then 1
    else 2 end""".format(l=_MASK.format(side="l"), r=_MASK.format(side="r"))


def history(con: duckdb.DuckDBPyConnection, norm: str, vaccinations: str | None,
            target: str, rids: str | None = None) -> None:
    """Write `target` (TEMP): rid and doses_mask of every registration holding a dose, or
    of those `rids` (a subquery) selects. Without `vaccinations` it is empty, and every
    pair is level 2 (no dose either side)."""
    if vaccinations is None:
        con.execute(f"create or replace temp table {target} (rid integer, doses_mask tinyint)")
        return
    con.execute(f"""create or replace temp table {target} as
        select n.rid, bit_or(1 << (v.dose - 1))::tinyint as doses_mask
        from {vaccinations} v join {norm} n using (beneficiary_reference_id)
        where v.dose between 1 and 3 {f"and n.rid in {rids}" if rids else ""}
        group by n.rid""")


def add_levels(con: duckdb.DuckDBPyConnection, comparisons: str, history_table: str) -> None:
    """Give `comparisons` (TEMP, pairs by rid) a doses_level column."""
    con.execute(f"""create or replace temp table {comparisons} as
        select c.*, ({LEVEL_SQL})::tinyint as {FIELD}_level from {comparisons} c
        left join {history_table} l on l.rid = c.id_l
        left join {history_table} r on r.rid = c.id_r""")
