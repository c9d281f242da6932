"""Match weights per pair: Fellegi–Sunter weights, name term frequency, household evidence.

Each field's weight is kept in its own column so every link can be explained: the
match weight is the prior plus the sum of the field weights.
"""
from __future__ import annotations

import duckdb

from linkage.compare import FIELDS
from linkage.em import ModelParams


def _case(field: str, weights: tuple[float, ...]) -> str:
    whens = " ".join(f"when {lvl} then {w:.6f}" for lvl, w in enumerate(weights))
    return f"(case {field}_level {whens} else 0.0 end)"


def tf_reference(con: duckdb.DuckDBPyConnection, comparisons: str, tf: str) -> float:
    """Mean log2 frequency of the names at the top name levels: the TF adjustment is
    centred on it, so it redistributes evidence between rare and common names."""
    ref = con.execute(f"""
        select avg(log2(t.tf)) from {comparisons} c join {tf} t using (name_phon)
        where c.name_level >= 4""").fetchone()[0]
    return float(ref) if ref is not None else 0.0


def name_frequencies(con: duckdb.DuckDBPyConnection, norm: str, target: str) -> None:
    con.execute(f"""
        create or replace temp table {target} as
        select name_phon, count(*) / (select count(*) from {norm})::double as tf
        from {norm} where name_phon is not null group by name_phon
    """)


def score(con: duckdb.DuckDBPyConnection, comparisons: str, norm: str, tf: str, target: str,
          params: ModelParams, threshold: float, tf_ref: float, tf_cap: float = 6.0,
          household_weight: float = -20.0) -> int:
    """Write `target` (persistent): pairs by beneficiary_reference_id with each field's
    level and weight, match_weight, match_probability, household and linked flags."""
    w = {f: _case(f, params.fields[f].weights()) for f in FIELDS}
    tf_adj = (f"(case when c.name_level >= 4 and t.tf is not null then "
              f"least(greatest({tf_ref:.6f} - log2(t.tf), -{tf_cap}), {tf_cap}) else 0.0 end)")
    # one family's mobile, different given names: relatives, whatever else agrees
    household = "(c.mobile_level = 1 and c.name_level <= 1)"
    con.execute(f"""
        create or replace table {target} as
        with s as (
            select c.*, {tf_adj} as name_tf_weight,
                   {", ".join(f"{w[f]} as {f}_weight" for f in FIELDS)},
                   {household} as household
            from {comparisons} c left join {tf} t using (name_phon)
        ), t as (
            select *, name_weight + name_tf_weight as name_weight_tf,
                   case when household then {household_weight}
                        else {params.prior_weight:.6f} + name_weight + name_tf_weight
                             + {" + ".join(f"{f}_weight" for f in FIELDS[1:])} end as match_weight
            from s
        )
        select l.beneficiary_reference_id as id_l, r.beneficiary_reference_id as id_r,
               match_weight, pow(2, match_weight) / (1 + pow(2, match_weight)) as match_probability,
               match_weight >= {threshold} as linked, household,
               name_level, name_similarity, name_weight_tf as name_weight,
               {", ".join(f"{f}_level, {f}_weight" for f in FIELDS[1:])}
        from t join {norm} l on l.rid = t.id_l join {norm} r on r.rid = t.id_r
    """)
    return con.execute(f"select count(*) from {target} where linked").fetchone()[0]
