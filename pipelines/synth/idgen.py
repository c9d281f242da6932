"""Identifiers in bulk: mobiles, photo ID numbers, appointment and certificate ids.

Everything works on whole numpy arrays: numbers are built as byte matrices (one row per
value) and turned into strings in one step, so a million Aadhaar numbers cost a second.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from linkage.identifiers import PHOTO_ID_TYPES, verhoeff_check_digits

AADHAAR, DL, PAN, PASSPORT, PENSION, NPR, VOTER, RATION, UDID = range(len(PHOTO_ID_TYPES))
FREE_TEXT = (DL, PASSPORT, PENSION, NPR, RATION, UDID)

_LETTERS = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def unique_ints(rng: np.random.Generator, low: int, high: int, n: int) -> np.ndarray:
    """`n` distinct random integers in [low, high), in random order."""
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        draw = rng.integers(low, high, size=int((n - len(out)) * 1.05) + 16, dtype=np.int64)
        both = np.concatenate([out, draw])
        _, first = np.unique(both, return_index=True)
        out = both[np.sort(first)]
    return out[:n]


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) matrix of the decimal digits of `values`, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10).astype(np.uint8)


def to_strings(codes: np.ndarray) -> pl.Series:
    """(n, L) uint8 ASCII matrix -> Utf8 Series of n strings (via bytes: no Python objects)."""
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    if not len(codes):
        return pl.Series(values=[], dtype=pl.Utf8)
    return pl.Series(codes.view(f"S{codes.shape[1]}").ravel()).cast(pl.Utf8)


def ascii_codes(values: np.ndarray, width: int) -> np.ndarray:
    """Fixed-width str array -> (n, width) uint8 matrix."""
    return np.ascontiguousarray(values.astype(f"S{width}")).view(np.uint8).reshape(-1, width)


def lookup(values, idx: np.ndarray, name: str = "") -> pl.Series:
    """values[idx] as a Utf8 Series, for a small vocabulary and a long index."""
    return pl.Series(name, list(values), dtype=pl.Utf8).gather(idx)


def _letters(values: np.ndarray, width: int) -> np.ndarray:
    powers = 26 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return _LETTERS[(values[:, None] // powers) % 26]


def _ascii_digits(values: np.ndarray, width: int) -> np.ndarray:
    return digits(values, width) + ord("0")


def _aadhaar(u: np.ndarray) -> np.ndarray:
    body = digits(u + 20_000_000_000, 11)
    return np.hstack([body, verhoeff_check_digits(body)[:, None]]) + ord("0")


def aadhaar(u: np.ndarray) -> pl.Series:
    """u: distinct ints in [0, 8e10) -> 12-digit Aadhaar numbers, first digit 2-9."""
    return to_strings(_aadhaar(u))


def _pan(u: np.ndarray, surname_initial: np.ndarray) -> np.ndarray:
    """AAAPS9999A: 4th letter P (a person), 5th the surname's initial; u < 26^4 * 1e4."""
    p = np.full((len(u), 1), ord("P"), dtype=np.uint8)
    return np.hstack([_letters(u // 10_000 // 26, 3), p, surname_initial[:, None],
                      _ascii_digits(u % 10_000, 4), _letters(u // 10_000 % 26, 1)])


def _epic(u: np.ndarray) -> np.ndarray:
    """Voter ID: 3 letters + 7 digits; u < 26^3 * 1e7."""
    return np.hstack([_letters(u // 10_000_000, 3), _ascii_digits(u % 10_000_000, 7)])


def _fixed(prefix: bytes, u: np.ndarray, width: int) -> np.ndarray:
    head = np.broadcast_to(np.frombuffer(prefix, np.uint8), (len(u), len(prefix)))
    return np.hstack([head, _ascii_digits(u, width)])


def _free_text(kind: int, u: np.ndarray, rng: np.random.Generator,
               state: np.ndarray) -> np.ndarray:
    """Free-text ID types, each embedding `u` so distinct u give distinct numbers.
    `state`: (n, 2) codes of the state ("UP", "DL", "HR")."""
    n = len(u)
    if kind == DL:  # UP1420150012345: state, RTO, year of issue, serial
        return np.hstack([state, _ascii_digits(rng.integers(10, 96, n), 2),
                          _ascii_digits(rng.integers(2000, 2021, n), 4),
                          _ascii_digits(u % 10_000_000, 7)])
    if kind == PASSPORT:
        letter = np.frombuffer(b"JKLMNPRSTUVWZ", np.uint8)[u // 10_000_000 % 13]
        return np.hstack([letter[:, None], _ascii_digits(u % 10_000_000, 7)])
    if kind in (PENSION, NPR):
        return _fixed(b"PPO" if kind == PENSION else b"NPR", u, 10)
    if kind == RATION:  # UP ration cards: 12 digits, the district code starting with 0
        return _fixed(b"0", u, 11)
    if kind == UDID:
        return np.hstack([state, _ascii_digits(rng.integers(1, 76, n), 2), _ascii_digits(u, 12)])
    raise ValueError(f"not a free-text ID type: {PHOTO_ID_TYPES[kind]}")


# value space of each type's `u`
ID_SPACE = {AADHAAR: 80_000_000_000, PAN: 26 ** 4 * 10_000, VOTER: 26 ** 3 * 10_000_000,
            DL: 10_000_000, PASSPORT: 13 * 10_000_000, PENSION: 10 ** 10, NPR: 10 ** 10,
            RATION: 10 ** 11, UDID: 10 ** 12}


def photo_numbers(kind: np.ndarray, surname_initial: np.ndarray, state: np.ndarray,
                  rng: np.random.Generator) -> pl.Series:
    """One distinct number per row, of the row's ID type. `surname_initial`: uint8 codes;
    `state`: (n, 2) uint8 state codes."""
    parts, rows_in_order = [], []
    for k in range(len(PHOTO_ID_TYPES)):
        rows = np.flatnonzero(kind == k)
        if not len(rows):
            continue
        u = unique_ints(rng, 0, ID_SPACE[k], len(rows))
        if k == AADHAAR:
            codes = _aadhaar(u)
        elif k == PAN:
            codes = _pan(u, surname_initial[rows])
        elif k == VOTER:
            codes = _epic(u)
        else:
            codes = _free_text(k, u, rng, state[rows])
        part = to_strings(codes)
        if k == DL:  # "UP14 20150012345" as often as "UP1420150012345"
            spaced = pl.Series(rng.random(len(rows)) < 0.4)
            part = pl.select(pl.when(spaced).then(part.str.slice(0, 4) + " " + part.str.slice(4))
                             .otherwise(part)).to_series()
        parts.append(part)
        rows_in_order.append(rows)
    if not parts:
        return pl.Series(values=[], dtype=pl.Utf8)
    position = np.empty(len(kind), dtype=np.int64)
    position[np.concatenate(rows_in_order)] = np.arange(len(kind))
    return pl.concat(parts).gather(position)


def mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct 10-digit mobile numbers starting 6-9, as int64."""
    return unique_ints(rng, 6_000_000_000, 10_000_000_000, n)


def uuids(rng: np.random.Generator, n: int) -> pl.Series:
    """Random version-4 UUID strings (CoWIN's appointment ids look like these)."""
    nib = rng.integers(0, 16, size=(n, 32), dtype=np.uint8)
    nib[:, 12] = 4
    nib[:, 16] = 8 + nib[:, 16] % 4
    chars = _HEX[nib]
    dash = np.full((n, 1), ord("-"), dtype=np.uint8)
    return to_strings(np.hstack([chars[:, :8], dash, chars[:, 8:12], dash, chars[:, 12:16], dash,
                                 chars[:, 16:20], dash, chars[:, 20:]]))


def increasing_ids(rng: np.random.Generator, n: int, base: int, max_gap: int) -> np.ndarray:
    """n strictly increasing integers from `base`, random gaps of 1..max_gap."""
    return base + np.cumsum(rng.integers(1, max_gap + 1, size=n, dtype=np.int64))
