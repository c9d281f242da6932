"""Normalise registrations for linkage: one row per registration, features side by side.

Name features are computed in Python once per distinct name (far fewer than rows) and
kept in their own table, keyed by `name_id`; registrations carry the id and the few
name keys that blocking needs. Everything else is SQL over the whole table.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from linkage.names import FEATURES, name_features

# name keys copied onto each registration for blocking (empty string -> NULL)
BLOCKING_NAME_KEYS = ("name_key", "first_phon", "last_phon", "given_phon", "first_initial",
                      "init_given", "init_surname")


def name_feature_table(names: list[str]) -> pa.Table:
    feats = name_features(names)
    cols = {"name_id": pa.array(np.arange(len(names), dtype=np.int32)),
            "name": pa.array(names, pa.string())}
    cols.update({f: pa.array(feats[f]) for f in FEATURES})
    return pa.table(cols)


def normalise(con: duckdb.DuckDBPyConnection, source: str, target: str,
              names_table: str = "name_features") -> int:
    """Write `target` and `names_table` (TEMP) from typed registrations; returns row count.

    `rid` is a dense integer id (ordered by beneficiary_reference_id) so that pair tables
    carry two integers instead of two strings.
    """
    names = [r[0] for r in con.execute(
        f"select distinct coalesce(name, '') from {source} order by 1").fetchall()]
    con.register("_name_features", name_feature_table(names))
    con.execute(f"create or replace temp table {names_table} as select * from _name_features")
    con.unregister("_name_features")
    keys = ", ".join(f"nullif(f.{c}, '') as {c}" for c in BLOCKING_NAME_KEYS)
    con.execute(f"""
        create or replace temp table {target} as
        select row_number() over (order by s.beneficiary_reference_id)::integer as rid,
               s.beneficiary_reference_id, f.name_id, {keys},
               nullif(left(f.last_phon, 1), '') as last_initial,
               s.gender, s.birth_year,
               -- two-year bands offset by one: any two years one apart share a band
               s.birth_year // 2 as birth_band_a, (s.birth_year + 1) // 2 as birth_band_b,
               s.mobile_number, s.photo_id_type,
               nullif(s.photo_id_number, '') as photo_id_number,
               nullif(lower(trim(s.district_name)), '') as district_name,
               nullif(trim(s.pincode), '') as pincode,
               s.registered_at
        from {source} s
        join {names_table} f on f.name = coalesce(s.name, '')
    """)
    return con.execute(f"select count(*) from {target}").fetchall()[0][0]


def load_name_features(con: duckdb.DuckDBPyConnection,
                       names_table: str = "name_features") -> dict[str, np.ndarray]:
    """The distinct-name feature table as numpy arrays, indexed by name_id."""
    cols = con.execute(f"select * from {names_table} order by name_id").fetchnumpy()
    return {c: np.asarray(cols[c]) for c in FEATURES}
