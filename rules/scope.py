"""What tonight touched: the registrations, clusters and identifier keys whose rule
results may differ from last night's, so that a delta night re-runs the rules for them
only and keeps every other result as it stands.

A rule's result for a cluster depends on its members' registrations, bookings, doses
and the pairs between them, and on its id; an identifier's on the registrations carrying
the key, their clusters, bookings and doses. So:

- registrations: changed tonight (changed_registrations), or whose bookings or doses
  changed (changed_activity);
- clusters: holding a touched registration now or last night; any cluster whose members
  or id moved since the last rules run (last night's ids live on in
  rule_state_registrations, singletons included: a singleton's id can change without
  its member changing); holding a dose given at a centre whose most used name changed
  (the `centres` lookup over all bookings that rules and evidence read). A pair's score
  depends only on its two registrations and the model in force (linkage.model_store),
  and only pairs inside one cluster are read, so a pair that changed tonight lies inside
  a touched cluster already;
- keys: the mobile and photo ID keys carried, now or at the last rules run, by a touched
  registration or by a member of a touched cluster, now or then.

The state of the last run (ids, keys, centre names, and a fingerprint of the rules and
settings) is kept in the rule_state_* tables and rewritten at the end of each run.

Then, of each per-registration table, the rows about everyone a recomputed result rests
on are read once into TEMP tables (the scope's cut), which the rest of the stage reads
through views under the warehouse's names (rules.engine.shadowed).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import duckdb

from pipelines import review, tables
from rules.engine import CENTRES_SQL, PER_REGISTRATION

_STATE = (tables.RULE_STATE_REGISTRATIONS, tables.RULE_STATE_CENTRES, tables.RULE_STATE_RUN)


@dataclass(frozen=True)
class Scope:
    """TEMP tables naming what to recompute; `clusters` lists ids of tonight and of last
    night (a cluster that is gone keeps its id there, so its results are removed)."""
    registrations: str = "_touched_registrations"  # beneficiary_reference_id
    clusters: str = "_touched_clusters"  # cluster_id
    keys: str = "_touched_keys"  # kind ('mobile' | 'photo_id'), key
    people: str = "_touched_people"  # beneficiary_reference_id: touched or in a touched cluster
    identifiers: str = "_changed_identifiers"  # kind, key whose flagged row changed (risk)

    @staticmethod
    def cut(table: str) -> str:
        """The TEMP table holding the rows of a per-registration table (rules.engine) about
        every registration whose results may be recomputed tonight."""
        return f"_cut_{table}"

    def drop(self, con: duckdb.DuckDBPyConnection) -> None:
        for name in (self.registrations, self.clusters, self.keys, self.people,
                     self.identifiers, "_centre_names", *map(self.cut, PER_REGISTRATION)):
            con.execute(f"drop table if exists {name}")


def fingerprint(parts: object) -> str:
    """A digest of everything that makes a result beside the data (rules, parameters,
    weights, settings): when it differs from the last run's, everything is recomputed."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def previous_usable(con: duckdb.DuckDBPyConnection, digest: str) -> bool:
    """True when the last run's state is there and was made by the same rules and
    settings, so results kept from it are still right."""
    have = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'main' "
        "and database_name = current_database()").fetchall()}
    needed = set(_STATE) | {tables.RULE_HITS, tables.FLAGGED_CLUSTERS,
                            tables.FLAGGED_IDENTIFIERS, tables.EVIDENCE, tables.CLUSTER_MEMBERS,
                            tables.CHANGED_REGISTRATIONS, tables.CHANGED_ACTIVITY}
    temp = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = 'temp'").fetchall()}
    if not needed <= have | temp:
        return False
    last = con.execute(f"select fingerprint from {tables.RULE_STATE_RUN}").fetchall()
    return last == [(digest,)]


def compute(con: duckdb.DuckDBPyConnection) -> Scope:
    """Write the touched sets for tonight into TEMP tables; returns their names."""
    scope = Scope()
    _registrations(con, scope)
    _renamed_centres(con)
    _clusters(con, scope)
    _keys(con, scope)
    _cut(con, scope)
    return scope


def _registrations(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    con.execute(f"""create or replace temp table {scope.registrations} as
        select beneficiary_reference_id from {tables.CHANGED_REGISTRATIONS}
        union
        select beneficiary_reference_id from {tables.CHANGED_ACTIVITY}""")


def _renamed_centres(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create or replace temp table _centre_names as {CENTRES_SQL}")
    con.execute(f"""create or replace temp table _renamed_centres as
        select coalesce(n.center_id, p.center_id) as center_id
        from _centre_names n full join {tables.RULE_STATE_CENTRES} p on p.center_id = n.center_id
        where n.center_name is distinct from p.center_name""")


def _clusters(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    touched = f"(select beneficiary_reference_id from {scope.registrations})"
    con.execute(f"""create or replace temp table {scope.clusters} as
        with moved as (
            -- joined, left, new, removed, or renamed since the last run
            select n.cluster_id as now_id, p.cluster_id as prev_id
            from {tables.CLUSTERS} n full join {tables.RULE_STATE_REGISTRATIONS} p
              on p.beneficiary_reference_id = n.beneficiary_reference_id
            where n.cluster_id is distinct from p.cluster_id
        ), renamed as (
            select beneficiary_reference_id as id from {tables.VACCINATIONS}
            where center_id in (select center_id from _renamed_centres)
        )
        select cluster_id from {tables.CLUSTERS}
        where beneficiary_reference_id in (select * from {touched} union select id from renamed)
        union select cluster_id from {tables.RULE_STATE_REGISTRATIONS}
        where beneficiary_reference_id in {touched}
        union select now_id from moved where now_id is not null
        union select prev_id from moved where prev_id is not null""")
    con.execute("drop table _renamed_centres")


def _keys(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    in_touched = f"cluster_id in (select cluster_id from {scope.clusters})"
    # every touched person's row of last night is here: a person who moved left a
    # touched cluster, and a touched registration's cluster of last night is touched
    con.execute(f"""create or replace temp table _members_then as
        select beneficiary_reference_id, mobile_key, photo_id_key
        from {tables.RULE_STATE_REGISTRATIONS} where {in_touched}""")
    con.execute(f"""create or replace temp table {scope.people} as
        select beneficiary_reference_id from {scope.registrations}
        union select beneficiary_reference_id from {tables.CLUSTERS} where {in_touched}
        union select beneficiary_reference_id from _members_then""")
    con.execute(f"""create or replace temp table {scope.keys} as
        with carried as (
            select mobile_key, photo_id_key from {tables.REGISTRATIONS}
            where beneficiary_reference_id in (select beneficiary_reference_id from {scope.people})
            union all
            select mobile_key, photo_id_key from _members_then
        )
        select distinct 'mobile' as kind, mobile_key as key from carried
        where mobile_key is not null
        union
        select 'photo_id', photo_id_key from carried where photo_id_key is not null""")
    con.execute("drop table _members_then")


def _cut(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Read once, of each per-registration table, the rows about every registration a
    scoped result rests on, so that rules, risk, members and evidence then read only
    those: the members, tonight, of touched clusters; of clusters holding a registration
    that carries a touched key; and of clusters with review decisions (evidence shows
    them, and risk looks again at those a review held back)."""
    review.ensure_tables(con)
    touched_keys = f"(select key from {scope.keys} where kind = '{{}}')"
    # a cluster is cut whole, so its cut is that of clusters, and the people are its members
    con.execute(f"""create or replace temp table {scope.cut(tables.CLUSTERS)} as
        with interest as (
            select cluster_id from {scope.clusters}
            union
            select cluster_id from {tables.CLUSTERS} where beneficiary_reference_id in (
                select beneficiary_reference_id from {tables.REGISTRATIONS}
                where mobile_key in {touched_keys.format("mobile")}
                   or photo_id_key in {touched_keys.format("photo_id")})
            union
            select cluster_id from {tables.REVIEW_DECISIONS}
        )
        select * from {tables.CLUSTERS} where cluster_id in (select cluster_id from interest)""")
    people = f"(select beneficiary_reference_id from {scope.cut(tables.CLUSTERS)})"
    for table, columns in PER_REGISTRATION.items():
        if table != tables.CLUSTERS:
            about = " or ".join(f"{c} in {people}" for c in columns)
            con.execute(f"create or replace temp table {scope.cut(table)} as "
                        f"select * from {table} where {about}")


def counts(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, int]:
    """How much tonight touched, for the run summary."""
    one = lambda t: con.execute(f"select count(*) from {t}").fetchall()[0][0]  # noqa: E731
    return {"registrations": one(scope.registrations), "clusters": one(scope.clusters),
            "identifiers": one(scope.keys)}


def save(con: duckdb.DuckDBPyConnection, digest: str, scope: Scope | None) -> None:
    """Remember what this run saw, for the next night: all of it after a full run, only
    the touched people's rows after an incremental one (no one else's moved)."""
    current = f"""select c.beneficiary_reference_id, c.cluster_id, r.mobile_key, r.photo_id_key
        from {tables.CLUSTERS} c join {tables.REGISTRATIONS} r using (beneficiary_reference_id)"""
    if scope is None:
        con.execute(f"create or replace table {tables.RULE_STATE_REGISTRATIONS} as {current}")
        con.execute(f"create or replace table {tables.RULE_STATE_CENTRES} as {CENTRES_SQL}")
    else:
        people = f"(select beneficiary_reference_id from {scope.people})"
        con.execute(f"delete from {tables.RULE_STATE_REGISTRATIONS} "
                    f"where beneficiary_reference_id in {people}")
        con.execute(f"insert into {tables.RULE_STATE_REGISTRATIONS} {current} "
                    f"where c.beneficiary_reference_id in {people}")
        con.execute(f"create or replace table {tables.RULE_STATE_CENTRES} as "
                    f"select * from _centre_names")
    con.execute(f"create or replace table {tables.RULE_STATE_RUN} as "
                f"select ?::varchar as fingerprint", [digest])
