"""Publish gates: a night that fails one publishes nothing and keeps its summary aside."""
import json
import pickle

import duckdb
import pytest

from pipelines import runs
from pipelines.errors import ExportError, GateError
from pipelines.gates import PublishGates, check, clear_rejected, enforce, keep_rejected
from pipelines.sample_data import generate_sample


def summary(read: int = 1000, quarantined: int = 0, kind: str | None = None) -> dict:
    files = {"registrations": {"read": read, "accepted": read - quarantined,
                               "quarantined": quarantined, "duplicates": 0},
             "appointments": {"read": 2000, "accepted": 2000, "quarantined": 0,
                              "duplicates": 0}}
    s = {"validation": {"files": files}, "gates": PublishGates().to_dict()}
    return s | ({"export_kind": kind} if kind else {})


def counts(read: int, kind: str | None = None) -> dict:
    """As the runs table keeps a succeeded night (outputs.run_counts)."""
    c = {"files": {"registrations": {"read": read, "accepted": read, "quarantined": 0,
                                     "duplicates": 0}}}
    return c | ({"export_kind": kind} if kind else {})


# -- check ------------------------------------------------------------------------------------
def test_a_normal_night_passes():
    assert check(summary(1000, 10), counts(1100), PublishGates()) == []


def test_too_many_quarantined_rows_name_the_file_and_the_limit():
    reasons = check(summary(1000, 51), None, PublishGates(max_quarantined_share=0.05))
    assert len(reasons) == 1
    assert reasons[0].startswith("registrations.csv: 51 of 1,000 rows quarantined (5.1%)")
    assert "--max-quarantined-share 0.05" in reasons[0]
    assert check(summary(1000, 50), None, PublishGates(max_quarantined_share=0.05)) == []


def test_a_sharp_drop_against_the_last_published_night_fails():
    reasons = check(summary(400), counts(1000), PublishGates(max_row_drop=0.5))
    assert len(reasons) == 1
    assert "400 rows read against 1,000" in reasons[0] and "60.0% fewer" in reasons[0]
    assert check(summary(500), counts(1000), PublishGates(max_row_drop=0.5)) == []
    assert check(summary(400), counts(1000), PublishGates(max_row_drop=0.7)) == []


def test_both_gates_report_together():
    reasons = check(summary(400, 100), counts(1000), PublishGates())
    assert [r.split(":")[0] for r in reasons] == ["registrations.csv"] * 2
    assert "quarantined" in reasons[0] and "fewer" in reasons[1]


def test_row_drop_needs_a_published_night_and_skips_delta_exports():
    gates = PublishGates()
    assert check(summary(10), None, gates) == []  # the first night
    assert check(summary(10, kind="delta"), counts(1000), gates) == []
    assert check(summary(10, kind="snapshot"), counts(1000), gates) != []
    # a delta night is no yardstick for the snapshot after it
    assert check(summary(1000), counts(10, kind="delta"), gates) == []


def test_gates_round_trip_and_reject_nonsense():
    gates = PublishGates(max_quarantined_share=0.1, max_row_drop=0.25)
    assert PublishGates.from_json(gates.to_json()) == gates
    assert PublishGates.from_dict({}) == PublishGates()
    with pytest.raises(ValueError, match="max_row_drop"):
        PublishGates(max_row_drop=1.5)
    with pytest.raises(ValueError, match="unknown"):
        PublishGates.from_dict({"max_rows": 3})


def test_enforce_raises_a_one_line_export_error_and_records_the_reasons():
    s = summary(1000, 200)
    with pytest.raises(GateError) as raised:
        enforce(s, None)
    assert isinstance(raised.value, ExportError)  # the CLI's one line and exit code 2
    assert "\n" not in str(raised.value) and str(raised.value) == s["failed_gates"][0]
    assert pickle.loads(pickle.dumps(raised.value)).reasons == s["failed_gates"]
    ok = summary(1000, 0)
    assert enforce(ok, counts(1000)).startswith("passed") and ok["failed_gates"] == []


def test_rejected_summary_is_kept_aside_and_cleared_by_the_next_publication(tmp_path):
    (tmp_path / "report.html").write_text("published")
    path = keep_rejected(tmp_path, {"run_id": "r1", "failed_gates": ["x"]})
    assert path == tmp_path / "rejected" / "run_summary.json"
    assert json.loads(path.read_text())["failed_gates"] == ["x"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["run_summary.json"]
    clear_rejected(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# -- runs left running ------------------------------------------------------------------------
def test_a_run_left_running_is_marked_killed_when_the_next_starts():
    con = duckdb.connect()
    runs.start(con, "a", "exports", "{}")
    runs.finish(con, "a", "succeeded", counts={"files": {}})
    runs.start(con, "b", "exports", "{}")  # then killed: its row stays 'running'
    runs.start(con, "c", "exports", "{}")
    rows = con.execute("select run_id, status, reason from runs order by run_id").fetchall()
    assert [(r, s) for r, s, _ in rows] == [("a", "succeeded"), ("b", "killed"),
                                            ("c", "running")]
    assert "c started" in rows[1][2]
    assert runs.mark_killed(con, "c") == 0  # the current run is never its own victim


# -- the flow ---------------------------------------------------------------------------------
def published_files(out) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir()
            if p.is_file() and not p.name.startswith("jaanch.duckdb")}


def run_rows(out) -> list[tuple]:
    with duckdb.connect(str(out / "jaanch.duckdb"), read_only=True) as con:
        return con.execute("select status, reason, counts from runs order by started").fetchall()


@pytest.fixture(scope="module")
def first_night(prefect_server, tmp_path_factory):
    from pipelines.flow import run_cli

    root = tmp_path_factory.mktemp("gates")
    generate_sample(300, 1, root / "night1")
    out = root / "out"
    assert run_cli(root / "night1" / "exports", out, None) == 0
    return root, out


def test_a_night_with_too_many_quarantined_rows_does_not_publish(first_night, capsys):
    from pipelines.flow import run_cli

    root, out = first_night
    before = published_files(out)
    generate_sample(300, 3, root / "bad", bad_rows=40)  # 7% of registrations quarantined
    gates = PublishGates(max_quarantined_share=0.05)
    assert run_cli(root / "bad" / "exports", out, None, gates) == 2
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("jaanch:")]
    assert said[0].startswith("jaanch: registrations.csv:") and "quarantined" in said[0]
    assert published_files(out) == before

    attempt = json.loads((out / "rejected" / "run_summary.json").read_text())
    assert attempt["status"] == "failed" and attempt["gates"] == gates.to_dict()
    assert attempt["failed_gates"] and attempt["reason"] == "; ".join(attempt["failed_gates"])
    regs = attempt["validation"]["files"]["registrations"]
    assert regs["quarantined"] / regs["read"] > 0.05
    assert "clusters" not in attempt  # it stopped before linkage

    status, reason, recorded = run_rows(out)[-1]
    assert status == "failed" and reason == attempt["reason"]
    assert json.loads(recorded)["files"]["registrations"] == regs


def test_a_snapshot_with_far_fewer_registrations_does_not_publish(first_night):
    from pipelines.flow import run_cli

    # recognised by its ids, a short export is a delta (exempt from the row-drop gate);
    # a data team that sends whole snapshots declares them so
    root, out = first_night
    before = published_files(out)
    generate_sample(100, 4, root / "short")  # a third of the last published night
    assert run_cli(root / "short" / "exports", out, None, export_kind="snapshot") == 2
    assert published_files(out) == before
    attempt = json.loads((out / "rejected" / "run_summary.json").read_text())
    assert "fewer" in attempt["reason"] and "--max-row-drop 0.5" in attempt["reason"]
    # the yardstick is the last night that published, not the rejected ones since
    published_read = json.loads(before["run_summary.json"])["validation"]["files"][
        "registrations"]["read"]
    assert f"against {published_read:,}" in attempt["reason"]
    assert [s for s, _, _ in run_rows(out)][-1] == "failed"
