"""Compare names pair by pair, vectorised: rapidfuzz over whole arrays plus numpy.

Levels follow settings.COMPARISONS["name"]:

  7 exactly the same name              name_clean equal
  6 same after normalising             name_phon (or name_joined) equal, optional words
                                       only dropped or added
  5 similar (typo or spelling variant) given names one typo apart AND surnames alike
  4 same initials and surname          "R K Sharma" ~ "Ram Kumar Sharma", or the surname
                                       one slip away ("G Gupta" ~ "Gayatri Gumta")
  3 same first name, surname kept      the first name sounds the same; the surname is
                                       alike, or dropped on one side, or a middle name
                                       dropped ("Sunita Sharma" / "Sunita"), or a
                                       father's initial on one side ("S Anitha" / "Anitha")
  2 same first name, other surname     "Ram Yadav" / "Ram Sharma": marriage or a namesake
  1 weakly similar                     given names alike but not the same
  0 different names
 -1 a name is missing on one side

What tells relatives apart is the given name: "Ram Kumar Yadav" / "Shyam Kumar Yadav",
"Sunita Devi" / "Anita Devi", "Sita" / "Gita" share everything else. So levels 1-3 are
gated on the given names, never on whole-name similarity alone: the given names must
start with the same sound (rhyming siblings differ first), and for level 3 be one typo
apart at most (Ramesh / Rakesh are brothers as often as a typo: level 1) and not a
name and its feminine form (Amit / Amita, Kamal / Kamla: level 1).

Equality runs on the 64-bit hashes; each string score only on the pairs whose cheaper
tests leave it able to change the level.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein, Prefix

Features = Mapping[str, np.ndarray]
Test = Callable[[np.ndarray, np.ndarray], np.ndarray]

# Indel similarity (0-100) for "one typo apart": one letter dropped or added inside the
# name passes from 5 letters up, one substituted from 7 up (Rameshwar / Rameshwer), never
# in short names
GIVEN_STRICT = 85.0
GIVEN_LOOSE = 0.8  # Jaro-Winkler (0-1) for level 1
SURNAME_SIMILAR = 75.0  # Indel: Sharma / Shrama, Jain / Jaon (same first letter too)
FULL_SIMILAR = 80.0  # whole core name, so a different middle name also counts


def _pdist(scorer: Callable, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return process.cpdist(a, b, scorer=scorer, workers=-1)


def _lengths(a: np.ndarray) -> np.ndarray:
    return np.strings.str_len(a.astype(np.dtypes.StringDType()))


def _prefix_of_other(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _pdist(Prefix.similarity, a, b) == np.minimum(_lengths(a), _lengths(b))


def feminine_ending(a: np.ndarray) -> np.ndarray:
    """Names ending as feminine names do (a, i): Amita, Kamla, Sunita."""
    a = a.astype(np.dtypes.StringDType())
    return np.strings.endswith(a, "a") | np.strings.endswith(a, "i")


def _feminine_form(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One name is the other plus a final a/i: Amit / Amita, Ram / Rama, Lalit / Lalita
    (a brother and a sister as often as a typo)."""
    la, lb = _lengths(a), _lengths(b)
    longer = np.where(la > lb, a, b)
    return ((np.abs(la - lb) == 1) & (_pdist(Prefix.similarity, a, b) == np.minimum(la, lb))
            & feminine_ending(longer))


def _one_typo(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ratio = _pdist(fuzz.ratio, a, b)
    out = ratio >= GIVEN_STRICT
    ext = np.flatnonzero(out & (ratio < 100.0))
    out[ext] = ~_feminine_form(a[ext], b[ext])
    # an adjacent transposition costs as much as a substitution in Indel terms: rescue it
    # from 5 letters up (Rames / Ramse), unless it turns a name feminine (Kamal / Kamla)
    maybe = np.flatnonzero((ratio < GIVEN_STRICT) & (ratio >= 80.0))
    if maybe.size:
        x, y = a[maybe], b[maybe]
        out[maybe] = ((_pdist(OSA.distance, x, y) == 1) & (_pdist(Levenshtein.distance, x, y) == 2)
                      & (feminine_ending(x) == feminine_ending(y)))
    return out


def _alike(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _pdist(JaroWinkler.normalized_similarity, a, b) >= GIVEN_LOOSE


def _surname_alike(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # the same first sound: Sharma / Verma are other families, Sharma / Shrama a typo
    return (_pdist(fuzz.ratio, a, b) >= SURNAME_SIMILAR) & (_pdist(Prefix.similarity, a, b) >= 1)


def _whole_alike(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _pdist(fuzz.ratio, a, b) >= FULL_SIMILAR


def given_name_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Jaro-Winkler of given names (given_phon arrays), 0 when either is empty or they
    start with different sounds; for rules like "same mobile and surname, other given
    name" (a family, not a duplicate)."""
    sim = _pdist(JaroWinkler.normalized_similarity, a, b).astype(np.float32)
    sim[_pdist(Prefix.similarity, a, b) < 1] = 0.0
    return sim


def _hash(a: np.ndarray) -> np.ndarray:
    return pl.Series(a.astype(object), dtype=pl.String).hash(seed=0).to_numpy()


# read by the tests below; made once per table of distinct names, not once per pair
PER_NAME = ("first_phon_hash", "given_len", "given_feminine", "given_skeleton_hash",
            "given_skeleton_len", "given_yj_hash", "words_hash", "first_word_head",
            "second_word_head")


def _words(name_phon: np.ndarray) -> np.ndarray:
    """The core words without the initials ("s anitha" -> "anitha"), "" when none."""
    return np.array([" ".join(w for w in n.split() if len(w) > 1) for n in name_phon.tolist()],
                    dtype=object)


def with_per_name_values(features: Features) -> Features:
    """`features` (a name_features() table) with the PER_NAME columns added."""
    if all(k in features for k in PER_NAME):
        return features
    given = features["given_phon"].astype(np.dtypes.StringDType())
    skeleton = _skeleton(given)
    words = _words(features["name_phon"])
    return {**features, "first_phon_hash": _hash(features["first_phon"]),
            "given_len": np.strings.str_len(given), "given_feminine": feminine_ending(given),
            "given_skeleton_hash": _hash(skeleton),
            "given_skeleton_len": np.strings.str_len(skeleton),
            "given_yj_hash": _hash(_y_as_j(given)),
            "words_hash": np.where(words == "", 0, _hash(words)),
            **_word_heads(features["name_clean"])}


def _word_heads(clean: np.ndarray) -> dict[str, np.ndarray]:
    """A hash of the first and of the second word's first three letters as typed (0 for no
    word): enough to tell "pankaj" and "sures(h)" from "singh"."""
    words = pl.Series(clean.astype(object), dtype=pl.String).str.split(" ")
    heads = [words.list.get(i, null_on_oob=True).str.slice(0, 3) for i in (0, 1)]
    return {name: head.hash(seed=0).to_numpy() * head.is_not_null().to_numpy()
            for name, head in zip(("first_word_head", "second_word_head"), heads)}


def _y_as_j(given: np.ndarray) -> np.ndarray:
    """A word's first y read as j: Yamuna / Jamuna, Yogesh / Jogesh, as Bengali, Odia and
    Assamese spellings swap them (kept apart in the key, which blocks on surnames too:
    Yadav and Jadhav are other families)."""
    return np.strings.lstrip(np.strings.replace(" " + given, " y", " j"), " ")


class _Pairs:
    """Pairs of rows of two feature tables; columns are gathered on use, once."""

    def __init__(self, left: Features, right: Features, li: np.ndarray, ri: np.ndarray):
        self.left, self.right, self.li, self.ri = left, right, li, ri
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.li)

    def __call__(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        if key not in self._cache:
            self._cache[key] = (self.left[key][self.li], self.right[key][self.ri])
        return self._cache[key]

    def eq(self, key: str) -> np.ndarray:
        a, b = self(key)
        return a == b

    def subset(self, idx: np.ndarray) -> "_Pairs":
        return _Pairs(self.left, self.right, self.li[idx], self.ri[idx])

    def test(self, mask: np.ndarray, test: Test, key_l: str, key_r: str | None = None
             ) -> np.ndarray:
        """test(left[key_l], right[key_r]) where mask holds, False elsewhere; only the
        masked pairs' strings are gathered."""
        out = np.zeros(len(mask), dtype=bool)
        idx = np.flatnonzero(mask)
        if idx.size:
            out[idx] = test(self.left[key_l][self.li[idx]],
                            self.right[key_r or key_l][self.ri[idx]])
        return out

    def score(self, mask: np.ndarray, scorer: Callable, key: str) -> np.ndarray:
        out = np.zeros(len(mask), dtype=np.float32)
        idx = np.flatnonzero(mask)
        if idx.size:
            out[idx] = _pdist(scorer, self.left[key][self.li[idx]],
                              self.right[key][self.ri[idx]])
        return out


def name_levels(left: Features, right: Features, left_idx: np.ndarray | None = None,
                right_idx: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(level int8, similarity float32) per pair of names.

    `left`/`right` are name_features() tables. Without indices they are aligned pair by
    pair (left[k] vs right[k]). With `left_idx`/`right_idx`, pair k is left[left_idx[k]]
    vs right[right_idx[k]] (both may be the same table of distinct names) and only the
    columns and pairs each test needs are gathered: much faster for millions of pairs.

    similarity: the whole core name's Indel similarity in [0, 1] at levels 1-3, 1 at
    levels 4-5, 0 at levels 0 and -1 (not computed: the given names already differ).
    """
    if left_idx is None or right_idx is None:
        left_idx = right_idx = np.arange(len(left["n_tokens"]))
    left, right = with_per_name_values(left), with_per_name_values(right)
    p = _Pairs(left, right, np.asarray(left_idx), np.asarray(right_idx))
    level = np.zeros(len(p), dtype=np.int8)
    sim = np.ones(len(p), dtype=np.float32)
    n_l, n_r = p("n_tokens")
    missing = (n_l == 0) | (n_r == 0)
    exact = ~missing & p.eq("name_clean_hash")
    # same words, or the same letters split differently ("Laxmi Narayan" / "Lakshminarayan")
    same = ~missing & ~exact & (p.eq("name_phon_hash") | p.eq("name_joined_hash"))
    m_l, m_r = p("opt_mask")
    # dropping or adding optional words is normal; swapping Kumar for Singh (or a maiden
    # Kumari for a married Devi) is weak evidence, like a changed surname
    opt_subset = ((m_l & m_r) == m_l) | ((m_l & m_r) == m_r)
    level[exact] = 5
    level[same & opt_subset] = 4
    level[missing] = -1
    sim[missing] = 0.0
    rest = np.flatnonzero(~missing & ~exact & ~(same & opt_subset))
    if rest.size:
        level[rest], sim[rest] = _fuzzy_levels(p.subset(rest), same[rest])
    return _spread(p, level), sim


# the fuzzy comparator's levels 2-5 move up two places to make room for 2 and 3 below
_SHIFT = np.array([0, 1, 4, 5, 6, 7], dtype=np.int8)


def _spread(p: _Pairs, level: np.ndarray) -> np.ndarray:
    """Split 'weakly similar' and 'different' by what the first name and surname say:
    the same first name with the surname kept or dropped is a registrant retyping, the
    same first name under another surname far weaker evidence."""
    out = np.where(level >= 0, _SHIFT[np.maximum(level, 0)], level).astype(np.int8)
    h_l, h_r = p("has_initial")
    low = (level >= 0) & (level <= 1) & ~h_l & ~h_r
    first_eq = low & p.eq("first_phon_hash")
    ls_l, ls_r = p("last_sound")
    one_missing = (ls_l == 0) | (ls_r == 0)
    same_surname = p.eq("last_phon_hash")
    # _surname_alike asks for the same first letter: asked first, it spares most string tests
    alike = p.test(low & ~one_missing & ~same_surname & (ls_l == ls_r), _surname_alike,
                   "last_phon")
    kept = one_missing | same_surname | alike
    out[first_eq & kept] = 3
    out[first_eq & ~kept] = 2
    # a spelling variant of the given name counts as the same first name: with the surname
    # on both sides "similar names", with it dropped on one side level 3
    spelt = low & ~first_eq & kept
    yj_l, yj_r = p("given_yj_hash")
    variant = _vowel_variant(p, spelt) | (spelt & (yj_l == yj_r))
    out[variant] = np.where(one_missing[variant], 3, 5)
    # a father's initial on one side only (Tamil usage): "S Anitha" / "Anitha"
    w_l, w_r = p("words_hash")
    out[(level >= 0) & (level <= 1) & (h_l != h_r) & (w_l == w_r) & (w_l != 0)] = 3
    return out


def _skeleton(a: np.ndarray) -> np.ndarray:
    s = a.astype(np.dtypes.StringDType())
    for v in "aeiouy ":
        s = np.strings.replace(s, v, "")
    return s


def _vowel_variant(p: _Pairs, mask: np.ndarray) -> np.ndarray:
    """Given names that differ only in their vowels, with the same first letter and the
    same kind of ending: Rizwan / Rezwan, Zarina / Zarana (transliteration), but not
    Ramesh / Rakesh (another consonant) nor Amit / Amita, Kamal / Kamla (a brother and
    a sister)."""
    (sk_l, sk_r), (len_l, len_r) = p("given_skeleton_hash"), p("given_len")
    first_l, first_r = p("given_sound")
    fem_l, fem_r = p("given_feminine")
    # two consonants leave too many names alike (Meena / Munni / Mona)
    return (mask & (sk_l == sk_r) & (p("given_skeleton_len")[0] >= 3) & (len_l == len_r)
            & (len_l >= 4) & (first_l == first_r) & (fem_l == fem_r))


def _fuzzy_levels(p: _Pairs, same_words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gs_l, gs_r = p("given_sound")
    ls_l, ls_r = p("last_sound")
    straight = (gs_l != 0) & (gs_l == gs_r)
    same_given = straight & p.eq("given_phon_hash")
    given = same_given | p.test(straight & ~same_given, _one_typo, "given_phon")
    # the surname typed first on one side: "Sharma Ramesh" vs "Rmesh Sharma"
    swapped = (ls_l != 0) & (ls_r != 0) & (ls_l == gs_r) & (gs_l == ls_r)
    loose = (given | p.test(straight & ~given, _alike, "given_phon")
             | p.test(swapped, _alike, "last_phon", "given_phon"))
    crossed = (p.test(swapped, _one_typo, "last_phon", "given_phon")
               & p.test(swapped, _one_typo, "given_phon", "last_phon"))

    level = np.zeros(len(p), dtype=np.int8)
    level[loose | same_words] = 1
    level[_initials(p, given)] = 2
    same_surname = p.eq("last_phon_hash")  # both empty counts: single-word names
    surname = same_surname | p.test(given & ~same_surname & (ls_l != 0) & (ls_r != 0),
                                    _surname_alike, "last_phon")
    cand = ~same_words & ((given & surname) | crossed)
    sim = p.score((level >= 1) | cand, fuzz.ratio, "name_phon")  # words are sorted already
    # the whole name too (a different middle name); by its joined letters when a word
    # was split ("Nizam Ud Din")
    whole = (sim >= FULL_SIMILAR) | p.test(cand & (sim < FULL_SIMILAR), _whole_alike,
                                           "name_joined")
    level[cand & whole] = 3
    return level, sim / 100.0


def _initials(p: _Pairs, given: np.ndarray) -> np.ndarray:
    """One side abbreviates given names the other spells out; same phonetic surname."""
    h_l, h_r = p("has_initial")
    cand = h_l | h_r
    if cand.any():
        # a side with initials has a surname, so equal surnames are non-empty on both; a
        # slip in it ("G Gupta" / "Gayatri Gumta") still leaves the surname alike
        same = p.eq("init_surname_hash")
        cand &= same | p.test(cand & ~same, _surname_alike, "init_surname")
        # both spell out a given name: it must be the same one ("Ram K" is not "Rakesh K";
        # "Ramesh S Patil" is "Ramesh Suresh Patil", the father's name as the middle word)
        gs_l, gs_r = p("given_sound")
        cand &= (gs_l == 0) | (gs_r == 0) | given | p.eq("first_phon_hash")
    # "R Sharma" may drop the middle initial of "Ram Kumar Sharma"; "R K" vs "R M" differ
    return p.test(cand, _prefix_of_other, "init_given")
