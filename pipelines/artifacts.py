"""Prefect artifacts for each night: a markdown summary and a table of the top flagged
people, visible in the Prefect UI when a server records the runs."""
from __future__ import annotations

from prefect.artifacts import create_markdown_artifact, create_table_artifact


def summary_markdown(summary: dict) -> str:
    lines = [f"# jaanch run {summary['run_id']}", "", "| file | read | accepted | quarantined |",
             "|---|---|---|---|"]
    for f, c in summary["validation"]["files"].items():
        lines.append(f"| {f} | {c['read']:,} | {c['accepted']:,} | {c['quarantined']:,} |")
    lines += ["", f"**{summary['clusters']:,}** people registered more than once; "
              f"**{summary['flagged_clusters']:,}** flagged, "
              f"**{summary['flagged_identifiers']:,}** flagged mobiles or photo IDs.", "",
              "| rule | flagged |", "|---|---|"]
    lines += [f"| {rule} | {n:,} |" for rule, n in summary["flagged_by_rule"].items()]
    lines += ["", "| stage | seconds |", "|---|---|"]
    lines += [f"| {stage} | {sec:.1f} |" for stage, sec in summary["timings"].items()]
    return "\n".join(lines)


def publish_artifacts(summary: dict, top_flagged: list[dict]) -> None:
    create_markdown_artifact(markdown=summary_markdown(summary), key="jaanch-night-summary",
                             description="Counts by stage and flags by rule")
    create_table_artifact(table=top_flagged, key="jaanch-top-flagged",
                          description="The highest-risk flagged people")
