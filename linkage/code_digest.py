"""Tables derived by code and kept across nights hold the digest of that code; a table
made by other code (an upgrade of jaanch) is dropped, to be made again."""
from __future__ import annotations

import functools
import hashlib
import inspect
from types import ModuleType

import duckdb

_TABLE = "kept_fingerprints"


@functools.cache
def of_modules(*modules: ModuleType) -> str:
    """A short digest of the modules' source, read once per process: a night calls for it
    at every kept table and for the model's key, and it should name the code that is
    running, not files edited on disk since."""
    source = "".join(inspect.getsource(m) for m in modules)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def drop_if_other_code(con: duckdb.DuckDBPyConnection, table: str, digest: str) -> None:
    """Drop `table` unless the digest recorded for it is `digest` (a table kept before its
    digest was recorded counts as other code); record `digest`."""
    con.execute(f"create table if not exists {_TABLE} (table_name varchar primary key, "
                "fingerprint varchar)")
    held = con.execute(f"select fingerprint from {_TABLE} where table_name = ?",
                       [table]).fetchall()
    if held != [(digest,)]:
        con.execute(f"drop table if exists {table}")
    con.execute(f"insert or replace into {_TABLE} values (?, ?)", [table, digest])
