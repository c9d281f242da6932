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


def pattern_counts(con: duckdb.DuckDBPyConnection, table: str,
                   fields: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    cols = ", ".join(f"{f}_level" for f in fields)
    rows = con.execute(f"select {cols}, count(*) from {table} group by all").fetchnumpy()
    levels = np.stack([rows[f"{f}_level"].astype(np.int16) for f in fields], axis=1)
    return levels, rows["count_star()"].astype(np.float64)


def _initial(n_levels: list[int], levels: np.ndarray, counts: np.ndarray) -> tuple[list, list]:
    """m leans on the top levels; u starts as the overall level shares (most pairs are
    non-matches), which keeps EM from swapping the two classes."""
    m, u = [], []
    for j, n in enumerate(n_levels):
        mj = 4.0 ** np.arange(n)
        m.append(mj / mj.sum())
        share = np.array([counts[levels[:, j] == k].sum() for k in range(n)]) + 1.0
        u.append(share / share.sum())
    return m, u


def _log_likelihood(probs: list[np.ndarray], levels: np.ndarray) -> np.ndarray:
    total = np.zeros(len(levels))
    for j, p in enumerate(probs):
        lv = levels[:, j]
        present = lv >= 0
        total[present] += np.log(p[lv[present]])
    return total


def estimate(levels: np.ndarray, counts: np.ndarray, fields: tuple[str, ...],
             n_levels: list[int], max_iter: int = 25, tol: float = 1e-4,
             prior: float = 0.05) -> ModelParams:
    m, u = _initial(n_levels, levels, counts)
    it = 0
    for it in range(1, max_iter + 1):
        lm = _log_likelihood(m, levels) + np.log(prior)
        lu = _log_likelihood(u, levels) + np.log(1 - prior)
        g = 1.0 / (1.0 + np.exp(np.clip(lu - lm, -700, 700)))  # P(match | pattern)
        wm, wu = counts * g, counts * (1 - g)
        new_prior = wm.sum() / counts.sum()
        m = [_level_shares(levels[:, j], wm, n) for j, n in enumerate(n_levels)]
        u = [_level_shares(levels[:, j], wu, n) for j, n in enumerate(n_levels)]
        done = abs(new_prior - prior) < tol
        prior = float(np.clip(new_prior, _EPS, 1 - _EPS))
        if done:
            break
    return ModelParams({f: FieldParams(tuple(map(float, m[j])), tuple(map(float, u[j])))
                        for j, f in enumerate(fields)}, prior, it)


def _level_shares(lv: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    present = lv >= 0
    s = np.bincount(lv[present], weights=w[present], minlength=n)[:n] + _EPS
    return s / s.sum()
