import numpy as np
import pytest

from linkage.names import FEATURES, OPTIONAL_TOKENS, clean_tokens, expand_token, name_features


@pytest.mark.parametrize("raw, tokens", [
    ("  RAM   kumar  SHARMA. ", ["ram", "kumar", "sharma"]),
    ("R.K. Sharma", ["r", "k", "sharma"]),
    ("R.K.Sharma", ["r", "k", "sharma"]),
    ("RK Sharma", ["r", "k", "sharma"]),  # joined initials
    ("Smt. Sunita Devi", ["sunita", "devi"]),
    ("Dr Mrs Sunita", ["sunita"]),  # several leading titles
    ("Kumari Sunita", ["sunita"]),  # kumari as a title ...
    ("Sunita Kumari", ["sunita", "kumari"]),  # ... and as a name word
    ("Sunita Smt", ["sunita", "smt"]),  # titles only count in front
    ("Smt", ["smt"]),  # never remove the only token
    ("Md. Salim", ["mohammad", "salim"]),
    ("Mohd Salim", ["mohammad", "salim"]),
    ("Mohammed Salim", ["mohammad", "salim"]),
    ("Ram Kr Yadav", ["ram", "kumar", "yadav"]),
    ("Ramkumar", ["ram", "kumar"]),  # an optional word joined on
    ("Sukumar", ["sukumar"]),  # too short a stem to be a split
    ("Nizam-ud-din", ["nizamuddin"]),
    ("Ram Kumar S/O Shyam Lal", ["ram", "kumar"]),
    ("Sunita w/o Ramesh", ["sunita"]),
    ("Ram2 Kumar#", ["ram", "kumar"]),
    ("Ramesh Sharma urf Ramu", ["ramesh", "sharma"]),  # the other name goes
    ("Ramesh alias Ramu Sharma", ["ramesh"]),
    ("RAMESH @ RAMU", ["ramesh"]),
    ("Anita Sharma (Anu)", ["anita", "sharma"]),
    ("Dr. (Mrs.) Anita Sharma", ["anita", "sharma"]),
    ("Alias Khan", ["alias", "khan"]),  # a marker needs a name before it
    ("Purab Urfi", ["purab", "urfi"]),  # a word that begins like one is kept
    ("Noor Shekh", ["noor", "shaikh"]),
    ("SK Sharma", ["s", "k", "sharma"]),  # initials, not Shaikh
    ("सुनीता देवी", ["sunita", "devi"]),
    ("José Gómez", ["jose", "gomez"]),
    ("", []),
    ("...", []),
])
def test_clean_tokens(raw, tokens):
    assert clean_tokens(raw) == tokens


def test_expand_token():
    assert expand_token("mohd") == "mohammad"
    assert expand_token("chattopadhyay") == "chatterjee"
    assert expand_token("basu") == "bose"
    assert expand_token("rk") == "r k"
    assert expand_token("ram") == "ram"
    assert expand_token("ashaben") == "asha ben"
    assert expand_token("bhaben") == "bhaben"  # "ben" needs a stem of four letters


@pytest.mark.parametrize("regional, usual", [
    ("chowdhury", "chaudhary"), ("chaudhry", "chaudhary"), ("shrivastava", "srivastava"),
    ("aggarwal", "agarwal"), ("bhattacharjee", "bhattacharya"), ("tewari", "tiwari"),
    ("hossain", "hussain"), ("sayyad", "syed"), ("pardeep", "pradeep"),
    ("krushna", "krishna"), ("sreenivasa", "srinivas"), ("pande", "pandey"),
    ("ahmed", "ahmad"), ("rehman", "rahman"), ("ghose", "ghosh"), ("datta", "dutta"),
    ("varma", "verma"), ("quraishi", "qureshi"),
])
def test_a_surname_or_name_as_another_region_writes_it_is_one_word(regional, usual):
    assert expand_token(regional) == usual
    assert name_features([f"Anil {regional.title()}"])["name_phon_hash"][0] == \
        name_features([f"Anil {usual.title()}"])["name_phon_hash"][0]


def test_hindi_typed_surnames_meet_their_english_spelling():
    hindi = name_features(["अग्रवाल", "प्रजापति", "क़ुरैशी", "वर्मा", "चौधरी"])
    latin = name_features(["Agarwal", "Prajapati", "Qureshi", "Verma", "Chaudhary"])
    assert list(hindi["name_phon"]) == list(latin["name_phon"])


def test_regional_forms_leave_other_names_apart():
    # a brother and a sister, and two Maharashtrian and north Indian surnames
    for a, b in (("Amit Yadav", "Amit Jadhav"), ("Amit Verma", "Amita Varma"),
                 ("Sunil Pandey", "Sunil Pandit")):
        fa, fb = name_features([a]), name_features([b])
        assert fa["name_phon_hash"][0] != fb["name_phon_hash"][0], (a, b)


def test_optional_tokens_cover_the_usual_words():
    assert {"kumar", "kumari", "devi", "singh", "lal", "prasad", "bai", "ben", "begum",
            "khatoon", "bibi", "bano"} <= OPTIONAL_TOKENS


def feats(*names):
    f = name_features(list(names))
    return [{k: v[i] for k, v in f.items()} for i in range(len(names))]


def test_features_cover_the_declared_columns_and_align_with_input():
    names = ["Ram Sharma", None, "", "Sita"]
    f = name_features(names)
    assert set(f) == set(FEATURES)
    assert all(len(v) == 4 for v in f.values())
    assert list(f["name_clean"]) == ["ram sharma", "", "", "sita"]
    assert list(f["n_tokens"]) == [2, 0, 0, 1]


def test_phonetic_name_ignores_order_spelling_and_optional_words():
    a, b, c = feats("Ram Kumar Sharma", "Sharma Ram", "Raam Sarma")
    assert a["name_phon"] == b["name_phon"] == c["name_phon"] == "ram sarma"
    assert a["name_key"] == a["name_phon"]


def test_initials_keep_their_order():
    a, b = feats("R K Sharma", "K R Sharma")
    assert a["name_phon"] == "r k sarma" and b["name_phon"] == "k r sarma"


def test_given_name_surname_and_first_word():
    full, single, initials, optional_only = feats("Ram Prakash Sharma", "Sunita Devi",
                                                  "R K Sharma", "Devi")
    assert (full["first_phon"], full["given_phon"], full["last_phon"]) == (
        "ram", "ram prakas", "sarma")
    # optional words are not a surname: "Sunita Devi" has a given name only
    assert (single["given_phon"], single["last_phon"]) == ("sunita", "")
    assert (initials["first_phon"], initials["given_phon"], initials["last_phon"]) == (
        "sarma", "", "sarma")
    assert optional_only["name_phon"] == "debi"  # kept when nothing else is left
    assert full["given_sound"] == ord("r") and single["last_sound"] == 0


def test_initials_signature_spans_optional_words():
    full, short, first_only = feats("Ram Kumar Sharma", "R.K. Sharma", "R. Kumar")
    assert (full["init_given"], full["init_surname"]) == ("rk", "sarma")
    assert (short["init_given"], short["init_surname"]) == ("rk", "sarma")
    assert short["has_initial"] and not full["has_initial"]
    assert (first_only["init_given"], first_only["init_surname"]) == ("r", "kumar")


def test_optional_mask_marks_dropped_words_by_group():
    plain, devi, debi, kumari = feats("Sunita", "Sunita Devi", "Sunita Debi", "Sunita Kumari")
    assert plain["opt_mask"] == 0
    assert devi["opt_mask"] == debi["opt_mask"] != 0
    assert kumari["opt_mask"] not in (0, devi["opt_mask"])


def test_hashes_agree_across_calls():
    one = name_features(["Sunita Devi", "Ram"])
    two = name_features(["Ram", "sunita  devi"])
    assert one["name_clean_hash"][0] == two["name_clean_hash"][1]
    assert one["name_phon_hash"][1] == two["name_phon_hash"][0]
    assert one["name_phon_hash"][0] != one["name_phon_hash"][1]


def test_devanagari_and_latin_give_the_same_features():
    dev, lat = feats("मोहम्मद सलीम", "Mohd Salim")
    assert dev["name_clean"] == lat["name_clean"] == "mohammad salim"
    assert dev["name_phon"] == lat["name_phon"] == "salim"


def test_many_names_keep_their_order():
    names = [f"name{i % 7} sharma" if i % 5 else "" for i in range(1000)]
    f = name_features(names)
    assert list(f["name_clean"]) == [" ".join(n.replace(str(i % 7), " ").split())
                                     if n else "" for i, n in enumerate(names)]
    assert np.array_equal(f["n_tokens"], np.array([2 if n else 0 for n in names]))
