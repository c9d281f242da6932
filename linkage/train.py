"""Training the match model without labels, as a careful Splink user would.

- u (how often a level occurs between two different people): from pseudo-random pairs
  of registrations, where true matches are vanishingly rare.
- m (how often it occurs for one person): EM with u held fixed, on candidate pairs that
  share a strong identifier, so that relatives (who share surname, mobile and pincode)
  do not pose as a third kind of match. Each round blocks on some fields and teaches
  the others.
- the prior (how likely two random registrations are one person): the pairs that strict
  deterministic rules accept, divided by the share of true pairs those rules are
  assumed to find, over all pairs of registrations. It shrinks as the data grows, so
  the evidence a link needs grows with the number of people who could be confused.
  (EM on the candidates cannot give it: every candidate pair already looks alike.)
"""
from __future__ import annotations

from typing import Callable

import duckdb
import numpy as np

from linkage import em, score
from linkage.settings import LinkageSettings

# writes the comparison levels of a pairs table (by rid) into a target table
CompareFn = Callable[[str, str], object]

# (condition on the candidate comparisons, fields it conditions on)
TRAINING_ROUNDS = (
    ("photo_id_level = 3", ("photo_id",)),
    # within one district: across a state, namesakes born the same year outnumber the
    # repeat registrations and would pose as matches
    ("name_level >= 6 and birth_year_level = 3 and location_level >= 1",
     ("name", "birth_year", "location")),
)


def random_pairs_sql(norm: str, n_rows: int, n_pairs: int, seed: int) -> str:
    """Pairs that are as good as random, and nearly the same ones tomorrow.

    Registrations are ordered by a seeded hash of their id, and each is paired with the
    next `k` in that order (every pair, when there are fewer pairs than `n_pairs`). A
    night that adds a few registrations changes only their neighbours' pairs, so the
    kept comparisons serve again, and a full run over the same data draws the same pairs.
    """
    if n_rows * (n_rows - 1) // 2 <= n_pairs:
        return f"select l.rid as id_l, r.rid as id_r from {norm} l join {norm} r on l.rid < r.rid"
    k = max(1, round(n_pairs / n_rows))
    return f"""with o as (select rid, row_number() over (order by hash(bid + {int(seed)}), bid) as pos
                          from {norm}),
                     step as (select unnest(range(1, {k + 1})) as d)
                select least(a.rid, b.rid) as id_l, greatest(a.rid, b.rid) as id_r
                from o a cross join step join o b on b.pos = a.pos + step.d"""


def estimate_u(con: duckdb.DuckDBPyConnection, norm: str, fields: tuple[str, ...],
               n_levels: list[int], n_pairs: int, seed: int,
               compare_pairs: CompareFn) -> dict[str, np.ndarray]:
    """u per field from pseudo-random pairs; `compare_pairs(pairs, target)` writes their
    levels of every field scored (linkage.score.FIELDS)."""
    n_rows = con.execute(f"select count(*) from {norm}").fetchall()[0][0]
    con.execute(f"create or replace temp table _random_pairs as "
                f"{random_pairs_sql(norm, n_rows, n_pairs, seed)}")
    n = con.execute("select count(*) from _random_pairs").fetchall()[0][0]
    compare_pairs("_random_pairs", "_random_comparisons")
    levels, counts = em.pattern_counts(con, "_random_comparisons", fields)
    for tmp in ("_random_pairs", "_random_comparisons"):
        con.execute(f"drop table {tmp}")
    shares = em.level_shares(levels, counts, n_levels, floor=1.0 / max(n, 1))
    return dict(zip(fields, shares))


def _not_vetoed(where: str, other_person_veto: bool = True) -> str:
    # relatives sharing an ID or a mobile would teach the model that one person's
    # registrations often carry other names and ages
    return (f"({where}) and not {score.HOUSEHOLD_SQL} "
            f"and not {score.other_person_sql(other_person_veto)}")


def estimate_m(con: duckdb.DuckDBPyConnection, comparisons: str, fields: tuple[str, ...],
               n_levels: list[int], u: dict[str, np.ndarray],
               settings: LinkageSettings) -> dict[str, np.ndarray]:
    m: dict[str, np.ndarray] = {}
    for where, blocked in TRAINING_ROUNDS:
        levels, counts = em.pattern_counts(con, comparisons, fields,
                                           _not_vetoed(where, settings.other_person_veto))
        if counts.sum() == 0:
            continue
        for j, f in enumerate(fields):
            if f in blocked:
                levels[:, j] = -1  # the round conditions on it: it teaches nothing here
        params = em.estimate(levels, counts, fields, n_levels, u,
                             max_iter=settings.em_max_iterations, tol=settings.em_tolerance)
        for f in fields:
            if f not in blocked and f not in m:
                m[f] = np.asarray(params.fields[f].m)
    return m


def train(con: duckdb.DuckDBPyConnection, norm: str, comparisons: str,
          settings: LinkageSettings, compare_pairs: CompareFn) -> em.ModelParams:
    fields = score.scored_fields(c.field for c in settings.comparisons)
    n_levels = [len(settings.labels(f)) for f in fields]
    u = estimate_u(con, norm, fields, n_levels, settings.u_sample_pairs, settings.seed,
                   compare_pairs)
    m = estimate_m(con, comparisons, fields, n_levels, u, settings)
    for field, level, value in settings.fixed_m:
        m[field] = _with_level(m.get(field, em.initial_m(len(settings.labels(field)))), level, value)
    n = con.execute(f"select count(*) from {norm}").fetchall()[0][0]
    return em.ModelParams(
        {f: em.FieldParams(tuple(map(float, m.get(f, em.initial_m(k)))), tuple(map(float, u[f])))
         for f, k in zip(fields, n_levels)},
        prior=estimate_prior(con, comparisons, n, settings), iterations=0)


def _with_level(m: np.ndarray, level: int, value: float) -> np.ndarray:
    """m with one level set to `value`, the others rescaled to keep the sum at one."""
    out = np.asarray(m, dtype=float).copy()
    rest = out.sum() - out[level]
    out *= (1 - value) / rest if rest > 0 else 1.0
    out[level] = value
    return out


def estimate_prior(con: duckdb.DuckDBPyConnection, comparisons: str, n: int,
                   settings: LinkageSettings) -> float:
    sure = " or ".join(f"({r})" for r in settings.prior_rules)
    found = con.execute(f"select count(*) from {comparisons} where {sure}").fetchall()[0][0]
    all_pairs = max(n * (n - 1) / 2, 1.0)
    return float(min(max(found, 1) / settings.prior_rules_recall / all_pairs, 0.5))
