"""Normalise registrations for linkage: one row per registration, features side by side.

Name features are computed in Python once per distinct name (far fewer than rows) and
kept in their own table, keyed by `name_id`, across nights; registrations carry the id
and the few name keys that blocking needs. Everything else is SQL next to the data.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from linkage import code_digest, names, phonetic, transliterate
from linkage.names import FEATURES, name_features

# name keys copied onto each registration for blocking (empty string -> NULL)
BLOCKING_NAME_KEYS = ("name_key", "first_phon", "last_phon", "given_phon", "first_initial",
                      "init_given", "init_surname")


def name_feature_table(names: list[str], first_id: int = 0) -> pa.Table:
    feats = name_features(names)
    cols = {"name_id": pa.array(np.arange(first_id, first_id + len(names), dtype=np.int32)),
            "name": pa.array(names, pa.string())}
    cols.update({f: pa.array(feats[f]) for f in FEATURES})
    return pa.table(cols)


def feature_digest() -> str:
    """Of the code that turns a name into its features."""
    return code_digest.of_modules(names, phonetic, transliterate)


def add_new_names(con: duckdb.DuckDBPyConnection, source: str, names_table: str) -> int:
    """Append the features of names not seen before to `names_table` (kept across
    nights: a name's features depend on that name and the code alone, and a table made by
    other code is made again). Returns how many were new."""
    code_digest.drop_if_other_code(con, names_table, feature_digest())
    con.register("_no_names", name_feature_table(["a"]))  # for the column types
    con.execute(f"create table if not exists {names_table} as select * from _no_names limit 0")
    con.unregister("_no_names")
    names = [r[0] for r in con.execute(f"""
        select distinct coalesce(s.name, '') as name from {source} s
        anti join {names_table} f on f.name = coalesce(s.name, '') order by 1""").fetchall()]
    first = con.execute(f"select coalesce(max(name_id) + 1, 0) from {names_table}").fetchall()[0][0]
    if names:
        con.register("_name_features", name_feature_table(names, first))
        con.execute(f"insert into {names_table} select * from _name_features")
        con.unregister("_name_features")
    return len(names)


def normalise(con: duckdb.DuckDBPyConnection, source: str, target: str,
              names_table: str = "name_features", parts: str = "photo_id_parts",
              changed: str | None = None) -> int:
    """Write `target` (kept across nights) from the warehouse's registrations; returns
    its row count.

    `source` carries identifiers as keyed hashes (pipelines.validate), never numbers;
    `parts` the keyed parts of photo ID numbers (linkage.identifiers.sql_photo_id_parts).
    `rid` is a small integer id, so pair tables carry two integers instead of two
    strings; `bid` is the id itself as an integer. Built afresh, rids follow the order
    of beneficiary_reference_id, so a re-run numbers them alike. Given `changed` (the
    ids a night added, changed or removed), only those rows are replaced: a changed
    registration keeps its rid and a new one gets the next free one, so the pairs kept
    by rid stay true. Their rows as they were are left in TEMP `{target}_before`.
    """
    if changed is None:
        add_new_names(con, source, names_table)
        con.execute(f"""create or replace table {target} as
            select row_number() over (order by beneficiary_reference_id)::integer as rid, *
            from ({_rows_sql(source, names_table, parts)})""")
    else:
        _replace_changed(con, source, target, names_table, parts, changed)
    return con.execute(f"select count(*) from {target}").fetchall()[0][0]


def _replace_changed(con: duckdb.DuckDBPyConnection, source: str, target: str,
                     names_table: str, parts: str, changed: str) -> None:
    ids = f"(select beneficiary_reference_id from {changed})"
    con.execute(f"create or replace temp table _night_source as "
                f"select * from {source} where beneficiary_reference_id in {ids}")
    add_new_names(con, "_night_source", names_table)
    con.execute(f"create or replace temp table {target}_before as "
                f"select * from {target} where beneficiary_reference_id in {ids}")
    top = con.execute(f"select coalesce(max(rid), 0) from {target}").fetchall()[0][0]
    con.execute(f"delete from {target} where beneficiary_reference_id in {ids}")
    con.execute(f"""insert into {target}
        select coalesce(b.rid, {int(top)} + row_number() over (
                   partition by b.rid is null order by s.beneficiary_reference_id))::integer,
               s.*
        from ({_rows_sql("_night_source", names_table, parts)}) s
        left join {target}_before b using (beneficiary_reference_id)""")
    con.execute("drop table _night_source")


def _rows_sql(source: str, names_table: str, parts: str) -> str:
    keys = ", ".join(f"nullif(f.{c}, '') as {c}" for c in BLOCKING_NAME_KEYS)
    return f"""
        select s.beneficiary_reference_id::bigint as bid,
               s.beneficiary_reference_id, f.name_id, {keys},
               nullif(left(f.last_phon, 1), '') as last_initial,
               -- the first letters of the name's words: a typo inside a word or another
               -- word order leaves them alike ("Umesh Chandra Verma" / "Varma Umesh Chandra")
               nullif(array_to_string(list_transform(string_split(f.name_phon, ' '),
                                                     lambda w: left(w, 1)), ''), '')
                   as word_initials,
               s.gender, s.birth_year,
               -- two-year bands offset by one: any two years one apart share a band
               s.birth_year // 2 as birth_band_a, (s.birth_year + 1) // 2 as birth_band_b,
               s.mobile_key, s.photo_id_type, s.photo_id_key,
               -- for the cheap test before a photo ID slip is looked for (linkage.compare)
               h.part_key as photo_id_head_key, right(s.photo_id_masked, 4) as photo_id_tail,
               -- one key per district however it was typed: "Kanpur Nagar", "KANPUR-NAGAR",
               -- "Rae Bareli" and "Raebareli" (a spelling of its own stays its own)
               nullif(regexp_replace(lower(s.district_name), '[^a-z0-9\u0900-\u097f]+', '', 'g'),
                      '') as district_name,
               nullif(trim(s.pincode), '') as pincode,
               s.registered_at
        from {source} s
        join {names_table} f on f.name = coalesce(s.name, '')
        left join {parts} h on h.bid = s.beneficiary_reference_id::bigint and h.part = 'head'"""


def load_name_features(con: duckdb.DuckDBPyConnection, names_table: str = "name_features",
                       only: str | None = None) -> dict[str, np.ndarray]:
    """The distinct-name feature table as numpy arrays in name_id order: every name, or
    those whose name_id `only` (a subquery) selects, with their ids under 'name_id'."""
    where = f"where name_id in ({only})" if only else ""
    cols = con.execute(f"select * from {names_table} {where} order by name_id").fetchnumpy()
    return {c: np.asarray(cols[c]) for c in ("name_id",) + FEATURES}
