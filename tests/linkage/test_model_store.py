import dataclasses

import duckdb
import pytest

from linkage import model_store
from linkage.em import FieldParams, ModelParams
from linkage.settings import LinkageSettings

PARAMS = ModelParams({"name": FieldParams((0.1, 0.9), (0.8, 0.2))}, prior=1e-5, iterations=0)


@pytest.fixture
def con():
    con = duckdb.connect()
    for table in model_store.STATISTICS + ("kept_a",):
        con.execute(f"create table {table} (x int)")
    model_store.save(con, PARAMS, 1000, LinkageSettings(), "run1")
    return con


def test_a_saved_model_reads_back_as_it_was(con):
    model = model_store.load(con)
    assert model.params == PARAMS and model.registrations == 1000 and model.changed_since == 0


def test_the_model_stays_in_force_until_enough_has_changed(con):
    s = LinkageSettings(refit_growth=0.1)
    assert model_store.in_force(con, s, 60, ("kept_a",)) is not None
    model_store.count_changes(con, 60)
    assert model_store.in_force(con, s, 40, ("kept_a",)) is not None
    assert model_store.in_force(con, s, 41, ("kept_a",)) is None


def test_other_settings_or_missing_state_fit_again(con):
    s = LinkageSettings()
    assert model_store.in_force(con, dataclasses.replace(s, typo_rarity=5.0), 0, ()) is None
    assert model_store.in_force(con, s, 0, ("kept_b",)) is None
    # the threshold decides links, not what the model learnt
    assert model_store.in_force(con, dataclasses.replace(s, threshold=3.0), 0, ()) is not None
    con.execute(f"drop table {model_store.WORD_COUNTS}")
    assert model_store.in_force(con, s, 0, ()) is None


def test_another_warehouse_model_can_be_taken(con, tmp_path):
    other = duckdb.connect(str(tmp_path / "w.duckdb"))
    for table in model_store.STATISTICS:
        other.execute(f"create table {table} (x int)")
    model_store.save(other, dataclasses.replace(PARAMS, prior=0.5), 7, LinkageSettings())
    other.close()
    model_store.copy_from(con, tmp_path / "w.duckdb")
    model = model_store.load(con)
    assert model.params.prior == 0.5 and model.registrations == 7
