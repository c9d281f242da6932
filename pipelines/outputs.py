"""The contract's outputs: warehouse tables and the files an official receives."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from linkage.settings import LinkageSettings
from pipelines import review, tables
from pipelines.evidence import build_evidence
from pipelines.publish import jsonl_lines, write_csv, write_json, write_lines, written_meanwhile
from pipelines.report import write_report
from rules.scope import Scope

CSV_OUTPUTS = {  # file -> (table, order, columns kept in the warehouse only)
    "cluster_members.csv": (tables.CLUSTER_MEMBERS, "cluster_id, beneficiary_reference_id", ()),
    "flagged_clusters.csv": (tables.FLAGGED_CLUSTERS, "risk_score desc, cluster_id", ()),
    # the keyed hash joins back to the warehouse; it means nothing to a reader, but it
    # orders numbers that share a mask, so that the file comes out the same each time
    "flagged_identifiers.csv": (tables.FLAGGED_IDENTIFIERS,
                                "identifier_kind, identifier, identifier_key",
                                ("identifier_key",)),
    "quarantine.csv": (tables.QUARANTINE, "source_file, row_number", ()),
}


def _members_sql(only: str | None = None) -> str:
    """cluster_members' rows: of every cluster of two or more, or of those `only` (a
    subquery of cluster ids) selects."""
    only = f"where cluster_id in {only}" if only else ""
    return f"""
        select c.cluster_id, c.beneficiary_reference_id, r.name, r.gender, r.birth_year,
               r.district_name, r.mobile_masked, r.photo_id_type, r.photo_id_masked
        from {tables.CLUSTERS} c join {tables.REGISTRATIONS} r using (beneficiary_reference_id)
        where c.cluster_id in (select cluster_id from {tables.CLUSTERS} {only}
                               group by cluster_id having count(*) > 1)"""


def _write_members(con: duckdb.DuckDBPyConnection, scope: Scope | None) -> None:
    if scope is None:
        con.execute(f"create or replace table {tables.CLUSTER_MEMBERS} as {_members_sql()}")
        return
    touched = f"(select cluster_id from {scope.clusters})"
    con.execute(f"delete from {tables.CLUSTER_MEMBERS} where cluster_id in {touched}")
    con.execute(f"insert into {tables.CLUSTER_MEMBERS} {_members_sql(touched)}")


def build_tables(con: duckdb.DuckDBPyConnection, settings: LinkageSettings,
                 scope: Scope | None = None) -> int:
    """cluster_members and evidence, from clusters, registrations and rule results.
    Clusters a review dismissed, with no new evidence since, first leave flagged_clusters;
    returns how many did. With a `scope` (rules.scope), only touched clusters' members and
    the evidence that may have changed are rewritten; the review check covers every
    flagged cluster either way (a decision may have arrived since last night)."""
    _write_members(con, scope)
    suppressed = review.suppress_dismissed(con)
    build_evidence(con, settings, scope)
    return suppressed


def flag_counts(con: duckdb.DuckDBPyConnection) -> dict:
    by_rule = dict(con.execute(f"""
        select rule, count(*) from (select unnest(string_split(rules, ';')) as rule
                                    from {tables.FLAGGED_CLUSTERS}) group by rule order by rule
    """).fetchall())
    one = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
    return {
        "clusters": one(f"select count(distinct cluster_id) from {tables.CLUSTER_MEMBERS}"),
        "flagged_clusters": one(f"select count(*) from {tables.FLAGGED_CLUSTERS}"),
        "flagged_by_rule": by_rule,
        "flagged_identifiers": one(f"select count(*) from {tables.FLAGGED_IDENTIFIERS}"),
    }


def write_all(con: duckdb.DuckDBPyConnection, folder: Path, summary: dict,
              settings: LinkageSettings) -> None:
    # the evidence first: by far the largest file, it is written and flushed while the
    # rest is made
    evidence = jsonl_lines(con, tables.EVIDENCE, "evidence", "cluster_id")
    with written_meanwhile(folder / "evidence.jsonl",
                           lambda path: write_lines(path, evidence.column("evidence"))):
        for name, (table, order, private) in CSV_OUTPUTS.items():
            write_csv(con, table, folder / name, order, exclude=private)
        write_json(folder / "run_summary.json", summary)
        settings.save(folder / "settings.json")
        write_report(con, folder / "report.html", summary, evidence=evidence)
        review.write_template(con, folder / "review_template.csv")
    review.record_published(con, summary["run_id"])
    con.execute(f"create or replace table {tables.RUN_SUMMARY} as "
                f"select ?::varchar as run_id, ?::json as summary",
                [summary["run_id"], json.dumps(summary, default=str)])


def top_flagged(con: duckdb.DuckDBPyConnection, n: int) -> list[dict]:
    """The highest-risk flagged people, for the run's summary (no identifiers in them)."""
    cur = con.execute(f"select cluster_id, risk_score, rules, district_name, summary "
                      f"from {tables.FLAGGED_CLUSTERS} order by risk_score desc, cluster_id "
                      f"limit {int(n)}")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def run_counts(summary: dict) -> dict:
    """What the runs table keeps of a run: counts, not the whole summary."""
    keep = ("read", "export_kind", "clusters", "flagged_clusters", "flagged_by_rule",
            "flagged_identifiers", "suppressed_by_review")
    return {k: summary[k] for k in keep if k in summary} | {
        "files": summary.get("validation", {}).get("files")}


def summary_text(summary: dict, out: Path, seconds: float) -> str:
    v = summary["validation"]["files"]
    lines = [f"jaanch: run {summary['run_id']} finished in {seconds:.1f} s"]
    for f, c in v.items():
        lines.append(f"  {f:<14} read {c['read']:>9,}  accepted {c['accepted']:>9,}  "
                     f"quarantined {c['quarantined']:>7,}")
    lines.append(f"  {summary['clusters']:,} people registered more than once (clusters); "
                 f"{summary['flagged_clusters']:,} flagged, "
                 f"{summary['flagged_identifiers']:,} flagged mobiles/photo IDs")
    for rule, n in summary["flagged_by_rule"].items():
        lines.append(f"    {rule:<22} {n:,}")
    if summary.get("suppressed_by_review"):
        lines.append(f"  {summary['suppressed_by_review']:,} dismissed by a review and not "
                     f"flagged again (no new evidence)")
    lines.append(f"  open {out / 'report.html'} in a browser to review them")
    return "\n".join(lines)
