"""Indian names as registrants type them: cleaning and per-name features for linkage.

A name goes through: Indian scripts -> Latin, accents and case folded, "S/O <father>" cut,
punctuation and digits out, leading honorifics dropped (never the last token), then per
token: known variant spellings canonicalised (Md/Mohd -> mohammad), joined initials split
("RK" -> r k), a trailing optional word split off ("Ramkumar" -> ram kumar).

Optional words (Kumar, Devi, Singh, ...) are often dropped or added by the same person;
they leave the "core" tokens that identify a person, and are kept as a bitmask so that
dropping one (a subset) can be told from swapping one for another.

Everything runs on whole columns in polars (one row per token, compared with its
neighbours rather than through window functions); the little Python left (Devanagari,
accents, token expansion, doubled letters) runs once per distinct value. One core
handles about 1M distinct names in 5-6 s.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import polars as pl

from linkage.phonetic import phonetic_key, phonetic_keys
from linkage.transliterate import to_latin

# Titles that precede a name; removed only as leading tokens. "md" is not here: it is
# Mohammad (see _VARIANTS). "kumari" is a title when it comes first, a name word after.
HONORIFICS = frozenset((
    "mr mrs ms miss mst mstr master smt shrimati shrimathi srimati srimathi sm shri shree "
    "sri sree sh km kum ku kumari dr late lt thiru tmt thirumathi janab prof er"
).split())

_VARIANTS = {
    **dict.fromkeys(("md", "mohd", "mohmd", "muhammad", "muhammed", "mohammed", "mohamed",
                     "mohamad", "mohmad", "mohmmad", "mohammd", "mahammad", "muhamad"),
                    "mohammad"),
    "kr": "kumar", "kmr": "kumar", "pd": "prasad", "prd": "prasad",
    # one surname in two forms, the anglicised and the full (Bengal, the south): a person
    # may write "Chatterjee" on one form and "Chattopadhyay" on the next
    **dict.fromkeys(("chattopadhyay", "chattopadhyaya", "chattopadhya", "chatopadhyay"),
                    "chatterjee"),
    **dict.fromkeys(("bandyopadhyay", "bandopadhyay", "bandyopadhyaya", "bandopadhyaya",
                     "bondopadhyay"), "banerjee"),
    **dict.fromkeys(("mukhopadhyay", "mukhopadhyaya", "mukhopadhya"), "mukherjee"),
    **dict.fromkeys(("gangopadhyay", "gangopadhyaya"), "ganguly"),
    "basu": "bose", "ray": "roy",
    **dict.fromkeys(("aiyar", "ayyar"), "iyer"),
    **dict.fromkeys(("ayyangar", "aiyangar"), "iyengar"),
    "nayar": "nair",
    # Shaikh as it is also written; "Sk" is not here: it is as often the initials S K
    **dict.fromkeys(("sheikh", "sheik", "shekh", "seikh", "sekh", "shaekh"), "shaikh"),
    # one surname as regions write it (Bengal's Chowdhury, the Hindi belt's Chaudhary,
    # Punjab's Chaudhry); the phonetic key leaves their vowels and final "a" apart
    **dict.fromkeys(("chaudhari", "choudhary", "choudhari", "chowdhary", "chowdhury",
                     "choudhury", "chaudhury", "chaudhuri", "choudhuri", "chaudhry",
                     "choudhry", "chowdhry", "chaudhri"), "chaudhary"),
    **dict.fromkeys(("srivastav", "shrivastav", "shrivastava"), "srivastava"),
    **dict.fromkeys(("agrawal", "aggarwal", "aggrawal", "agarwala", "agraval"), "agarwal"),
    # वर्मा is "Varma" letter by letter; Kerala's Varma is rare among the Vermas
    "varma": "verma", "prajapti": "prajapati",
    **dict.fromkeys(("quraishi", "qureishi", "kuraishi"), "qureshi"),
    **dict.fromkeys(("upadhyaya", "upadhaya", "upadhya"), "upadhyay"),
    **dict.fromkeys(("bhattacharjee", "bhattacharyya", "bhattacharji", "bhatacharya"),
                    "bhattacharya"),
    **dict.fromkeys(("tewari", "tiwary", "tewary"), "tiwari"),
    **dict.fromkeys(("pande", "pandeya"), "pandey"),
    **dict.fromkeys(("dube", "dubay"), "dubey"),
    **dict.fromkeys(("chaube", "choubey", "chobey"), "chaubey"),
    **dict.fromkeys(("siddiqi", "siddiquee", "siddiki", "siddique"), "siddiqui"),
    **dict.fromkeys(("husain", "hussein", "husein", "hossain", "hosain"), "hussain"),
    **dict.fromkeys(("sayed", "sayyed", "sayyad", "saiyed", "saiyad"), "syed"),
    **dict.fromkeys(("rehman", "rahaman", "rehaman"), "rahman"),
    **dict.fromkeys(("aisha", "aysha", "ayisha"), "ayesha"),
    "ahmed": "ahmad", "perveen": "parveen",
    # Bengal and Jharkhand: one surname, two spellings
    "datta": "dutta", "ghose": "ghosh", "mahto": "mahato",
    # Punjabi puts a vowel inside a leading consonant pair (Pardeep, Parkash) and drops
    # one (Krishan); Odia writes Krushna; the south ends a name with an "a" (Srinivasa)
    "pardeep": "pradeep", "parmod": "pramod", "parkash": "prakash", "parmila": "pramila",
    "krushna": "krishna", "krishan": "krishna", "kushwah": "kushwaha", "yadava": "yadav",
    **dict.fromkeys(("srinivasa", "sreenivas", "sreenivasa", "shrinivas", "shreenivas"),
                    "srinivas"),
}

# Optional words, grouped by meaning; each group is one bit of `opt_mask`.
_OPTIONAL_GROUPS: dict[str, tuple[str, ...]] = {
    "kumar": ("kumar", "kumaar"), "kumari": ("kumari",), "devi": ("devi", "debi", "dewi"),
    "singh": ("singh", "sinh", "sing"), "lal": ("lal",),
    "prasad": ("prasad", "prashad", "parsad"), "bai": ("bai",), "ben": ("ben", "bahen", "behen"),
    "begum": ("begum", "begam"), "bano": ("bano",), "khatoon": ("khatoon", "khatun"),
    "bibi": ("bibi",), "kaur": ("kaur", "kour"),
    # so common a first word among Muslim men that it tells people apart no better
    "mohammad": ("mohammad",),
}
OPTIONAL_TOKENS = frozenset(t for group in _OPTIONAL_GROUPS.values() for t in group)
# phonetic key -> bit, so any spelling the key merges is optional too
_OPTIONAL_BIT = {phonetic_key(t): 1 << i
                 for i, group in enumerate(_OPTIONAL_GROUPS.values()) for t in group}
# suffixes split off a joined word ("Ramkumar"), longest first; "ben" needs a longer stem
_SUFFIXES = tuple(sorted(OPTIONAL_TOKENS - {"mohammad"}, key=len, reverse=True))
_MIN_STEM = {"ben": 4}

_RELATION = r"\b(?:[sdwch]\s*/\s*o|son of|wife of|daughter of|husband of)\b.*$"
# a second name the person also goes by: "Ramesh urf Ramu", "Ramesh @ Ramu", "Anita (Anu)"
_ALIAS = r"\s(?:alias|urf|urph)\s.*$|@.*$"
_BRACKETED = r"\([^)]*\)"
_VOWELS = frozenset("aeiouy")

_TEXT = ("name_clean", "name_phon", "name_joined", "first_phon", "last_phon", "given_phon",
         "first_initial", "init_given", "init_surname", "first_word", "last_word")
# 64-bit hashes of these let the comparator test equality without touching the strings
_HASHED = ("name_clean", "name_phon", "name_joined", "last_phon", "given_phon", "init_surname")
FEATURES = (*_TEXT, "name_key", *(f"{c}_hash" for c in _HASHED), "given_sound", "last_sound",
            "has_initial", "opt_mask", "n_tokens")


def expand_token(token: str) -> str:
    """A cleaned token's canonical form; may be several space-separated tokens."""
    if token in _VARIANTS:
        return _VARIANTS[token]
    if 2 <= len(token) <= 3 and not _VOWELS.intersection(token) and token not in HONORIFICS:
        return " ".join(token)  # "rk" is two initials, not a name
    if token.endswith(_SUFFIXES):
        suffix = next(x for x in _SUFFIXES if token.endswith(x))
        if len(token) - len(suffix) >= _MIN_STEM.get(suffix, 3):
            return f"{token[:-len(suffix)]} {suffix}"
    return token


def clean_tokens(name: str) -> list[str]:
    """The cleaned tokens of one name, in typed order. For many names use name_features."""
    return name_features([name])["name_clean"][0].split()


def _fold(text: str) -> str:
    """Indian scripts to Latin, accents off ("Gómez" -> "Gomez"): the rare non-ASCII names."""
    text = unicodedata.normalize("NFKD", to_latin(text))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _normalised_text(names: pl.Series) -> pl.Series:
    """Lowercase ASCII letters and spaces only."""
    names = names.cast(pl.String).fill_null("")
    foreign = names.filter(names.str.contains(r"[^\x00-\x7f]")).unique().to_list()
    if foreign:
        names = names.replace(dict(zip(foreign, map(_fold, foreign))))
    names = names.str.to_lowercase()
    # most names are letters and spaces already: rewrite only the others (3x faster)
    dirty = names.str.contains(r"[^a-z ]| of | alias | urf | urph ").arg_true()
    tidy = (names.gather(dirty)
            .str.replace(_RELATION, "")
            .str.replace(_ALIAS, "")
            .str.replace_all(_BRACKETED, " ")
            .str.replace_all(r"[-'’`]", "")  # "Nizam-ud-din", "D'Souza" are one word
            .str.replace_all(r"[^a-z]+", " "))
    return names.scatter(dirty, tidy)


# Rows are grouped by name (rid) in typed order; these compare each row with the nearest
# flagged row before / after it, which is linear and much faster than window functions.
def _rid_before(flag: pl.Expr) -> pl.Expr:
    return pl.when(flag).then(pl.col("rid")).shift(1).forward_fill()


def _rid_after(flag: pl.Expr) -> pl.Expr:
    return pl.when(flag).then(pl.col("rid")).shift(-1).backward_fill()


def _is_last(flag: pl.Expr) -> pl.Expr:
    """Flagged and no later row of the same name is flagged."""
    return flag & _rid_after(flag).ne_missing(pl.col("rid"))


def _is_leading(flag: pl.Expr) -> pl.Expr:
    """Flagged and every earlier row of the same name is flagged too."""
    return flag & _rid_before(~flag).ne_missing(pl.col("rid"))


def _other_in_name(flag: pl.Expr) -> pl.Expr:
    """Some other row of the same name is flagged."""
    return _rid_before(flag).eq_missing(pl.col("rid")) | _rid_after(flag).eq_missing(pl.col("rid"))


def _tokens(names: Sequence[str | None] | pl.Series) -> pl.DataFrame:
    """One row per cleaned token, in typed order: rid (index into `names`), tok, phon, bit."""
    series = names if isinstance(names, pl.Series) else pl.Series(list(names), dtype=pl.String)
    text = _normalised_text(series)
    long = (pl.DataFrame({"raw": text}).with_row_index("rid")
            .with_columns(pl.col("raw").str.split(" "))
            .explode("raw")
            .filter(pl.col("raw") != ""))
    honorific = pl.col("raw").is_in(list(HONORIFICS))
    long = long.filter(~_is_leading(honorific) | _is_last(pl.lit(True)))
    # a raw token expanding to several ("rk" -> r, k) matches several rows: the join explodes
    return (long.join(_token_table(long.get_column("raw")), on="raw", how="left",
                      maintain_order="left_right")
            .drop("raw"))


def _token_table(raw: pl.Series) -> pl.DataFrame:
    """Per distinct raw token: its expanded tokens (one row each), phonetic key, optional bit."""
    distinct = raw.unique()
    expanded = {t: e for t in distinct.to_list() if (e := expand_token(t)) != t}
    table = (pl.DataFrame({"raw": distinct, "tok": distinct.replace(expanded).str.split(" ")})
             .explode("tok"))
    tok = table.get_column("tok")
    # an initial stays the letter typed ("C" is not re-spelled "k", nor "X" "ks")
    phon = phonetic_keys(tok).zip_with(tok.str.len_chars() > 1, tok)
    return table.with_columns(
        phon=phon, bit=phon.replace_strict(_OPTIONAL_BIT, default=0, return_dtype=pl.Int64))


def _per_name(long: pl.DataFrame) -> pl.DataFrame:
    initial = pl.col("tok").str.len_chars() == 1
    full_core = (pl.col("bit") == 0) & ~initial
    long = long.with_columns(
        initial=initial,
        letter=pl.col("tok").str.slice(0, 1),
        # optional words count as core when nothing else names the person ("Devi", "R Kumar")
        core=(pl.col("bit") == 0) | ~(full_core | _other_in_name(full_core)))
    c, i = pl.col("core"), pl.col("initial")
    long = long.with_columns(
        last_word=_is_last(~i) & _other_in_name(pl.lit(True)),
        # the surname: the last core word, when the core has two tokens or more
        surname=_is_last(c & ~i) & _other_in_name(c))
    s, lw, phon, tok = pl.col("surname"), pl.col("last_word"), pl.col("phon"), pl.col("tok")
    per = long.group_by("rid", maintain_order=True).agg(
        name_clean=tok,
        name_joined=phon.filter(c),
        first_phon=phon.filter(c & ~i).first(),
        last_phon=phon.filter(s).first(),
        first_word=tok.filter(c & ~i).first(),
        last_word=tok.filter(s).first(),
        given_phon=phon.filter(c & ~i & ~s),
        first_initial=pl.col("letter").filter(c).first(),
        init_given=pl.col("letter").filter(~lw),
        init_surname=phon.filter(lw).first(),
        has_initial=i.any() & lw.any(),
        opt_mask=pl.col("bit").filter(~c).unique().sum(),
        n_tokens=pl.len(),
    )
    # initials first in typed order (R K is not K R), then words sorted (order is noise)
    key = pl.when(i).then(pl.lit("")).otherwise(phon)
    phon_sorted = (long.filter(c).sort(pl.col("rid"), key, maintain_order=True)
                   .group_by("rid", maintain_order=True).agg(name_phon=phon))
    return (per.join(phon_sorted, on="rid", how="left", maintain_order="left")
            .with_columns(pl.col("name_clean", "given_phon", "name_phon").list.join(" "),
                          pl.col("name_joined", "init_given").list.join("")))


def name_features(names: Sequence[str | None] | pl.Series) -> dict[str, np.ndarray]:
    """Per-name features, aligned with `names` (call it on distinct names).

    name_clean    cleaned tokens in typed order ("" when nothing is left)
    name_phon     phonetic core tokens: initials in order, then words sorted; = name_key
    name_joined   phonetic core tokens in typed order, no spaces ("nizam ud din" ~ "nizamudin")
    first_phon    first core word (not an initial); blocking key
    last_phon     last core word when the core has two tokens or more (the surname), else ""
    first_word, last_word  the words of first_phon and last_phon as typed (cleaned): a slip
                  is one keystroke there, where the phonetic key may differ by two
    given_phon    core words other than the surname, typed order: what tells siblings apart
    given_sound   first letter of given_phon as a byte (0 when empty); last_sound likewise
    <col>_hash    64-bit hash of name_clean, name_phon, name_joined, last_phon, given_phon,
                  init_surname: equal strings, equal hashes (deterministic across calls)
    first_initial first letter of the first core token
    init_given    first letters of every token but the last word ("Ram Kumar Sharma" -> "rk")
    init_surname  phonetic last word (not an initial) when there are two tokens or more
    has_initial   some token is a lone letter and there is a last word to go with it
    opt_mask      bits of the optional-word groups left out of the core
    n_tokens      number of cleaned tokens
    """
    per = _per_name(_tokens(names))
    if per.height < len(names):  # names with no token left get empty features
        per = (pl.DataFrame({"rid": pl.int_range(len(names), eager=True, dtype=pl.UInt32)})
               .join(per, on="rid", how="left", maintain_order="left"))
    text = per.select(pl.col(_TEXT).fill_null(""))
    out = {c: text.get_column(c).to_numpy() for c in _TEXT}
    out.update({f"{c}_hash": text.get_column(c).hash(seed=0).to_numpy() for c in _HASHED})
    out["name_key"] = out["name_phon"]
    out["given_sound"] = out["given_phon"].astype("S1").view(np.uint8)
    out["last_sound"] = out["last_phon"].astype("S1").view(np.uint8)
    out["has_initial"] = per.get_column("has_initial").fill_null(False).to_numpy()
    out["opt_mask"] = per.get_column("opt_mask").fill_null(0).to_numpy().astype(np.int32)
    out["n_tokens"] = per.get_column("n_tokens").fill_null(0).to_numpy().astype(np.int16)
    return out
