"""The nightly flow: ingest → validate → merge → normalise → link → rules → publish.

Wiring only: each task calls one module that does the work. The whole run is one
warehouse transaction, committed just before the published files move into place, so
a run that fails or is killed leaves the warehouse and the published folder as they
were.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import time
import uuid
from pathlib import Path

import duckdb
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from linkage import memory, model_store, score
from linkage.link import LinkTables, link
from linkage.model_store import Model
from linkage.normalise import normalise
from linkage.settings import LinkageSettings
from pipelines import artifacts, gates, outputs, runs, tables
from pipelines.errors import ExportError
from pipelines.cluster_history import carry_ids
from pipelines.ingest import ingest
from pipelines.merge import EXPORT_KINDS, ensure_tables, merge
from pipelines.merge import export_kind as recognise_kind
from pipelines.progress import Progress
from pipelines.publish import publish, recover
from pipelines.secret import warehouse_secret
from pipelines.validate import validate
from rules.nightly import run_stage as run_rules_stage

# DuckDB spills to disk past this, and its buffers sit on top of the Python heap (name
# features, pair arrays): at 1.5 GB a million-person run peaks near 3.6 GiB of its 4 GiB
# budget, at 2 GB it reached 4.0 GiB
DUCKDB_CONFIG = {"memory_limit": os.environ.get("JAANCH_DUCKDB_MEMORY", "1.5GB")}
# rows read past which validation's freed frames are worth handing back (linkage.memory)
RELEASE_AFTER_ROWS = 500_000

LINK_TABLES = LinkTables(norm=tables.REGISTRATIONS_NORM, pairs=tables.CANDIDATE_PAIRS,
                         scores=tables.PAIR_SCORES, clusters=tables.CLUSTERS,
                         kept=tables.PAIR_COMPARISONS,
                         kept_random=tables.RANDOM_PAIR_COMPARISONS,
                         changed=tables.CHANGED_REGISTRATIONS,
                         names=tables.NAME_FEATURES, parts=tables.PHOTO_ID_PARTS,
                         scored=tables.SCORED_PAIRS, vaccinations=tables.VACCINATIONS,
                         appointments=tables.APPOINTMENTS,
                         activity=tables.CHANGED_ACTIVITY,
                         dose_history=tables.REGISTRATION_DOSES,
                         booking_history=tables.REGISTRATION_LIVE_BOOKINGS)
# what a night that links only its own registrations builds on
KEPT_LINK_STATE = (tables.REGISTRATIONS_NORM, tables.CANDIDATE_PAIRS, tables.SCORED_PAIRS,
                   tables.PAIR_SCORES, tables.CLUSTERS)


def _transient(task, task_run, state) -> bool:
    """Retry I/O hiccups, never a bad export: that answer will not change."""
    return not isinstance(state.result(raise_on_failure=False), ExportError)


@task(name="ingest", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2,
      retry_condition_fn=_transient)
def ingest_task(con: duckdb.DuckDBPyConnection, exports: Path, p: Progress) -> dict:
    counts = ingest(con, exports)
    p.say("ingest", ", ".join(f"{f}: {n:,} rows" for f, n in counts.items()))
    return counts


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(con: duckdb.DuckDBPyConnection, secret: str, kind: str, p: Progress) -> dict:
    known = tables.REGISTRATIONS if kind == "delta" else None
    report = validate(con, secret=secret, known_registrations=known)
    summary = report.to_dict()
    p.say("validate", "; ".join(
        f"{f}: {c['accepted']:,} accepted, {c['quarantined']:,} quarantined"
        for f, c in summary["files"].items()))
    return summary


@task(name="merge", cache_policy=NO_CACHE)
def merge_task(con: duckdb.DuckDBPyConnection, kind: str, p: Progress) -> dict:
    report = merge(con, kind)
    p.say("merge", f"{kind}: {report.new:,} new, {report.changed:,} changed, "
                   f"{report.removed:,} removed registrations; {report.registrations:,} held")
    return report.to_dict()


@task(name="normalise", cache_policy=NO_CACHE)
def normalise_task(con: duckdb.DuckDBPyConnection, incremental: bool, p: Progress) -> int:
    n = normalise(con, tables.REGISTRATIONS, tables.REGISTRATIONS_NORM, tables.NAME_FEATURES,
                  tables.PHOTO_ID_PARTS,
                  changed=tables.CHANGED_REGISTRATIONS if incremental else None)
    p.say("normalise", f"{n:,} registrations" + (", tonight's only normalised" if incremental
                                                  else ""))
    return n


@task(name="link", cache_policy=NO_CACHE)
def link_task(con: duckdb.DuckDBPyConnection, settings: LinkageSettings, run_id: str,
              model: Model | None, incremental: bool, p: Progress) -> dict:
    report = link(con, LINK_TABLES, settings, progress=lambda msg: p.say("link", msg),
                  model=model, incremental=incremental, run_id=run_id)
    changes = carry_ids(con, run_id)
    p.say("link", f"cluster ids carried over: {changes['merged']:,} merges, "
                  f"{changes['split']:,} splits recorded")
    return report.to_dict() | {"cluster_changes": changes}


def model_tonight(con: duckdb.DuckDBPyConnection, kind: str, settings: LinkageSettings,
                   model_from: str | None) -> tuple[Model | None, bool]:
    """The model to score with (None: fit one) and whether only tonight's registrations
    need linking. A snapshot fits the model again; so does a delta once enough has
    changed since the fit (settings.refit_growth)."""
    if model_from:
        model = model_store.load(con)
        if model is None:
            raise ValueError(f"{model_from} holds no match model to score with")
        wanted = score.scored_fields(c.field for c in settings.comparisons)
        if score.scored_fields(model.params.fields) != wanted:
            raise ValueError(f"{model_from} holds a match model of the fields "
                             f"{', '.join(model.params.fields)}; these settings score "
                             f"{', '.join(wanted)}")
        return model, False
    if kind != "delta":
        return None, False
    changes = dict(con.execute(f"select change, count(*) from {tables.CHANGED_REGISTRATIONS} "
                               f"group by change").fetchall())
    if changes.get("removed"):
        return None, False
    model = model_store.in_force(con, settings, sum(changes.values()), KEPT_LINK_STATE)
    return model, model is not None


@task(name="rules", cache_policy=NO_CACHE)
def rules_task(con: duckdb.DuckDBPyConnection, settings: LinkageSettings, p: Progress,
               full: bool = True) -> dict:
    stage = run_rules_stage(con, settings, full)
    counts = outputs.flag_counts(con) | {"suppressed_by_review": stage["suppressed_by_review"],
                                         "rules_scope": stage["rules_scope"]}
    scope = stage["rules_scope"]
    how = "all" if scope["full"] else (f"{scope['clusters']:,} touched clusters, "
                                       f"{scope['identifiers']:,} identifiers")
    p.say("rules", f"{stage['rule_hits']:,} rule hits ({how}); "
                   f"{counts['flagged_clusters']:,} flagged clusters, "
                   f"{counts['flagged_identifiers']:,} flagged identifiers")
    return counts


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(con: duckdb.DuckDBPyConnection, out: Path, summary: dict,
                 settings: LinkageSettings, p: Progress) -> list[str]:
    def commit() -> None:
        # recorded as succeeded in the transaction that keeps its results: one commit
        runs.finish(con, summary["run_id"], "succeeded", counts=outputs.run_counts(summary))
        con.commit()

    names = publish(out, lambda staging: outputs.write_all(con, staging, summary, settings),
                    commit=commit)
    gates.clear_rejected(out)
    p.say("publish", f"{len(names)} files in {out}")
    return names


@flow(name="jaanch-nightly", log_prints=False)
def nightly(exports: str, out: str, db: str | None = None,
            settings_json: str | None = None, gates_json: str | None = None,
            export_kind: str = "auto", model_from: str | None = None) -> dict:
    """One night: read the export folder, publish to `out`, keep tables in the warehouse.

    `export_kind`: 'snapshot' (the whole export), 'delta' (only what is new or changed)
    or 'auto' (a snapshot when it names every registration the warehouse holds).
    `model_from`: another warehouse whose match model scores every pair tonight instead
    of one fitted here (to re-run that warehouse's nights over all the data)."""
    if export_kind not in EXPORT_KINDS:
        raise ValueError(f"export_kind must be one of {', '.join(EXPORT_KINDS)}")
    out_dir, db_path = Path(out), tables.warehouse(out, db)
    settings = LinkageSettings.from_json(settings_json) if settings_json else LinkageSettings()
    p = Progress()
    summary: dict = {"run_id": uuid.uuid4().hex[:12], "exports": str(exports),
                     "export_kind_declared": export_kind, "model_from": model_from,
                     "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                     "gates": gates.PublishGates.from_json(gates_json or "{}").to_dict()}
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db_path), config=DUCKDB_CONFIG) as con:
        con.execute("set enable_progress_bar = false")
        runs.start(con, summary["run_id"], str(exports), settings.to_json())
        previous = runs.previous_counts(con, summary["run_id"])  # last night that published
        try:
            recover(out_dir)  # first finish a publication that a killed run left half-moved
            _night(con, Path(exports), out_dir, db_path, settings, summary, previous, p)
        except BaseException as e:
            _rollback(con)
            runs.finish(con, summary["run_id"], "failed", reason=str(e),
                        counts=outputs.run_counts(summary))
            if isinstance(e, ExportError):
                gates.keep_rejected(out_dir, summary | {"status": "failed", "reason": str(e),
                                                        "timings": p.timings})
            raise
        top = outputs.top_flagged(con, 10)
    artifacts.publish_artifacts(summary, top, previous)
    return summary


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.rollback()
    except duckdb.TransactionException:  # it failed after publishing committed
        pass


def _night(con: duckdb.DuckDBPyConnection, exports: Path, out: Path, db_path: Path,
           settings: LinkageSettings, summary: dict, previous: dict | None,
           p: Progress) -> None:
    """The stages, as one warehouse transaction that publishing commits."""
    con.begin()
    summary["read"] = ingest_task(con, exports, p)
    ensure_tables(con)
    declared = summary["export_kind_declared"]
    summary["export_kind"] = kind = recognise_kind(con) if declared == "auto" else declared
    summary["validation"] = validate_task(con, warehouse_secret(db_path), kind, p)
    if sum(summary["read"].values()) > RELEASE_AFTER_ROWS:
        memory.release()  # validation's frames, before linkage builds its own
    p.say("gates", gates.enforce(summary, previous))
    summary["merge"] = merge_task(con, kind, p)
    if summary["model_from"]:
        model_store.copy_from(con, Path(summary["model_from"]))
    model, incremental = model_tonight(con, kind, settings, summary["model_from"])
    if incremental:
        # a night deletes a few hundredths of the large tables' rows, and reclaiming that
        # space rewrites whole tables at the commit (about a second at a million
        # registrations). A night that fits the model rewrites the largest anyway and
        # reclaims as usual, so what a night leaves unreclaimed is bounded by refit_growth.
        con.execute("set max_vacuum_tasks = 0")
    normalise_task(con, incremental, p)
    summary["linkage"] = link_task(con, settings, summary["run_id"], model, incremental, p)
    # a night that fitted the model again may have changed any pair, so any result
    summary.update(rules_task(con, settings, p, full=not incremental))
    summary["timings"] = p.timings
    summary["peak_memory_mb"] = p.peak_mb
    summary["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    publish_task(con, out, summary, settings, p)


def run_cli(exports: Path, out: Path, db: Path | None,
            publish_gates: gates.PublishGates | None = None, export_kind: str = "auto",
            model_from: str | None = None) -> int:
    started = time.perf_counter()
    try:
        summary = nightly(str(exports), str(out), str(db) if db else None,
                          gates_json=publish_gates.to_json() if publish_gates else None,
                          export_kind=export_kind, model_from=model_from)
    except ExportError as e:
        print(f"jaanch: {e}", file=sys.stderr)
        print(f"jaanch: nothing published; the files in {out} are unchanged; this attempt's "
              f"summary: {out / gates.REJECTED / 'run_summary.json'}", file=sys.stderr)
        return 2
    print(outputs.summary_text(summary, out, time.perf_counter() - started))
    return 0
