"""Names typed surname first: "Gautam Jyoti Kumari", "Rathore Anand", "Varma Umesh Chandra".

Sorting the words settles a pure reordering, but not a reordering with a slip or with
initials ("Rathore Annd" / "Anand Rathore", "Gautam Jyoti Kumari" / "J. K. Gautam"): the
comparator reads the first word as the given name. So where one name's first word sounds
like the other's last, that name is compared again with its first word moved to the end,
and the pair keeps the better of the two levels.
"""
from __future__ import annotations

from collections.abc import Mapping

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


def rotated_names(names: Features) -> Features:
    """`names` (a name_features() table) with each name's first word moved to the end,
    row for row: made once for every chunk of pairs that reads it."""
    return with_per_name_values(name_features(rotate_first_word(names["name_clean"])))


def with_surname_first_read(names: Features, il: np.ndarray, ir: np.ndarray,
                            level: np.ndarray, sim: np.ndarray, rotated: Features | None = None
                            ) -> tuple[np.ndarray, np.ndarray]:
    """`level`, `sim` of pairs (il[k], ir[k]) of `names` (from name_levels), raised where
    reading one side with its first word last compares better. `rotated` is
    rotated_names(names), made here when not given."""
    # first letters as bytes, as names.py keeps last_sound
    first, last = names["first_phon"].astype("S1").view(np.uint8), names["last_sound"]
    several = names["n_tokens"] >= 2
    low = (level >= 0) & (level < MAX_LEVEL_TO_RETRY)
    level, sim = level.copy(), sim.copy()
    for moved_is_left in (True, False):
        moved, other = (il, ir) if moved_is_left else (ir, il)
        idx = np.flatnonzero(low & several[moved] & (first[moved] != 0)
                             & (first[moved] == last[other]))
        if idx.size == 0:
            continue
        if rotated is None:
            rotated = rotated_names(names)
        lv, sm = (name_levels(rotated, names, moved[idx], other[idx]) if moved_is_left
                  else name_levels(names, rotated, other[idx], moved[idx]))
        better = lv > level[idx]
        level[idx[better]], sim[idx[better]] = lv[better], sm[better]
    return level, sim
