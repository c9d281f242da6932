"""Load the fraud rules (one TOML file each) and run them over the warehouse.

A rule file holds its metadata, its parameters with documented defaults, and one SQL
SELECT over the warehouse tables returning `entity_id` (the flagged cluster, mobile key
or photo ID key) and `facts` (a STRUCT or JSON: what triggered it). Parameters reach
the SQL only as bound values (`$days`), never pasted into its text. Loading checks
everything it can without data, so a broken rule fails at load time naming its file:
keys and types, parameter names used versus declared, one SELECT and nothing else, and
the query itself, prepared against empty tables of the warehouse's schema.

Rules may also be run for some entities only (a delta night's touched clusters and
keys, rules.scope). A rule's result for one entity must then depend only on the rows
about that entity's registrations (a cluster's members; the registrations carrying a
key) in the per-registration tables (registrations, appointments, vaccinations,
clusters, pair_scores), and on whole-warehouse lookups given as their own input table
(`centres`). The run gives the rule exactly those rows, through TEMP views under the
warehouse's table names (DuckDB resolves temp names first), and keeps only its result
rows for those entities: the rule's SQL is never rewritten.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from linkage.settings import COMPARISONS
from pipelines import tables

if TYPE_CHECKING:  # only a type here; rules.scope reads this module
    from rules.scope import Scope

RULES_DIR = Path(__file__).parent
# Rule metadata as run (id, title, severity, entity, description, effective params).
# Kept beside rule_hits so evidence and the report speak each rule's plain words.
RULE_CATALOG = tables.RULE_CATALOG

SEVERITIES = ("low", "medium", "high")
ENTITIES = ("cluster", "mobile", "photo_id")
_REQUIRED = ("id", "title", "severity", "description", "entity", "sql")
_ID = re.compile(r"[a-z][a-z0-9_]*")
# declared parameter types: what a value must be in Python, and its DuckDB type
_PARAM_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "integer": ((int,), "BIGINT"),
    "number": ((int, float), "DOUBLE"),
    "text": ((str,), "VARCHAR"),
    "date": ((dt.date,), "DATE"),
    "boolean": ((bool,), "BOOLEAN"),
    "text_list": ((list,), "VARCHAR[]"),
}

_PAIR_COLS = ", ".join(f"{c.field}_level TINYINT, {c.field}_weight DOUBLE" for c in COMPARISONS)
# The columns rules may rely on, per input table (see pipelines/tables.py).
INPUT_SCHEMA: dict[str, str] = {
    tables.REGISTRATIONS: (
        "beneficiary_reference_id VARCHAR, name VARCHAR, gender VARCHAR, birth_year INTEGER, "
        "mobile_masked VARCHAR, mobile_key VARCHAR, photo_id_type VARCHAR, "
        "photo_id_masked VARCHAR, photo_id_key VARCHAR, state_name VARCHAR, "
        "district_name VARCHAR, pincode VARCHAR, registered_at TIMESTAMP"),
    tables.APPOINTMENTS: (
        "appointment_id VARCHAR, beneficiary_reference_id VARCHAR, center_id BIGINT, "
        "center_name VARCHAR, district_name VARCHAR, session_date DATE, slot VARCHAR, "
        "dose INTEGER, vaccine VARCHAR, booked_at TIMESTAMP, status VARCHAR"),
    tables.VACCINATIONS: (
        "certificate_id VARCHAR, beneficiary_reference_id VARCHAR, dose INTEGER, "
        "vaccine VARCHAR, dose_date DATE, center_id BIGINT"),
    tables.CLUSTERS: "beneficiary_reference_id VARCHAR, cluster_id VARCHAR",
    tables.CENTRES: "center_id BIGINT, center_name VARCHAR",
    tables.PAIR_SCORES: (
        "id_l VARCHAR, id_r VARCHAR, match_weight DOUBLE, match_probability DOUBLE, "
        f"linked BOOLEAN, {_PAIR_COLS}"),
}


# every centre's most used spelling: a lookup over all bookings, built once per run
CENTRES_SQL = f"""
    select center_id, list(center_name order by n desc, center_name)[1] as center_name
    from (select center_id, center_name, count(*) as n
          from {tables.APPOINTMENTS} group by center_id, center_name)
    group by center_id"""
# per-registration tables, and the columns naming the registration a row is about
PER_REGISTRATION: dict[str, tuple[str, ...]] = {
    tables.REGISTRATIONS: ("beneficiary_reference_id",),
    tables.APPOINTMENTS: ("beneficiary_reference_id",),
    tables.VACCINATIONS: ("beneficiary_reference_id",),
    tables.CLUSTERS: ("beneficiary_reference_id",),
    tables.PAIR_SCORES: ("id_l", "id_r"),
}


class RuleError(ValueError):
    """A rule file that cannot be used; the message starts with the file's path."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    description: str


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    description: str
    entity: str
    sql: str
    params: tuple[Param, ...]
    path: Path

    def values(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Parameter values to bind: the defaults, with checked overrides."""
        values = {p.name: p.default for p in self.params}
        for name, value in (overrides or {}).items():
            param = next((p for p in self.params if p.name == name), None)
            if param is None:
                raise ValueError(f"rule {self.id}: unknown parameter {name!r}")
            _check_value(param.type, value, f"rule {self.id}: parameter {name}")
            values[name] = value
        return values


def _check_value(type_name: str, value: Any, where: str) -> None:
    kinds, _ = _PARAM_TYPES[type_name]
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if type_name == "date" and isinstance(value, dt.datetime):
        ok = False
    if type_name == "text_list" and ok:
        ok = all(isinstance(v, str) for v in value)
    if not ok:
        raise ValueError(f"{where}: expected {type_name}, got {value!r}")


def _parse_params(raw: Any) -> tuple[Param, ...]:
    if not isinstance(raw, dict):
        raise ValueError("[params] must be a table")
    params = []
    for name, spec in raw.items():
        if not _ID.fullmatch(name) or not isinstance(spec, dict):
            raise ValueError(f"parameter {name!r}: needs a lower-case name and a table")
        missing = {"type", "default", "description"} - spec.keys()
        if missing or spec.keys() - {"type", "default", "description"}:
            raise ValueError(f"parameter {name}: needs exactly type, default, description")
        if spec["type"] not in _PARAM_TYPES:
            raise ValueError(f"parameter {name}: type must be one of {sorted(_PARAM_TYPES)}")
        _check_value(spec["type"], spec["default"], f"parameter {name} default")
        params.append(Param(name, spec["type"], spec["default"], str(spec["description"])))
    return tuple(params)


def _parse(path: Path) -> Rule:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    missing = [k for k in _REQUIRED if k not in doc]
    if missing:
        raise ValueError(f"missing key(s): {', '.join(missing)}")
    unknown = doc.keys() - set(_REQUIRED) - {"params"}
    if unknown:
        raise ValueError(f"unknown key(s): {', '.join(sorted(unknown))}")
    if doc["id"] != path.stem or not _ID.fullmatch(doc["id"]):
        raise ValueError(f"id {doc['id']!r} must be the file name ({path.stem}), lower case")
    if doc["severity"] not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}")
    if doc["entity"] not in ENTITIES:
        raise ValueError(f"entity must be one of {ENTITIES}")
    for key in ("title", "description", "sql"):
        if not isinstance(doc[key], str) or not doc[key].strip():
            raise ValueError(f"{key} must be non-empty text")
    return Rule(doc["id"], doc["title"].strip(), doc["severity"], " ".join(doc["description"].split()),
                doc["entity"], doc["sql"].strip().rstrip(";"), _parse_params(doc.get("params", {})),
                path)


def empty_warehouse() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding every input table, empty, with the warehouse schema."""
    con = duckdb.connect(":memory:")
    for name, cols in INPUT_SCHEMA.items():
        con.execute(f"create table {name} ({cols})")
    return con


def _validate_sql(rule: Rule, con: duckdb.DuckDBPyConnection) -> None:
    statements = duckdb.extract_statements(rule.sql)
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise ValueError("sql must be exactly one SELECT statement")
    used, declared = set(statements[0].named_parameters), {p.name for p in rule.params}
    if used - declared:
        raise ValueError(f"sql uses undeclared parameter(s): {', '.join(sorted(used - declared))}")
    if declared - used:
        raise ValueError(f"parameter(s) declared but unused: {', '.join(sorted(declared - used))}")
    try:
        cur = con.execute(rule.sql, rule.values())
    except duckdb.Error as e:
        raise ValueError(f"sql does not run on the warehouse schema: {e}") from None
    cols = [(d[0], str(d[1])) for d in cur.description]
    if [c for c, _ in cols] != ["entity_id", "facts"]:
        raise ValueError(f"sql must return exactly (entity_id, facts), got {[c for c, _ in cols]}")
    if cols[0][1] != "VARCHAR" or not (cols[1][1] == "JSON" or cols[1][1].startswith("STRUCT")):
        raise ValueError(f"entity_id must be VARCHAR and facts STRUCT or JSON, got {cols}")


def load_rules(folder: Path | None = None) -> list[Rule]:
    """Every `*.toml` rule in `folder` (default: this package), validated, sorted by id."""
    folder = Path(folder) if folder is not None else RULES_DIR
    con = empty_warehouse()
    rules = []
    try:
        for path in sorted(folder.glob("*.toml")):
            try:
                rule = _parse(path)
                _validate_sql(rule, con)
            except (ValueError, tomllib.TOMLDecodeError) as e:
                raise RuleError(f"{path}: {e}") from None
            rules.append(rule)
    finally:
        con.close()
    return rules


def _write_catalog(con: duckdb.DuckDBPyConnection, rules: list[Rule],
                   values: dict[str, dict[str, Any]]) -> None:
    con.execute(f"""create or replace table {RULE_CATALOG} (rule_id VARCHAR, title VARCHAR,
        severity VARCHAR, entity_kind VARCHAR, description VARCHAR, params VARCHAR)""")
    con.executemany(f"insert into {RULE_CATALOG} values (?, ?, ?, ?, ?, ?)", [
        (r.id, r.title, r.severity, r.entity, r.description,
         json.dumps(values[r.id], default=str, sort_keys=True)) for r in rules])


def _scope_ids(entity: str, scope: Scope) -> str:
    """The entity ids a scoped run recomputes, as a subquery."""
    if entity == "cluster":
        return f"(select cluster_id from {scope.clusters})"
    return f"(select key from {scope.keys} where kind = '{entity}')"


def _entity_registrations(entity: str, scope: Scope) -> str:
    """The registrations the scoped entities' results rest on, as a query over the
    scope's cut tables."""
    if entity == "cluster":
        return (f"select beneficiary_reference_id from {scope.cut(tables.CLUSTERS)} "
                f"where cluster_id in {_scope_ids(entity, scope)}")
    column = {"mobile": "mobile_key", "photo_id": "photo_id_key"}[entity]
    return (f"select beneficiary_reference_id from {scope.cut(tables.REGISTRATIONS)} "
            f"where {column} in {_scope_ids(entity, scope)}")


def _about(table: str, registrations: str) -> str:
    """A condition: the row is about one of `registrations` (a table of their ids)."""
    return " or ".join(f"{c} in (select beneficiary_reference_id from {registrations})"
                       for c in PER_REGISTRATION[table])


@contextmanager
def shadowed(con: duckdb.DuckDBPyConnection, scope: Scope,
             registrations: str | None = None) -> Iterator[None]:
    """Within: the per-registration tables read as the scope's cut of them (rules.scope),
    or as its rows about `registrations` (a table of ids) only, through TEMP views under
    the warehouse's names."""
    for table in PER_REGISTRATION:
        about = f"where {_about(table, registrations)}" if registrations else ""
        con.execute(f"create or replace temp view {table} as "
                    f"select * from {scope.cut(table)} {about}")
    try:
        yield
    finally:
        for table in PER_REGISTRATION:
            con.execute(f"drop view if exists temp.main.{table}")


def _run_one(con: duckdb.DuckDBPyConnection, rule: Rule, values: dict[str, Any],
             scope: Scope | None) -> None:
    """The rule's hits into _rule_new_hits, checked for one row per entity."""
    keep = f"and entity_id in {_scope_ids(rule.entity, scope)}" if scope else ""
    # rule.id and rule.entity were checked against fixed patterns at load time
    con.execute(f"""create or replace temp table _rule_new_hits as
        select '{rule.id}' as rule_id, '{rule.entity}' as entity_kind, entity_id,
               to_json(facts)::varchar as facts
        from ({rule.sql}) where entity_id is not null {keep}""", values)
    dupes = con.execute("select count(*) - count(distinct entity_id) "
                        "from _rule_new_hits").fetchall()[0][0]
    if dupes:
        raise RuleError(f"{rule.path}: returned {dupes} repeated entity_id row(s); "
                        "a rule must return one row per flagged entity")


def _store(con: duckdb.DuckDBPyConnection, rule: Rule, scope: Scope | None) -> None:
    if scope is not None:
        con.execute(f"delete from {tables.RULE_HITS} where rule_id = ? and entity_id "
                    f"in {_scope_ids(rule.entity, scope)}", [rule.id])
    con.execute(f"insert into {tables.RULE_HITS} select * from _rule_new_hits")


def _run_scoped(con: duckdb.DuckDBPyConnection, rules: list[Rule],
                values: dict[str, dict[str, Any]], scope: Scope) -> None:
    """Rules entity kind by kind, each kind against the rows about its registrations."""
    for entity in ENTITIES:
        group = [r for r in rules if r.entity == entity]
        if not group:
            continue
        con.execute(f"create or replace temp table _scope_registrations as "
                    f"{_entity_registrations(entity, scope)}")
        try:
            with shadowed(con, scope, "_scope_registrations"):
                for rule in group:
                    _run_one(con, rule, values[rule.id], scope)
                    _store(con, rule, scope)
        finally:
            con.execute("drop table _scope_registrations")


def run_rules(con: duckdb.DuckDBPyConnection, rules: list[Rule],
              params: dict[str, dict[str, Any]] | None = None,
              scope: Scope | None = None) -> int:
    """Run `rules` and (re)write `rule_hits` and the rule catalog; returns the hit count.

    `params` overrides defaults per rule: {"multi_booking": {"days": 5}}. With a `scope`
    (rules.scope), each rule runs for the touched clusters or keys of its entity only:
    their previous hits are replaced, every other hit is kept.
    """
    params = params or {}
    unknown = params.keys() - {r.id for r in rules}
    if unknown:
        raise ValueError(f"parameters given for unknown rule(s): {', '.join(sorted(unknown))}")
    values = {r.id: r.values(params.get(r.id)) for r in rules}
    if scope is None:
        con.execute(f"""create or replace table {tables.RULE_HITS} (rule_id VARCHAR,
            entity_kind VARCHAR, entity_id VARCHAR, facts VARCHAR)""")
    # left for the run: evidence names centres by it too
    con.execute(f"create or replace temp table {tables.CENTRES} as {CENTRES_SQL}")
    try:
        if scope is None:
            for rule in rules:
                _run_one(con, rule, values[rule.id], None)
                _store(con, rule, None)
        else:
            _run_scoped(con, rules, values, scope)
    finally:
        con.execute("drop table if exists _rule_new_hits")
    _write_catalog(con, rules, values)
    return con.execute(f"select count(*) from {tables.RULE_HITS}").fetchall()[0][0]
