"""The officials' report: one self-contained HTML file, no network.

The night's totals, the flagged people (sortable, filterable by district, rule and risk)
with a card each and the officials' review decisions about them, and the flagged mobiles
and photo IDs. Data is embedded as JSON in a
non-executed script element, with `<`, `>` and `&` escaped, and the page's script builds
the DOM with text nodes only; a Content-Security-Policy allows only this file's own
style and script (by hash), so nothing is fetched and no injected markup can run.
For a large night only the `top_n` highest-risk people get rows and cards; totals and
breakdowns always cover everyone.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

import duckdb

from pipelines import tables
from rules import risk
from rules.engine import RULE_CATALOG

ASSETS = Path(__file__).parent / "report_assets"
TITLE = "Duplicate registrations and fraud flags"


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return _rows(con, f"""
        with sizes as (select cluster_id, count(*) as n from {tables.CLUSTERS} group by cluster_id)
        select (select count(*) from {tables.REGISTRATIONS}) as registrations,
               (select count(*) from sizes) as people,
               (select count(*) from sizes where n > 1) as clusters,
               (select coalesce(sum(n), 0) from sizes where n > 1)::bigint as registrations_in_clusters,
               (select count(*) from {tables.FLAGGED_CLUSTERS}) as flagged,
               (select count(*) from {tables.FLAGGED_IDENTIFIERS}) as flagged_identifiers""")[0]


def _run_items(summary: dict) -> list[list[str]]:
    """The run summary as (label, value) lines: scalars, and one level of nesting."""
    items = []
    for key, value in summary.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                items.append([f"{key} · {sub}", v if isinstance(v, str) else json.dumps(v, default=str)])
        else:
            items.append([str(key), value if isinstance(value, str) else json.dumps(value, default=str)])
    return items


def _slim(doc: dict) -> dict:
    """An evidence document without what the page holds once for all cards (rule titles
    and descriptions, a flagged number's full facts), to keep a large night's file small."""
    for hit in doc["rule_hits"]:
        hit.pop("title", None)
        hit.pop("description", None)
    doc["identifier_flags"] = [
        {"identifier_kind": f["identifier_kind"], "identifier": f["identifier"], "rules": f["rules"],
         "explanation": " ".join(v.get("explanation", "") for v in (f.get("facts") or {}).values())}
        for f in doc["identifier_flags"]]
    return doc


def report_data(con: duckdb.DuckDBPyConnection, summary: dict, top_n: int = 2000,
                max_identifiers: int = 1000) -> dict[str, Any]:
    """Everything the page shows, as plain JSON-able data."""
    flagged = _rows(con, f"""
        select cluster_id, risk_score, string_split(rules, ';') as rules, district_name,
               n_registrations, link_confidence, summary
        from {tables.FLAGGED_CLUSTERS} order by risk_score desc, cluster_id limit ?""", [top_n])
    evidence = {cid: _slim(json.loads(text)) for cid, text in con.execute(f"""
        select e.cluster_id, e.evidence from {tables.EVIDENCE} e
        join (select cluster_id from {tables.FLAGGED_CLUSTERS}
              order by risk_score desc, cluster_id limit ?) t using (cluster_id)""",
        [top_n]).fetchall()}
    for f in flagged:  # the decision in force, for the list
        history = evidence.get(f["cluster_id"], {}).get("review_history") or [{}]
        f["review"] = history[-1].get("decision")
    rules = _rows(con, f"""
        select k.rule_id, k.title, k.severity, k.description, k.entity_kind,
               -- a cluster a review dismissed is not flagged, so not counted
               count(h.entity_id) filter (where h.entity_kind = 'cluster' and h.entity_id in
                   (select cluster_id from {tables.FLAGGED_CLUSTERS})) as clusters,
               count(h.entity_id) filter (where h.entity_kind <> 'cluster') as identifiers
        from {RULE_CATALOG} k left join {tables.RULE_HITS} h using (rule_id)
        group by k.rule_id, k.title, k.severity, k.description, k.entity_kind
        order by count(h.entity_id) desc, k.rule_id""")
    districts = _rows(con, f"""
        select district_name, count(*) as flagged, max(risk_score) as max_risk
        from {tables.FLAGGED_CLUSTERS} group by district_name
        order by flagged desc, district_name""")
    identifiers = _rows(con, f"""
        select identifier_kind, identifier, rules, n_registrations, n_people,
               (select string_agg(e.value ->> 'explanation', ' ')
                from json_each(facts::json) e) as explanation
        from {tables.FLAGGED_IDENTIFIERS}
        order by n_registrations desc, identifier_kind, identifier limit ?""", [max_identifiers])
    return {
        "generated_at": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "totals": _totals(con), "run": _run_items(summary), "rules": rules,
        "districts": districts, "flagged": flagged, "evidence": evidence,
        "identifiers": identifiers,
        "risk_explanation": " ".join(risk.__doc__.split("\n\n", 1)[1].split()),
    }


def embed_json(data: Any) -> str:
    """JSON safe inside <script type="application/json">: no `<`, `>` or `&` survives
    as itself, so no input can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def render(data: dict[str, Any]) -> str:
    css = (ASSETS / "report.css").read_text(encoding="utf-8")
    js = (ASSETS / "report.js").read_text(encoding="utf-8")
    parts = {"title": html.escape(TITLE), "css": css, "js": js, "data": embed_json(data),
             "style_hash": _csp_hash(css), "script_hash": _csp_hash(js)}
    template = (ASSETS / "report.html").read_text(encoding="utf-8")
    # one pass: text put in is never scanned again for placeholders
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], template)


def write_report(con: duckdb.DuckDBPyConnection, path: Path, summary: dict,
                 top_n: int = 2000) -> None:
    """Write the report for the warehouse's current rule results to `path`."""
    Path(path).write_text(render(report_data(con, summary, top_n)), encoding="utf-8")
