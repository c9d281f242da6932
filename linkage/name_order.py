"""Names typed surname first: "Gautam Jyoti Kumari", "Rathore Anand", "Varma Umesh Chandra".

Sorting the words settles a pure reordering, but not a reordering with a slip or with
initials ("Rathore Annd" / "Anand Rathore", "Gautam Jyoti Kumari" / "J. K. Gautam"), nor
a surname typed first on one registration and left out of the other ("Goel Pankaj Kumar" /
"Pankaj Kumar"): the comparator reads the first word as the given name. So where one
name's first word sounds like the other's last, or where it is the longer name and its
second word begins with the other's first three letters, that name is compared again with
its first word moved to the end, and the pair keeps the better of the two levels.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from linkage.name_compare import name_levels, with_per_name_values
from linkage.names import name_features

Features = Mapping[str, np.ndarray]
# levels below "similar names" may read better in the other order
MAX_LEVEL_TO_RETRY = 5


def rotate_first_word(clean: np.ndarray) -> list[str]:
    """"gautam jyoti kumari" -> "jyoti kumari gautam"."""
    out = []
    for name in clean.tolist():
        words = name.split()
        out.append(" ".join(words[1:] + words[:1]))
    return out


class Rotated(NamedTuple):
    """Names read with the first word moved to the end, as a name_features() table, and
    each name's row in it (-1 for a name no pair reads that way)."""
    features: Features
    row: np.ndarray


def _first_sound(names: Features) -> np.ndarray:
    """The first word's first letter as a byte, as names.py keeps last_sound."""
    return names["first_phon"].astype("S1").view(np.uint8)


def _may_move(names: Features, first: np.ndarray, moved: np.ndarray, other: np.ndarray
              ) -> np.ndarray:
    """Pairs whose `moved` name's first word sounds like the `other` name's last
    (`first`: _first_sound(names)), or whose `moved` name is longer and its second word
    starts with the other's first word's three letters (`names`: with_per_name_values)."""
    n = names["n_tokens"]
    second = names["second_word_head"][moved]
    return ((n[moved] >= 2)
            & (((first[moved] != 0) & (first[moved] == names["last_sound"][other]))
               | ((second != 0) & (n[moved] > n[other])
                  & (second == names["first_word_head"][other]))))


def rotated_names(names: Features, il: np.ndarray, ir: np.ndarray) -> Rotated:
    """The names of `names` that some pair (il[k], ir[k]) may read the other way, read
    so: made once for every chunk of the pairs, and only for those names."""
    names = with_per_name_values(names)
    first = _first_sound(names)
    ids = np.union1d(il[_may_move(names, first, il, ir)], ir[_may_move(names, first, ir, il)])
    row = np.full(len(names["n_tokens"]), -1, dtype=np.int64)
    row[ids] = np.arange(len(ids))
    features = name_features(rotate_first_word(names["name_clean"][ids]))
    return Rotated(with_per_name_values(features), row)


def with_surname_first_read(names: Features, il: np.ndarray, ir: np.ndarray,
                            level: np.ndarray, sim: np.ndarray, rotated: Rotated | None = None
                            ) -> tuple[np.ndarray, np.ndarray]:
    """`level`, `sim` of pairs (il[k], ir[k]) of `names` (from name_levels), raised where
    reading one side with its first word last compares better. `rotated` is
    rotated_names() of these pairs or more, made here when not given."""
    names = with_per_name_values(names)
    low = (level >= 0) & (level < MAX_LEVEL_TO_RETRY)
    first = _first_sound(names)
    level, sim = level.copy(), sim.copy()
    for moved_is_left in (True, False):
        moved, other = (il, ir) if moved_is_left else (ir, il)
        idx = np.flatnonzero(low & _may_move(names, first, moved, other))
        if idx.size == 0:
            continue
        if rotated is None:
            rotated = rotated_names(names, il, ir)
        turned = rotated.row[moved[idx]]
        lv, sm = (name_levels(rotated.features, names, turned, other[idx]) if moved_is_left
                  else name_levels(names, rotated.features, other[idx], turned))
        better = lv > level[idx]
        level[idx[better]], sim[idx[better]] = lv[better], sm[better]
    return level, sim
