"""Numbers that identify no one: a mobile or photo ID number carried by more registrations
than one family would carry.

CoWIN allowed one mobile number four registrations, six from January 2022: a family. A
number carried by more is a tout's, who books for strangers, or a placeholder typed into
a free-text ID field ("0000"). Two registrations sharing it are no likelier one person
than two that do not, so the agreement weighs neither way (level -1), and the household
veto, which reads a shared mobile as one family's, does not fire on it either. The rules
still see the number (a tout's mobile is flagged on its own).

Which numbers are crowded is counted when the model is fitted and kept with it, so that
a pair's score depends only on its two registrations and the model.
"""
from __future__ import annotations

import duckdb

# (field, the level that means "the same number", the norm column holding the number's key)
FIELDS = (("mobile", 1, "mobile_key"), ("photo_id", 3, "photo_id_key"))


def count(con: duckdb.DuckDBPyConnection, norm: str, target: str, limit: int) -> None:
    """Write `target` (field, key): every number carried by more than `limit` registrations."""
    parts = " union all ".join(
        f"select '{field}' as field, {column} as key from {norm} where {column} is not null "
        f"group by {column} having count(*) > {int(limit)}"
        for field, _, column in FIELDS)
    con.execute(f"create or replace table {target} as {parts}")


def discount(con: duckdb.DuckDBPyConnection, comparisons: str, norm: str, crowded: str) -> None:
    """Set the level of every pair in `comparisons` (TEMP, pairs by rid) that agrees on a
    crowded number to -1."""
    for field, same, column in FIELDS:
        con.execute(f"""update {comparisons} c set {field}_level = -1
            from {norm} l, {crowded} k
            where c.{field}_level = {same} and l.rid = c.id_l
              and k.field = '{field}' and k.key = l.{column}""")
