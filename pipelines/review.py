"""Officials' review decisions: import them, keep them, and let a dismissal hold.

An official who has looked at a flagged person (a cluster) records a decision:
confirmed, dismissed, or needs a field visit. Decisions arrive as CSV (the night's
`review_template.csv`, filled in) and are imported all-or-nothing into
`review_decisions`, a table the nightly run reads but never rebuilds. Each decision
keeps what the warehouse knew of the cluster when it was imported (its member ids and
rule ids), so a dismissed cluster is flagged again only when a member or a rule hit
arrives that the dismissal did not see.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import tables

DECISIONS = ("confirmed", "dismissed", "needs_field_visit")
REQUIRED_COLUMNS = ("cluster_id", "decision", "reviewer", "decided_at")
TEMPLATE_COLUMNS = ("cluster_id", "risk_score", "rules", "decision", "reviewer", "note",
                    "decided_at")
_FILLED_IN = ("decision", "reviewer", "note", "decided_at")
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")
# decided_at is the official's local time, imported_at UTC: allow a day before calling
# a time "in the future"
_FUTURE_SLACK = dt.timedelta(days=1)
# a dismissal loses a tie with another decision at the same moment: when in doubt, flag
_OLDEST_FIRST = "decided_at, imported_at, decision <> 'dismissed', decision, reviewer"
_NEWEST_FIRST = ", ".join(f"{key} desc" for key in _OLDEST_FIRST.split(", "))


class ReviewFileError(ValueError):
    """A decisions file that cannot be imported; `problems` lists (line, problem), the
    header being line 1."""

    def __init__(self, path: Path, problems: list[tuple[int, str]]):
        self.problems = problems
        line, problem = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{Path(path).name}, line {line}: {problem}{more}")


@dataclass(frozen=True)
class Decision:
    line: int
    cluster_id: str
    decision: str
    reviewer: str
    note: str
    decided_at: dt.datetime


@dataclass(frozen=True)
class ImportResult:
    decisions: int  # lines holding a decision
    imported: int  # new rows in review_decisions
    already_present: int  # same cluster, decision, reviewer and time: imported before
    blank: int  # template rows left empty

    def summary(self) -> str:
        return (f"decisions read: {self.decisions:,} ({self.imported:,} imported, "
                f"{self.already_present:,} already present); blank rows skipped: {self.blank:,}")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the review tables if missing; never replaces them."""
    con.execute(f"""create table if not exists {tables.REVIEW_DECISIONS} (
        cluster_id varchar not null, decision varchar not null
            check (decision in ({", ".join(f"'{d}'" for d in DECISIONS)})),
        reviewer varchar not null, note varchar, decided_at timestamp not null,
        imported_at timestamp not null, member_ids varchar[] not null,
        rule_ids varchar[] not null,
        primary key (cluster_id, decision, reviewer, decided_at))""")
    con.execute(f"""create table if not exists {tables.PUBLISHED_CLUSTERS} (
        cluster_id varchar not null, first_run_id varchar, first_published timestamp)""")


def parse_time(text: str) -> dt.datetime:
    m = _TIME.fullmatch(text.strip())
    if not m:
        raise ValueError(f"decided_at {text!r} is not YYYY-MM-DD HH:MM:SS or YYYY-MM-DD")
    try:
        return dt.datetime(*(int(g) for g in m.groups() if g is not None))
    except ValueError:
        raise ValueError(f"decided_at {text!r} is not a real date and time") from None


def _decision(line: int, row: dict[str, str]) -> Decision:
    """One filled-in row, checked; raises ValueError saying what is wrong."""
    get = lambda k: (row.get(k) or "").strip()  # noqa: E731
    decision = re.sub(r"[\s_-]+", "_", get("decision").lower())
    if not get("cluster_id"):
        raise ValueError("cluster_id is empty")
    if not decision:
        raise ValueError("decision is empty")
    if decision not in DECISIONS:
        raise ValueError(f"decision {get('decision')!r} is not one of "
                         f"confirmed, dismissed, needs field visit")
    if not get("reviewer"):
        raise ValueError("reviewer is empty")
    decided_at = parse_time(get("decided_at"))
    if decided_at > _now() + _FUTURE_SLACK:
        raise ValueError(f"decided_at {get('decided_at')!r} is in the future")
    return Decision(line, get("cluster_id"), decision, get("reviewer"), get("note"), decided_at)


def _check_row(line: int, header: list[str], values: list[str]) -> Decision | None:
    """The row's decision, or None for a template row left blank."""
    if any(v.strip() for v in values[len(header):]):
        raise ValueError("more values than the header has columns (quote a note holding a comma)")
    row = dict(zip(header, values))
    if not any((row.get(k) or "").strip() for k in _FILLED_IN):
        return None
    return _decision(line, row)


def read_decisions(path: Path) -> tuple[list[Decision], int]:
    """Every decision in the file, and the number of blank template rows; raises
    ReviewFileError listing every bad line (the header is line 1)."""
    decisions, blank, problems = [], 0, []
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = [c.strip().lower() for c in next(reader, [])]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise ReviewFileError(path, [(1, "no header row" if not any(header) else
                                              f"missing column(s) {', '.join(missing)}")])
            start = reader.line_num + 1
            for values in reader:
                try:
                    found = _check_row(start, header, values)
                except ValueError as e:
                    problems.append((start, str(e)))
                else:
                    if found:
                        decisions.append(found)
                    elif any(v.strip() for v in values):  # a template row nobody filled in
                        blank += 1
                start = reader.line_num + 1
    except UnicodeDecodeError:
        raise ReviewFileError(path, [(1, "not UTF-8 text (save it as 'CSV UTF-8')")]) from None
    except csv.Error as e:
        raise ReviewFileError(path, [(reader.line_num, f"not readable as CSV: {e}")]) from None
    if problems:
        raise ReviewFileError(path, problems)
    return decisions, blank


def _existing(con: duckdb.DuckDBPyConnection, *names: str) -> list[str]:
    have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    return [n for n in names if n in have]


def _known_clusters_sql(con: duckdb.DuckDBPyConnection) -> str:
    """Every cluster id this warehouse has published (or holds a decision about)."""
    sources = _existing(con, tables.PUBLISHED_CLUSTERS, tables.CLUSTER_MEMBERS,
                        tables.FLAGGED_CLUSTERS, tables.REVIEW_DECISIONS)
    return " union ".join(f"select cluster_id from {t}" for t in sources)


def _check_known(con: duckdb.DuckDBPyConnection, path: Path, decisions: list[Decision]) -> None:
    ids = sorted({d.cluster_id for d in decisions})
    unknown = {r[0] for r in con.execute(
        f"select unnest(?::varchar[]) except ({_known_clusters_sql(con)})", [ids]).fetchall()}
    problems = [(d.line, f"unknown cluster_id {d.cluster_id!r}: this warehouse never published it")
                for d in decisions if d.cluster_id in unknown]
    if problems:
        raise ReviewFileError(path, problems)


def _snapshot_sql(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """Per cluster in _review_import: member ids and rule ids as the warehouse holds them
    now. Rule ids come from rule_hits, not flagged_clusters, which lacks a dismissed one."""
    members = (f"select cluster_id, list_sort(list(beneficiary_reference_id)) as member_ids "
               f"from {tables.CLUSTER_MEMBERS} where cluster_id in (select cluster_id from "
               f"_review_import) group by cluster_id"
               if _existing(con, tables.CLUSTER_MEMBERS)
               else "select null::varchar as cluster_id, null::varchar[] as member_ids")
    rules = (f"select entity_id as cluster_id, list_sort(list(distinct rule_id)) as rule_ids "
             f"from {tables.RULE_HITS} where entity_kind = 'cluster' and entity_id in "
             f"(select cluster_id from _review_import) group by entity_id"
             if _existing(con, tables.RULE_HITS)
             else "select null::varchar as cluster_id, null::varchar[] as rule_ids")
    return members, rules


def import_decisions(con: duckdb.DuckDBPyConnection, path: Path) -> ImportResult:
    """Import a decisions CSV into `review_decisions`, all or nothing, in its own
    transaction. Raises ReviewFileError (nothing imported) naming the first bad line."""
    decisions, blank = read_decisions(Path(path))
    if not decisions:
        return ImportResult(0, 0, 0, blank)
    unique = list({(d.cluster_id, d.decision, d.reviewer, d.decided_at): d
                   for d in reversed(decisions)}.values())[::-1]  # the first line wins
    con.begin()
    try:
        ensure_tables(con)
        _check_known(con, Path(path), unique)
        con.execute("create or replace temp table _review_import (cluster_id varchar, "
                    "decision varchar, reviewer varchar, note varchar, decided_at timestamp)")
        con.executemany("insert into _review_import values (?, ?, ?, ?, ?)",
                        [(d.cluster_id, d.decision, d.reviewer, d.note or None, d.decided_at)
                         for d in unique])
        members, rules = _snapshot_sql(con)
        imported = con.execute(f"""
            insert into {tables.REVIEW_DECISIONS}
            select i.cluster_id, i.decision, i.reviewer, i.note, i.decided_at, ?::timestamp,
                   coalesce(m.member_ids, []::varchar[]), coalesce(h.rule_ids, []::varchar[])
            from _review_import i
            left join ({members}) m using (cluster_id)
            left join ({rules}) h using (cluster_id)
            where not exists (select 1 from {tables.REVIEW_DECISIONS} d
                              where d.cluster_id = i.cluster_id and d.decision = i.decision
                                and d.reviewer = i.reviewer and d.decided_at = i.decided_at)
        """, [_now()]).fetchone()[0]
        con.execute("drop table _review_import")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return ImportResult(len(decisions), imported, len(decisions) - imported, blank)


def suppress_dismissed(con: duckdb.DuckDBPyConnection) -> int:
    """Drop from flagged_clusters every cluster whose latest decision is `dismissed` and
    that has no member and no rule id the decision did not see; returns how many.
    Run it before the evidence is built, which covers flagged clusters only."""
    ensure_tables(con)
    return con.execute(f"""
        delete from {tables.FLAGGED_CLUSTERS} where cluster_id in (
            with latest as (
                select cluster_id, decision, member_ids, rule_ids
                from {tables.REVIEW_DECISIONS}
                qualify row_number() over (partition by cluster_id order by {_NEWEST_FIRST}) = 1
            )
            select f.cluster_id
            from {tables.FLAGGED_CLUSTERS} f join latest d using (cluster_id)
            where d.decision = 'dismissed'
              and list_has_all(d.rule_ids, string_split(f.rules, ';'))
              and not exists (select 1 from {tables.CLUSTER_MEMBERS} m
                              where m.cluster_id = f.cluster_id
                                and not list_contains(d.member_ids, m.beneficiary_reference_id)))
    """).fetchone()[0]


def history_sql() -> str:
    """Per cluster_id: `review_history`, its decisions oldest first (the last is the
    one in force)."""
    return f"""
        select cluster_id, list({{'decision': decision, 'reviewer': reviewer, 'note': note,
                                  'decided_at': strftime(decided_at, '%Y-%m-%d %H:%M:%S')}}
                                 order by {_OLDEST_FIRST}) as review_history
        from {tables.REVIEW_DECISIONS} group by cluster_id"""


def record_published(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Remember every cluster id this run publishes, so a decision about one that a later
    night no longer lists still imports."""
    ensure_tables(con)
    con.execute(f"""
        insert into {tables.PUBLISHED_CLUSTERS}
        select cluster_id, ?, ? from (select cluster_id from {tables.CLUSTER_MEMBERS}
                                      union select cluster_id from {tables.FLAGGED_CLUSTERS})
        where cluster_id not in (select cluster_id from {tables.PUBLISHED_CLUSTERS})
    """, [run_id, _now()])


def write_template(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """review_template.csv: one row per flagged cluster, the decision columns empty."""
    blank = ", ".join(f"null::varchar as {c}" for c in _FILLED_IN)
    target = str(path).replace("'", "''")
    con.execute(f"""copy (select cluster_id, risk_score, rules, {blank}
                          from {tables.FLAGGED_CLUSTERS} order by risk_score desc, cluster_id)
                    to '{target}' (header, delimiter ',')""")


def import_cli(path: Path, db: Path) -> int:
    """`jaanch review import`: one line of counts; one line and exit 2 for a bad file."""
    if not Path(path).is_file():
        print(f"jaanch: {path}: no such file", file=sys.stderr)
        return 2
    if not Path(db).is_file():
        print(f"jaanch: no warehouse at {db} (run `jaanch run` first, or give --db)",
              file=sys.stderr)
        return 2
    try:
        with duckdb.connect(str(db)) as con:
            result = import_decisions(con, Path(path))
    except ReviewFileError as e:
        print(f"jaanch: {e}; nothing imported", file=sys.stderr)
        return 2
    except duckdb.IOException as e:  # another process (a nightly run) holds the file
        print(f"jaanch: cannot open {db} (a run in progress?): {str(e).splitlines()[0]}; "
              f"nothing imported", file=sys.stderr)
        return 2
    print(f"jaanch: {path}: {result.summary()}")
    return 0
