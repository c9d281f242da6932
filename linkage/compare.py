"""Comparison levels for whole arrays of candidate pairs.

Simple fields are compared in SQL next to the data; names go through the vectorised
comparator (rapidfuzz on arrays), indexing one table of distinct names by name_id.
Level -1 marks a value missing on either side. Mobile and photo ID numbers arrive as
keyed hashes; a keying slip in a photo ID number shows as a shared keyed one-character
deletion (linkage.identifiers), so comparisons need no number and can run again on a
later night.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from linkage import memory
from linkage.name_compare import name_levels, with_per_name_values
from linkage.name_order import rotated_names, with_surname_first_read
from linkage.normalise import load_name_features

FIELDS = ("name", "birth_year", "gender", "photo_id", "mobile", "location")
# same ID type, another number, and the first or the last four characters alike: one slip
# leaves one of them untouched, so only these few pairs are looked up for a slip
SLIP_CANDIDATE = 9

LEVELS_SQL = {
    "birth_year": """case when l.birth_year is null or r.birth_year is null then -1
        when l.birth_year = r.birth_year then 3
        when abs(l.birth_year - r.birth_year) = 1 then 2
        when abs(l.birth_year - r.birth_year) = 2 then 1 else 0 end""",
    "gender": """case when l.gender is null or r.gender is null then -1
        when l.gender = r.gender then 1 else 0 end""",
    # SLIP_CANDIDATE for now: settle_photo_id_slips makes it 2 (a slip) or 0
    "photo_id": f"""case when l.photo_id_key is null or r.photo_id_key is null then -1
        when l.photo_id_key = r.photo_id_key then 3
        when l.photo_id_type <> r.photo_id_type then 1
        when l.photo_id_head_key = r.photo_id_head_key or l.photo_id_tail = r.photo_id_tail
             then {SLIP_CANDIDATE} else 0 end""",
    "mobile": """case when l.mobile_key is null or r.mobile_key is null then -1
        when l.mobile_key = r.mobile_key then 1 else 0 end""",
    "location": """case when l.district_name is null or r.district_name is null then -1
        when l.pincode = r.pincode then 2
        when l.district_name = r.district_name then 1 else 0 end""",
}


# distinct spelling pairs compared at once: bounds the memory of the string arrays
NAME_CHUNK = 1_000_000
# spelling pairs past which the comparator's freed arrays are worth handing back to the
# operating system (linkage.memory); a night's few are not worth the trim
RELEASE_AFTER = 500_000


def name_pair_levels(con: duckdb.DuckDBPyConnection, norm: str, pairs: str,
                     names_table: str) -> pa.Table:
    """Name level and similarity per distinct (name_id_l, name_id_r) among the pairs:
    many pairs share a pair of spellings, so each is compared once. Only the names the
    pairs carry are loaded (a night's few pairs need few of them)."""
    con.execute(f"""create or replace temp table _name_id_pairs as
        select distinct l.name_id as name_id_l, r.name_id as name_id_r
        from {pairs} p join {norm} l on l.rid = p.id_l join {norm} r on r.rid = p.id_r""")
    ids = con.execute("select * from _name_id_pairs").fetchnumpy()
    names = load_name_features(con, names_table, only="select name_id_l from _name_id_pairs "
                                                      "union select name_id_r from _name_id_pairs")
    con.execute("drop table _name_id_pairs")
    names = with_per_name_values(names)
    # positions in the loaded names by name_id: a lookup, not a search per pair
    position = np.zeros(int(names["name_id"].max(initial=0)) + 1, dtype=np.int64)
    position[names["name_id"]] = np.arange(len(names["name_id"]))
    il, ir = np.asarray(ids["name_id_l"]), np.asarray(ids["name_id_r"])
    pl, pr = position[il], position[ir]
    rotated = rotated_names(names, pl, pr)
    level = np.empty(len(il), dtype=np.int8)
    sim = np.empty(len(il), dtype=np.float32)
    for start in range(0, len(il), NAME_CHUNK):
        part = slice(start, start + NAME_CHUNK)
        first_read = name_levels(names, names, pl[part], pr[part])
        level[part], sim[part] = with_surname_first_read(names, pl[part], pr[part],
                                                         *first_read, rotated)
    return pa.table({"name_id_l": pa.array(il, pa.int32()), "name_id_r": pa.array(ir, pa.int32()),
                     "name_level": pa.array(level), "name_similarity": pa.array(sim)})


def settle_photo_id_slips(con: duckdb.DuckDBPyConnection, norm: str, comparisons: str,
                          parts: str) -> None:
    """Set photo_id_level 2 where the two numbers share a one-character deletion (a keying
    slip apart), else 0, for the pairs marked SLIP_CANDIDATE."""
    # step by step, each join on ids: a join of the parts with themselves on the key
    # alone, or of the registrations on their ID type, would be huge
    con.execute(f"""create or replace temp table _slip_candidates as
        select c.id_l, c.id_r, l.bid as bid_l, r.bid as bid_r from {comparisons} c
        join {norm} l on l.rid = c.id_l join {norm} r on r.rid = c.id_r
        where c.photo_id_level = {SLIP_CANDIDATE}""")
    con.execute(f"""create or replace temp table _slip_left as
        select f.id_l, f.id_r, f.bid_r, a.part_key from _slip_candidates f
        join {parts} a on a.bid = f.bid_l and a.part = 'deletion'""")
    con.execute(f"""create or replace temp table _slips as
        select distinct f.id_l, f.id_r from _slip_left f
        join {parts} b on b.bid = f.bid_r and b.part = 'deletion' and b.part_key = f.part_key""")
    con.execute(f"""update {comparisons} c set photo_id_level = case when exists (
            select 1 from _slips s where s.id_l = c.id_l and s.id_r = c.id_r) then 2 else 0 end
        where c.photo_id_level = {SLIP_CANDIDATE}""")
    for tmp in ("_slip_candidates", "_slip_left", "_slips"):
        con.execute(f"drop table {tmp}")


def compare(con: duckdb.DuckDBPyConnection, norm: str, pairs: str, target: str,
            names_table: str = "name_features",
            parts: str = "photo_id_parts") -> int:
    """Write `target` (TEMP) with one row per candidate pair and a level per field."""
    by_spelling = name_pair_levels(con, norm, pairs, names_table)
    if by_spelling.num_rows > RELEASE_AFTER:
        memory.release()
    con.register("_name_levels", by_spelling)
    levels = ",\n".join(f"({sql})::tinyint as {f}_level" for f, sql in LEVELS_SQL.items())
    con.execute(f"""
        create or replace temp table {target} as
        select p.id_l, p.id_r, n.name_level, n.name_similarity, {levels}
        from {pairs} p join {norm} l on l.rid = p.id_l join {norm} r on r.rid = p.id_r
        join _name_levels n on n.name_id_l = l.name_id and n.name_id_r = r.name_id
    """)
    con.unregister("_name_levels")
    settle_photo_id_slips(con, norm, target, parts)
    return con.execute(f"select count(*) from {target}").fetchall()[0][0]
