import pytest

from linkage.normalise import load_name_features, normalise
from warehouse_fixtures import typed_registrations

ROWS = [
    ("10000000000003", "Smt. Sunita Devi", "Female", 1975, "9876543210", "Aadhaar Card",
     "234567890124", "UP", " Agra ", "282001"),
    ("10000000000001", "सुनीता देवी", "Female", 1976, "9123456780", "Voter ID", "ABC1234567",
     "UP", "AGRA", "282001"),
    ("10000000000002", "R K Sharma", "Male", 1980, None, "PAN Card", "", "UP", "", "282002"),
]


@pytest.fixture
def con():
    return typed_registrations(ROWS)


def test_one_row_per_registration_with_dense_ids_in_id_order(con):
    assert normalise(con, "src", "norm") == 3
    rows = con.execute("select rid, beneficiary_reference_id from norm order by rid").fetchall()
    assert rows == [(1, "10000000000001"), (2, "10000000000002"), (3, "10000000000003")]


def test_spellings_scripts_and_honorifics_share_a_name_key(con):
    normalise(con, "src", "norm")
    keys = dict(con.execute("select beneficiary_reference_id, name_key from norm").fetchall())
    assert keys["10000000000001"] == keys["10000000000003"]
    assert keys["10000000000002"] != keys["10000000000003"]


def test_blanks_become_missing_and_districts_compare_case_free(con):
    normalise(con, "src", "norm")
    r = dict(((i, (d, p)) for i, d, p in con.execute(
        "select beneficiary_reference_id, district_name, photo_id_key from norm").fetchall()))
    assert r["10000000000001"][0] == r["10000000000003"][0] == "agra"
    assert r["10000000000002"] == (None, None)


def test_a_district_typed_with_other_spaces_or_hyphens_is_one_district():
    rows = [(f"1000000000002{i}", "Ram Lal", "Male", 1970, None, "PAN Card", "", "UP", d, "229001")
            for i, d in enumerate(["Rae Bareli", "RAEBARELI", " rae-bareli ", "Rae Bareilly",
                                   "---"])]
    con = typed_registrations(rows)
    normalise(con, "src", "norm")
    got = [d for (d,) in con.execute("select district_name from norm order by rid").fetchall()]
    assert got[:3] == ["raebareli"] * 3
    assert got[3] != "raebareli" and got[4] is None


def test_birth_bands_overlap_so_neighbouring_years_share_one(con):
    normalise(con, "src", "norm")
    a, b = con.execute("select birth_band_a, birth_band_b from norm "
                       "where birth_year in (1975, 1976) order by birth_year").fetchall()
    assert a[0] == b[0] or a[1] == b[1]


def test_identifiers_arrive_as_keys_never_numbers(con):
    normalise(con, "src", "norm")
    columns = {r[0] for r in con.execute("describe norm").fetchall()}
    assert {"mobile_key", "photo_id_key"} <= columns
    assert not {"mobile_number", "photo_id_number"} & columns


def test_names_are_featured_once_across_nights(con):
    normalise(con, "src", "norm")
    con.execute("insert into src select * replace ('10000000000009' as beneficiary_reference_id, "
                "'Kamla Bai' as name) from src where beneficiary_reference_id = '10000000000002'")
    before = dict(con.execute("select name, name_id from name_features").fetchall())
    assert normalise(con, "src", "norm") == 4
    after = dict(con.execute("select name, name_id from name_features").fetchall())
    assert {k: after[k] for k in before} == before  # kept ids, not recomputed
    assert set(after) - set(before) == {"Kamla Bai"}


def test_names_are_featured_again_by_other_name_code(con, monkeypatch):
    import linkage.normalise as normalise_module

    normalise(con, "src", "norm")
    con.execute("update name_features set first_phon = 'stale'")
    normalise(con, "src", "norm")  # the same code: the kept features stand
    assert {r[0] for r in con.execute("select first_phon from name_features").fetchall()} \
        == {"stale"}
    monkeypatch.setattr(normalise_module, "feature_digest", lambda: "an upgrade")
    normalise(con, "src", "norm")
    firsts = {r[0] for r in con.execute("select first_phon from name_features").fetchall()}
    assert "stale" not in firsts and "sunita" in firsts
    assert con.execute("select count(*) from norm where first_phon = 'stale'").fetchall() == [(0,)]


def test_names_kept_before_their_code_was_recorded_are_featured_again(con):
    normalise(con, "src", "norm")
    con.execute("update name_features set first_phon = 'stale'")
    con.execute("delete from kept_fingerprints where table_name = 'name_features'")
    normalise(con, "src", "norm")  # a warehouse from a version that recorded no digest
    firsts = {r[0] for r in con.execute("select first_phon from name_features").fetchall()}
    assert "stale" not in firsts and "sunita" in firsts


def test_name_features_load_by_name_id(con):
    normalise(con, "src", "norm")
    feats = load_name_features(con)
    name_id = con.execute("select name_id from norm where beneficiary_reference_id = "
                          "'10000000000002'").fetchall()[0][0]
    assert bool(feats["has_initial"][name_id])


def test_word_initials_survive_a_typo_inside_a_word_and_another_word_order():
    rows = [("10000000000011", "UMESH CHANDRA VERMA", "Male", 1974, None, "PAN Card", "",
             "UP", "Hapur", "245101"),
            ("10000000000012", "Mr Varma Umesh Chandr", "Male", 1974, None, "PAN Card", "",
             "UP", "Hapur", "245101"),
            ("10000000000013", "Suresh Chandra Verma", "Male", 1974, None, "PAN Card", "",
             "UP", "Hapur", "245101")]
    con = typed_registrations(rows)
    normalise(con, "src", "norm")
    got = dict(con.execute("select beneficiary_reference_id, word_initials from norm").fetchall())
    assert got["10000000000011"] == got["10000000000012"]
    assert got["10000000000013"] != got["10000000000011"]


def test_a_night_replaces_only_its_rows_keeping_rids(con):
    normalise(con, "src", "norm")
    con.execute("update src set name = 'Anita Devi' where beneficiary_reference_id = '10000000000002'")
    con.execute("insert into src select '10000000000000', * exclude (beneficiary_reference_id) "
                "from src where beneficiary_reference_id = '10000000000001'")
    con.execute("create temp table changed as select * from (values "
                "('10000000000002', 'changed'), ('10000000000000', 'new')) t(beneficiary_reference_id, change)")
    assert normalise(con, "src", "norm", changed="changed") == 4
    rids = dict(con.execute("select beneficiary_reference_id, rid from norm").fetchall())
    assert rids == {"10000000000001": 1, "10000000000002": 2, "10000000000003": 3,
                    "10000000000000": 4}
    before = con.execute("select beneficiary_reference_id, rid from norm_before").fetchall()
    assert before == [("10000000000002", 2)]
    normalise(con, "src", "again")
    rest = "select * exclude (rid) from {} order by beneficiary_reference_id"
    assert con.execute(rest.format("norm")).fetchall() == con.execute(rest.format("again")).fetchall()
