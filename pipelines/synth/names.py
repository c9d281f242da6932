"""Names: a lexicon of words with their spelling variants, Zipf-weighted pools, and the
ways a registrant types the same name differently.

A name is five token columns of lexicon ids (honorific, prefix, first, middle, surname;
-1 = absent). Variation happens on ids (respelling, dropping a word) and then on the
rendered text (initials, typos, order, case, spaces, Devanagari), all column-wise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from pipelines.synth import name_pools as P
from pipelines.synth.arrays import apply_where

HINDU, MUSLIM = 0, 1
MALE, FEMALE, OTHERS = 0, 1, 2
_GENERIC = ((r"ee", "i"), (r"i$", "ee"), (r"oo", "u"), (r"w", "v"), (r"v", "w"),
            (r"ph", "f"), (r"f", "ph"), (r"sh", "s"), (r"([bcdfghjklmnprstvz])\1", r"\1"),
            (r"([aeiou])h$", r"\1"), (r"aa", "a"), (r"x", "ks"), (r"q", "k"),
            (r"z", "j"))


def spellings(word: str) -> list[str]:
    """Other ways to write `word` in Latin letters: known transliterations, then generic rules."""
    out = list(P.SPELLINGS.get(word, ()))
    if len(word) > 3:
        low = word.lower()
        for pat, rep in _GENERIC:
            v = re.sub(pat, rep, low, count=1)
            if v != low and len(v) > 2:
                out.append(v.capitalize())
    return list(dict.fromkeys(w for w in out if w != word))[:6]


@dataclass(frozen=True)
class Lexicon:
    words: np.ndarray  # str; index -1 is "" so that id -1 renders as nothing
    deva: np.ndarray  # Devanagari form or "", same indexing
    group_start: np.ndarray  # spelling groups (CSR over member ids)
    group_members: np.ndarray
    group_of: np.ndarray  # id -> group
    pos_in_group: np.ndarray  # id -> position among its group's members
    ids: dict[str, int]


def _union_find(n: int, edges: list[tuple[int, int]]) -> np.ndarray:
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        parent[root(a)] = root(b)
    return np.array([root(i) for i in range(n)])


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    base = [*P.words(P.HINDU_MALE), *P.words(P.HINDU_FEMALE), *P.words(P.MUSLIM_MALE),
            *P.words(P.MUSLIM_FEMALE), *P.words(P.HINDU_SURNAMES), *P.words(P.MUSLIM_SURNAMES),
            P.MUSLIM_PREFIX, P.ABDUL, *(w for g in P.MIDDLE.values() for w, _ in g if w),
            *(w for g in P.HONORIFICS.values() for w, _ in g),
            *(w for g in P.TWIN_PAIRS.values() for pair in g for w in pair)]
    honorifics = {w for g in P.HONORIFICS.values() for w, _ in g}
    words = list(dict.fromkeys(base))
    edges_w = [(w, v) for w in list(words) if w not in honorifics for v in spellings(w)]
    words = list(dict.fromkeys(words + [v for _, v in edges_w]))
    ids = {w: i for i, w in enumerate(words)}
    roots = _union_find(len(words), [(ids[a], ids[b]) for a, b in edges_w])
    _, group_of = np.unique(roots, return_inverse=True)
    order = np.argsort(group_of, kind="stable")
    counts = np.bincount(group_of)
    group_start = np.concatenate([[0], np.cumsum(counts)])
    pos = np.empty(len(words), dtype=np.int64)
    pos[order] = np.arange(len(words)) - group_start[group_of[order]]
    deva_by_group = {group_of[ids[w]]: d for w, d in P.DEVANAGARI.items()}
    deva = [deva_by_group.get(g, "") for g in group_of]
    return Lexicon(np.array(words + [""]), np.array(deva + [""]), group_start, order,
                   group_of, pos, ids)


def _zipf(n: int, s: float, offset: float) -> np.ndarray:
    w = 1.0 / (np.arange(n) + offset) ** s
    return w / w.sum()


@dataclass(frozen=True)
class Pool:
    ids: np.ndarray
    p: np.ndarray

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.ids[rng.choice(len(self.ids), size=n, p=self.p)]


@lru_cache(maxsize=None)
def pool(name: str) -> Pool:
    """Ranked pools get Zipf weights; the weighted tables of name_pools keep theirs."""
    lex = lexicon()
    ranked = {"hindu_male": P.HINDU_MALE, "hindu_female": P.HINDU_FEMALE,
              "muslim_male": P.MUSLIM_MALE, "muslim_female": P.MUSLIM_FEMALE,
              "hindu_surname": P.HINDU_SURNAMES, "muslim_surname": P.MUSLIM_SURNAMES}
    if name in ranked:
        ws = P.words(ranked[name])
        s, off = (0.9, 2.0) if name.endswith("surname") else (0.8, 3.0)
        return Pool(np.array([lex.ids[w] for w in ws]), _zipf(len(ws), s, off))
    kind, _, group = name.partition(":")  # "middle:hindu_male", "honorific:female"
    table = (P.MIDDLE if kind == "middle" else P.HONORIFICS)[group]
    w = np.array([x for _, x in table], dtype=float)
    return Pool(np.array([lex.ids[t] if t else -1 for t, _ in table]), w / w.sum())


@dataclass(frozen=True)
class NameTokens:
    hon: np.ndarray
    pre: np.ndarray
    first: np.ndarray
    mid: np.ndarray
    sur: np.ndarray  # -1 = not written

    def take(self, rows: np.ndarray) -> NameTokens:
        return NameTokens(*(getattr(self, f)[rows] for f in ("hon", "pre", "first", "mid", "sur")))


def _by_group(rng: np.random.Generator, keys: np.ndarray, names: dict[int, str]) -> np.ndarray:
    out = np.full(len(keys), -1, dtype=np.int64)
    for key, name in names.items():
        rows = np.flatnonzero(keys == key)
        out[rows] = pool(name).sample(rng, len(rows))
    return out


def sample_names(rng: np.random.Generator, religion: np.ndarray, gender: np.ndarray,
                 birth_year: np.ndarray, surname: np.ndarray) -> NameTokens:
    """How each person writes their own name: first name, optional words, surname or not."""
    n = len(gender)
    g2 = np.where(gender == OTHERS, rng.integers(0, 2, n), gender)  # pool to draw from
    older = birth_year < 1986
    key = religion * 4 + g2 * 2 + (older & (g2 == FEMALE) & (religion == HINDU))
    first = _by_group(rng, religion * 2 + g2, {0: "hindu_male", 1: "hindu_female",
                                               2: "muslim_male", 3: "muslim_female"})
    mid = _by_group(rng, key, {0: "middle:hindu_male", 2: "middle:hindu_female_younger",
                               3: "middle:hindu_female_older", 4: "middle:muslim_male",
                               6: "middle:muslim_female"})
    lex = lexicon()
    pre = np.full(n, -1, dtype=np.int64)
    muslim_man = (religion == MUSLIM) & (g2 == MALE)
    abdul = np.isin(first, [lex.ids[w] for w in P.ABDUL_NAMES]) & (rng.random(n) < 0.6)
    pre[muslim_man & (rng.random(n) < 0.35)] = lex.ids[P.MUSLIM_PREFIX]
    pre[muslim_man & abdul] = lex.ids[P.ABDUL]
    # "Sunita Devi", "Ram Kumar": many people write no surname at all
    devi_like = np.isin(mid, [lex.ids[w] for w in ("Devi", "Begum", "Khatoon", "Bano")])
    p_sur = np.where(devi_like, 0.35, np.where(mid >= 0, 0.6, 0.88))
    sur = np.where(rng.random(n) < p_sur, surname, -1)
    mid = np.where((mid == surname) | (mid == first), -1, mid)  # no "Imran Ali Ali"
    return NameTokens(np.full(n, -1, dtype=np.int64), pre, first, mid, sur)


@dataclass(frozen=True)
class Typing:
    """Chance of each way of typing a name differently, per registration."""
    respell_first: float = 0.0
    respell_other: float = 0.0  # prefix, middle or surname
    drop_optional: float = 0.0  # Mohammad / Kumar / Devi ... left out
    add_middle: float = 0.0
    toggle_surname: float = 0.0
    initials: float = 0.0
    typo: float = 0.0
    honorific: float = 0.0
    swap: float = 0.0
    upper: float = 0.0
    lower: float = 0.0
    spaces: float = 0.0


AS_TYPED_FIRST = Typing(respell_first=0.06, respell_other=0.05, initials=0.01, typo=0.01,
                        honorific=0.03, swap=0.01, upper=0.12, lower=0.03, spaces=0.02)
AS_TYPED_AGAIN = Typing(respell_first=0.30, respell_other=0.25, drop_optional=0.15,
                        add_middle=0.08, toggle_surname=0.08, initials=0.07, typo=0.12,
                        honorific=0.08, swap=0.06, upper=0.12, lower=0.04, spaces=0.05)


def respell(rng: np.random.Generator, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Replace masked ids by another spelling of the same word, where one exists."""
    lex = lexicon()
    safe = np.where(ids >= 0, ids, 0)
    g = lex.group_of[safe]
    size = lex.group_start[g + 1] - lex.group_start[g]
    ok = mask & (ids >= 0) & (size > 1)
    j = (rng.random(len(ids)) * np.maximum(size - 1, 1)).astype(np.int64)
    j = j + (j >= lex.pos_in_group[safe])  # skip the current spelling
    other = lex.group_members[lex.group_start[g] + np.minimum(j, size - 1)]
    return np.where(ok, other, ids)


def vary(rng: np.random.Generator, t: NameTokens, household_surname: np.ndarray,
         religion: np.ndarray, gender: np.ndarray, how: Typing) -> tuple[NameTokens, dict]:
    """Word-level changes; returns the new tokens and the text-level flags for `render`."""
    n = len(t.first)
    r = lambda p: rng.random(n) < p  # noqa: E731 - a coin per row
    first = respell(rng, t.first, r(how.respell_first))
    pre = respell(rng, t.pre, r(how.respell_other * 2))  # Mohd / Md vary the most
    mid = respell(rng, t.mid, r(how.respell_other))
    sur = respell(rng, t.sur, r(how.respell_other))
    drop = r(how.drop_optional)
    drop_pre = drop & (pre >= 0) & ((mid < 0) | r(0.5))
    pre = np.where(drop_pre, -1, pre)
    mid = np.where(drop & ~drop_pre, -1, mid)
    key = religion * 4 + np.where(gender == FEMALE, 2, 0)
    added = _by_group(rng, key, {0: "middle:hindu_male", 2: "middle:hindu_female_older",
                                 4: "middle:muslim_male", 6: "middle:muslim_female"})
    mid = np.where(r(how.add_middle) & (mid < 0), added, mid)
    toggle = r(how.toggle_surname)
    sur = np.where(toggle, np.where(sur >= 0, -1, household_surname), sur)
    mid = np.where((mid == sur) | (mid == first), -1, mid)
    hon_m = pool("honorific:male").sample(rng, n)
    hon_f = pool("honorific:female").sample(rng, n)
    hon = np.where(r(how.honorific), np.where(gender == FEMALE, hon_f, hon_m), t.hon)
    flags = {"initials": r(how.initials) & (sur >= 0), "typo": r(how.typo),
             "swap": r(how.swap) & (sur >= 0), "upper": r(how.upper), "lower": r(how.lower),
             "spaces": r(how.spaces)}
    return NameTokens(hon, pre, first, mid, sur), flags


def _typo(rng: np.random.Generator, word: pl.Series) -> pl.Series:
    """One-letter slip inside a word (never its first letter): substitute, drop, double or swap."""
    n = len(word)
    df = pl.DataFrame({"w": word, "kind": rng.integers(0, 4, n), "at": rng.random(n),
                       "letter": _LETTERS[rng.integers(0, len(_LETTERS), n)]})
    w, kind = pl.col("w"), pl.col("kind")
    size = w.str.len_chars().cast(pl.Int64)
    pos = (pl.col("at") * (size - 2).clip(lower_bound=0)).floor().cast(pl.Int64) + 1
    head, tail = w.str.slice(0, pos), w.str.slice(pos + 1)
    here, nxt = w.str.slice(pos, 1), w.str.slice(pos + 1, 1)
    return df.select(pl.when(size < 3).then(w)
                     .when(kind == 0).then(head + pl.col("letter") + tail)
                     .when(kind == 1).then(head + tail)
                     .when(kind == 2).then(head + here + here + tail)
                     .otherwise(head + nxt + here + w.str.slice(pos + 2))).to_series()


@lru_cache(maxsize=1)
def _word_series() -> tuple[pl.Series, pl.Series]:
    """Lexicon words and their Devanagari forms; the last entry (id -1) is null."""
    lex = lexicon()
    latin = pl.Series(lex.words[:-1].tolist() + [None], dtype=pl.Utf8)
    deva = pl.Series([d or None for d in lex.deva[:-1].tolist()] + [None], dtype=pl.Utf8)
    return latin, deva


def _join(cols: list[pl.Series]) -> pl.Series:
    return pl.DataFrame(cols).select(
        pl.concat_str(pl.all(), separator=" ", ignore_nulls=True)).to_series()


def devanagari_ok(t: NameTokens) -> np.ndarray:
    """Names whose every word has a Devanagari form here (honorifics are dropped)."""
    deva = lexicon().deva
    ok = np.ones(len(t.first), dtype=bool)
    for ids in (t.pre, t.first, t.mid, t.sur):
        ok &= (ids < 0) | (deva[ids] != "")
    return ok


def render(rng: np.random.Generator, t: NameTokens, flags: dict,
           devanagari: np.ndarray | None = None) -> pl.Series:
    """The text a registrant typed, from tokens and the text-level flags of `vary`; rows
    flagged `devanagari` (and writable so) come out in Hindi script. Each variation
    touches only its own rows, so the cost stays that of one join over the whole column."""
    latin, deva = _word_series()
    n = len(t.first)
    fields = ("hon", "pre", "first", "mid", "sur")
    w = {f: latin.gather(getattr(t, f) % len(latin)).alias(f) for f in fields}
    on_sur = flags["typo"] & (t.sur >= 0) & (rng.random(n) < 0.3)
    w["sur"] = apply_where(w["sur"], on_sur, lambda s: _typo(rng, s))
    w["first"] = apply_where(w["first"], flags["typo"] & ~on_sur, lambda s: _typo(rng, s))
    dot = rng.random(n) < 0.4  # "R K Sharma" or "R.K. Sharma"
    for f in ("pre", "first", "mid"):
        w[f] = apply_where(w[f], flags["initials"] & ~dot, lambda s: s.str.slice(0, 1))
        w[f] = apply_where(w[f], flags["initials"] & dot, lambda s: s.str.slice(0, 1) + ".")
    name = _join([w[f] for f in fields])
    swap = np.flatnonzero(flags["swap"])
    if len(swap):
        name = name.scatter(swap, _join([w[f].gather(swap) for f in ("hon", "sur", "pre",
                                                                      "first", "mid")]))
    name = apply_where(name, flags["upper"], lambda s: s.str.to_uppercase())
    name = apply_where(name, flags["lower"] & ~flags["upper"], lambda s: s.str.to_lowercase())
    coin = rng.random(n) < 0.5  # stray spaces: a doubled inner space or a trailing one
    name = apply_where(name, flags["spaces"] & coin, lambda s: s.str.replace(" ", "  ",
                                                                             literal=True))
    name = apply_where(name, flags["spaces"] & ~coin, lambda s: s + " ")
    hindi = np.flatnonzero(devanagari & devanagari_ok(t)) if devanagari is not None else []
    if len(hindi):
        name = name.scatter(hindi, _join([deva.gather(getattr(t, f)[hindi] % len(deva))
                                          for f in fields[1:]]))
    return name.alias("name")


_LETTERS = np.array(list("aeioubdghklmnprstvy"))
