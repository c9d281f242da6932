"""The match model in force, kept in the warehouse between nights.

Scoring a pair needs, beyond its two registrations and their doses, the model: m and u
per field and the prior (linkage.train), and statistics of the registrations the model
was fitted on (how common each name and first name is, which district pairs one person
moves between, how many people carry each spelling, for the typo test) and their number.
Fitting reads every pair; scoring one pair with a fitted model reads only that pair. So a
night that brings a few registrations scores only their pairs, and its clusters equal
those of a run over all the data with the same model. The model is fitted again on a
snapshot night, when the settings or the comparison code change, and once the
registrations added or changed since the fit pass `refit_growth` of those it was fitted on.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from linkage import bookings, code_digest, crowded, kept, score, typos
from linkage.catalog import table_exists
from linkage.em import FieldParams, ModelParams
from linkage.settings import LinkageSettings

MODEL = "link_model"  # one row: the fitted parameters and what they were fitted on
NAME_FREQUENCIES = "model_name_frequencies"  # kind, value, tf (linkage.score)
DISTRICT_PAIRS = "model_district_pairs"  # a, b, adj (linkage.score)
WORD_COUNTS = "model_word_counts"  # word (a norm column), value, n (linkage.typos)
CROWDED = "model_crowded_numbers"  # field, key (linkage.crowded)
STATISTICS = (NAME_FREQUENCIES, DISTRICT_PAIRS, WORD_COUNTS, CROWDED)


@dataclass(frozen=True)
class Model:
    params: ModelParams
    registrations: int  # how many the model was fitted on
    key: str  # settings and comparison code it was fitted with
    changed_since: int = 0  # registrations added or changed since the fit


def model_key(settings: LinkageSettings) -> str:
    """What a model depends on: the settings (the threshold and when to refit aside) and
    the code that turns two registrations into comparison levels and scores them (the
    scores and statistics kept with the model were made by it)."""
    d = json.loads(settings.to_json())
    for operational in ("threshold", "refit_growth"):
        d.pop(operational, None)
    text = (json.dumps(d, sort_keys=True) + kept.code_fingerprint()
            + code_digest.of_modules(bookings, crowded, score, typos))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def save(con: duckdb.DuckDBPyConnection, params: ModelParams, registrations: int,
         settings: LinkageSettings, run_id: str = "") -> None:
    con.execute(f"""create or replace table {MODEL} as select ?::varchar as params,
        ?::bigint as registrations, ?::varchar as key, 0::bigint as changed_since,
        ?::varchar as fitted_run""",
                [json.dumps(params.to_dict()), registrations, model_key(settings), run_id])


def load(con: duckdb.DuckDBPyConnection) -> Model | None:
    if not all(table_exists(con, t) for t in (MODEL,) + STATISTICS):
        return None
    rows = con.execute(f"select params, registrations, key, changed_since from {MODEL}").fetchall()
    if not rows:
        return None
    params, registrations, key, changed = rows[0]
    d = json.loads(params)
    fields = {f: FieldParams(tuple(p["m"]), tuple(p["u"])) for f, p in d["fields"].items()}
    return Model(ModelParams(fields, d["prior"], d["iterations"]), registrations, key, changed)


def in_force(con: duckdb.DuckDBPyConnection, settings: LinkageSettings, changes: int,
             kept_state: tuple[str, ...]) -> Model | None:
    """The model to score tonight's pairs with, or None when it must be fitted again.
    `changes`: registrations added or changed tonight; `kept_state`: the tables an
    incremental night builds on, all of which must exist."""
    model = load(con)
    if model is None or model.key != model_key(settings):
        return None
    if not all(table_exists(con, t) for t in kept_state):
        return None
    if model.changed_since + changes > settings.refit_growth * model.registrations:
        return None
    return model


def count_changes(con: duckdb.DuckDBPyConnection, changes: int) -> None:
    con.execute(f"update {MODEL} set changed_since = changed_since + ?", [changes])


def copy_from(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Take the model of another warehouse (to re-run its nights over all the data)."""
    path = str(db_path).replace("'", "''")
    con.execute(f"attach '{path}' as _model_source (read_only)")
    try:
        for table in (MODEL,) + STATISTICS:
            con.execute(f"create or replace table {table} as "
                        f"select * from _model_source.main.{table}")
    finally:
        con.execute("detach _model_source")
