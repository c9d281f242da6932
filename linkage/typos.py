"""Rare spellings one letter from a common given name: typos, not other people.

"Mvngal" beside "Mangal", "Rbkha" beside "Rekha": one letter replaced or two swapped. The
comparator cannot call that a typo by the letters alone, because "Rakesh" beside "Ramesh"
is one letter too, and those are two brothers as often as not. What tells them apart is
how many people carry each spelling: a slip of the keyboard makes a spelling almost no
one else has, while two real names are both common. So a pair whose first given names
are one edit apart, begin alike, and of which one is at least `rarity` times rarer than
the other, is raised to the name level it would have with the same given name.

This uses counts over all registrations, which change every night, so it runs on the
night's comparisons after they are gathered (kept ones included) and is never kept.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
from rapidfuzz import process
from rapidfuzz.distance import OSA

SURNAME_KEPT_LEVEL = 5  # "similar names (typo or spelling variant)"
SURNAME_DROPPED_LEVEL = 3  # "same first name, surname kept or dropped"
MIN_LETTERS = 4  # "Ram" / "Rma" is too short to tell a slip from another name


def promote_rare_typos(con: duckdb.DuckDBPyConnection, comparisons: str, norm: str,
                       rarity: float) -> int:
    """Raise name_level in `comparisons` (pairs by rid) where the given names differ by a
    rare slip; returns how many pairs were raised."""
    if rarity <= 0:
        return 0
    # step by step, joined on ids only (a predicate across the two sides inside one join
    # can be planned as a join of all registrations on it)
    con.execute(f"""create or replace temp table _low_names as
        select c.id_l, c.id_r, l.first_phon as a, r.first_phon as b,
               coalesce(l.last_phon, '') as la, coalesce(r.last_phon, '') as lb
        from {comparisons} c join {norm} l on l.rid = c.id_l join {norm} r on r.rid = c.id_r
        where c.name_level between 0 and 1""")
    con.execute(f"""create or replace temp table _given_counts as
        select first_phon, count(*) as n from {norm} where first_phon is not null group by 1""")
    cand = con.execute(f"""
        select t.id_l, t.id_r, t.a, t.b, t.la = t.lb as surname_kept
        from _low_names t join _given_counts x on x.first_phon = t.a
        join _given_counts y on y.first_phon = t.b
        where left(t.a, 1) = left(t.b, 1) and least(length(t.a), length(t.b)) >= {MIN_LETTERS}
          and abs(length(t.a) - length(t.b)) <= 1
          and least(x.n, y.n) * {float(rarity)} <= greatest(x.n, y.n)
          and (t.la = t.lb or t.la = '' or t.lb = '')""").fetchnumpy()
    con.execute("drop table _low_names")
    con.execute("drop table _given_counts")
    if len(cand["id_l"]) == 0:
        return 0
    slip = process.cpdist(cand["a"], cand["b"], scorer=OSA.distance, workers=-1) == 1
    level = np.where(cand["surname_kept"], SURNAME_KEPT_LEVEL, SURNAME_DROPPED_LEVEL)
    raised = pa.table({"id_l": cand["id_l"][slip], "id_r": cand["id_r"][slip],
                       "level": level[slip].astype(np.int8)})
    con.register("_raised", raised)
    con.execute(f"""update {comparisons} c set name_level = x.level from _raised x
                    where x.id_l = c.id_l and x.id_r = c.id_r""")
    con.unregister("_raised")
    return raised.num_rows
