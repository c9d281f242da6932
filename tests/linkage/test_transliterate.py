import pytest

from linkage.transliterate import to_latin


@pytest.mark.parametrize("devanagari, latin", [
    ("सुनीता देवी", "sunita devi"),
    ("मोहम्मद", "mohammad"),  # conjunct mm, final schwa dropped
    ("राम कुमार यादव", "ram kumar yadav"),
    ("श्याम", "shyam"),
    ("लक्ष्मी", "lakshmi"),
    ("पूजा", "puja"),
    ("संजय", "sanjay"),  # anusvara before j is n
    ("संपत", "sampat"),  # anusvara before a labial is m
    ("चौहान", "chauhan"),
    ("प्रसाद", "prasad"),
    ("शर्मा", "sharma"),
    ("खातून", "khatun"),
    ("ज्ञान", "gyan"),
    ("सिंह", "singh"),
])
def test_common_names(devanagari, latin):
    assert to_latin(devanagari) == latin


@pytest.mark.parametrize("devanagari, latin", [
    ("कमला", "kamla"),  # V C _ C V: the middle schwa goes
    ("कमलेश", "kamlesh"),
    ("बलवंत", "balvant"),
    ("अमर", "amar"),  # final schwa only; the middle one stays before a bare consonant
    ("अमरनाथ", "amarnath"),
    ("सरिता", "sarita"),  # no inherent vowel to drop
])
def test_schwa_deletion(devanagari, latin):
    assert to_latin(devanagari) == latin


def test_a_final_conjunct_keeps_its_vowel():
    assert to_latin("कृष्ण") == "krishna"
    assert to_latin("नरेन्द्र") == "narendra"


def test_nukta_letters_precomposed_or_not():
    assert to_latin("ज़ाकिर") == "zakir"  # ज + nukta
    assert to_latin("\u095b\u093e\u0915\u093f\u0930") == "zakir"  # precomposed ज़
    assert to_latin("फ़ातिमा") == "fatima"


@pytest.mark.parametrize("text, latin", [
    ("রাহুল রায়", "rahul ray"),  # Bengali
    ("সুভাষ চন্দ্র বসু", "subhash chandra basu"),
    ("ਹਰਜਿੰਦਰ ਸਿੰਘ", "harjindar singh"),  # Gurmukhi, its tippi a nasal
    ("નરેન્દ્ર મોદી", "narendra modi"),  # Gujarati
    ("ରମେଶ ଦାସ", "ramesh das"),  # Oriya
    ("முருகன்", "murukan"),  # Tamil, its ன
    ("ರಮೇಶ್ ಗೌಡ", "ramesh gauda"),  # Kannada
    ("രമേശ്", "ramesh"),  # Malayalam
    ("ശ്രീധരൻ", "shridharan"),  # Malayalam, its chillu n
])
def test_other_indian_scripts_read_as_their_devanagari_twins(text, latin):
    assert to_latin(text) == latin


def test_the_southern_scripts_keep_the_inherent_vowel():
    assert to_latin("వెంకటేశ్వర") == "venkateshvara"  # Telugu: said "Venkateswara"
    assert to_latin("वेंकटेश्वर") == "venkteshvar"  # Hindi drops it


def test_a_vowel_sign_typed_in_two_parts_is_one():
    assert to_latin("\u0995\u09c7\u09be") == to_latin("\u0995\u09cb") == "ko"  # Bengali কো


def test_latin_text_passes_through_and_mixed_text_is_converted():
    assert to_latin("R.K. Sharma") == "R.K. Sharma"
    assert to_latin("Ram राम") == "Ram ram"
    assert to_latin("राम१२३ देवी").split() == ["ram", "devi"]  # digits become spaces

