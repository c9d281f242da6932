"""Evidence for every flagged cluster: one JSON document an official can check by hand.

Built in one SQL statement over the flagged clusters only: the members (identifiers
masked), why each linked pair was judged one person (field by field, with the weight
each comparison added or took away), the bookings and doses in time order, each rule
hit with its facts, any flagged mobile or photo ID a member uses, and the officials'
review decisions so far (oldest first).
"""
from __future__ import annotations

import re

import duckdb

from linkage.settings import LinkageSettings
from pipelines import review, tables
from rules.engine import CENTRES_SQL, RULE_CATALOG
from rules.scope import Scope



def _ordered_list(struct: str, *keys: str) -> str:
    """list(struct ORDER BY keys), written as sort-then-unwrap: DuckDB's ordered
    aggregate is several times slower than sorting each finished list."""
    wrapped = ", ".join(f"'k{i}': {k}" for i, k in enumerate(keys))
    return f"list_transform(list_sort(list({{{wrapped}, 'e': {struct}}})), lambda x: x.e)"


def _pair_fields_sql(settings: LinkageSettings) -> tuple[str, str, dict[str, list[str]]]:
    """Over pair_scores `p`: the field-by-field list of structs, the sum of the field
    weights, and the label lists they bind."""
    parts, params = [], {}
    for comp in settings.comparisons:
        f = comp.field
        if not re.fullmatch(r"[a-z_]+", f):  # field names become column names below
            raise ValueError(f"comparison field {f!r} is not a plain column name")
        params[f"labels_{f}"] = list(comp.labels)
        params[f"none_{f}"] = comp.none_label
        parts.append(
            f"{{'field': '{f}', 'level': p.{f}_level, "
            f"'label': case when p.{f}_level < 0 or p.{f}_level is null then $none_{f} "
            f"else coalesce($labels_{f}[p.{f}_level + 1], 'level ' || p.{f}_level) end, "
            f"'weight': round(p.{f}_weight, 2)}}")
    total = " + ".join(f"coalesce(p.{c.field}_weight, 0)" for c in settings.comparisons)
    return f"[{', '.join(parts)}]", total, params


def evidence_sql(settings: LinkageSettings,
                 only: str | None = None) -> tuple[str, dict[str, list[str]]]:
    """The SELECT of evidence rows: every flagged cluster's, or those whose id `only` (a
    subquery) selects; and the values it binds."""
    only = f"where cluster_id in {only}" if only else ""
    fields, field_total, params = _pair_fields_sql(settings)
    member = """{'beneficiary_reference_id': beneficiary_reference_id, 'name': name,
        'gender': gender, 'birth_year': birth_year, 'mobile': mobile_masked,
        'photo_id_type': photo_id_type, 'photo_id': photo_id_masked, 'state_name': state_name,
        'district_name': district_name, 'pincode': pincode,
        'registered_at': strftime(registered_at, '%Y-%m-%d %H:%M:%S')}"""
    pair = f"""{{'id_l': p.id_l, 'id_r': p.id_r,
        'prior_weight': round(p.match_weight - ({field_total}), 2), 'fields': {fields},
        'total_weight': round(p.match_weight, 2),
        'match_probability': p.match_probability}}"""
    event = """{'at': shown_at, 'kind': kind, 'beneficiary_reference_id': beneficiary_reference_id,
        'reference': reference, 'dose': dose, 'vaccine': vaccine, 'center_id': center_id,
        'center_name': center_name, 'session_date': session_date::varchar, 'slot': slot,
        'status': status}"""
    hit = """{'rule_id': h.rule_id, 'title': k.title, 'severity': k.severity,
        'description': k.description, 'facts': h.facts::json}"""
    flag = """{'identifier_kind': i.identifier_kind, 'identifier': i.identifier, 'rules': i.rules,
        'facts': i.facts::json}"""
    sql = f"""
    with f as (
        select * from {tables.FLAGGED_CLUSTERS} {only}
    ), mem as (
        select c.cluster_id, r.*
        from {tables.CLUSTERS} c join {tables.REGISTRATIONS} r using (beneficiary_reference_id)
        where c.cluster_id in (select cluster_id from f)
    ), members as (
        select cluster_id, {_ordered_list(member, "registered_at", "beneficiary_reference_id")}
               as members
        from mem group by cluster_id
    ), pairs as (
        select l.cluster_id,
               {_ordered_list(pair, "-p.match_weight", "p.id_l", "p.id_r")} as pairs
        from {tables.PAIR_SCORES} p
        join mem l on l.beneficiary_reference_id = p.id_l
        join mem r on r.beneficiary_reference_id = p.id_r and r.cluster_id = l.cluster_id
        where p.linked
        group by l.cluster_id
    ), events as (
        select m.cluster_id, a.booked_at as event_at,
               strftime(a.booked_at, '%Y-%m-%d %H:%M:%S') as shown_at, 'booking' as kind,
               a.beneficiary_reference_id,
               a.appointment_id as reference, a.dose, a.vaccine, a.center_id, a.center_name,
               a.session_date, a.slot, a.status
        from {tables.APPOINTMENTS} a join mem m using (beneficiary_reference_id)
        union all
        -- a dose has a date, no time: it sorts after that day's bookings
        select m.cluster_id, v.dose_date + interval 1 day - interval 1 second,
               strftime(v.dose_date, '%Y-%m-%d'), 'dose', v.beneficiary_reference_id,
               v.certificate_id, v.dose, v.vaccine, v.center_id, k.center_name,
               v.dose_date, null, 'Given'
        from {tables.VACCINATIONS} v join mem m using (beneficiary_reference_id)
        -- a centre's most used spelling names it in doses, which carry only its id
        left join {tables.CENTRES} k using (center_id)
    ), timeline as (
        select cluster_id, {_ordered_list(event, "event_at", "kind", "reference")} as timeline
        from events group by cluster_id
    ), hits as (
        select h.entity_id as cluster_id, {_ordered_list(hit, "h.rule_id")} as rule_hits
        from {tables.RULE_HITS} h join {RULE_CATALOG} k using (rule_id)
        where h.entity_kind = 'cluster' and h.entity_id in (select cluster_id from f)
        group by h.entity_id
    ), used as (
        select cluster_id, 'mobile' as kind, mobile_key as key from mem where mobile_key is not null
        union
        select cluster_id, 'photo_id', photo_id_key from mem where photo_id_key is not null
    ), ids as (
        select u.cluster_id,
               {_ordered_list(flag, "i.identifier_kind", "i.identifier")} as identifier_flags
        from used u join {tables.FLAGGED_IDENTIFIERS} i
          on i.identifier_kind = u.kind and i.identifier_key = u.key
        group by u.cluster_id
    ), reviews as ({review.history_sql()}
    )
    select f.cluster_id, to_json({{
        'cluster_id': f.cluster_id, 'risk_score': f.risk_score,
        'rules': string_split(f.rules, ';'), 'district_name': f.district_name,
        'n_registrations': f.n_registrations, 'link_confidence': f.link_confidence,
        'summary': f.summary, 'members': m.members,
        'pairs': coalesce(p.pairs, []), 'timeline': coalesce(t.timeline, []),
        'rule_hits': coalesce(h.rule_hits, []),
        'identifier_flags': coalesce(i.identifier_flags, []),
        'review_history': coalesce(rv.review_history, [])}})::varchar as evidence
    from f
    join members m using (cluster_id)
    left join pairs p using (cluster_id)
    left join timeline t using (cluster_id)
    left join hits h using (cluster_id)
    left join ids i using (cluster_id)
    left join reviews rv using (cluster_id)
    order by f.cluster_id
    """
    return sql, params


def _stale(con: duckdb.DuckDBPyConnection, scope: Scope) -> str:
    """Clusters whose evidence may have changed, in a TEMP table: the touched ones, those
    using an identifier whose flag changed, those with a review decision their evidence
    does not show yet, and flagged ones without evidence (a review let them back)."""
    con.execute(f"""create or replace temp table _evidence_stale as
        select cluster_id from {scope.clusters}
        union
        select c.cluster_id from {tables.CLUSTERS} c
        join {tables.REGISTRATIONS} r using (beneficiary_reference_id)
        join {scope.identifiers} i
          on (i.kind = 'mobile' and i.key = r.mobile_key)
          or (i.kind = 'photo_id' and i.key = r.photo_id_key)
        union
        -- decisions are only ever added, so a count tells a new one
        select d.cluster_id
        from (select cluster_id, count(*) as n from {tables.REVIEW_DECISIONS} group by all) d
        join {tables.EVIDENCE} e using (cluster_id)
        where json_array_length(e.evidence, '$.review_history') <> d.n
        union
        select cluster_id from {tables.FLAGGED_CLUSTERS}
        anti join {tables.EVIDENCE} using (cluster_id)
    """)
    return "(select cluster_id from _evidence_stale)"


def _hashed(sql: str) -> str:
    """Evidence rows with the hash of their text, which a night compares."""
    return f"select cluster_id, evidence, hash(evidence) as evidence_hash from ({sql})"


def _ensure_hash_column(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse from before evidence rows kept their hash gains the column, empty: a
    row without one counts as changed, so it is rewritten with it when next stale."""
    if not con.execute("select count(*) from information_schema.columns where table_name = ? "
                       "and column_name = 'evidence_hash' and table_catalog = current_database()",
                       [tables.EVIDENCE]).fetchall()[0][0]:
        con.execute(f"alter table {tables.EVIDENCE} add column evidence_hash ubigint")


def build_evidence(con: duckdb.DuckDBPyConnection,
                   settings: LinkageSettings | None = None, scope: Scope | None = None) -> None:
    """Write table `evidence` (cluster_id, evidence JSON text, evidence_hash), one row per
    flagged cluster. With a `scope` (rules.scope), only the rows that may have changed are
    rewritten, and those of clusters no longer flagged dropped."""
    review.ensure_tables(con)
    # the rules run leaves it, read from all bookings (never a scope's cut of them)
    con.execute(f"create temp table if not exists {tables.CENTRES} as {CENTRES_SQL}")
    settings = settings or LinkageSettings()
    if scope is None:
        sql, params = evidence_sql(settings)
        con.execute(f"create or replace table {tables.EVIDENCE} as {_hashed(sql)}", params)
        return
    _ensure_hash_column(con)
    stale = _stale(con, scope)
    sql, params = evidence_sql(settings, stale)
    con.execute(f"create or replace temp table _evidence_fresh as {_hashed(sql)}", params)
    # most stale rows come out the same: rewriting only those that differ keeps the
    # night's commit small (evidence is the warehouse's widest text). The texts are told
    # apart by their hashes: comparing the texts would read all of them, hundreds of
    # megabytes, for a night's few hundred rows
    con.execute(f"""create or replace temp table _evidence_differs as
        select f.cluster_id from _evidence_fresh f
        left join (select cluster_id, evidence_hash from {tables.EVIDENCE}) e using (cluster_id)
        where e.evidence_hash is distinct from f.evidence_hash""")
    differs = "(select cluster_id from _evidence_differs)"
    con.execute(f"""delete from {tables.EVIDENCE} where cluster_id in {differs}
        or cluster_id not in (select cluster_id from {tables.FLAGGED_CLUSTERS})""")
    con.execute(f"insert into {tables.EVIDENCE} by name select * from _evidence_fresh "
                f"where cluster_id in {differs}")
    for temp in ("_evidence_stale", "_evidence_fresh", "_evidence_differs"):
        con.execute(f"drop table {temp}")
