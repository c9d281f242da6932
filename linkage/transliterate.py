"""Indian scripts to plain Latin letters, the way registrants type their names.

The output is lowercase ASCII without diacritics ("सुनीता देवी" -> "sunita devi"), because
that is what the same person types on a Latin keyboard. Long and short vowels are merged
(ā -> a, ī -> i) and retroflex consonants lose their dot (ṭ -> t). Hindi drops the
inherent vowel at the end of a word and between two consonants in the middle of a word
(कमला is "kamla", not "kamala"); that schwa deletion is what makes the result match
typed names. The other Brahmic scripts of India, Bengali to Malayalam, are laid out in
Unicode as Devanagari is (ISCII's one table): each letter sits at its Devanagari twin's
offset in its own block, so a name in any of them is read letter for letter as Hindi
("রাহুল রায়" -> "rahul ray"). Other characters pass through untouched.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_VIRAMA, _NUKTA = "\u094d", "\u093c"
_ANUSVARA, _CHANDRABINDU, _VISARGA = "\u0902", "\u0901", "\u0903"

_CONSONANTS = dict(zip(
    "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहळ",
    ("k kh g gh n ch chh j jh n t th d dh n t th d dh n p ph b bh m "
     "y r l v sh sh s h l").split(),
))
# consonant + nukta: sounds borrowed from Persian/Arabic (NFD splits the precomposed forms)
_NUKTA_FORMS = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f",
                "य": "y", "न": "n", "र": "r", "ळ": "l"}  # the last three: Tamil ன ற ழ
# with the short e and o of the southern scripts (ऎ ऒ, ॆ ॊ), which Hindi lacks
_VOWELS = dict(zip("अआइईउऊऋएऐओऔऑऍऎऒ", "a a i i u u ri e ai o au o e e o".split()))
_MATRAS = dict(zip("ािीुूृेैोौॉॅॆॊ", "a i i u u ri e ai o au o e e o".split()))
_LABIALS = frozenset("पफबभम")
# whole words whose spoken form the rules cannot reach
_EXCEPTIONS = {"सिंह": "singh"}
# a run of letters in Devanagari or the scripts after it, Bengali to Malayalam
_INDIC_RUN = re.compile(r"[\u0900-\u0d7f]+")
_SOUTHERN = re.compile(r"[\u0b80-\u0d7f]")  # Tamil, Telugu, Kannada, Malayalam
# each script's letters -> their Devanagari twins; off the common table, Gurmukhi's tippi
# is its anusvara and Malayalam's chillu letters are a consonant without its vowel
_TO_DEVANAGARI = {cp: chr(0x900 + cp % 0x80) for cp in range(0x980, 0xD80)} | {
    0xA70: _ANUSVARA, 0xD7A: "ण्", 0xD7B: "न्", 0xD7C: "र्", 0xD7D: "ल्", 0xD7E: "ळ्", 0xD7F: "क्"}
_DIGITS_AND_DANDAS = re.compile(r"[\u0964\u0965\u0966-\u096f]")


@dataclass
class _Syllable:
    cluster: list[str]  # Devanagari consonants, several when joined by virama
    vowel: str  # Latin vowel; "" after a final virama
    inherent: bool  # the vowel is the implicit "a" (a candidate for deletion)
    signs: str = ""  # anusvara / chandrabindu / visarga following the vowel


def to_latin(text: str) -> str:
    """Transliterate every word in an Indian script in `text`; leave the rest as it is."""
    # composed first: a vowel sign split in two (Bengali ো = ে + া) has one twin whole
    return _INDIC_RUN.sub(lambda m: _run(m.group()), unicodedata.normalize("NFC", text))


def _run(run: str) -> str:
    # the southern languages say the inherent vowel that Hindi drops ("Venkata")
    drop_schwas = _SOUTHERN.search(run) is None
    run = unicodedata.normalize("NFD", run.translate(_TO_DEVANAGARI))
    return " ".join(_word(w, drop_schwas) for w in _DIGITS_AND_DANDAS.sub(" ", run).split(" "))


def _word(word: str, drop_schwas: bool) -> str:
    word = unicodedata.normalize("NFC", word)
    if word in _EXCEPTIONS:
        return _EXCEPTIONS[word]
    sylls = _syllables(unicodedata.normalize("NFD", word))
    if drop_schwas:
        _delete_schwas(sylls)
    return "".join(_render(s, sylls[i + 1] if i + 1 < len(sylls) else None)
                   for i, s in enumerate(sylls))


def _syllables(word: str) -> list[_Syllable]:
    sylls: list[_Syllable] = []
    pending: list[str] = []  # consonants still waiting for their vowel
    joined = False  # the last consonant carried a virama

    def flush() -> None:
        nonlocal pending
        if pending:
            sylls.append(_Syllable(pending, "", False) if joined
                         else _Syllable(pending, "a", True))
            pending = []

    i = 0
    while i < len(word):
        ch = word[i]
        if ch in _CONSONANTS:
            if i + 1 < len(word) and word[i + 1] == _NUKTA:
                ch += _NUKTA
                i += 1
            if not (pending and joined):
                flush()
            pending.append(ch)
            joined = False
        elif ch == _VIRAMA:
            joined = bool(pending)
        elif ch in _MATRAS:
            sylls.append(_Syllable(pending, _MATRAS[ch], False))
            pending, joined = [], False
        elif ch in _VOWELS:
            flush()
            sylls.append(_Syllable([], _VOWELS[ch], False))
            joined = False
        elif ch in (_ANUSVARA, _CHANDRABINDU, _VISARGA):
            flush()
            if sylls:
                sylls[-1].signs += ch
        i += 1
    flush()
    return sylls


def _deletable(s: _Syllable) -> bool:
    return s.inherent and len(s.cluster) == 1 and not s.signs


def _delete_schwas(sylls: list[_Syllable]) -> None:
    """Hindi schwa deletion: word-final, then V C _ C V from right to left."""
    if len(sylls) > 1 and _deletable(sylls[-1]):
        sylls[-1].vowel = ""
    for i in range(len(sylls) - 2, 0, -1):
        nxt = sylls[i + 1]
        if (_deletable(sylls[i]) and sylls[i - 1].vowel and nxt.vowel
                and len(nxt.cluster) == 1):
            sylls[i].vowel = ""


def _latin_consonant(ch: str) -> str:
    return _NUKTA_FORMS.get(ch[0], "") if len(ch) == 2 else _CONSONANTS[ch]


def _render(s: _Syllable, nxt: _Syllable | None) -> str:
    if s.cluster == ["ज", "ञ"]:  # ज्ञ is spoken "gy" in Hindi (ज्ञान = "gyan")
        out = "gy"
    else:
        out = "".join(_latin_consonant(c) for c in s.cluster)
    out += s.vowel
    for sign in s.signs:
        if sign == _VISARGA:
            out += "h"
        elif sign == _ANUSVARA and nxt and nxt.cluster and nxt.cluster[0][0] in _LABIALS:
            out += "m"
        else:
            out += "n"
    return out
