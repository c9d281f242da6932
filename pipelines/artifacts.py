"""Prefect artifacts for each night: a markdown summary (counts by stage, flags by rule,
changes since last night) and a table of the top flagged people, visible in the Prefect
UI when a server records the runs."""
from __future__ import annotations

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from pipelines.outputs import run_counts

NO_VALUE = "–"


def summary_markdown(summary: dict, previous: dict | None = None) -> str:
    """The night's summary; `previous` is the last succeeded run's counts (`runs.counts`),
    None on the first night."""
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
    return "\n".join(lines + ["", changes_markdown(run_counts(summary), previous)])


def changes_markdown(current: dict, previous: dict | None) -> str:
    """Tonight's counts beside the previous succeeded run's; both as kept in `runs.counts`."""
    head = "## Changes since last night"
    if previous is None:
        return f"{head}\n\nFirst night: no earlier successful run to compare with."
    lines = [head, "", "Compared with the previous successful run.", "",
             "| count | last night | tonight | change |", "|---|---|---|---|"]
    for label, before, now in _compared(current, previous):
        lines.append(f"| {label} | {_num(before)} | {_num(now)} | {_delta(before, now)} |")
    return "\n".join(lines)


def _compared(current: dict, previous: dict) -> list[tuple[str, int | None, int | None]]:
    """(label, last night, tonight). A rule that flagged nobody is absent from
    `flagged_by_rule`, so there it counts 0; any other missing count (an older run's
    counts) shows as no value rather than a made-up zero."""
    rows = []
    files = sorted(set(current.get("files") or {}) | set(previous.get("files") or {}))
    for f in files:
        rows.append((f"{f} accepted", _get(previous, "files", f, "accepted"),
                     _get(current, "files", f, "accepted")))
    for key, label in (("clusters", "people registered more than once"),
                       ("flagged_clusters", "flagged people"),
                       ("flagged_identifiers", "flagged mobiles or photo IDs")):
        rows.append((label, previous.get(key), current.get(key)))
    before, now = previous.get("flagged_by_rule") or {}, current.get("flagged_by_rule") or {}
    for rule in sorted(set(before) | set(now)):
        rows.append((f"flagged by {rule}", before.get(rule, 0), now.get(rule, 0)))
    return rows


def _get(d: dict, *keys: str) -> int | None:
    for k in keys:
        d = d.get(k) if isinstance(d, dict) else None
    return d


def _num(n: int | None) -> str:
    return NO_VALUE if n is None else f"{n:,}"


def _delta(before: int | None, now: int | None) -> str:
    if before is None or now is None:
        return NO_VALUE
    return f"{now - before:+,}" if now != before else "0"


def publish_artifacts(summary: dict, top_flagged: list[dict],
                      previous: dict | None = None) -> None:
    create_markdown_artifact(markdown=summary_markdown(summary, previous),
                             key="jaanch-night-summary",
                             description="Counts by stage, flags by rule, changes since "
                                         "last night")
    create_table_artifact(table=top_flagged, key="jaanch-top-flagged",
                          description="The highest-risk flagged people")
