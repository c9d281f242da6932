"""Normalise registrations for linkage: one row per registration, features side by side.

Name features are computed in Python once per distinct name (far fewer than rows) and
joined back in DuckDB; everything else is SQL over the whole table.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa

from linkage.names import name_features

NAME_FEATURES = ("name_clean", "name_phon", "first_phon", "last_phon", "first_initial",
                 "initials_sig")


def name_feature_table(names: list[str]) -> pa.Table:
    feats = name_features(names)
    cols = {"name": pa.array(names, pa.string())}
    for f in NAME_FEATURES:
        cols[f] = pa.array(feats[f], pa.string())
    return pa.table(cols)


def normalise(con: duckdb.DuckDBPyConnection, source: str, target: str) -> int:
    """Write `target` (TEMP) from the typed registrations in `source`; returns its row count.

    `rid` is a dense integer id (ordered by beneficiary_reference_id) so that pair tables
    carry two integers instead of two strings.
    """
    names = [r[0] for r in con.execute(
        f"select distinct coalesce(name, '') from {source}").fetchall()]
    feats = name_feature_table(names)
    con.register("_name_features", feats)
    feature_cols = ", ".join(f"nullif(f.{c}, '') as {c}" for c in NAME_FEATURES)
    con.execute(f"""
        create or replace temp table {target} as
        select row_number() over (order by s.beneficiary_reference_id)::integer as rid,
               s.beneficiary_reference_id,
               {feature_cols},
               s.gender, s.birth_year, s.mobile_number, s.photo_id_type,
               nullif(s.photo_id_number, '') as photo_id_number,
               nullif(lower(trim(s.district_name)), '') as district_name,
               nullif(trim(s.pincode), '') as pincode,
               s.registered_at
        from {source} s
        join _name_features f on f.name = coalesce(s.name, '')
    """)
    con.unregister("_name_features")
    return con.execute(f"select count(*) from {target}").fetchone()[0]
