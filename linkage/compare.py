"""Comparison levels for whole arrays of candidate pairs.

Simple fields are compared in SQL next to the data; names go through the vectorised
comparator (rapidfuzz on arrays). Level -1 marks a value missing on either side.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from linkage.name_compare import name_levels
from linkage.normalise import NAME_FEATURES

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
             and damerau_levenshtein(l.photo_id_number, r.photo_id_number) <= 1 then 2
        when l.photo_id_type <> r.photo_id_type then 1 else 0 end""",
    "mobile": """case when l.mobile_number is null or r.mobile_number is null then -1
        when l.mobile_number = r.mobile_number then 1 else 0 end""",
    "location": """case when l.district_name is null or r.district_name is null then -1
        when l.pincode = r.pincode then 2
        when l.district_name = r.district_name then 1 else 0 end""",
}


def pair_frame_sql(norm: str, pairs: str) -> str:
    levels = ",\n".join(f"({sql})::tinyint as {f}_level" for f, sql in LEVELS_SQL.items())
    names = ", ".join(f"l.{c} as l_{c}, r.{c} as r_{c}" for c in NAME_FEATURES)
    return f"""
        select p.id_l, p.id_r, {levels}, {names}
        from {pairs} p join {norm} l on l.rid = p.id_l join {norm} r on r.rid = p.id_r
    """


def _features(tbl: pa.Table, side: str) -> dict[str, np.ndarray]:
    return {c: tbl.column(f"{side}_{c}").to_numpy(zero_copy_only=False) for c in NAME_FEATURES}


def levels_table(tbl: pa.Table) -> pa.Table:
    """From joined pair features to (id_l, id_r, name_phon_l, <field>_level...)."""
    name_level, name_sim = name_levels(_features(tbl, "l"), _features(tbl, "r"))
    cols = {"id_l": tbl.column("id_l"), "id_r": tbl.column("id_r"),
            "name_level": pa.array(name_level.astype(np.int8)),
            "name_similarity": pa.array(name_sim.astype(np.float32)),
            "name_phon": tbl.column("l_name_phon")}
    for f in FIELDS[1:]:
        cols[f"{f}_level"] = tbl.column(f"{f}_level")
    return pa.table(cols)


def compare(con: duckdb.DuckDBPyConnection, norm: str, pairs: str, target: str,
            batch_rows: int = 2_000_000) -> int:
    """Write `target` with one row per candidate pair and a level per field."""
    reader = con.execute(pair_frame_sql(norm, pairs)).to_arrow_reader(batch_rows)
    first = True
    for batch in reader:
        out = levels_table(pa.Table.from_batches([batch]))
        con.register("_levels", out)
        verb = "create or replace temp table" if first else "insert into"
        con.execute(f"{verb} {target} {'as ' if first else ''}select * from _levels")
        con.unregister("_levels")
        first = False
    if first:  # no candidate pairs at all: an empty table of the right shape
        con.execute(f"create or replace temp table {target} as "
                    f"select * from ({pair_frame_sql(norm, pairs)}) limit 0")
        empty = levels_table(con.execute(f"select * from {target}").to_arrow_table())
        con.register("_levels", empty)
        con.execute(f"create or replace temp table {target} as select * from _levels")
        con.unregister("_levels")
    return con.execute(f"select count(*) from {target}").fetchone()[0]
