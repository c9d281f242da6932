"""Fellegi–Sunter m and u probabilities estimated without labels (EM).

EM runs on the distinct comparison patterns with their counts, not on pairs: a night
with tens of millions of candidate pairs has only a few thousand patterns, so each
iteration is a handful of small numpy operations.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np

_EPS = 1e-6


@dataclass(frozen=True)
class FieldParams:
    m: tuple[float, ...]
    u: tuple[float, ...]

    def weights(self, cap: float = 20.0) -> tuple[float, ...]:
        """log2(m/u) per level: how many bits of evidence the level adds."""
        return tuple(float(np.clip(np.log2(m / u), -cap, cap)) for m, u in zip(self.m, self.u))


@dataclass(frozen=True)
class ModelParams:
    fields: dict[str, FieldParams]
    prior: float  # probability that a candidate pair is a match
    iterations: int

    @property
    def prior_weight(self) -> float:
        return float(np.log2(self.prior / (1 - self.prior)))

    def to_dict(self) -> dict:
        return {"prior": self.prior, "iterations": self.iterations,
                "fields": {f: {"m": p.m, "u": p.u, "weights": p.weights()}
                           for f, p in self.fields.items()}}


def pattern_counts(con: duckdb.DuckDBPyConnection, table: str, fields: tuple[str, ...],
                   where: str = "true") -> tuple[np.ndarray, np.ndarray]:
    cols = ", ".join(f"{f}_level" for f in fields)
    rows = con.execute(f"select {cols}, count(*) from {table} where {where} "
                       f"group by all order by all").fetchnumpy()
    levels = np.stack([rows[f"{f}_level"].astype(np.int16) for f in fields], axis=1)
    return levels, rows["count_star()"].astype(np.float64)


def _log_likelihood(probs: list[np.ndarray], levels: np.ndarray) -> np.ndarray:
    total = np.zeros(len(levels))
    for j, p in enumerate(probs):
        lv = levels[:, j]
        present = lv >= 0
        total[present] += np.log(p[lv[present]])
    return total


def estimate(levels: np.ndarray, counts: np.ndarray, fields: tuple[str, ...],
             n_levels: list[int], u: dict[str, np.ndarray], m: dict[str, np.ndarray] | None = None,
             fixed_m: tuple[str, ...] = (), max_iter: int = 200, tol: float = 1e-6,
             prior: float = 0.05) -> ModelParams:
    """EM for m and the prior with u held fixed (u comes from random pairs, where matches
    are negligible). Fields in `fixed_m` keep the m given (used to estimate the prior
    alone). Fields whose level is -1 on every pattern are left out of the likelihood."""
    mm = [np.asarray(m[f]) if m and f in m else initial_m(n) for f, n in zip(fields, n_levels)]
    uu = [np.asarray(u[f]) for f in fields]
    it = 0
    for it in range(1, max_iter + 1):
        lm = _log_likelihood(mm, levels) + np.log(prior)
        lu = _log_likelihood(uu, levels) + np.log(1 - prior)
        g = 1.0 / (1.0 + np.exp(np.clip(lu - lm, -700, 700)))  # P(match | pattern)
        wm = counts * g
        new_prior = float(np.clip(wm.sum() / counts.sum(), _EPS, 1 - _EPS))
        mm = [mm[j] if f in fixed_m else _level_shares(levels[:, j], wm, n, fallback=mm[j])
              for j, (f, n) in enumerate(zip(fields, n_levels))]
        done = abs(new_prior - prior) < tol
        prior = new_prior
        if done:
            break
    return ModelParams({f: FieldParams(tuple(map(float, mm[j])), tuple(map(float, uu[j])))
                        for j, f in enumerate(fields)}, prior, it)


def level_shares(levels: np.ndarray, counts: np.ndarray, n_levels: list[int],
                 floor: float = 1e-6) -> list[np.ndarray]:
    """Share of each level per field (missing values left out): u from random pairs."""
    return [_level_shares(levels[:, j], counts, n, floor=floor) for j, n in enumerate(n_levels)]


def initial_m(n: int) -> np.ndarray:
    m = 4.0 ** np.arange(n)  # matches mostly agree: lean on the top levels
    return m / m.sum()


def _level_shares(lv: np.ndarray, w: np.ndarray, n: int, floor: float = _EPS,
                  fallback: np.ndarray | None = None) -> np.ndarray:
    present = lv >= 0
    if fallback is not None and not present.any():
        return fallback
    s = np.bincount(lv[present], weights=w[present], minlength=n)[:n] + floor * w.sum()
    return s / s.sum()
