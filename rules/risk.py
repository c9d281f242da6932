"""Risk score per flagged person, and the list of flagged identifiers.

The risk score starts from the rules that flagged the person: each counts by its severity
(low 35, medium 60, high 85 out of 100), and several rules together push the score
towards 100 without ever passing it. That figure is then multiplied by how sure the
linkage is that the registrations belong to one person — the match probability of the
weakest link in the cluster (100% for a single registration) — so a flag that rests on a
doubtful link scores lower.
"""
from __future__ import annotations

from collections.abc import Mapping

import duckdb

from pipelines import tables
from rules.engine import RULE_CATALOG
from rules.scope import Scope

SEVERITY_WEIGHTS: Mapping[str, float] = {"low": 0.35, "medium": 0.60, "high": 0.85}


def _link_confidence_sql() -> str:
    """Per cluster: the lowest match probability among linked pairs inside it."""
    return f"""
        select cl.cluster_id, min(p.match_probability) as link_confidence
        from {tables.PAIR_SCORES} p
        join {tables.CLUSTERS} cl on cl.beneficiary_reference_id = p.id_l
        join {tables.CLUSTERS} cr on cr.beneficiary_reference_id = p.id_r
        where p.linked and cl.cluster_id = cr.cluster_id
          and cl.cluster_id in (select entity_id from hits)
        group by cl.cluster_id"""


def _flagged_clusters_sql(only: str | None = None) -> str:
    """flagged_clusters' rows: every cluster's, or those `only` (a subquery of cluster
    ids) selects."""
    only = f"and h.entity_id in {only}" if only else ""
    return f"""
        with hits as (
            select h.entity_id, h.rule_id, k.title, w.weight
            from {tables.RULE_HITS} h
            join {RULE_CATALOG} k using (rule_id)
            join _severity_weights w on w.severity = k.severity
            where h.entity_kind = 'cluster' {only}
        ), rule_score as (
            select entity_id as cluster_id, 1 - product(1 - weight) as rules_score,
                   string_agg(rule_id, ';' order by rule_id) as rules,
                   string_agg(title, '; ' order by weight desc, rule_id) as titles
            from hits group by entity_id
        ), conf as ({_link_confidence_sql()}
        ), members as (
            select c.cluster_id, r.district_name, count(*) as n
            from {tables.CLUSTERS} c join {tables.REGISTRATIONS} r using (beneficiary_reference_id)
            where c.cluster_id in (select entity_id from hits)
            group by all
        ), places as (
            select cluster_id, sum(n)::integer as n_registrations,
                   list(district_name order by n desc, district_name)[1] as district_name
            from members group by cluster_id
        )
        select s.cluster_id,
               round(100 * s.rules_score * coalesce(c.link_confidence, 1.0))::integer as risk_score,
               s.rules, p.district_name, p.n_registrations,
               coalesce(c.link_confidence, 1.0) as link_confidence,
               case when p.n_registrations > 1
                    then format('{{}} registrations judged to be one person (weakest link {{}}% sure), '
                                || 'flagged for: {{}}.', p.n_registrations,
                                printf('%.1f', floor(1000 * coalesce(c.link_confidence, 1.0) + 1e-9) / 10), s.titles)
                    else format('A single registration, flagged for: {{}}.', s.titles)
               end as summary
        from rule_score s
        join places p using (cluster_id)
        left join conf c using (cluster_id)
    """


def _flagged_identifiers_sql(only: str | None = None) -> str:
    """flagged_identifiers' rows: every identifier's, or those whose (kind, key) `only`
    (a subquery) selects."""
    only = f"and (entity_kind, entity_id) in {only}" if only else ""
    return f"""
        with hits as (
            select entity_kind, entity_id, rule_id, facts
            from {tables.RULE_HITS} where entity_kind in ('mobile', 'photo_id') {only}
        ), used as (
            select 'mobile' as kind, r.mobile_key as key, r.mobile_masked as masked, c.cluster_id
            from {tables.REGISTRATIONS} r join {tables.CLUSTERS} c using (beneficiary_reference_id)
            where r.mobile_key in (select entity_id from hits where entity_kind = 'mobile')
            union all
            select 'photo_id', r.photo_id_key, r.photo_id_masked, c.cluster_id
            from {tables.REGISTRATIONS} r join {tables.CLUSTERS} c using (beneficiary_reference_id)
            where r.photo_id_key in (select entity_id from hits where entity_kind = 'photo_id')
        ), counts as (
            select kind, key, min(masked) as identifier, count(*) as n_registrations,
                   count(distinct cluster_id) as n_people
            from used group by kind, key
        ), grouped as (
            select entity_kind, entity_id,
                   string_agg(rule_id, ';' order by rule_id) as rules,
                   '{{' || string_agg(to_json(rule_id) || ':' || facts, ',' order by rule_id)
                        || '}}' as facts
            from hits group by entity_kind, entity_id
        )
        select g.entity_kind as identifier_kind, c.identifier, g.rules, g.facts,
               c.n_registrations, c.n_people, g.entity_id as identifier_key
        from grouped g join counts c on c.kind = g.entity_kind and c.key = g.entity_id
    """


def _write_all(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create or replace table {tables.FLAGGED_CLUSTERS} as "
                f"{_flagged_clusters_sql()}")
    con.execute(f"create or replace table {tables.FLAGGED_IDENTIFIERS} as "
                f"{_flagged_identifiers_sql()}")


def _rescore_clusters(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Touched clusters, and those a review held back last night (hits but no flagged
    row): the review may have changed since, and suppression runs again over all."""
    con.execute(f"delete from {tables.FLAGGED_CLUSTERS} "
                f"where cluster_id in (select cluster_id from {scope.clusters})")
    only = f"""(select cluster_id from {scope.clusters}
                union select h.entity_id from {tables.RULE_HITS} h
                anti join {tables.FLAGGED_CLUSTERS} f on f.cluster_id = h.entity_id
                where h.entity_kind = 'cluster')"""
    con.execute(f"insert into {tables.FLAGGED_CLUSTERS} {_flagged_clusters_sql(only)}")


def _rescore_identifiers(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Touched keys' rows, replaced; those that differ are listed in scope.identifiers
    (the evidence of the people using them shows them)."""
    touched = f"(select kind, key from {scope.keys})"
    con.execute(f"""create or replace temp table _identifiers_before as
        select * from {tables.FLAGGED_IDENTIFIERS}
        where (identifier_kind, identifier_key) in {touched}""")
    con.execute(f"delete from {tables.FLAGGED_IDENTIFIERS} "
                f"where (identifier_kind, identifier_key) in {touched}")
    con.execute(f"insert into {tables.FLAGGED_IDENTIFIERS} {_flagged_identifiers_sql(touched)}")
    con.execute(f"""create or replace temp table {scope.identifiers} as
        select distinct identifier_kind as kind, identifier_key as key from (
            (select * from _identifiers_before
             except select * from {tables.FLAGGED_IDENTIFIERS}
             where (identifier_kind, identifier_key) in {touched})
            union all
            (select * from {tables.FLAGGED_IDENTIFIERS}
             where (identifier_kind, identifier_key) in {touched}
             except select * from _identifiers_before))""")
    con.execute("drop table _identifiers_before")


def score(con: duckdb.DuckDBPyConnection,
          severity_weights: Mapping[str, float] | None = None, scope: Scope | None = None) -> int:
    """Write `flagged_clusters` and `flagged_identifiers` from `rule_hits` and the rule
    catalog; returns the number of flagged clusters. With a `scope` (rules.scope), only
    the touched clusters' and keys' rows are rewritten."""
    weights = dict(severity_weights or SEVERITY_WEIGHTS)
    if not all(0.0 <= w <= 1.0 for w in weights.values()):
        raise ValueError("severity weights must lie between 0 and 1")
    con.execute("create or replace temp table _severity_weights (severity VARCHAR, weight DOUBLE)")
    con.executemany("insert into _severity_weights values (?, ?)", list(weights.items()))
    try:
        if scope is None:
            _write_all(con)
        else:
            _rescore_clusters(con, scope)
            _rescore_identifiers(con, scope)
    finally:
        con.execute("drop table if exists _severity_weights")
    return con.execute(f"select count(*) from {tables.FLAGGED_CLUSTERS}").fetchall()[0][0]
