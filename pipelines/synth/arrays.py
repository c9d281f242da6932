"""Small whole-array helpers shared by the generator's stages."""
from __future__ import annotations

import numpy as np
import polars as pl


def pick(rng: np.random.Generator, start: np.ndarray, values: np.ndarray,
         group: np.ndarray) -> np.ndarray:
    """One random member of CSR group `group[i]` per row."""
    n = start[group + 1] - start[group]
    return values[start[group] + (rng.random(len(group)) * n).astype(np.int64)]


def rank_within(sorted_keys: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... within each run of equal keys of an already sorted array."""
    i = np.arange(len(sorted_keys))
    first = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]] if len(i) else np.zeros(0, bool)
    return i - np.maximum.accumulate(np.where(first, i, 0))


def cumsum_within(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Running sum of `values` restarting at each run of equal keys (keys sorted)."""
    csum = np.cumsum(values)
    i = np.arange(len(values))
    first = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]] if len(i) else np.zeros(0, bool)
    start = np.maximum.accumulate(np.where(first, i, 0))
    return csum - csum[start] + values[start]


class NumberPool:
    """Hands out distinct pre-drawn numbers, each once."""

    def __init__(self, values: np.ndarray) -> None:
        self._values = values
        self._next = 0

    def take(self, k: int) -> np.ndarray:
        if self._next + k > len(self._values):
            raise RuntimeError("number pool exhausted")
        out = self._values[self._next:self._next + k]
        self._next += k
        return out


def apply_where(s: pl.Series, mask: np.ndarray, fn) -> pl.Series:
    """`fn` (Series -> Series) applied to the masked rows only: rare variations of a big
    column cost as much as the rows they touch."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return s
    return s.clone().scatter(idx, fn(s.gather(idx)))
