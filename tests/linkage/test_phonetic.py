import polars as pl
import pytest

from linkage.phonetic import phonetic_key, phonetic_keys

SAME = [
    ("chauhan", "chouhan"), ("lakshmi", "laxmi"), ("pooja", "puja"), ("sanjay", "sanjai"),
    ("krishna", "krisna"), ("shyam", "syam"), ("mukesh", "mukes"), ("geetha", "gita"),
    ("gaurav", "gourav"), ("saurabh", "sourabh"), ("farooq", "faruk"),
    ("siddharth", "sidharth"), ("chaudhary", "choudhary"), ("prashad", "prasad"),
    ("mohammad", "mohamad"), ("sheetal", "shital"), ("balwant", "balvant"),
    ("kavitha", "kavita"), ("khatoon", "khatun"), ("qureshi", "kureshi"),
    ("vikash", "bikash"), ("devi", "debi"), ("zakir", "jakir"), ("singh", "sing"),
    ("chhaya", "chaya"), ("shah", "sha"), ("suneel", "sunil"),
    # Hindi -endra, Punjabi -ender / -inder
    ("rajendra", "rajender"), ("surendra", "surinder"), ("ravindra", "ravinder"),
    ("chandra", "chander"), ("jogendra", "joginder"), ("chaurasiya", "chaurasia"),
    ("shanker", "shankar"), ("kishore", "kishor"),
]
DIFFERENT = [
    ("sita", "gita"), ("ram", "shyam"), ("anita", "sunita"), ("mohan", "sohan"),
    ("rekha", "lekha"), ("ramesh", "rakesh"), ("kamal", "kamala"), ("asha", "usha"),
    ("sunita", "sumita"), ("ram", "rama"), ("anil", "sunil"), ("rajesh", "ramesh"),
    ("yadav", "jadav"), ("kumar", "kumari"), ("sundar", "sundari"), ("rajendra", "rajesh"),
]


@pytest.mark.parametrize("a, b", SAME)
def test_spelling_variants_share_a_key(a, b):
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize("a, b", DIFFERENT)
def test_different_names_keep_different_keys(a, b):
    assert phonetic_key(a) != phonetic_key(b)


def test_key_is_case_insensitive_and_drops_non_letters():
    assert phonetic_key("Mohammad-1") == phonetic_key("mohammad")
    assert phonetic_key("123") == ""


def test_column_version_matches_the_single_token_version():
    tokens = [t for pair in SAME + DIFFERENT for t in pair] + ["Chowdhury", "x", "bhh"]
    got = phonetic_keys(pl.Series(tokens)).to_list()
    assert got == [phonetic_key(t) for t in tokens]
