"""The doses and live bookings as linkage evidence on generated data: learned from the
data, shown in each pair's explanation, and left out when the settings hold no comparison
for them."""
import dataclasses

import duckdb
import pytest

from linkage import model_store
from linkage.link import link
from linkage.normalise import normalise
from linkage.settings import LinkageSettings
from pipelines import tables
from pipelines.flow import LINK_TABLES, nightly
from pipelines.ingest import ingest
from pipelines.merge import ensure_tables, merge
from pipelines.sample_data import generate_sample
from pipelines.validate import validate


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    root = tmp_path_factory.mktemp("dose_evidence")
    generate_sample(1500, 23, root / "data")
    return root / "data" / "exports"


def _linked(exports, settings: LinkageSettings) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ingest(con, exports)
    ensure_tables(con)
    validate(con, secret="test-doses")
    merge(con, "snapshot")
    normalise(con, tables.REGISTRATIONS, tables.REGISTRATIONS_NORM, tables.NAME_FEATURES,
              tables.PHOTO_ID_PARTS)
    link(con, LINK_TABLES, settings)
    return con


def test_a_dose_given_twice_says_two_people_and_a_split_course_one(exports):
    con = _linked(exports, LinkageSettings())
    weights = model_store.load(con).params.fields["doses"].weights()
    # level 0: the same later dose under both; 2: no dose either side; 3: a course split
    assert weights[0] < -3 and weights[3] > 1 and weights[2] > weights[1]
    levels = {lv for (lv,) in con.execute(
        f"select distinct doses_level from {tables.PAIR_SCORES}").fetchall()}
    assert {-1, 1, 2, 3} <= levels


def test_live_bookings_at_two_centres_at_once_count_for_one_person(exports):
    con = _linked(exports, LinkageSettings())
    weights = model_store.load(con).params.fields["bookings"].weights()
    # level 0: live bookings under one side or neither; 1: under both, not at two
    # centres at once; 2: at two centres within the window
    assert weights[2] > 3 and weights[1] < 0 and abs(weights[0]) < 1
    explained = con.execute(f"""select bookings_level, min(bookings_weight), max(bookings_weight)
        from {tables.PAIR_SCORES} group by all""").fetchall()
    by_level = {lv: (lo, hi) for lv, lo, hi in explained}
    assert by_level[2] == pytest.approx((weights[2], weights[2]), abs=1e-5)
    assert by_level[0] == pytest.approx((weights[0], weights[0]), abs=1e-5)


def _without_doses() -> LinkageSettings:
    base = LinkageSettings()
    return dataclasses.replace(
        base, comparisons=tuple(c for c in base.comparisons if c.field != "doses"))


def test_settings_without_a_doses_comparison_score_without_them(exports):
    con = _linked(exports, _without_doses())
    assert "doses" not in model_store.load(con).params.fields
    columns = {c for (c,) in con.execute(
        f"select column_name from information_schema.columns "
        f"where table_name = '{tables.PAIR_SCORES}'").fetchall()}
    assert "location_weight" in columns and "doses_weight" not in columns


def test_a_model_fitted_on_other_fields_is_refused_before_linking(exports, prefect_server,
                                                                  tmp_path):
    nightly(str(exports), str(tmp_path / "old"), settings_json=_without_doses().to_json())
    with pytest.raises(ValueError, match="these settings score name, .*, doses"):
        nightly(str(exports), str(tmp_path / "new"),
                model_from=str(tmp_path / "old" / "jaanch.duckdb"))
    assert not (tmp_path / "new" / "cluster_members.csv").exists()
