"""The rules stage of a night: rule hits, risk, cluster members and evidence, recomputed
over the whole warehouse, or (on a delta night whose linkage kept its model) only for
what the night touched (rules.scope), with the same results either way."""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext

import duckdb

from linkage.settings import LinkageSettings
from pipelines import outputs
from rules import scope as touched
from rules.engine import Rule, load_rules, run_rules, shadowed
from rules.risk import SEVERITY_WEIGHTS
from rules.risk import score as score_risk


def _fingerprint(rules: list[Rule], settings: LinkageSettings,
                 weights: Mapping[str, float]) -> str:
    return touched.fingerprint({
        "rules": [[r.id, r.title, r.severity, r.description, r.entity, r.sql, r.values()]
                  for r in rules],
        "weights": dict(weights), "settings": settings.to_json()})


def run_stage(con: duckdb.DuckDBPyConnection, settings: LinkageSettings, full: bool,
              rules: list[Rule] | None = None) -> dict:
    """Run the stage; returns the hit count, how many flagged clusters a review held back,
    and `rules_scope`: whether it ran in full and, if not, how much it re-ran.

    It runs in full when asked to, and whenever the last run's state is missing or was
    made by other rules or settings. Incrementally, risk, members and evidence read only
    the rows about the registrations of what they recompute (the scope's cut)."""
    rules = rules if rules is not None else load_rules()
    digest = _fingerprint(rules, settings, SEVERITY_WEIGHTS)
    scope = None if full or not touched.previous_usable(con, digest) else touched.compute(con)
    try:
        hits = run_rules(con, rules, scope=scope)
        with shadowed(con, scope) if scope else nullcontext():
            score_risk(con, scope=scope)
            suppressed = outputs.build_tables(con, settings, scope)
            touched.save(con, digest, scope)
        info = {"full": True} if scope is None else {"full": False,
                                                      **touched.counts(con, scope)}
    finally:
        if scope is not None:
            scope.drop(con)
    return {"rule_hits": hits, "suppressed_by_review": suppressed, "rules_scope": info}
