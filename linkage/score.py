"""Match weights per pair: Fellegi–Sunter weights, name term frequency, household evidence.

Each field's weight is kept in its own column so every link can be explained: the
match weight is the prior plus the sum of the field weights.
"""
from __future__ import annotations

import duckdb

from linkage.compare import FIELDS
from linkage.em import ModelParams


# one family's mobile, different given names: relatives, whatever else agrees
HOUSEHOLD_SQL = "(mobile_level = 1 and name_level <= 1 and photo_id_level <> 3)"
# another name and another age (or gender): someone else, even on the same photo ID
# (a relative's ID is a fraud of its own, flagged on the ID, not a reason to merge)
OTHER_PERSON_SQL = "(name_level = 0 and (birth_year_level <= 1 or gender_level = 0))"


def _case(field: str, weights: tuple[float, ...]) -> str:
    whens = " ".join(f"when {lvl} then {w:.6f}" for lvl, w in enumerate(weights))
    return f"(case {field}_level {whens} else 0.0 end)::double"


def name_frequencies(con: duckdb.DuckDBPyConnection, norm: str, target: str) -> None:
    """Share of registrations carrying each full-name key and each first name."""
    con.execute(f"""
        create or replace temp table {target} as
        select 'name' as kind, name_key as value,
               count(*) / (select count(*) from {norm})::double as tf
        from {norm} where name_key is not null group by name_key
        union all
        select 'first', first_phon, count(*) / (select count(*) from {norm})::double
        from {norm} where first_phon is not null group by first_phon
    """)


def score(con: duckdb.DuckDBPyConnection, comparisons: str, norm: str, tf: str, target: str,
          params: ModelParams, threshold: float, tf_cap: float = 6.0,
          veto_weight: float = -20.0) -> int:
    """Write `target` (TEMP): pairs by rid with each field's level and weight,
    match_weight, match_probability, the veto flags and whether the pair is linked."""
    w = {f: _case(f, params.fields[f].weights()) for f in FIELDS}
    # at the top name levels the chance that two different people agree is the name's own
    # frequency, not the average one: "Sunita Devi" agrees far more often than a rare
    # name. Levels that rest on the first name alone are adjusted by its frequency
    # against the average chance that two first names collide.
    u_name = params.fields["name"].u
    first_collision = con.execute(
        f"select sum(tf * tf) from {tf} where kind = 'first'").fetchall()[0][0] or 1.0
    clip = lambda x: f"least(greatest({x}, -{tf_cap}), {tf_cap})"  # noqa: E731
    tf_adj = (f"(case when c.name_level >= 6 and tn.tf is not null then "
              f"{clip(f'log2((case c.name_level when 6 then {u_name[6]:.6e} else {u_name[7]:.6e} end) / tn.tf)')} "
              f"when c.name_level in (2, 3) and tfirst.tf is not null then "
              f"{clip(f'log2({first_collision:.6e} / tfirst.tf)')} else 0.0 end)")
    con.execute(f"""
        create or replace temp table {target} as
        with s as (
            select c.*, {tf_adj} as name_tf_weight,
                   {", ".join(f"{w[f]} as {f}_weight" for f in FIELDS)},
                   {HOUSEHOLD_SQL} as household, {OTHER_PERSON_SQL} as other_person
            from {comparisons} c join {norm} n on n.rid = c.id_l
            left join {tf} tn on tn.kind = 'name' and tn.value = n.name_key
            left join {tf} tfirst on tfirst.kind = 'first' and tfirst.value = n.first_phon
        ), t as (
            select *, name_weight + name_tf_weight as name_weight_tf,
                   case when household or other_person then {veto_weight}
                        else {params.prior_weight:.6f} + name_weight + name_tf_weight
                             + {" + ".join(f"{f}_weight" for f in FIELDS[1:])} end as match_weight
            from s
        )
        select id_l as rid_l, id_r as rid_r,
               match_weight, pow(2, match_weight) / (1 + pow(2, match_weight)) as match_probability,
               match_weight >= {threshold} as linked, household, other_person,
               name_level, name_similarity, name_weight_tf as name_weight,
               {", ".join(f"{f}_level, {f}_weight" for f in FIELDS[1:])}
        from t
    """)
    return con.execute(f"select count(*) from {target} where linked").fetchall()[0][0]
