"""The investigation API over a small warehouse file built in code (the rules' scenario)."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from linkage.settings import LinkageSettings
from pipelines import outputs, tables
from pipelines.investigate import ENV_DB, Warehouse, open_warehouse, warehouse_path


import warehouse_fixtures as fx
ASHA = "C10000000000001"  # three registrations: 1-2 strong link, 2-3 weak link, 1-3 unlinked
RAVI = "C10000000000004"  # one registration, certificate for a no-show
PRIOR = 2 ** fx.PRIOR_WEIGHT / (1 + 2 ** fx.PRIOR_WEIGHT)


def write_warehouse(path: Path) -> Path:
    """The scenario's night, with the booking at centre 202 left as a no-show and the
    unlinked pair 1-3 given a household pair's fixed weight, saved as a DuckDB file."""
    con = fx.scenario()
    con.execute(f"update {tables.APPOINTMENTS} set status = 'No-show' where appointment_id = 'A2'")
    con.execute(f"update {tables.PAIR_SCORES} set match_weight = -20 "
                f"where id_l = '10000000000001' and id_r = '10000000000003'")
    fx.run_night(con)
    outputs.build_tables(con, LinkageSettings())
    summary = {"run_id": "r1", "linkage": {"model": {"prior": PRIOR}}}
    con.execute(f"create table {tables.RUN_SUMMARY} as select 'r1' as run_id, ?::json as summary",
                [json.dumps(summary)])
    con.execute(f"attach '{path}' as w")
    con.execute("copy from database memory to w")
    con.execute("detach w")
    con.close()
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("wh") / "jaanch.duckdb")


@pytest.fixture(scope="module")
def wh(db) -> Warehouse:
    with open_warehouse(db) as w:
        yield w


def test_opens_read_only_from_the_environment(db, monkeypatch):
    monkeypatch.setenv(ENV_DB, str(db))
    with open_warehouse() as w:
        assert w.path == db
        with pytest.raises(duckdb.Error, match="read-only"):
            w.con.execute(f"delete from {tables.CLUSTERS}")


def test_default_is_the_sample_run_and_relative_paths_start_at_the_root(monkeypatch):
    root = Path(__file__).resolve().parents[2]
    monkeypatch.delenv(ENV_DB, raising=False)
    assert warehouse_path() == root / "out" / "jaanch.duckdb"
    monkeypatch.setenv(ENV_DB, "elsewhere/night.duckdb")
    assert warehouse_path() == root / "elsewhere" / "night.duckdb"


def test_a_missing_warehouse_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="jaanch run"):
        open_warehouse(tmp_path / "none.duckdb")


def _weights(wh: Warehouse) -> dict[tuple[str, str], float]:
    rows = wh.con.execute(f"select id_l, id_r, match_weight from {tables.PAIR_SCORES}").fetchall()
    return {(l[-2:], r[-2:]): w for l, r, w in rows}


def test_flagged_highest_risk_first(wh):
    flagged = wh.flagged()
    assert set(flagged.cluster_id) == {ASHA, RAVI}
    assert flagged.risk_score.is_monotonic_decreasing
    assert wh.flagged(1).cluster_id[0] == flagged.cluster_id[0]


def test_members_show_masked_identifiers_only(wh):
    members = wh.cluster(ASHA)
    assert list(members.beneficiary_reference_id) == \
        ["10000000000001", "10000000000002", "10000000000003"]
    assert list(members.mobile_masked[:2]) == ["******0001", "******1403"]
    text = members.to_csv()
    for number in ("9123400001", fx.TOUT_MOBILE, "456789123457", "ABC1234567"):
        assert number not in text
    with pytest.raises(KeyError):
        wh.cluster("C404")


def test_find_clusters_by_name_mobile_and_centre(wh):
    assert list(wh.find_clusters(name="AASHA").cluster_id) == [ASHA]
    by_mobile = wh.find_clusters(mobile_masked="******1403")
    assert by_mobile.cluster_id[0] == ASHA and len(by_mobile) == 6  # flagged first, 5 customers
    assert list(wh.find_clusters(center=303).cluster_id) == [RAVI]
    assert list(wh.find_clusters(center="rajgir").cluster_id) == [RAVI]
    assert wh.find_clusters(name="Customer", mobile_masked="0001").empty  # criteria combine
    with pytest.raises(ValueError):
        wh.find_clusters()


def test_each_linked_pair_runs_from_the_prior_to_its_match_weight(wh):
    steps = wh.pair_contributions(ASHA)
    assert list(steps.pair.unique()) == ["10000000000001 ↔ 10000000000002",
                                         "10000000000002 ↔ 10000000000003"]
    for _, pair in steps.groupby("pair"):
        assert pair.field.tolist() == ["prior", "name", "birth_year", "gender", "photo_id",
                                       "mobile", "location", "doses", "bookings"]
        assert pair.start.iloc[0] == 0 and pair.weight.iloc[0] == pytest.approx(fx.PRIOR_WEIGHT)
        assert pair.end.iloc[-1] == pytest.approx(pair.match_weight.iloc[0])
        assert (pair.start.iloc[1:].values == pytest.approx(pair.end.iloc[:-1].values))
    weak = steps[steps.pair.str.startswith("10000000000002")].set_index("field")
    assert weak.loc["mobile", "label"] == LinkageSettings().comparison("mobile").none_label
    assert weak.loc["doses", "label"].startswith("dose 1 under both")
    assert weak.loc["photo_id", "label"] == "different ID types"
    assert weak.match_weight.iloc[0] == pytest.approx(_weights(wh)[("02", "03")])


def test_a_vetoed_pairs_fixed_weight_is_its_own_step(wh):
    steps = wh.pair_contributions(ASHA, linked_only=False)
    pair = steps[steps.pair == "10000000000001 ↔ 10000000000003"]
    assert pair.field.iloc[-1] == "veto"
    assert pair.end.iloc[-1] == pytest.approx(-20.0)
    assert "veto" not in set(wh.pair_contributions(ASHA).field)


def test_timeline_and_centres(wh):
    events = wh.timeline(ASHA)
    assert list(events.reference) == ["V1", "V2", "A1", "A2"]
    assert list(events.kind) == ["dose", "dose", "booking", "booking"]
    assert events.center_name.iloc[1] == "CHC Gaya"  # a dose's centre, named from bookings
    centres = wh.centres(ASHA).set_index("center_id")
    assert centres.loc[202, ["bookings", "no_shows", "doses"]].tolist() == [1, 1, 1]
    assert centres.loc[101, "center_name"] == "PHC Danapur"


def test_rule_hits_and_evidence(wh):
    hits = wh.rule_hits(ASHA)
    assert list(hits.rule_id) == ["multi_booking", "repeat_dose1"]
    assert hits.explanation.str.len().min() > 20 and isinstance(hits.facts[0], dict)
    assert wh.evidence(ASHA)["rules"] == ["multi_booking", "repeat_dose1"]
    assert wh.evidence("C10000000000010") is None


def test_neighbours_share_a_mobile_or_photo_id(wh):
    near = wh.neighbours(ASHA)
    assert sorted(near.cluster_id) == [f"C1000000000001{i}" for i in range(5)]
    assert set(near.shared) == {"mobile"} and set(near.identifier) == {"******1403"}
    shared_id = wh.neighbours("C10000000000021")
    assert list(shared_id.cluster_id) == ["C10000000000022"]
    assert shared_id.shared[0] == "photo_id" and shared_id.identifier[0] == "********1238"


def test_flags_by_district_and_centre_week(wh):
    by_district = wh.flags_by_district()
    assert set(map(tuple, by_district.values.tolist())) == {
        ("Nalanda", "no_show_certificate", 1), ("Patna", "multi_booking", 1),
        ("Patna", "repeat_dose1", 1)}
    weeks = wh.flags_by_centre_week()
    gaya = weeks[weeks.center_id == 202]
    assert [str(w) for w in gaya.week.dt.date] == ["2021-05-10", "2021-05-31"]
    assert gaya.district_name.tolist() == ["Gaya", "Gaya"]


def test_no_shows_of_hoarded_bookings_and_repeat_first_doses_by_centre(wh):
    no_shows = wh.hoarding_no_shows_by_centre()
    assert no_shows[["center_id", "center_name", "no_shows", "clusters"]].values.tolist() == \
        [[202, "CHC Gaya", 1, 1]]
    # RAVI's no-show was not a hoarded booking: it is not counted
    assert 303 not in set(no_shows.center_id)
    repeats = wh.repeat_dose1_by_centre()
    assert repeats[["center_id", "repeat_doses", "people"]].values.tolist() == [[202, 1, 1]]


def test_match_weights_binned(wh):
    bins = wh.match_weights(bin_width=1.0)
    n_pairs = wh.con.execute(f"select count(*) from {tables.PAIR_SCORES}").fetchone()[0]
    assert bins.pairs.sum() == n_pairs
    linked = wh.con.execute(f"select match_weight from {tables.PAIR_SCORES} where linked").fetchall()
    assert set(bins[bins.linked].weight_bin) == {float(w // 1.0) for (w,) in linked}
    assert -20.0 in set(bins.weight_bin)


def test_precision_recall_against_truth(wh, tmp_path):
    # one person with three registrations; 21 and 22 are one person the linkage missed;
    # an id the run never accepted is left out of the truth
    rows = [("10000000000001", "p1"), ("10000000000002", "p1"), ("10000000000003", "p1"),
            ("99999999999999", "p1"), ("10000000000021", "p2"), ("10000000000022", "p2"),
            ("10000000000010", "p3")]
    (tmp_path / "registrations.csv").write_text(
        "beneficiary_reference_id,person_id\n" + "".join(f"{a},{b}\n" for a, b in rows))
    pr = wh.precision_recall(tmp_path, step=0.5)
    assert set(pr.true_pairs) == {4}
    w = _weights(wh)  # 1-2, 2-3 true; 1-10 false; 1-3 true, at the household weight
    bins = [w[pair] // 0.5 for pair in (("01", "02"), ("02", "03"), ("01", "10"), ("01", "03"))]
    assert bins == sorted(set(bins), reverse=True) and w[("01", "03")] == -20

    def at(weight: float) -> list[float]:  # linking every pair from `weight` up
        return pr[pr.threshold <= weight].iloc[-1][["precision", "recall"]].tolist()

    assert at(w[("01", "02")]) == pytest.approx([1.0, 1 / 4])
    assert at(w[("02", "03")]) == pytest.approx([1.0, 2 / 4])
    assert at(w[("01", "10")]) == pytest.approx([2 / 3, 2 / 4])
    assert at(-20.0) == pytest.approx([3 / 4, 3 / 4])
    final = wh.cluster_precision_recall(tmp_path)
    assert final["precision"] == 1.0 and final["recall"] == pytest.approx(3 / 4)
    with pytest.raises(FileNotFoundError):
        wh.precision_recall(tmp_path / "absent")


def test_settings_and_prior_come_from_the_run(db, tmp_path):
    LinkageSettings(threshold=7.5).save(db.parent / "settings.json")
    try:
        with open_warehouse(db) as w:
            assert w.settings().threshold == 7.5
            assert w.prior_weight() == pytest.approx(fx.PRIOR_WEIGHT)
    finally:
        (db.parent / "settings.json").unlink()
