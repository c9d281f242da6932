"""Match weights per pair: Fellegi–Sunter weights, name term frequency, district pairs,
household evidence, the doses each registration holds.

Each field's weight is kept in its own column so every link can be explained: the
match weight is the prior plus the sum of the field weights.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import duckdb

from linkage import bookings, compare, doses
from linkage.em import ModelParams

# the compared fields, and the vaccinations and live bookings joined on when scoring
FIELDS = compare.FIELDS + (doses.FIELD, bookings.FIELD)


def scored_fields(settings_fields: Iterable[str]) -> tuple[str, ...]:
    """The fields scored: those of FIELDS the settings hold a comparison for (settings
    saved before a field existed score without it)."""
    wanted = set(settings_fields)
    return tuple(f for f in FIELDS if f in wanted)


@dataclass(frozen=True)
class ScoreStatistics:
    """Tables of the statistics scoring reads (see name_frequencies, district_pairs)."""
    name_frequencies: str
    district_pairs: str
    names: str = "name_features"  # name_id -> name_clean, for the exact-name frequency


# one family's mobile and not one ID number: relatives when the given names differ, and
# also when the names agree but the birth years are two or more apart or each carries
# their own number of one ID type (a son named after his father, two "Sunita Devi" in
# one house). One person registering again on the same phone keeps the birth year, give
# or take one, and the ID number, or shows another ID type.
HOUSEHOLD_SQL = ("(mobile_level = 1 and photo_id_level <> 3 and "
                 "(name_level <= 1 or birth_year_level in (0, 1) or photo_id_level = 0))")
# another name and another age (or gender): someone else, even on the same photo ID
# (a relative's ID is a fraud of its own, flagged on the ID, not a reason to merge)
OTHER_PERSON_SQL = "(name_level = 0 and (birth_year_level <= 1 or gender_level = 0))"


def other_person_sql(veto: bool) -> str:
    return OTHER_PERSON_SQL if veto else "false"


def _case(field: str, weights: tuple[float, ...]) -> str:
    whens = " ".join(f"when {lvl} then {w:.6f}" for lvl, w in enumerate(weights))
    return f"(case {field}_level {whens} else 0.0 end)::double"


def name_frequencies(con: duckdb.DuckDBPyConnection, norm: str, target: str,
                     names_table: str = "name_features") -> None:
    """Share of registrations carrying each full-name key, each first name and each exact
    cleaned name ('exact': "Sunita Devi" is rarer than the key "sunita" that it shares
    with "Sunita" and "Sunita Kumari")."""
    n = f"(select count(*) from {norm})::double"
    con.execute(f"""
        create or replace table {target} as
        select 'name' as kind, name_key as value, count(*) / {n} as tf
        from {norm} where name_key is not null group by name_key
        union all
        select 'first', first_phon, count(*) / {n}
        from {norm} where first_phon is not null group by first_phon
        union all
        select 'exact', f.name_clean, count(*) / {n}
        from {norm} r join {names_table} f using (name_id) group by f.name_clean
    """)


# Dirichlet pseudo-count behind the district-pair adjustment: on each side, as many pairs
# as this spread over district pairs as chance would, before the data speak
DISTRICT_PRIOR_PAIRS = 100.0


def district_pairs(con: duckdb.DuckDBPyConnection, comparisons: str, norm: str,
                   target: str, other_person_veto: bool = True) -> None:
    """Per pair of different districts, log2 of how much likelier it is between one
    person's registrations than between two people's (location_level 0 only).

    People re-register where they work or where their family lives: a few district pairs
    (neighbours, a city and its villages) carry most of the moves. Which ones is learned
    from the pairs sharing a photo ID number. Names are regional too (surnames, language,
    religion), so two different people with one name sit in neighbouring districts more
    often than chance says: the other side is learned from namesakes (registrations
    sharing a name key), not from the districts' shares. Both sides get a Dirichlet prior
    of DISTRICT_PRIOR_PAIRS pairs spread as chance would, so a pair seen once does not
    count as a sure neighbour, and with no evidence the adjustment is zero."""
    con.execute(f"""
        create or replace table {target} as
        with share as (
            select district_name as d, count(*) / sum(count(*)) over () as s
            from {norm} where district_name is not null group by 1
        ), sure as (
            select least(l.district_name, r.district_name) as a,
                   greatest(l.district_name, r.district_name) as b, count(*) as c
            from {comparisons} p join {norm} l on l.rid = p.id_l join {norm} r on r.rid = p.id_r
            where p.photo_id_level = 3 and p.location_level = 0
              and not {HOUSEHOLD_SQL} and not {other_person_sql(other_person_veto)}
            group by 1, 2
        ), chance as (
            select x.d as a, y.d as b,
                   2 * x.s * y.s / (1 - (select sum(s * s) from share)) as q
            from share x join share y on x.d < y.d
        ), named as (
            select name_key, district_name as d, count(*) as k from {norm}
            where name_key is not null and district_name is not null group by all
        ), namesakes as (
            select least(x.d, y.d) as a, greatest(x.d, y.d) as b, sum(x.k * y.k) as c
            from named x join named y on x.name_key = y.name_key and x.d < y.d
            group by 1, 2
        )
        select a, b,
               log2(((coalesce(s.c, 0) + {DISTRICT_PRIOR_PAIRS} * q)
                     / ((select coalesce(sum(c), 0) from sure) + {DISTRICT_PRIOR_PAIRS}))
                    / ((coalesce(ns.c, 0) + {DISTRICT_PRIOR_PAIRS} * q)
                       / ((select coalesce(sum(c), 0) from namesakes) + {DISTRICT_PRIOR_PAIRS})))
               as adj
        from chance left join sure s using (a, b) left join namesakes ns using (a, b)
    """)


def _other_tf(alias: str, column: str, n: int) -> str:
    """A name's frequency among the other registrations: the pair's own second copy says
    nothing about how many other people carry it (a name that only this person carries,
    on two registrations, is not one shared by two people). Never below half a person:
    a model fitted before the second copy arrived counted the name once."""
    return (f"greatest({alias}.tf - (case when r.{column} = n.{column} then "
            f"{1 / max(n, 1):.6e} else 0.0 end), {0.5 / max(n, 1):.6e})")


# what clustering reads of every candidate pair
SLIM_COLUMNS = "rid_l, rid_r, match_weight, linked, household, other_person"


def score(con: duckdb.DuckDBPyConnection, comparisons: str, norm: str, target: str,
          params: ModelParams, n: int, threshold: float, stats: ScoreStatistics,
          tf_cap: float = 6.0, veto_weight: float = -20.0,
          other_person_veto: bool = True, slim: bool = False) -> int:
    """Write `target` (TEMP): pairs by rid with each field's level and weight,
    match_weight, match_probability, the veto flags and whether the pair is linked, or
    with `slim` SLIM_COLUMNS only (a million people's pairs are tens of millions, of which
    few are explained; the wide rows of them all come near DuckDB's memory limit).
    `n` and `stats` are those of the registrations the model was fitted on, so a pair's
    score depends on its two registrations (their doses included: linkage.doses) and the
    model alone."""
    fields = scored_fields(params.fields)
    w = {f: _case(f, params.fields[f].weights()) for f in fields}
    # at the top name levels the chance that two different people agree is the name's own
    # frequency, not the average one: "Sunita Devi" agrees far more often than a rare
    # name (level 7 by the exact cleaned name, level 6 by the name key). Levels that rest
    # on the first name alone are adjusted by its frequency against the average chance
    # that two first names collide. A different district is adjusted by the district
    # pair (district_pairs).
    u_name = params.fields["name"].u
    tf = stats.name_frequencies
    first_collision = con.execute(
        f"select sum(tf * tf) from {tf} where kind = 'first'").fetchall()[0][0] or 1.0
    clip = lambda x: f"least(greatest({x}, -{tf_cap}), {tf_cap})"  # noqa: E731
    tf_name, tf_first = _other_tf("tn", "name_key", n), _other_tf("tfirst", "first_phon", n)
    # level 7: both sides carry the name
    tf_exact = f"greatest(te.tf - {1 / max(n, 1):.6e}, {0.5 / max(n, 1):.6e})"
    # level 5, one side misspelt: the chance that someone else is one slip from the name
    # follows the frequency of the name as it is usually spelt, the commoner of the two
    tf_spelled = f"greatest(greatest(tn.tf, tn_r.tf) - {1 / max(n, 1):.6e}, {0.5 / max(n, 1):.6e})"
    tf_adj = (f"(case when c.name_level = 7 and te.tf is not null then "
              f"{clip(f'log2({u_name[7]:.6e} / {tf_exact})')} "
              f"when c.name_level = 6 and tn.tf is not null then "
              f"{clip(f'log2({u_name[6]:.6e} / {tf_name})')} "
              f"when c.name_level = 5 and tn.tf is not null and tn_r.tf is not null then "
              f"{clip(f'log2({u_name[5]:.6e} / {tf_spelled})')} "
              f"when c.name_level in (2, 3) and tfirst.tf is not null then "
              f"{clip(f'log2({first_collision:.6e} / {tf_first})')} else 0.0 end)")
    con.execute(f"""
        create or replace temp table {target} as
        select {SLIM_COLUMNS if slim else "*"} from (
        with s as (
            select c.*, {tf_adj} as name_tf_weight,
                   {", ".join(f"{w[f]} as {f}_weight" for f in fields if f != "location")},
                   {w["location"]} + {clip("coalesce(dp.adj, 0.0)")} as location_weight,
                   {HOUSEHOLD_SQL} as household,
                   {other_person_sql(other_person_veto)} as other_person
            from {comparisons} c join {norm} n on n.rid = c.id_l join {norm} r on r.rid = c.id_r
            left join {tf} tn on tn.kind = 'name' and tn.value = n.name_key
            left join {tf} tn_r on c.name_level = 5 and tn_r.kind = 'name'
                 and tn_r.value = r.name_key
            left join {tf} tfirst on tfirst.kind = 'first' and tfirst.value = n.first_phon
            left join {stats.names} fn on c.name_level = 7 and fn.name_id = n.name_id
            left join {tf} te on te.kind = 'exact' and te.value = fn.name_clean
            left join {stats.district_pairs} dp on c.location_level = 0
                 and dp.a = least(n.district_name, r.district_name)
                 and dp.b = greatest(n.district_name, r.district_name)
        ), t as (
            select *, name_weight + name_tf_weight as name_weight_tf,
                   case when household or other_person then {veto_weight}
                        else {params.prior_weight:.6f} + name_weight + name_tf_weight
                             + {" + ".join(f"{f}_weight" for f in fields[1:])} end as match_weight
            from s
        )
        select id_l as rid_l, id_r as rid_r,
               match_weight, pow(2, match_weight) / (1 + pow(2, match_weight)) as match_probability,
               match_weight >= {threshold} as linked, household, other_person,
               name_level, name_similarity, name_weight_tf as name_weight,
               {", ".join(f"{f}_level, {f}_weight" for f in fields[1:])}
        from t)
    """)
    return con.execute(f"select count(*) from {target} where linked").fetchall()[0][0]
