"""The rules stage on a delta night, re-run only for what the night touched, leaves the
same rule hits, flagged clusters and identifiers, members and evidence as recomputing
everything over the same warehouse.

Nights are fed stage by stage on one connection (no Prefect), so the night's TEMP tables
are still there: each delta night runs the incremental stage and commits (the next night
builds on its results), then the full stage runs in a transaction that is rolled back.

Delta nights link only their own registrations with the first night's model, as the
flow does (the model is kept until the registrations grow tenfold here)."""
import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from linkage import model_store
from linkage.link import link
from linkage.normalise import normalise
from linkage.settings import LinkageSettings
from pipelines import review, tables
from pipelines.cluster_history import carry_ids
from pipelines.flow import LINK_TABLES, model_tonight
from pipelines.ingest import ingest
from pipelines.merge import ensure_tables, export_kind, merge
from pipelines.sample_data import generate_sample
from pipelines.synth.nights import split_into_nights
from pipelines.validate import validate
from rules.nightly import run_stage

SECRET = "test-incremental-rules"
COMPARED = {  # table -> its columns, as compared
    tables.RULE_HITS: "*",
    tables.FLAGGED_CLUSTERS: "*",
    tables.FLAGGED_IDENTIFIERS: "*",
    tables.CLUSTER_MEMBERS: "*",
    tables.EVIDENCE: "*",
}


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])


def _resend_changed(earlier: Path, night: Path, every: int) -> None:
    """Send again, changed, some of an earlier night's rows: a registration moves
    district and takes another's mobile number; a booking turns no-show; a dose moves to
    the registration of the next row. What real deltas carry beside new rows."""
    header, regs = _rows(earlier / "registrations.csv")
    i_mob, i_dist = header.index("mobile_number"), header.index("district_name")
    changed = [r[:] for r in regs[::every]]
    for k, r in enumerate(changed):
        r[i_dist] = "Elsewhere"
        r[i_mob] = regs[(k * 7 + 3) % len(regs)][i_mob]
    _, tonight = _rows(night / "registrations.csv")
    _write(night / "registrations.csv", header, tonight + changed)
    header, appts = _rows(earlier / "appointments.csv")
    i_status = header.index("status")
    moved = [r[:] for r in appts[::every]]
    for r in moved:
        r[i_status] = "No-show"
    _, tonight = _rows(night / "appointments.csv")
    _write(night / "appointments.csv", header, tonight + moved)
    header, doses = _rows(earlier / "vaccinations.csv")
    i_reg = header.index("beneficiary_reference_id")
    shifted = [r[:] for r in doses[::every]]
    for k, r in enumerate(shifted):
        r[i_reg] = doses[(k * every + 1) % len(doses)][i_reg]
    _, tonight = _rows(night / "vaccinations.csv")
    _write(night / "vaccinations.csv", header, tonight + shifted)


def _stages_to_link(con: duckdb.DuckDBPyConnection, folder: Path, night: int,
                    settings: LinkageSettings) -> bool:
    ingest(con, folder)
    ensure_tables(con)
    kind = export_kind(con)
    known = tables.REGISTRATIONS if kind == "delta" else None
    validate(con, secret=SECRET, known_registrations=known)
    merge(con, kind)
    model, incremental = model_tonight(con, kind, settings, None)
    normalise(con, tables.REGISTRATIONS, tables.REGISTRATIONS_NORM, tables.NAME_FEATURES,
              tables.PHOTO_ID_PARTS,
              changed=tables.CHANGED_REGISTRATIONS if incremental else None)
    link(con, LINK_TABLES, settings, model=model, incremental=incremental)
    carry_ids(con, f"run{night}")
    return incremental


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, set[tuple]]:
    return {t: set(con.execute(f"select {cols} from {t}").fetchall())
            for t, cols in COMPARED.items()}


def _dismiss_one(con: duckdb.DuckDBPyConnection) -> None:
    """A review dismisses the highest-risk flagged cluster, as imported between nights."""
    (cid,), = con.execute(f"select cluster_id from {tables.FLAGGED_CLUSTERS} "
                          f"order by risk_score desc, cluster_id limit 1").fetchall()
    review.ensure_tables(con)
    con.execute(f"""insert into {tables.REVIEW_DECISIONS}
        select ?, 'dismissed', 'tester', null, ?, ?,
               (select list_sort(list(beneficiary_reference_id)) from {tables.CLUSTER_MEMBERS}
                where cluster_id = ?),
               (select list_sort(list(distinct rule_id)) from {tables.RULE_HITS}
                where entity_kind = 'cluster' and entity_id = ?)""",
                [cid, dt.datetime(2021, 7, 1), dt.datetime(2021, 7, 1), cid, cid])


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """Per delta night: (incremental results, full results, what the stage reported)."""
    root = tmp_path_factory.mktemp("incremental_rules")
    generate_sample(1500, 11, root / "data")
    folders = split_into_nights(root / "data" / "exports", root / "nights", [0.5, 0.25, 0.25])
    _resend_changed(folders[0], folders[1], every=40)
    _resend_changed(folders[1], folders[2], every=30)
    con = duckdb.connect(str(root / "w.duckdb"))
    con.execute("set enable_progress_bar = false")
    results = []
    settings = LinkageSettings(refit_growth=10.0)
    for k, folder in enumerate(folders, start=1):
        if k == 3:
            _dismiss_one(con)
        con.begin()
        incremental_link = _stages_to_link(con, folder, k, settings)
        assert incremental_link == (k > 1)
        stage = run_stage(con, settings, full=not incremental_link)
        con.commit()
        if k == 1:
            continue
        incremental = _snapshot(con)
        stage["clusters_held"] = con.execute(
            f"select count(distinct cluster_id) from {tables.CLUSTERS}").fetchall()[0][0]
        con.begin()
        full = run_stage(con, settings, full=True)
        results.append((incremental, _snapshot(con), stage, full))
        con.rollback()
    results.append(_linked_again(con, settings))
    con.close()
    return results


def _linked_again(con: duckdb.DuckDBPyConnection, settings: LinkageSettings) -> tuple:
    """(clusters and explained pairs as the nights left them, and as linking every
    registration again with the same model gives them), registrations changed included."""
    def state() -> tuple[set, set]:
        parts = con.execute(f"select list(beneficiary_reference_id order by "
                            f"beneficiary_reference_id) from {tables.CLUSTERS} "
                            f"group by cluster_id").fetchall()
        pairs = con.execute(f"select id_l, id_r, round(match_weight, 9) "
                            f"from {tables.PAIR_SCORES}").fetchall()
        return {tuple(p) for (p,) in parts}, set(pairs)

    nights = state()
    con.begin()
    normalise(con, tables.REGISTRATIONS, tables.REGISTRATIONS_NORM, tables.NAME_FEATURES,
              tables.PHOTO_ID_PARTS)
    link(con, LINK_TABLES, settings, model=model_store.load(con))
    again = state()
    con.rollback()
    return nights, again


def test_nights_with_changed_registrations_link_as_linking_all_again(nights):
    (clusters, pairs), (clusters_again, pairs_again) = nights[-1]
    assert clusters == clusters_again and pairs == pairs_again and len(pairs) > 100


def test_delta_nights_ran_incrementally_on_part_of_the_warehouse(nights):
    for incremental, _, stage, _ in nights[:-1]:
        scope = stage["rules_scope"]
        assert scope["full"] is False
        assert 0 < scope["registrations"] and 0 < scope["clusters"] < stage["clusters_held"]


@pytest.mark.parametrize("table", list(COMPARED))
def test_incremental_results_equal_a_full_recompute(nights, table):
    for incremental, full, _, _ in nights[:-1]:
        assert len(full[table]) > 0
        missing, extra = full[table] - incremental[table], incremental[table] - full[table]
        assert not missing and not extra, (table, sorted(missing)[:3], sorted(extra)[:3])


def test_every_rule_fires_and_a_review_holds_back_the_same_cluster(nights):
    incremental, full, stage, full_stage = nights[-2]
    assert {h[0] for h in full[tables.RULE_HITS]} == {
        "early_dose", "multi_booking", "no_show_certificate", "repeat_dose1",
        "shared_photo_id", "tout_mobile"}
    assert stage["suppressed_by_review"] == full_stage["suppressed_by_review"] == 1
