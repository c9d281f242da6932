"""Fold a night's accepted rows into the warehouse, which is kept across nights.

A night's export is either a snapshot (every registration the warehouse holds appears in
it again) or a delta (only what is new or changed since the last night). A snapshot
replaces the tables; a delta adds its rows and replaces those with the same id. Either
way the registrations the night added, changed or removed are listed in
`changed_registrations`, so that linkage compares only them, and the people whose
bookings or doses it added, changed or removed in `changed_activity`, so that the rules
re-run only for them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb

from pipelines import tables
from pipelines.validate import photo_id_parts
from rules.engine import INPUT_SCHEMA

EXPORT_KINDS = ("auto", "snapshot", "delta")
FILES = {  # night table -> (warehouse table, id column)
    "registrations": (tables.REGISTRATIONS, "beneficiary_reference_id"),
    "appointments": (tables.APPOINTMENTS, "appointment_id"),
    "vaccinations": (tables.VACCINATIONS, "certificate_id"),
}


@dataclass(frozen=True)
class MergeReport:
    export_kind: str  # 'snapshot' | 'delta'
    new: int
    changed: int
    removed: int
    registrations: int  # in the warehouse after the merge

    def to_dict(self) -> dict:
        return asdict(self)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The kept tables, empty on the first night."""
    for table, _ in FILES.values():
        con.execute(f"create table if not exists {table} ({INPUT_SCHEMA[table]})")
    con.execute(f"create table if not exists {tables.PHOTO_ID_PARTS} "
                f"(bid bigint, part varchar, part_key varchar)")


def export_kind(con: duckdb.DuckDBPyConnection) -> str:
    """'snapshot' when the export names every registration already held, else 'delta'.
    Read from the raw rows, so a held registration quarantined tonight still counts as
    named."""
    missing = con.execute(f"""select count(*) from {tables.REGISTRATIONS} r
        anti join {tables.RAW['registrations']} x
        on trim(x.beneficiary_reference_id) = r.beneficiary_reference_id""").fetchall()[0][0]
    return "snapshot" if missing == 0 else "delta"


def _differs(columns: list[str]) -> str:
    return " or ".join(f"n.{c} is distinct from s.{c}" for c in columns)


def _changes(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    stored, night = tables.REGISTRATIONS, tables.NIGHT["registrations"]
    columns = [c for (c,) in con.execute(
        f"select column_name from information_schema.columns where table_name = '{stored}' "
        f"and table_schema = 'main'").fetchall()]
    removed = (f"union all select beneficiary_reference_id, 'removed' from {stored} "
               f"anti join {night} using (beneficiary_reference_id)" if kind == "snapshot" else "")
    con.execute(f"""create or replace temp table {tables.CHANGED_REGISTRATIONS} as
        select n.beneficiary_reference_id, 'new' as change from {night} n
        anti join {stored} s using (beneficiary_reference_id)
        union all
        select n.beneficiary_reference_id, 'changed' from {night} n
        join {stored} s using (beneficiary_reference_id) where {_differs(columns)}
        {removed}""")


def _record_activity(con: duckdb.DuckDBPyConnection, file: str, kind: str) -> None:
    """Who tonight's bookings or doses touch: the person on the new row and the one on
    the row it replaces (a row may move to another registration). Rows sent again
    unchanged touch no one."""
    stored, key = FILES[file]
    night = tables.NIGHT[file]
    if not con.execute(f"select count(*) from (from {stored} limit 1)").fetchall()[0][0]:
        # the first night: every row is new, and comparing them with none costs seconds
        con.execute(f"""insert into {tables.CHANGED_ACTIVITY}
            select distinct beneficiary_reference_id, ? from {night}
            where beneficiary_reference_id is not null""", [file])
        return
    cols = ", ".join(c.split()[0] for c in INPUT_SCHEMA[stored].split(", "))
    # a delta replaces only the rows it sends; a snapshot also drops those it leaves out
    old = stored if kind == "snapshot" else f"{stored} where {key} in (select {key} from {night})"
    con.execute(f"""create or replace temp table _activity_diff as
        (select {cols} from {night} except select {cols} from {old})
        union all
        (select {cols} from {old} except select {cols} from {night})""")
    con.execute(f"""insert into {tables.CHANGED_ACTIVITY}
        select distinct beneficiary_reference_id, ? from _activity_diff
        where beneficiary_reference_id is not null""", [file])
    con.execute("drop table _activity_diff")


def _fold(con: duckdb.DuckDBPyConnection, file: str, kind: str) -> None:
    stored, key = FILES[file]
    night = tables.NIGHT[file]
    _record_activity(con, file, kind)
    if kind == "snapshot":
        con.execute(f"delete from {stored}")
    else:
        con.execute(f"delete from {stored} where {key} in (select {key} from {night})")
    con.execute(f"insert into {stored} by name select * from {night}")


def _fold_registrations(con: duckdb.DuckDBPyConnection) -> None:
    """Only the registrations that changed are touched, with their photo ID parts."""
    changed = f"(select beneficiary_reference_id from {tables.CHANGED_REGISTRATIONS})"
    con.execute(f"delete from {tables.REGISTRATIONS} where beneficiary_reference_id in {changed}")
    con.execute(f"delete from {tables.PHOTO_ID_PARTS} where bid in "
                f"(select beneficiary_reference_id::bigint from {tables.CHANGED_REGISTRATIONS})")
    con.execute(f"""insert into {tables.REGISTRATIONS} by name
        select * from {tables.NIGHT['registrations']}
        where beneficiary_reference_id in {changed}""")
    con.execute(f"insert into {tables.PHOTO_ID_PARTS} by name {photo_id_parts(changed)}")


def merge(con: duckdb.DuckDBPyConnection, kind: str) -> MergeReport:
    """Fold the night tables (pipelines.validate) into the kept ones."""
    _changes(con, kind)
    con.execute(f"create or replace temp table {tables.CHANGED_ACTIVITY} "
                f"(beneficiary_reference_id VARCHAR, source VARCHAR)")
    _fold_registrations(con)
    _fold(con, "appointments", kind)
    _fold(con, "vaccinations", kind)
    counts = dict(con.execute(f"select change, count(*) from {tables.CHANGED_REGISTRATIONS} "
                              f"group by change").fetchall())
    total = con.execute(f"select count(*) from {tables.REGISTRATIONS}").fetchall()[0][0]
    return MergeReport(kind, counts.get("new", 0), counts.get("changed", 0),
                       counts.get("removed", 0), total)
