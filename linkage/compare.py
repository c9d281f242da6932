"""Comparison levels for whole arrays of candidate pairs.

Simple fields are compared in SQL next to the data; names go through the vectorised
comparator (rapidfuzz on arrays), indexing one table of distinct names by name_id.
Level -1 marks a value missing on either side.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from linkage.name_compare import name_levels
from linkage.normalise import load_name_features

FIELDS = ("name", "birth_year", "gender", "photo_id", "mobile", "location")

LEVELS_SQL = {
    "birth_year": """case when l.birth_year is null or r.birth_year is null then -1
        when l.birth_year = r.birth_year then 3
        when abs(l.birth_year - r.birth_year) = 1 then 2
        when abs(l.birth_year - r.birth_year) = 2 then 1 else 0 end""",
    "gender": """case when l.gender is null or r.gender is null then -1
        when l.gender = r.gender then 1 else 0 end""",
    "photo_id": """case when l.photo_id_number is null or r.photo_id_number is null then -1
        when l.photo_id_number = r.photo_id_number then 3
        when l.photo_id_type = r.photo_id_type
             and abs(length(l.photo_id_number) - length(r.photo_id_number)) <= 1
             -- one edit leaves the first or the last four characters untouched (for
             -- numbers of eight or more): a cheap filter so the edit distance runs on few
             -- pairs
             and (left(l.photo_id_number, 4) = left(r.photo_id_number, 4)
                  or right(l.photo_id_number, 4) = right(r.photo_id_number, 4))
             and damerau_levenshtein(l.photo_id_number, r.photo_id_number) <= 1 then 2
        when l.photo_id_type <> r.photo_id_type then 1 else 0 end""",
    "mobile": """case when l.mobile_number is null or r.mobile_number is null then -1
        when l.mobile_number = r.mobile_number then 1 else 0 end""",
    "location": """case when l.district_name is null or r.district_name is null then -1
        when l.pincode = r.pincode then 2
        when l.district_name = r.district_name then 1 else 0 end""",
}


def name_pair_levels(con: duckdb.DuckDBPyConnection, norm: str, pairs: str,
                     names: dict[str, np.ndarray]) -> pa.Table:
    """Name level and similarity per distinct (name_id_l, name_id_r) among the pairs:
    many pairs share a pair of spellings, so each is compared once."""
    ids = con.execute(f"""
        select distinct l.name_id as name_id_l, r.name_id as name_id_r
        from {pairs} p join {norm} l on l.rid = p.id_l join {norm} r on r.rid = p.id_r
    """).fetchnumpy()
    il, ir = np.asarray(ids["name_id_l"]), np.asarray(ids["name_id_r"])
    level, sim = name_levels(names, names, il, ir)
    return pa.table({"name_id_l": pa.array(il, pa.int32()), "name_id_r": pa.array(ir, pa.int32()),
                     "name_level": pa.array(level.astype(np.int8)),
                     "name_similarity": pa.array(sim.astype(np.float32))})


def compare(con: duckdb.DuckDBPyConnection, norm: str, pairs: str, target: str,
            names_table: str = "name_features") -> int:
    """Write `target` (TEMP) with one row per candidate pair and a level per field."""
    names = load_name_features(con, names_table)
    con.register("_name_levels", name_pair_levels(con, norm, pairs, names))
    levels = ",\n".join(f"({sql})::tinyint as {f}_level" for f, sql in LEVELS_SQL.items())
    con.execute(f"""
        create or replace temp table {target} as
        select p.id_l, p.id_r, n.name_level, n.name_similarity, {levels}
        from {pairs} p join {norm} l on l.rid = p.id_l join {norm} r on r.rid = p.id_r
        join _name_levels n on n.name_id_l = l.name_id and n.name_id_r = r.name_id
    """)
    con.unregister("_name_levels")
    return con.execute(f"select count(*) from {target}").fetchall()[0][0]
