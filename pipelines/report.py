"""The officials' report: one self-contained HTML file, no network.

The night's totals, the flagged people (sortable, filterable by district, rule and risk)
with a card each and the officials' review decisions about them, and the flagged mobiles
and photo IDs. Data is embedded as JSON in two non-executed script elements (the page's
data, and the cards' evidence), with `<`, `>` and `&` escaped, and the page's script builds
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
import pyarrow as pa
import pyarrow.compute as pc

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
    # every registration is in one cluster, and cluster_members holds those of two or
    # more, so the singletons need not be counted one by one
    return _rows(con, f"""
        with r as (select count(*) as n from {tables.REGISTRATIONS}),
        m as (select count(*) as n, count(distinct cluster_id) as clusters
              from {tables.CLUSTER_MEMBERS})
        select r.n as registrations, r.n - m.n + m.clusters as people,
               m.clusters as clusters, m.n as registrations_in_clusters,
               (select count(*) from {tables.FLAGGED_CLUSTERS}) as flagged,
               (select count(*) from {tables.FLAGGED_IDENTIFIERS}) as flagged_identifiers
        from r, m""")[0]


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


# An evidence document without what the page holds once for all cards (rule titles and
# descriptions, a flagged number's full facts), to keep a large night's file small
_CARD_SQL = """json_merge_patch(doc, json_object(
    'rule_hits', to_json(list_transform(json_extract(doc, '$.rule_hits[*]'),
        lambda h: json_object('rule_id', h->'rule_id', 'severity', h->'severity',
                              'facts', h->'facts'))),
    'identifier_flags', to_json(list_transform(json_extract(doc, '$.identifier_flags[*]'),
        lambda f: json_object('identifier_kind', f->'identifier_kind',
            'identifier', f->'identifier', 'rules', f->'rules',
            'explanation', coalesce(array_to_string(list_transform(json_extract(f, '$.facts.*'),
                lambda v: coalesce(v->>'explanation', '')), ' '), ''))))))"""


def _cards(con: duckdb.DuckDBPyConnection, cluster_ids: list[str],
           evidence: pa.Table | None) -> tuple[str, dict[str, str | None]]:
    """The evidence of `cluster_ids`, slimmed for their cards, as the JSON text of one
    object by cluster id in that order (made in SQL: thousands of documents are too many
    to parse and write again in Python); and the decision in force for each."""
    source = tables.EVIDENCE
    if evidence is not None:  # a few thousand of its rows, without scanning the rest
        ids = pa.array(cluster_ids, pa.string()).cast(evidence.schema.field("cluster_id").type)
        con.register("_card_evidence", evidence.filter(pc.is_in(evidence["cluster_id"], ids)))
        source = "_card_evidence"
    try:
        rows = con.execute(f"""
            select cluster_id, {_CARD_SQL} as card,
                   json_extract_string(doc, '$.review_history[#-1].decision') as decision
            from (select cluster_id, evidence::json as doc from {source}
                  where cluster_id in (select unnest(?::varchar[])))""",
            [cluster_ids]).fetchall()
    finally:
        if evidence is not None:
            con.unregister(source)
    card = {cid: text for cid, text, _ in rows}
    text = ",".join(f"{json.dumps(cid)}:{card[cid]}" for cid in cluster_ids if cid in card)
    return "{" + text + "}", {cid: decision for cid, _, decision in rows}


def report_data(con: duckdb.DuckDBPyConnection, summary: dict, top_n: int = 2000,
                max_identifiers: int = 1000,
                evidence: pa.Table | None = None) -> dict[str, Any]:
    """Everything the page shows, as plain JSON-able data, but for 'evidence': the JSON
    text of the cards' evidence by cluster id. `evidence` (cluster_id, evidence) is read
    instead of the warehouse's table when given (publishing holds it in memory)."""
    flagged = _rows(con, f"""
        select cluster_id, risk_score, string_split(rules, ';') as rules, district_name,
               n_registrations, link_confidence, summary
        from {tables.FLAGGED_CLUSTERS} order by risk_score desc, cluster_id limit ?""", [top_n])
    cards, decisions = _cards(con, [f["cluster_id"] for f in flagged], evidence)
    for f in flagged:  # the decision in force, for the list
        f["review"] = decisions.get(f["cluster_id"])
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
        "districts": districts, "flagged": flagged, "evidence": cards,
        "identifiers": identifiers,
        "risk_explanation": " ".join(risk.__doc__.split("\n\n", 1)[1].split()),
    }


def _escape(text: str) -> str:
    """JSON text safe inside <script type="application/json">: no `<`, `>` or `&`
    survives as itself, so no input can close the element or open a comment."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def embed_json(data: Any) -> str:
    """`data` as JSON safe inside <script type="application/json"> (see _escape)."""
    return _escape(json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str))


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def render(data: dict[str, Any]) -> str:
    css = (ASSETS / "report.css").read_text(encoding="utf-8")
    js = (ASSETS / "report.js").read_text(encoding="utf-8")
    page = {k: v for k, v in data.items() if k != "evidence"}
    parts = {"title": html.escape(TITLE), "css": css, "js": js, "data": embed_json(page),
             "evidence": _escape(data["evidence"]),
             "style_hash": _csp_hash(css), "script_hash": _csp_hash(js)}
    template = (ASSETS / "report.html").read_text(encoding="utf-8")
    # one pass: text put in is never scanned again for placeholders
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], template)


def write_report(con: duckdb.DuckDBPyConnection, path: Path, summary: dict,
                 top_n: int = 2000, evidence: pa.Table | None = None) -> None:
    """Write the report for the warehouse's current rule results to `path` (`evidence`:
    see report_data)."""
    Path(path).write_text(render(report_data(con, summary, top_n, evidence=evidence)),
                          encoding="utf-8")
