import duckdb

from linkage.typos import promote_rare_typos, word_counts


def promote(con, rarity: float) -> int:
    word_counts(con, "norm", "counts")
    return promote_rare_typos(con, "cmp", "norm", rarity, "counts", "names")


def _setup(rows: list[tuple[str, str]], pairs: list[tuple[int, int]],
           typed: list[tuple[str, str]] | None = None) -> duckdb.DuckDBPyConnection:
    """rows: (first_phon, last_phon) per registration, rid from 1, typed as keyed unless
    `typed` says otherwise; pairs at name level 1, their genders differing (a brother and
    a sister, unless a test says otherwise)."""
    con = duckdb.connect()
    con.execute("create table norm (rid int, name_id int, first_phon varchar, last_phon varchar)")
    con.execute("create table names (name_id int, first_word varchar, last_word varchar)")
    _add(con, rows, typed or rows)
    con.execute("create table cmp (id_l int, id_r int, name_level tinyint, gender_level tinyint)")
    con.executemany("insert into cmp values (?, ?, 1, 0)", pairs)
    return con


def _add(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str]],
         typed: list[tuple[str, str]]) -> None:
    start = con.execute("select count(*) from norm").fetchall()[0][0] + 1
    con.executemany("insert into norm values (?, ?, ?, nullif(?, ''))",
                    [(start + i, start + i, f, l) for i, (f, l) in enumerate(rows)])
    con.executemany("insert into names values (?, ?, ?)",
                    [(start + i, f, l) for i, (f, l) in enumerate(typed)])


def _levels(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, int], int]:
    rows = con.execute("select id_l, id_r, name_level from cmp").fetchall()
    return {(l, r): v for l, r, v in rows}


def test_a_rare_spelling_one_letter_from_a_common_name_is_a_typo():
    # rid 1 "mangal bhardwaj", rid 2 the slip "mvngal bhardwaj"; 30 other Mangals
    rows = [("mangal", "bhardwaj"), ("mvngal", "bhardwaj")] + [("mangal", "x")] * 30
    con = _setup(rows, [(1, 2)])
    assert promote(con, 20) == 1
    assert _levels(con)[(1, 2)] == 5


def test_two_common_names_one_letter_apart_are_two_people():
    rows = [("ramesh", "yadav"), ("rakesh", "yadav")] + [("ramesh", "")] * 30 \
        + [("rakesh", "")] * 30
    con = _setup(rows, [(1, 2)])
    assert promote(con, 20) == 0
    assert _levels(con)[(1, 2)] == 1


def test_a_typo_with_the_surname_dropped_is_level_3_and_another_surname_is_left():
    rows = [("rekha", "yadav"), ("rbkha", ""), ("rbkha", "sharma")] + [("rekha", "")] * 50
    con = _setup(rows, [(1, 2), (1, 3)])
    promote(con, 20)
    assert _levels(con) == {(1, 2): 3, (1, 3): 1}


def test_short_names_other_first_letters_and_a_zero_rarity_are_left_alone():
    rows = [("ram", ""), ("rma", ""), ("sunil", ""), ("kunil", "")] + [("ram", "")] * 30 \
        + [("sunil", "")] * 30
    con = _setup(rows, [(1, 2), (3, 4)])
    assert promote(con, 20) == 0
    con = _setup([("mangal", ""), ("mvngal", "")] + [("mangal", "")] * 30, [(1, 2)])
    assert promote(con, 0) == 0


def test_a_rare_surname_one_letter_from_a_common_one_is_a_typo_from_any_letter():
    # level 2: the same first name under another surname
    rows = [("ayesa", "khan"), ("ayesa", "khdn"), ("sunil", "yadab"), ("sunil", "jadab"),
            ("ramu", "sarma"), ("ramu", "barma")] \
        + [("x", "khan")] * 30 + [("x", "yadab")] * 30 + [("x", "sarma")] * 30 \
        + [("x", "barma")] * 30
    con = _setup(rows, [(1, 2), (3, 4), (5, 6)])
    con.execute("update cmp set name_level = 2")
    promote(con, 20)
    # Sharma / Verma: two common surnames, two families
    assert _levels(con) == {(1, 2): 5, (3, 4): 5, (5, 6): 2}


def test_a_rare_feminine_form_of_a_common_name_is_a_sister_not_a_typo():
    # twins Amit and Amita share a surname, a birth year and a phone; Kamal and Kamla too
    rows = [("amit", "yadab"), ("amita", "yadab"), ("kamal", "sarma"), ("kamla", "sarma")] \
        + [("amit", "")] * 40 + [("kamal", "")] * 40
    con = _setup(rows, [(1, 2), (3, 4)])
    assert promote(con, 20) == 0


def test_a_slip_at_the_end_of_a_name_is_a_typo_when_both_registrations_give_one_gender():
    # Geeta typed "Geeat", Sunita typed "Sunit", by women who say so on both registrations
    rows = [("gita", "nagar"), ("giat", "nagar"), ("sunita", "devi"), ("sunit", "devi")] \
        + [("gita", "")] * 40 + [("sunita", "")] * 40
    con = _setup(rows, [(1, 2), (3, 4)])
    con.execute("update cmp set gender_level = 1")
    assert promote(con, 20) == 2
    assert _levels(con) == {(1, 2): 5, (3, 4): 5}
    con.execute("update cmp set name_level = 1, gender_level = -1")  # a gender not given
    assert promote(con, 20) == 0


def test_one_keystroke_as_typed_is_a_slip_where_the_phonetic_keys_differ_by_two():
    # "Surenrda" / "Surendra" are keyed "surenrda" / "surendr"; "Mmta" / "Mamta" "mta" /
    # "mamta"; "Rakesh" / "Ramesh", two common names, stay apart as typed too
    rows = [("surendr", "gupta"), ("surenrda", "gupta"), ("mamta", ""), ("mta", ""),
            ("rakes", "yadav"), ("rames", "yadav")] \
        + [("surendr", "")] * 30 + [("mamta", "")] * 30 + [("rakes", "")] * 30 \
        + [("rames", "")] * 30
    typed = [("surendra", "gupta"), ("surenrda", "gupta"), ("mamta", ""), ("mmta", ""),
             ("rakesh", "yadav"), ("ramesh", "yadav")] + rows[6:]
    con = _setup(rows, [(1, 2), (3, 4), (5, 6)], typed)
    promote(con, 20)
    assert _levels(con) == {(1, 2): 5, (3, 4): 5, (5, 6): 1}
    con = _setup(rows, [(1, 2), (3, 4)])  # typed as keyed: two edits apart
    assert promote(con, 20) == 0


def test_a_spelling_that_arrived_after_the_counts_counts_as_one():
    rows = [("mangal", "bhardwaj")] + [("mangal", "x")] * 30
    con = _setup(rows, [(1, 2)])
    con.execute("delete from cmp")
    word_counts(con, "norm", "counts")  # taken when the model was fitted
    _add(con, [("mvngal", "bhardwaj")] * 2, [("mvngal", "bhardwaj")] * 2)
    con.execute("insert into cmp values (1, 32, 1, 0)")
    assert promote_rare_typos(con, "cmp", "norm", 20, "counts", "names") == 1
    con.execute("update counts set n = 19 where value = 'mangal'")  # now under 20 times one
    con.execute("update cmp set name_level = 1")
    assert promote_rare_typos(con, "cmp", "norm", 20, "counts", "names") == 0
