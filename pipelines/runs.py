"""The `runs` table: every run, failed ones too, so a result traces to its export and
settings. Written outside the run's transaction, so a failed run leaves its row."""
from __future__ import annotations

import datetime as dt
import json

import duckdb

from pipelines import tables


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def start(con: duckdb.DuckDBPyConnection, run_id: str, exports: str, settings_json: str) -> None:
    con.execute(f"""create table if not exists {tables.RUNS} (
        run_id varchar primary key, started timestamp, finished timestamp, status varchar,
        exports varchar, reason varchar, counts json, settings json)""")
    con.execute(f"insert into {tables.RUNS} (run_id, started, status, exports, settings) "
                f"values (?, ?, 'running', ?, ?)", [run_id, _now(), exports, settings_json])


def finish(con: duckdb.DuckDBPyConnection, run_id: str, status: str, reason: str | None = None,
           counts: dict | None = None) -> None:
    con.execute(f"update {tables.RUNS} set finished = ?, status = ?, reason = ?, counts = ? "
                f"where run_id = ?",
                [_now(), status, reason, json.dumps(counts, default=str) if counts else None,
                 run_id])
