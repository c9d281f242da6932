"""A phonetic key for Indian names typed in Latin letters.

Each rule merges spellings that Indian registrants really use for one sound, and no
rule merges consonants that start rhyming names, so siblings stay apart (Sita/Gita,
Mohan/Sohan, Rekha/Lekha, Ram/Shyam). v/w/b and z/j are merged because Bengali, Odia and
Assamese spellings (Bikash, Debi, Sabita) and Hindi pronunciation (Jakir, Ajij) swap them
for the same name; the price is rare collisions such as Raza = Raja, which the other
fields of a pair still separate. Deliberately NOT merged: a final "a" (Kamal is a man,
Kamala a woman), e/i, y/j. The comparator's fuzzy levels catch what the key leaves apart.

The rules are written once, in the regex subset shared by Python's `re` and polars
(no look-around, no back-references), and run either on one token or on a whole column.
"""
from __future__ import annotations

import re

import polars as pl

# (pattern, replacement with $1 for the first group), applied in order
_RULES: tuple[tuple[str, str], ...] = (
    (r"[^a-z]+", ""),
    (r"x", "ks"),  # Laxmi / Lakshmi
    (r"q", "k"),  # Qureshi / Kureshi, Farooq / Faruk
    (r"ck", "k"),
    (r"c+h+", "C"),  # "ch" is its own sound (Chhaya / Chaya); hold it apart ...
    (r"c", "k"),  # ... from a lone c, which is a k (Francis)
    (r"C", "c"),
    (r"ph", "f"),  # Phool / Fool
    (r"s+h+", "s"),  # Shyam / Syam, Mukesh / Mukes, Prashad / Prasad
    (r"ow([^aeiou]|$)", "o$1"),  # Chowdhury / Choudhary, Gowda / Gouda
    (r"[vw]", "b"),  # Balwant / Balvant, Vikash / Bikash, Devi / Debi
    (r"z", "j"),  # Zakir / Jakir, Aziz / Ajij
    (r"([bdfgjklmnprt])h+", "$1"),  # aspirates th dh bh kh gh jh; Singh / Sing
    (r"ee", "i"),  # Geeta / Gita, Suneel / Sunil
    (r"oo", "u"),  # Pooja / Puja
    (r"au|ou", "o"),  # Gaurav / Gourav, Chauhan / Chouhan
    (r"nd[ae]r$|ndra$", "ndr"),  # Rajendra / Rajender, Chandra / Chander
    (r"indr$", "endr"),  # Surendra / Surinder, Devendra / Devinder
    (r"iya$", "ia"),  # Chaurasiya / Chaurasia, Soniya / Sonia
    (r"ker$", "kar"),  # Shanker / Shankar, Bhasker / Bhaskar
    (r"ore$", "or"),  # Kishore / Kishor, Rathore / Rathor
    (r"y$", "i"),  # Sanjay / Sanjai, Aly / Ali
    (r"([aeiou])h$", "$1"),  # Shah / Sha, Allah / Alla
)
_PY_RULES = tuple((re.compile(p), r.replace("$1", r"\1")) for p, r in _RULES)
# last, doubled letters: Mohammad / Mohamad, Aadil / Adil, Siddharth / Sidharth
# (a back-reference, which polars' regex lacks, so it runs in Python on distinct keys)
_DOUBLED = re.compile(r"(.)\1+")


def phonetic_key(token: str) -> str:
    """The key of one token; "" when nothing alphabetic is left."""
    key = token.lower()
    for pattern, repl in _PY_RULES:
        key = pattern.sub(repl, key)
    return _DOUBLED.sub(r"\1", key)


def phonetic_keys(tokens: pl.Series) -> pl.Series:
    """phonetic_key over a column of distinct tokens (the rules vectorised)."""
    keys = tokens.str.to_lowercase()
    for pattern, repl in _RULES:
        keys = keys.str.replace_all(pattern, repl)
    return pl.Series(tokens.name, [_DOUBLED.sub(r"\1", k) for k in keys.to_list()],
                     dtype=pl.String)
