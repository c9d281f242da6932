"""Rare spellings one letter from a common name: typos, not other people.

"Mvngal" beside "Mangal", "Rbkha" beside "Rekha": one letter replaced or two swapped. The
comparator cannot call that a typo by the letters alone, because "Rakesh" beside "Ramesh"
is one letter too, and those are two brothers as often as not. What tells them apart is
how many people carry each spelling: a slip of the keyboard makes a spelling almost no
one else has, while two real names are both common. So a pair whose first given names
are one edit apart, begin alike, and of which one is at least `rarity` times rarer than
the other, is raised to the name level it would have with the same given name. Surnames
get the same test ("Khdn" beside "Khan", "Jadav" beside "Yadav"), from any letter: a
surname tells families apart, not siblings. One edit is looked for between the phonetic
keys and between the words as typed: a phonetic key can turn one keystroke into two
("Surendra" / "Surenrda" are "surendr" / "surenrda"; "Mamta" / "Mmta", "mamta" / "mta").

The counts are those of the registrations the model was fitted on (`word_counts`, kept
with the model: linkage.model_store), so a pair's result depends on its two names alone;
a spelling that arrived after the fit counts as one person.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
from rapidfuzz import process
from rapidfuzz.distance import OSA

from linkage.name_compare import feminine_ending

SIMILAR_LEVEL = 5  # "similar names (typo or spelling variant)"
SURNAME_DROPPED_LEVEL = 3  # "same first name, surname kept or dropped"
MIN_LETTERS = 4  # "Ram" / "Rma" is too short to tell a slip from another name


@dataclass(frozen=True)
class _Slip:
    levels: tuple[int, ...]  # name levels where this slip may hide
    word: str  # the norm column that carries the slip (a phonetic key, counted)
    typed: str  # the same word as typed, in the name features: one keystroke apart there
    other: str  # the other word: the same on both sides, or missing on one
    same_first_letter: bool
    # a given name and its feminine form are a brother and a sister (Amit / Amita, Kamal /
    # Kamla), however rare one of them is: twins share the rest. Not when both registrations
    # give one gender: then a Geeta typed "Geeat" or "Geet" is a slip
    same_ending: bool


_SLIPS = (
    _Slip((0, 1), "first_phon", "first_word", "last_phon", same_first_letter=True,
          same_ending=True),
    # level 2: the same first name under another surname
    _Slip((2,), "last_phon", "last_word", "first_phon", same_first_letter=False,
          same_ending=False),
)


def word_counts(con: duckdb.DuckDBPyConnection, norm: str, target: str) -> None:
    """Write `target` (word, value, n): how many registrations carry each given name and
    each surname."""
    con.execute(f"create or replace table {target} as " + " union all ".join(
        f"select '{w}' as word, {w} as value, count(*) as n from {norm} "
        f"where {w} is not null group by {w}" for w in sorted({s.word for s in _SLIPS})))


def promote_rare_typos(con: duckdb.DuckDBPyConnection, comparisons: str, norm: str,
                       rarity: float, counts: str, names: str = "name_features") -> int:
    """Raise name_level in `comparisons` (pairs by rid) where a given name or a surname
    differs by a rare slip, by the `counts` of word_counts and the typed words of `names`
    (the name features); returns how many pairs were raised."""
    if rarity <= 0:
        return 0
    return sum(_promote(con, comparisons, norm, names, rarity, slip, counts) for slip in _SLIPS)


def _slip_sized(a: str, b: str, slip: _Slip) -> str:
    """SQL: two words long enough, and close enough in length, to be one slip apart."""
    first_letter = f"left({a}, 1) = left({b}, 1) and " if slip.same_first_letter else ""
    return (f"({first_letter}least(length({a}), length({b})) >= {MIN_LETTERS} "
            f"and abs(length({a}) - length({b})) <= 1)")


def _promote(con: duckdb.DuckDBPyConnection, comparisons: str, norm: str, names: str,
             rarity: float, slip: _Slip, counts: str) -> int:
    # step by step, joined on ids only (a predicate across the two sides inside one join
    # can be planned as a join of all registrations on it)
    levels = ", ".join(map(str, slip.levels))
    con.execute(f"""create or replace temp table _low_names as
        select c.id_l, c.id_r, coalesce(l.{slip.word}, '') as a, coalesce(r.{slip.word}, '') as b,
               coalesce(fl.{slip.typed}, '') as ta, coalesce(fr.{slip.typed}, '') as tb,
               coalesce(l.{slip.other}, '') as oa, coalesce(r.{slip.other}, '') as ob,
               c.gender_level = 1 as same_gender
        from {comparisons} c join {norm} l on l.rid = c.id_l join {norm} r on r.rid = c.id_r
        join {names} fl on fl.name_id = l.name_id join {names} fr on fr.name_id = r.name_id
        where c.name_level in ({levels})""")
    keyed, typed = _slip_sized("t.a", "t.b", slip), _slip_sized("t.ta", "t.tb", slip)
    cand = con.execute(f"""
        select t.id_l, t.id_r, t.a, t.b, t.ta, t.tb, t.oa = t.ob as other_kept, t.same_gender,
               {keyed} as keyed, {typed} as typed
        from _low_names t
        left join {counts} x on x.word = '{slip.word}' and x.value = t.a
        left join {counts} y on y.word = '{slip.word}' and y.value = t.b
        where ({keyed} or {typed})
          and least(coalesce(x.n, 1), coalesce(y.n, 1)) * {float(rarity)}
              <= greatest(coalesce(x.n, 1), coalesce(y.n, 1))
          and (t.oa = t.ob or t.oa = '' or t.ob = '')""").fetchnumpy()
    con.execute("drop table _low_names")
    if len(cand["id_l"]) == 0:
        return 0
    one_edit = (_one_edit(cand["a"], cand["b"], cand["keyed"])
                | _one_edit(cand["ta"], cand["tb"], cand["typed"]))
    if slip.same_ending:  # a brother and a sister say so in their genders
        one_edit &= ((feminine_ending(cand["ta"]) == feminine_ending(cand["tb"]))
                     | np.asarray(cand["same_gender"], dtype=bool))
    level = np.where(cand["other_kept"], SIMILAR_LEVEL, SURNAME_DROPPED_LEVEL)
    raised = pa.table({"id_l": cand["id_l"][one_edit], "id_r": cand["id_r"][one_edit],
                       "level": level[one_edit].astype(np.int8)})
    con.register("_raised", raised)
    con.execute(f"""update {comparisons} c set name_level = x.level from _raised x
                    where x.id_l = c.id_l and x.id_r = c.id_r""")
    con.unregister("_raised")
    return raised.num_rows


def _one_edit(a: np.ndarray, b: np.ndarray, sized: np.ndarray) -> np.ndarray:
    return np.asarray(sized, dtype=bool) & (
        process.cpdist(a, b, scorer=OSA.distance, workers=-1) == 1)
