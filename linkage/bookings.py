"""Live bookings as linkage evidence: one person holding slots at several centres at once.

A registrant who registered again under another mobile to book again holds live bookings
(Booked, or marked No-show) at two centres for sessions a few days apart, one under each
registration. Between two different people that is rare: most registrations hold no live
booking, and two that do seldom fall in one week at different centres. So it is a
comparison like the others, its u taken from random pairs and its m from EM, and its
weight shrinks by itself where live bookings are common.

It is the pattern rule 1 (multi_booking) flags, so a link it helps make is shown as such
in the pair's explanation. The level follows the bookings held tonight, so it is joined
onto the comparisons when they are scored and never kept with them.
"""
from __future__ import annotations

import duckdb

FIELD = "bookings"
LIVE_STATUSES = ("Booked", "No-show")


def history(con: duckdb.DuckDBPyConnection, norm: str, appointments: str | None,
            target: str, rids: str | None = None) -> None:
    """Write `target` (TEMP): rid, center_id and session_date of every live booking, or of
    those of the registrations `rids` (a subquery) selects. Without `appointments` it is
    empty, and every pair is level 0."""
    if appointments is None:
        con.execute(f"create or replace temp table {target} "
                    "(rid integer, center_id bigint, session_date date)")
        return
    live = ", ".join(f"'{s}'" for s in LIVE_STATUSES)
    con.execute(f"""create or replace temp table {target} as
        select distinct n.rid, a.center_id, a.session_date
        from {appointments} a join {norm} n using (beneficiary_reference_id)
        where a.status in ({live}) {f"and n.rid in {rids}" if rids else ""}""")


def add_levels(con: duckdb.DuckDBPyConnection, comparisons: str, history_table: str,
               window_days: int) -> None:
    """Give `comparisons` (TEMP, pairs by rid) a bookings_level column: 0 when one side
    holds no live booking, 1 when both do but not at two centres within `window_days`,
    2 when they do."""
    con.execute(f"""create or replace temp table _booking_levels as
        select p.id_l, p.id_r,
               max(case when x.center_id <> y.center_id
                         and abs(date_diff('day', x.session_date, y.session_date))
                             <= {int(window_days)} then 2 else 1 end) as level
        from (select id_l, id_r from {comparisons}
              where id_l in (select rid from {history_table})
                and id_r in (select rid from {history_table})) p
        join {history_table} x on x.rid = p.id_l
        join {history_table} y on y.rid = p.id_r
        group by p.id_l, p.id_r""")
    con.execute(f"""create or replace temp table {comparisons} as
        select c.*, coalesce(b.level, 0)::tinyint as {FIELD}_level from {comparisons} c
        left join _booking_levels b using (id_l, id_r)""")
    con.execute("drop table _booking_levels")
