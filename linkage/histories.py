"""The doses and the live bookings each registration holds (linkage.doses,
linkage.bookings), kept across nights, so that a night reads those of the registrations
it touched only.

A pair's dose and booking levels follow these two tables alone. A registration whose
doses or bookings changed tonight leaves most of its pairs' levels as they were (a dose 2
beside a partner without doses is level 1 before and after), and such a pair, its two
registrations unchanged, scores as it did with the same model: `update` finds those, so
that they are not scored again.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from linkage import bookings, doses
from linkage.catalog import table_exists


@dataclass(frozen=True)
class Histories:
    doses: str  # rid, doses_mask of every registration holding a dose
    bookings: str  # rid, center_id, session_date of every live booking
    vaccinations: str | None  # the warehouse's doses and bookings (None: none known)
    appointments: str | None


def keep_all(con: duckdb.DuckDBPyConnection, norm: str, h: Histories) -> None:
    """Write both tables afresh, for every registration in `norm`."""
    doses.history(con, norm, h.vaccinations, "_doses_now")
    bookings.history(con, norm, h.appointments, "_bookings_now")
    _replace(con, h, None)


def add_levels(con: duckdb.DuckDBPyConnection, comparisons: str, h: Histories,
               window_days: int) -> None:
    """Give `comparisons` (TEMP, pairs by rid) its doses_level and bookings_level."""
    doses.add_levels(con, comparisons, h.doses)
    bookings.add_levels(con, comparisons, h.bookings, window_days)


def update(con: duckdb.DuckDBPyConnection, norm: str, h: Histories, rids: str, pairs: str,
           window_days: int) -> None:
    """Bring both tables up to date for the registrations `rids` (a subquery of one column)
    selects: those added or changed tonight and those whose doses or bookings changed. Of
    `pairs` (TEMP id_l, id_r: candidates before tonight, of two registrations that did not
    change), writes TEMP `_levels_as_were`: those whose two levels are as they were."""
    if not (table_exists(con, h.doses) and table_exists(con, h.bookings)):
        # a warehouse from before these were kept: no level of before is known
        keep_all(con, norm, h)
        con.execute("create or replace temp table _levels_as_were (id_l integer, id_r integer)")
        return
    con.execute(f"create or replace temp table _tonight as select distinct * from {rids} t(rid)")
    doses.history(con, norm, h.vaccinations, "_doses_now", rids="(select rid from _tonight)")
    bookings.history(con, norm, h.appointments, "_bookings_now",
                     rids="(select rid from _tonight)")
    _same_dose_level(con, h, pairs)
    # a booking level is above 0 only where both hold a live booking, before or now
    live = f"(select rid from {h.bookings} union select rid from _bookings_now)"
    con.execute(f"""create or replace temp table _booked_before as select id_l, id_r
        from _levels_as_were where id_l in {live} and id_r in {live}""")
    con.execute("create or replace temp table _booked_now as select * from _booked_before")
    bookings.add_levels(con, "_booked_before", h.bookings, window_days)
    _replace(con, h, "(select rid from _tonight)")
    bookings.add_levels(con, "_booked_now", h.bookings, window_days)
    con.execute("""create or replace temp table _levels_as_were as
        select * from _levels_as_were anti join (
            select id_l, id_r from _booked_before b join _booked_now n using (id_l, id_r)
            where b.bookings_level <> n.bookings_level) using (id_l, id_r)""")
    for temp in ("_tonight", "_booked_before", "_booked_now"):
        con.execute(f"drop table {temp}")


def _same_dose_level(con: duckdb.DuckDBPyConnection, h: Histories, pairs: str) -> None:
    """TEMP _levels_as_were: the `pairs` whose dose level tonight's doses (`_doses_now`,
    for the rids in `_tonight`) leave as it was."""
    # the level of each of the 64 pairs of masks, as linkage.doses has it, to look up
    con.execute(f"""create or replace temp table _mask_levels as
        select l.doses_mask as mask_l, r.doses_mask as mask_r, ({doses.LEVEL_SQL}) as level
        from (select range::tinyint as doses_mask from range(8)) l,
             (select range::tinyint as doses_mask from range(8)) r""")
    kept = "coalesce(k{0}.doses_mask, 0)"
    # a registration tonight holds the doses read tonight
    now = f"case when t{{0}}.rid is null then {kept} else coalesce(n{{0}}.doses_mask, 0) end"
    con.execute(f"""create or replace temp table _levels_as_were as
        with masks as (
            select p.id_l, p.id_r, {kept.format("l")} as before_l, {kept.format("r")} as before_r,
                   {now.format("l")} as now_l, {now.format("r")} as now_r
            from {pairs} p
            left join {h.doses} kl on kl.rid = p.id_l left join {h.doses} kr on kr.rid = p.id_r
            left join _tonight tl on tl.rid = p.id_l left join _tonight tr on tr.rid = p.id_r
            left join _doses_now nl on nl.rid = p.id_l left join _doses_now nr on nr.rid = p.id_r)
        select m.id_l, m.id_r from masks m
        join _mask_levels b on b.mask_l = m.before_l and b.mask_r = m.before_r
        join _mask_levels a on a.mask_l = m.now_l and a.mask_r = m.now_r
        where a.level = b.level""")
    con.execute("drop table _mask_levels")


def _replace(con: duckdb.DuckDBPyConnection, h: Histories, rids: str | None) -> None:
    """The kept rows of `rids` (all, with None) in place of `_doses_now`/`_bookings_now`."""
    for table, now in ((h.doses, "_doses_now"), (h.bookings, "_bookings_now")):
        if rids is None:
            con.execute(f"create or replace table {table} as select * from {now}")
        else:
            con.execute(f"delete from {table} where rid in {rids}")
            con.execute(f"insert into {table} select * from {now}")
        con.execute(f"drop table {now}")
