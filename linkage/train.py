"""Training the match model without labels, as a careful Splink user would.

- u (how often a level occurs between two different people): from random pairs of
  registrations, where true matches are vanishingly rare.
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

import duckdb
import numpy as np
import pyarrow as pa

from linkage import compare, em, score
from linkage.settings import LinkageSettings

# (condition on the candidate comparisons, fields it conditions on)
TRAINING_ROUNDS = (
    ("photo_id_level = 3", ("photo_id",)),
    # within one district: across a state, namesakes born the same year outnumber the
    # repeat registrations and would pose as matches
    ("name_level >= 6 and birth_year_level = 3 and location_level >= 1",
     ("name", "birth_year", "location")),
)


def random_pairs(n_rows: int, n_pairs: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, n_rows + 1, n_pairs, dtype=np.int32)
    b = rng.integers(1, n_rows + 1, n_pairs, dtype=np.int32)
    keep = a != b
    lo, hi = np.minimum(a, b)[keep], np.maximum(a, b)[keep]
    return pa.table({"id_l": lo, "id_r": hi})


def estimate_u(con: duckdb.DuckDBPyConnection, norm: str, n_levels: list[int],
               n_pairs: int, seed: int) -> dict[str, np.ndarray]:
    n_rows = con.execute(f"select count(*) from {norm}").fetchall()[0][0]
    con.register("_random_pair_ids", random_pairs(n_rows, n_pairs, seed))
    con.execute("create or replace temp table _random_pairs as select * from _random_pair_ids")
    con.unregister("_random_pair_ids")
    compare.compare(con, norm, "_random_pairs", "_random_comparisons")
    levels, counts = em.pattern_counts(con, "_random_comparisons", compare.FIELDS)
    for tmp in ("_random_pairs", "_random_comparisons"):
        con.execute(f"drop table {tmp}")
    shares = em.level_shares(levels, counts, n_levels, floor=1.0 / max(n_pairs, 1))
    return dict(zip(compare.FIELDS, shares))


def _not_vetoed(where: str) -> str:
    # relatives sharing an ID or a mobile would teach the model that one person's
    # registrations often carry other names and ages
    return f"({where}) and not {score.HOUSEHOLD_SQL} and not {score.OTHER_PERSON_SQL}"


def estimate_m(con: duckdb.DuckDBPyConnection, comparisons: str, n_levels: list[int],
               u: dict[str, np.ndarray], settings: LinkageSettings) -> dict[str, np.ndarray]:
    m: dict[str, np.ndarray] = {}
    for where, blocked in TRAINING_ROUNDS:
        levels, counts = em.pattern_counts(con, comparisons, compare.FIELDS, _not_vetoed(where))
        if counts.sum() == 0:
            continue
        for j, f in enumerate(compare.FIELDS):
            if f in blocked:
                levels[:, j] = -1  # the round conditions on it: it teaches nothing here
        params = em.estimate(levels, counts, compare.FIELDS, n_levels, u,
                             max_iter=settings.em_max_iterations, tol=settings.em_tolerance)
        for f in compare.FIELDS:
            if f not in blocked and f not in m:
                m[f] = np.asarray(params.fields[f].m)
    return m


def train(con: duckdb.DuckDBPyConnection, norm: str, comparisons: str,
          settings: LinkageSettings) -> em.ModelParams:
    n_levels = [len(settings.labels(f)) for f in compare.FIELDS]
    u = estimate_u(con, norm, n_levels, settings.u_sample_pairs, settings.seed)
    m = estimate_m(con, comparisons, n_levels, u, settings)
    for field, level, value in settings.fixed_m:
        m[field] = _with_level(m.get(field, em.initial_m(len(settings.labels(field)))), level, value)
    n = con.execute(f"select count(*) from {norm}").fetchall()[0][0]
    return em.ModelParams(
        {f: em.FieldParams(tuple(map(float, m.get(f, em.initial_m(k)))), tuple(map(float, u[f])))
         for f, k in zip(compare.FIELDS, n_levels)},
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
