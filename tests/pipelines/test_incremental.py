"""Incremental nights: a warehouse fed night by night holds the clusters one run over all
the data finds (with the same match model), while each night compares only the pairs it
brought."""
import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from linkage.settings import LinkageSettings
from pipelines.flow import nightly
from pipelines.sample_data import generate_sample
from pipelines.synth.nights import split_into_nights


def members(out: Path) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    with open(out / "cluster_members.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            groups.setdefault(row["cluster_id"], set()).add(row["beneficiary_reference_id"])
    return groups


def partition(out: Path) -> set[frozenset[str]]:
    return {frozenset(m) for m in members(out).values()}


@pytest.fixture(scope="module")
def runs(prefect_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    generate_sample(1200, 5, root / "data")
    nights = split_into_nights(root / "data" / "exports", root / "nights", [0.5, 0.3, 0.2])
    inc = root / "inc"
    summaries = []
    for k, folder in enumerate(nights):
        summaries.append(nightly(str(folder), str(inc)))
        (root / f"after_{k + 1}").mkdir()
        (root / f"after_{k + 1}" / "cluster_members.csv").write_bytes(
            (inc / "cluster_members.csv").read_bytes())
    full = nightly(str(root / "data" / "exports"), str(root / "full"))
    return root, summaries, full


def test_nights_after_the_first_are_deltas(runs):
    _, summaries, full = runs
    assert [s["export_kind"] for s in summaries] == ["snapshot", "delta", "delta"]
    assert sum(s["merge"]["new"] for s in summaries) == full["merge"]["registrations"]


def test_night_by_night_equals_one_run_over_all_the_data(runs):
    root, _, _ = runs
    assert partition(root / "inc") == partition(root / "full")
    assert len(partition(root / "full")) > 50


def test_a_night_compares_only_pairs_it_brought(runs):
    _, summaries, full = runs
    for s in summaries[1:]:
        link = s["linkage"]
        assert 0 < link["compared_pairs"] < link["candidate_pairs"]
    assert summaries[-1]["linkage"]["candidate_pairs"] == full["linkage"]["candidate_pairs"]
    assert sum(s["linkage"]["compared_pairs"] for s in summaries) >= full["linkage"]["compared_pairs"]


def test_cluster_ids_last_unless_a_merge_or_split_is_recorded(runs):
    root, summaries, _ = runs
    con = duckdb.connect(str(root / "inc" / "jaanch.duckdb"), read_only=True)
    for k in (2, 3):
        before, after = members(root / f"after_{k - 1}"), members(root / f"after_{k}")
        recorded = {c for (c,) in con.execute(
            "select cluster_id from cluster_changes where run_id = ? union "
            "select other_cluster_id from cluster_changes where run_id = ?",
            [summaries[k - 1]["run_id"]] * 2).fetchall()}
        for cid, people in before.items():
            if cid not in recorded:
                assert cid in after and people <= after[cid]


def test_the_same_snapshot_again_compares_nothing(runs, tmp_path):
    root, _, _ = runs
    again = nightly(str(root / "data" / "exports"), str(root / "inc"))
    assert again["export_kind"] == "snapshot" and again["linkage"]["compared_pairs"] == 0
    assert again["merge"]["new"] == again["merge"]["changed"] == 0
    assert partition(root / "inc") == partition(root / "full")


@pytest.fixture(scope="module")
def model_nights(prefect_server, tmp_path_factory):
    """The same nights, but the first night's model stays in force (it is refitted only
    after the registrations treble), then one run over all the data with that model."""
    root = tmp_path_factory.mktemp("model_nights")
    generate_sample(1200, 5, root / "data")
    nights = split_into_nights(root / "data" / "exports", root / "nights", [0.5, 0.3, 0.2])
    settings = LinkageSettings(refit_growth=2.0).to_json()
    summaries = [nightly(str(f), str(root / "inc"), settings_json=settings) for f in nights]
    nightly(str(root / "data" / "exports"), str(root / "same"), settings_json=settings,
            model_from=str(root / "inc" / "jaanch.duckdb"))
    return root, summaries


# one man registered three times: B, on the second night, shares A's PAN and C's mobile;
# A and C alone score too weakly to link (another spelling, birth year and pincode, another
# ID, a dose under C only)
ANIL = {
    "A": ["12999999990001", "Anil Kumar Verma", "Male", "1980", "9876500001", "PAN Card",
          "ABCPV1234K", "Uttar Pradesh", "Lucknow", "226001", "2021-01-02 10:00:00"],
    "C": ["12999999990003", "Anil Verma", "Male", "1981", "9876500002", "Voter ID",
          "XYZ1234567", "Uttar Pradesh", "Lucknow", "226010", "2021-03-02 10:00:00"],
    "B": ["12999999990002", "Anil Kumar Verma", "Male", "1980", "9876500002", "PAN Card",
          "ABCPV1234K", "Uttar Pradesh", "Lucknow", "226001", "2021-06-02 10:00:00"],
}
ANIL_DOSE = ["weak-pair-0001", "12999999990003", "1", "COVISHIELD", "10-03-2021", "834722"]


def _append(path: Path, rows: list[list[str]]) -> None:
    with open(path, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


@pytest.fixture(scope="module")
def bridged_nights(prefect_server, tmp_path_factory):
    """A and C on the first night, B on the second, with the first night's model; pairs
    are explained only from the threshold up unless a cluster holds them together."""
    root = tmp_path_factory.mktemp("bridged_nights")
    generate_sample(600, 5, root / "data")
    nights = split_into_nights(root / "data" / "exports", root / "nights", [0.5, 0.5])
    every = root / "all"
    shutil.copytree(root / "data" / "exports", every)
    for folder, people in ((nights[0], "AC"), (nights[1], "B"), (every, "ACB")):
        _append(folder / "registrations.csv", [ANIL[p] for p in people])
        if "C" in people:
            _append(folder / "vaccinations.csv", [ANIL_DOSE])
    settings = LinkageSettings(refit_growth=2.0, keep_margin=0.0).to_json()
    for folder in nights:
        nightly(str(folder), str(root / "inc"), settings_json=settings)
    nightly(str(every), str(root / "same"), settings_json=settings,
            model_from=str(root / "inc" / "jaanch.duckdb"))
    return root


def test_a_night_explains_a_weak_pair_its_new_registration_pulls_into_one_cluster(
        bridged_nights):
    explained = "select id_l, id_r, round(match_weight, 9), linked from pair_scores order by all"
    clusters = "select cluster_id from clusters where beneficiary_reference_id like '1299999999%'"
    dbs = {r: duckdb.connect(str(bridged_nights / r / "jaanch.duckdb"), read_only=True)
           for r in ("inc", "same")}
    kept = {r: db.execute(explained).fetchall() for r, db in dbs.items()}
    weak = [p for p in kept["same"] if p[:2] == (ANIL["A"][0], ANIL["C"][0])]
    assert weak and not weak[0][3]  # A and C alone do not link
    assert len({c for (c,) in dbs["inc"].execute(clusters).fetchall()}) == 1
    assert kept["inc"] == kept["same"]


def test_later_nights_score_only_their_pairs_with_the_model_in_force(model_nights):
    _, summaries = model_nights
    assert [s["linkage"]["refit"] for s in summaries] == [True, False, False]
    assert all(s["linkage"]["model"] == summaries[0]["linkage"]["model"] for s in summaries)
    for s in summaries[1:]:
        assert 0 < s["linkage"]["compared_pairs"] < s["linkage"]["candidate_pairs"]


def test_nights_equal_one_run_over_all_the_data_with_the_same_model(model_nights):
    root, _ = model_nights
    assert partition(root / "inc") == partition(root / "same")
    explained = "select id_l, id_r, round(match_weight, 9) from pair_scores order by all"
    kept = [duckdb.connect(str(root / r / "jaanch.duckdb"), read_only=True).execute(explained)
            .fetchall() for r in ("inc", "same")]
    assert kept[0] == kept[1] and len(kept[0]) > 100


def test_nights_hold_each_candidate_pair_once_with_its_full_run_score(model_nights):
    """Every candidate pair's kept score, by registration ids (rids are numbered per
    warehouse): a pair whose doses changed on a later night is scored again, once."""
    root, _ = model_nights
    scored = """select l.beneficiary_reference_id, r.beneficiary_reference_id,
                       round(s.match_weight, 9)
                from scored_pairs s join registrations_norm l on l.rid = s.rid_l
                join registrations_norm r on r.rid = s.rid_r order by all"""
    kept = [duckdb.connect(str(root / r / "jaanch.duckdb"), read_only=True).execute(scored)
            .fetchall() for r in ("inc", "same")]
    assert kept[0] == kept[1] and len(kept[0]) > 1000


def test_a_model_from_a_file_that_holds_none_is_refused_before_running(tmp_path, capsys):
    from pipelines.cli import main

    code = main(["run", "--exports", str(tmp_path), "--out", str(tmp_path / "out"),
                 "--model-from", str(tmp_path / "missing.duckdb")])
    assert code == 2 and "holds no match model" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_nights_flag_what_one_run_with_the_same_model_flags(model_nights):
    """Cluster ids may differ (a night keeps yesterday's), so people are compared by their
    registrations."""
    root, _ = model_nights
    flagged = """select list(c.beneficiary_reference_id order by c.beneficiary_reference_id),
                        f.risk_score, f.rules, round(f.link_confidence, 9)
                 from flagged_clusters f join clusters c using (cluster_id)
                 group by all order by all"""
    # keyed hashes differ between warehouses (each has its own key): compare masked numbers
    identifiers = """select identifier_kind, identifier, rules, n_registrations, n_people
                     from flagged_identifiers order by all"""
    for sql in (flagged, identifiers):
        got = [duckdb.connect(str(root / r / "jaanch.duckdb"), read_only=True).execute(sql)
               .fetchall() for r in ("inc", "same")]
        assert got[0] == got[1] and len(got[0]) >= 5
