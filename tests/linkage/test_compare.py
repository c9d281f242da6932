import pytest

from linkage.compare import compare
from linkage.normalise import normalise
from warehouse_fixtures import typed_registrations

# (id, name, gender, year, mobile, id type, id number, district, pincode)
ROWS = [
    ("1", "Ram Kumar Sharma", "Male", 1980, "9876543210", "Passport", "K1234567", "Agra", "282001"),
    ("2", "ram kumar sharma", "Male", 1981, "9876543210", "Passport", "K1234576", "Agra", "282001"),
    ("3", "Shyam Kumar Sharma", "Male", 1985, "9000000001", "Aadhaar Card", "234567890124",
     "Meerut", "250001"),
    ("4", "Ram Sharma", None, None, None, "Passport", "K1234567", "Agra", "282002"),
]


@pytest.fixture
def levels():
    con = typed_registrations(r[:7] + ("UP",) + r[7:] for r in ROWS)
    normalise(con, "src", "norm")
    con.execute("create table pairs as select a.rid as id_l, b.rid as id_r "
                "from norm a join norm b on a.rid < b.rid")
    assert compare(con, "norm", "pairs", "cmp") == 6
    cur = con.execute("""select l.beneficiary_reference_id || r.beneficiary_reference_id, c.*
        from cmp c join norm l on l.rid = c.id_l join norm r on r.rid = c.id_r""")
    cols = [d[0] for d in cur.description]
    return {row[0]: dict(zip(cols, row)) for row in cur.fetchall()}


def test_one_person_retyped(levels):
    p = levels["12"]
    assert p["name_level"] == 7  # exactly the same after cleaning
    assert p["birth_year_level"] == 2 and p["gender_level"] == 1
    assert p["photo_id_level"] == 2  # same type, one transposition apart
    assert p["mobile_level"] == 1 and p["location_level"] == 2


def test_brothers_differ_where_it_matters(levels):
    p = levels["13"]
    assert p["name_level"] == 0 and p["birth_year_level"] == 0
    assert p["photo_id_level"] == 1 and p["mobile_level"] == 0 and p["location_level"] == 0


def test_missing_values_are_level_minus_one(levels):
    p = levels["14"]
    assert p["gender_level"] == -1 and p["birth_year_level"] == -1 and p["mobile_level"] == -1
    assert p["photo_id_level"] == 3 and p["location_level"] == 1


def _pair_levels(rows):
    con = typed_registrations(rows)
    normalise(con, "src", "norm")
    con.execute("create table pairs as select a.rid as id_l, b.rid as id_r "
                "from norm a join norm b on a.rid < b.rid")
    compare(con, "norm", "pairs", "cmp")
    return con, {(l, r): p for l, r, p in con.execute("""
        select l.beneficiary_reference_id, r.beneficiary_reference_id, c.photo_id_level
        from cmp c join norm l on l.rid = c.id_l join norm r on r.rid = c.id_r""").fetchall()}


def _reg(i: str, number: str, id_type: str = "Passport") -> tuple:
    return (i, "Asha Devi", "Female", 1980, None, id_type, number, "UP", "Agra", "282001")


def test_photo_id_slips_are_found_without_the_numbers():
    _, lv = _pair_levels([_reg("1", "K1234567"), _reg("2", "K1234568"), _reg("3", "K123456"),
                          _reg("4", "K9934567"), _reg("5", "K1234569", "Voter ID")])
    assert lv[("1", "2")] == 2 and lv[("1", "3")] == 2  # a wrong or a missing character
    assert lv[("1", "4")] == 0  # two wrong characters: another number of the same type
    assert lv[("2", "5")] == 1  # another type


def test_a_slip_is_looked_for_only_where_the_start_or_the_end_agrees():
    # one slip leaves the first or the last four characters as they were
    _, lv = _pair_levels([_reg("1", "K1234567"), _reg("2", "K2134576")])
    assert lv[("1", "2")] == 0


SPELLINGS = ["Rathore Annd", "ANAND RATHORE", "Rizwan Khan", "Rezwan Khan", "Amit Kumar",
             "Amita Kumar", "J. K. Gautam", "Gautam Jyoti Kumari", "Sunita", "Sunita Sharma"]


def _name_levels_in_chunks(monkeypatch, chunk: int) -> dict[tuple[str, str], int]:
    import linkage.compare as compare_module
    monkeypatch.setattr(compare_module, "NAME_CHUNK", chunk)
    con = typed_registrations((str(i), name, "Male", 1980, None, "Passport", f"K{i:07d}", "UP",
                               "Agra", "282001") for i, name in enumerate(SPELLINGS))
    normalise(con, "src", "norm")
    con.execute("create table pairs as select a.rid as id_l, b.rid as id_r "
                "from norm a join norm b on a.rid < b.rid")
    compare(con, "norm", "pairs", "cmp")
    return {(l, r): level for l, r, level in con.execute("""
        select l.name, r.name, c.name_level from cmp c join src l on l.beneficiary_reference_id
        = (select beneficiary_reference_id from norm where rid = c.id_l)
        join src r on r.beneficiary_reference_id
        = (select beneficiary_reference_id from norm where rid = c.id_r)""").fetchall()}


def test_name_levels_are_the_same_whatever_the_chunks_of_pairs(monkeypatch):
    # per-name values and the names read surname first are made once for all chunks
    whole = _name_levels_in_chunks(monkeypatch, 1_000_000)
    assert whole == _name_levels_in_chunks(monkeypatch, 4)
    level = {frozenset(k): v for k, v in whole.items()}
    assert level[frozenset(("Rathore Annd", "ANAND RATHORE"))] >= 5  # read the other way
    assert level[frozenset(("Rizwan Khan", "Rezwan Khan"))] == 5  # a vowel variant
    assert level[frozenset(("Amit Kumar", "Amita Kumar"))] <= 1  # a brother and a sister
