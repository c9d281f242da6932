"""Names typed surname first: "Gautam Jyoti Kumari", "Rathore Anand", "Varma Umesh Chandra".

Sorting the words settles a pure reordering, but not a reordering with a slip or with
initials ("Rathore Annd" / "Anand Rathore", "Gautam Jyoti Kumari" / "J. K. Gautam"): the
comparator reads the first word as the given name. So where one name's first word sounds
like the other's last, that name is compared again with its first word moved to the end,
and the pair keeps the better of the two levels.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from linkage.names import name_features

Features = Mapping[str, np.ndarray]
LevelsFn = Callable[..., tuple[np.ndarray, np.ndarray]]
# levels below "similar names" may read better in the other order
MAX_LEVEL_TO_RETRY = 5


def rotate_first_word(clean: np.ndarray) -> list[str]:
    """"gautam jyoti kumari" -> "jyoti kumari gautam"."""
    out = []
    for name in clean.tolist():
        words = name.split()
        out.append(" ".join(words[1:] + words[:1]))
    return out


def _sound(words: np.ndarray) -> np.ndarray:
    return words.astype("S1").view(np.uint8)


def _retry(names: Features, moved: np.ndarray, other: np.ndarray, moved_is_left: bool,
           levels_fn: LevelsFn) -> tuple[np.ndarray, np.ndarray]:
    ids, slot = np.unique(moved, return_inverse=True)
    rotated = name_features(rotate_first_word(names["name_clean"][ids]))
    if moved_is_left:
        return levels_fn(rotated, names, slot, other)
    return levels_fn(names, rotated, other, slot)


def with_surname_first_read(names: Features, il: np.ndarray, ir: np.ndarray,
                            level: np.ndarray, sim: np.ndarray,
                            levels_fn: LevelsFn) -> tuple[np.ndarray, np.ndarray]:
    """`level`, `sim` of pairs (il[k], ir[k]) of `names`, raised where reading one side
    with its first word last compares better. `levels_fn` is name_compare.name_levels."""
    first, last = _sound(names["first_phon"]), _sound(names["last_phon"])
    several = names["n_tokens"] >= 2
    low = (level >= 0) & (level < MAX_LEVEL_TO_RETRY)
    level, sim = level.copy(), sim.copy()
    for moved_is_left in (True, False):
        moved, other = (il, ir) if moved_is_left else (ir, il)
        idx = np.flatnonzero(low & several[moved] & (first[moved] != 0)
                             & (first[moved] == last[other]))
        if idx.size == 0:
            continue
        lv, sm = _retry(names, moved[idx], other[idx], moved_is_left, levels_fn)
        better = lv > level[idx]
        level[idx[better]], sim[idx[better]] = lv[better], sm[better]
    return level, sim
