"""Publish a run's outputs: write everything to a staging folder, then move it into place.

Nothing half-written ever sits in the published folder: files are complete in
`OUT/.staging-*` before a marker names that folder and they are moved in one by one
(each move atomic). A run killed during the moves leaves the marker behind, and the
next run first rolls the move forward, so the folder ends as the old publication or
the new one, never a mix.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import numpy as np
import pyarrow as pa

MARKER = ".publishing"
# spreadsheet programs run a cell that begins with one of these as a formula (tab and
# carriage return too); a test of the first character costs a fraction of a regex
_FORMULA_START = "('=', '+', '-', '@', chr(9), chr(13))"


def csv_safe_select(con: duckdb.DuckDBPyConnection, table: str, order_by: str,
                    exclude: tuple[str, ...] = ()) -> str:
    """SELECT of every column, text cells that could start a formula prefixed with '."""
    cols = [(c, t) for c, t in con.execute(
        f"select column_name, data_type from information_schema.columns "
        f"where table_name = '{table}' order by ordinal_position").fetchall() if c not in exclude]
    exprs = [(f"case when left({c}, 1) in {_FORMULA_START} then '''' || {c} "
              f"else {c} end as {c}") if t == "VARCHAR" else c for c, t in cols]
    return f"select {', '.join(exprs)} from {table} order by {order_by}"


def write_csv(con: duckdb.DuckDBPyConnection, table: str, path: Path, order_by: str,
              exclude: tuple[str, ...] = ()) -> None:
    con.execute(f"copy ({csv_safe_select(con, table, order_by, exclude)}) to '{path}' "
                f"(header, delimiter ',')")


def jsonl_lines(con: duckdb.DuckDBPyConnection, table: str, column: str,
                key: str) -> pa.Table:
    """`key`, and `column` (one JSON document per row) with its line end, in `key` order:
    the lines of a JSON Lines file, held as Arrow buffers (a large night's evidence is
    hundreds of megabytes, too many to make a Python string of each row)."""
    line = f"case when suffix({column}, chr(10)) then {column} else {column} || chr(10) end"
    return con.sql(f"select {key}, {line} as {column} from {table} "
                   f"order by {key}").to_arrow_table()


def write_lines(path: Path, lines: pa.ChunkedArray) -> None:
    """Write the text of `lines` (jsonl_lines' column), from its buffers to the file."""
    with open(path, "wb") as fh:
        for chunk in lines.chunks:
            fh.write(_text_bytes(chunk))


def _text_bytes(strings: pa.Array) -> memoryview:
    """The concatenated text of an Arrow string array (no nulls), without copying it."""
    if len(strings) == 0:
        return memoryview(b"")
    width = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(strings.buffers()[1], dtype=width)
    start, end = offsets[strings.offset], offsets[strings.offset + len(strings)]
    return memoryview(strings.buffers()[2])[int(start):int(end)]


@contextmanager
def written_meanwhile(path: Path, write: Callable[[Path], None]) -> Iterator[None]:
    """Run `write(path)` and then flush `path` to disk, in a thread, while the block runs;
    the block's end waits for it and raises what failed. A large file is written and
    flushed beside the work that follows rather than before or after it: the warehouse
    commit that ends a night waits for every dirty page anyway (its fsync flushes the
    filesystem's journal)."""
    failed: list[BaseException] = []

    def write_and_flush() -> None:
        try:
            write(path)
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except Exception as e:  # raised in the caller's thread once the block ends
            failed.append(e)

    worker = threading.Thread(target=write_and_flush, name="jaanch-write", daemon=True)
    worker.start()
    try:
        yield
    finally:
        worker.join()
    if failed:
        raise failed[0]


def recover(out: Path) -> None:
    """Finish a publication that a killed run left half-moved; drop abandoned staging."""
    marker = out / MARKER
    if marker.exists():
        _move_into_place(out / marker.read_text().strip(), out)
        marker.unlink()
    for stale in out.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _move_into_place(staging: Path, out: Path) -> None:
    if not staging.exists():
        return
    for f in sorted(staging.iterdir()):
        os.replace(f, out / f.name)
    staging.rmdir()


def publish(out: Path, write_files: Callable[[Path], None],
            commit: Callable[[], None] = lambda: None) -> list[str]:
    """Stage every output with `write_files(staging)`, commit the warehouse, then move
    the files into `out`. Returns the names published."""
    out.mkdir(parents=True, exist_ok=True)
    recover(out)
    staging = out / f".staging-{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    try:
        write_files(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    names = sorted(f.name for f in staging.iterdir())
    commit()
    tmp_marker = out / (MARKER + ".tmp")
    tmp_marker.write_text(staging.name)
    os.replace(tmp_marker, out / MARKER)
    _move_into_place(staging, out)
    (out / MARKER).unlink()
    return names


def write_json(path: Path, obj: dict) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")
