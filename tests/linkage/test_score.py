import duckdb
import numpy as np
import pytest

from linkage.em import FieldParams, ModelParams
from linkage.score import (FIELDS, HOUSEHOLD_SQL, SLIM_COLUMNS, ScoreStatistics,
                           district_pairs, name_frequencies, score)
from linkage.settings import LinkageSettings

LEVELS = {f: len(LinkageSettings().labels(f)) for f in FIELDS}


def params() -> ModelParams:
    fields = {}
    for f, n in LEVELS.items():
        m = 4.0 ** np.arange(n)
        u = 4.0 ** -np.arange(n)
        fields[f] = FieldParams(tuple(m / m.sum()), tuple(u / u.sum()))
    return ModelParams(fields, prior=1e-4, iterations=0)


@pytest.fixture
def con():
    con = duckdb.connect()
    # rid 1-2: a common name (three registrations carry it); 4-5: a rare one; 8-9: a rarer
    # exact name ("sunita devi") under the common key
    con.execute("""create table norm as select *, rid as name_id from (values
        (1, 'b1', 'sunita'), (2, 'b2', 'sunita'), (3, 'b3', 'sunita'),
        (4, 'b4', 'zeenat parveen'), (5, 'b5', 'zeenat parveen'), (6, 'b6', 'ram yadav'),
        (7, 'b7', 'shyam yadav'), (8, 'b8', 'sunita'), (9, 'b9', 'sunita'))
        t(rid, beneficiary_reference_id, name_key)""")
    con.execute("create table name_features as select name_id, case when rid >= 8 then "
                "'sunita devi' else name_key end as name_clean from norm")
    con.execute("alter table norm add column first_phon varchar")
    con.execute("update norm set first_phon = split_part(name_key, ' ', 1)")
    con.execute("alter table norm add column district_name varchar default 'lucknow'")
    top = dict(name_level=7, birth_year_level=3, gender_level=1, photo_id_level=1,
               mobile_level=0, location_level=2, doses_level=2, bookings_level=0)
    family = dict(name_level=0, birth_year_level=3, gender_level=1, photo_id_level=1,
                  mobile_level=1, location_level=2, doses_level=1, bookings_level=0)
    rows = [(1, 2, top), (4, 5, top), (6, 7, family), (8, 9, top)]
    con.execute("create table cmp (id_l int, id_r int, name_similarity float, "
                + ", ".join(f"{f}_level tinyint" for f in FIELDS) + ")")
    for l, r, lv in rows:
        con.execute(f"insert into cmp values ({l}, {r}, 1.0, "
                    + ", ".join(str(lv[f"{f}_level"]) for f in FIELDS) + ")")
    _score(con)
    return con


def _score(con) -> None:
    name_frequencies(con, "norm", "tf")
    district_pairs(con, "cmp", "norm", "dp")
    n = con.execute("select count(*) from norm").fetchall()[0][0]
    score(con, "cmp", "norm", "scores", params(), n, 2.0, ScoreStatistics("tf", "dp"),
          tf_cap=20.0)


def weights(con):
    return {(l, r): (w, linked) for l, r, w, linked in con.execute(
        "select rid_l, rid_r, match_weight, linked from scores").fetchall()}


def test_match_weight_is_the_prior_plus_each_field(con):
    p = params()
    w = con.execute("select match_weight, " + ", ".join(f"{f}_weight" for f in FIELDS)
                    + " from scores where rid_l = 4").fetchall()[0]
    assert w[0] == pytest.approx(p.prior_weight + sum(w[1:]), abs=1e-6)


def test_slim_scores_are_the_wide_ones_without_the_explanation(con):
    n = con.execute("select count(*) from norm").fetchall()[0][0]
    score(con, "cmp", "norm", "slim", params(), n, 2.0, ScoreStatistics("tf", "dp"),
          tf_cap=20.0, slim=True)
    assert [d[0] for d in con.execute("select * from slim").description] == \
        SLIM_COLUMNS.split(", ")
    assert con.execute(f"select {SLIM_COLUMNS} from slim order by rid_l").fetchall() == \
        con.execute(f"select {SLIM_COLUMNS} from scores order by rid_l").fetchall()


def test_a_rare_name_counts_for_more_than_a_common_one(con):
    w = weights(con)
    assert w[(4, 5)][0] > w[(1, 2)][0]


def test_a_shared_family_mobile_with_other_given_names_never_links(con):
    w, linked = weights(con)[(6, 7)]
    assert not linked and w <= -20
    assert con.execute("select household from scores where rid_l = 6").fetchall()[0][0]


def test_a_name_counts_by_its_frequency_among_the_other_registrations(con):
    # "zeenat parveen" is carried by the pair itself only: among the other registrations
    # it is as rare as a name seen once (1 of 9), not one seen twice
    u7, m7 = params().fields["name"].u[7], params().fields["name"].m[7]
    w = con.execute("select name_weight from scores where rid_l = 4").fetchall()[0][0]
    assert w == pytest.approx(np.log2(m7 / u7) + np.log2(u7 / (1 / 9)), abs=1e-4)


def test_an_exact_name_counts_by_its_own_frequency_not_its_keys(con):
    # "sunita devi" (2 of 9) and "sunita" (3 of 9) share the key "sunita" (5 of 9)
    w = weights(con)
    assert w[(8, 9)][0] > w[(1, 2)][0]


def _districts(con, sure_ab: int, namesakes: bool = False) -> dict[tuple[str, str], float]:
    districts = ["agra", "mathura", "etah", "kanpur"] * 10
    con.execute("create or replace table dn as select row_number() over () as rid, "
                "district_name, null::varchar as name_key "
                "from (select unnest(?) as district_name)", [districts])
    if namesakes:  # one name common in agra and mathura alike: a regional name
        con.execute("update dn set name_key = 'dubey' where district_name in ('agra', 'mathura')")
    # registrations 1 (agra) and 2 (mathura), 5 and 6, ... share a photo ID number
    pairs = [(1 + 4 * k, 2 + 4 * k) for k in range(sure_ab)]
    con.execute("create or replace table dc (id_l int, id_r int, name_level tinyint, "
                "birth_year_level tinyint, gender_level tinyint, photo_id_level tinyint, "
                "mobile_level tinyint, location_level tinyint)")
    for l, r in pairs:
        con.execute(f"insert into dc values ({l}, {r}, 7, 3, 1, 3, 0, 0)")
    district_pairs(con, "dc", "dn", "dp")
    return {(a, b): adj for a, b, adj in con.execute("select a, b, adj from dp").fetchall()}


def test_district_pairs_people_move_between_count_for_more_than_chance():
    adj = _districts(duckdb.connect(), sure_ab=8)
    # all 8 sure pairs move between these two; a Dirichlet prior of 100 pairs tempers it
    assert adj[("agra", "mathura")] > 0.4
    assert adj[("etah", "kanpur")] < 0.0  # never seen: less likely than chance
    assert set(adj) == {tuple(sorted(p)) for p in [("agra", "mathura"), ("agra", "etah"),
                        ("agra", "kanpur"), ("etah", "mathura"), ("kanpur", "mathura"),
                        ("etah", "kanpur")]}


def test_district_pairs_without_evidence_stay_at_chance():
    adj = _districts(duckdb.connect(), sure_ab=0)
    assert all(a == pytest.approx(0.0, abs=1e-9) for a in adj.values())


def test_district_pairs_discount_namesakes_of_a_regional_name():
    # people named alike cluster by region: two namesakes in neighbouring districts are
    # not as unlikely as the districts' shares say, so moves there count for less
    plain = _districts(duckdb.connect(), sure_ab=8)
    regional = _districts(duckdb.connect(), sure_ab=8, namesakes=True)
    assert regional[("agra", "mathura")] < plain[("agra", "mathura")]
    assert regional[("etah", "kanpur")] > plain[("etah", "kanpur")]


@pytest.mark.parametrize("levels, household", [
    # (name, birth_year, photo_id, mobile)
    ((0, 3, 1, 1), True),   # other given names on one mobile: relatives
    ((7, 0, 1, 1), True),   # one name, birth years far apart: a son named after his father
    ((7, 1, 1, 1), True),   # two years apart
    ((7, 3, 0, 1), True),   # one name, each their own number of one ID type
    ((7, 2, 1, 1), False),  # a year off, another ID type: one person again on one phone
    ((7, 3, 3, 1), False),  # one ID number: never a mere household
    ((7, 0, 1, 0), False),  # no shared mobile: not a household at all
])
def test_a_household_is_told_by_the_mobile_and_what_relatives_do_not_share(levels, household):
    name, year, photo, mobile = levels
    got = duckdb.execute(f"select {HOUSEHOLD_SQL} from (select {name} as name_level, "
                         f"{year} as birth_year_level, {photo} as photo_id_level, "
                         f"{mobile} as mobile_level)").fetchall()[0][0]
    assert got is household


def test_a_misspelt_common_name_counts_for_less_than_a_misspelt_rare_one():
    con = duckdb.connect()
    # "sunita" is carried by 6 registrations, "zeenat" by 2; rid 1-2 and 3-4 are each a
    # correct spelling beside a slip (level 5)
    keys = ["sunita", "suniat", "zeenat", "zeeant"] + ["sunita"] * 5 + ["zeenat"]
    con.execute("create table norm as select row_number() over () as rid, "
                "row_number() over () as name_id, name_key, name_key as first_phon, "
                "'lucknow' as district_name from (select unnest(?) as name_key)", [keys])
    con.execute("create table name_features as select name_id, name_key as name_clean "
                "from norm")
    con.execute("create table cmp (id_l int, id_r int, name_similarity float, "
                + ", ".join(f"{f}_level tinyint" for f in FIELDS) + ")")
    con.execute("insert into cmp values (1, 2, 1, 5, 3, 1, 1, 0, 2, 2, 0), "
                "(3, 4, 1, 5, 3, 1, 1, 0, 2, 2, 0)")
    _score(con)
    w = dict(con.execute("select rid_l, name_weight from scores").fetchall())
    assert w[3] > w[1]
