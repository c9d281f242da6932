"""The `runs` table: every run, failed ones too, so a result traces to its export and
settings. A run's row is started outside its transaction, so a failed run leaves it; a
run that succeeds is marked so in the commit that keeps its results."""
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
    mark_killed(con, run_id)
    con.execute(f"insert into {tables.RUNS} (run_id, started, status, exports, settings) "
                f"values (?, ?, 'running', ?, ?)", [run_id, _now(), exports, settings_json])


def mark_killed(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """Mark runs still 'running' as 'killed'; returns how many. A warehouse file has one
    writer at a time, so when `run_id` starts, any other run left 'running' is a process
    that died without finishing (kill -9, power cut)."""
    return con.execute(
        f"update {tables.RUNS} set status = 'killed', reason = ? "
        f"where status = 'running' and run_id <> ?",
        [f"killed: the process ended without finishing (found still running when run "
         f"{run_id} started)", run_id]).fetchone()[0]


def finish(con: duckdb.DuckDBPyConnection, run_id: str, status: str, reason: str | None = None,
           counts: dict | None = None) -> None:
    con.execute(f"update {tables.RUNS} set finished = ?, status = ?, reason = ?, counts = ? "
                f"where run_id = ?",
                [_now(), status, reason, json.dumps(counts, default=str) if counts else None,
                 run_id])


def previous_counts(con: duckdb.DuckDBPyConnection, run_id: str) -> dict | None:
    """The counts of the last succeeded run that started before `run_id`, or None on the
    first night: what a night's summary compares itself with."""
    rows = con.execute(
        f"select counts from {tables.RUNS} where status = 'succeeded' and counts is not null "
        f"and started < (select started from {tables.RUNS} where run_id = ?) "
        f"order by started desc limit 1", [run_id]).fetchall()
    return json.loads(rows[0][0]) if rows else None
