import duckdb
import numpy as np
import pytest

from linkage.compare import FIELDS
from linkage.em import FieldParams, ModelParams
from linkage.score import name_frequencies, score
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
    # rid 1-2: a common name (three registrations carry it); 4-5: a rare one
    con.execute("""create table norm as select * from (values
        (1, 'b1', 'sunita'), (2, 'b2', 'sunita'), (3, 'b3', 'sunita'),
        (4, 'b4', 'zeenat parveen'), (5, 'b5', 'zeenat parveen'), (6, 'b6', 'ram yadav'),
        (7, 'b7', 'shyam yadav'))
        t(rid, beneficiary_reference_id, name_key)""")
    con.execute("alter table norm add column first_phon varchar")
    con.execute("update norm set first_phon = split_part(name_key, ' ', 1)")
    top = dict(name_level=7, birth_year_level=3, gender_level=1, photo_id_level=1,
               mobile_level=0, location_level=2)
    family = dict(name_level=0, birth_year_level=3, gender_level=1, photo_id_level=1,
                  mobile_level=1, location_level=2)
    rows = [(1, 2, top), (4, 5, top), (6, 7, family)]
    con.execute("create table cmp (id_l int, id_r int, name_similarity float, "
                + ", ".join(f"{f}_level tinyint" for f in FIELDS) + ")")
    for l, r, lv in rows:
        con.execute(f"insert into cmp values ({l}, {r}, 1.0, "
                    + ", ".join(str(lv[f"{f}_level"]) for f in FIELDS) + ")")
    name_frequencies(con, "norm", "tf")
    score(con, "cmp", "norm", "tf", "scores", params(), threshold=2.0, tf_cap=20.0)
    return con


def weights(con):
    return {(l, r): (w, linked) for l, r, w, linked in con.execute(
        "select rid_l, rid_r, match_weight, linked from scores").fetchall()}


def test_match_weight_is_the_prior_plus_each_field(con):
    p = params()
    w = con.execute("select match_weight, " + ", ".join(f"{f}_weight" for f in FIELDS)
                    + " from scores where rid_l = 4").fetchall()[0]
    assert w[0] == pytest.approx(p.prior_weight + sum(w[1:]), abs=1e-6)


def test_a_rare_name_counts_for_more_than_a_common_one(con):
    w = weights(con)
    assert w[(4, 5)][0] > w[(1, 2)][0]


def test_a_shared_family_mobile_with_other_given_names_never_links(con):
    w, linked = weights(con)[(6, 7)]
    assert not linked and w <= -20
    assert con.execute("select household from scores where rid_l = 6").fetchall()[0][0]
