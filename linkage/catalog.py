"""What the warehouse already holds, for stages that build on an earlier night."""
from __future__ import annotations

import duckdb


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """A persistent table `table` (not a TEMP one) is in the open warehouse."""
    return bool(con.execute("select count(*) from information_schema.tables where "
                            "table_name = ? and table_schema = 'main' "
                            "and table_catalog = current_database()", [table]).fetchall()[0][0])
