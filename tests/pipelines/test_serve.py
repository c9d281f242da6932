"""`jaanch serve` against a real Prefect server: the deployment registers with its cron
schedule, a run started by hand publishes the outputs and leaves the two artifacts."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL, temporary_settings

from pipelines.sample_data import generate_sample
from pipelines.serve import ServeConfig, ServeError, build_deployment, check_schedule

DEPLOYMENT = "jaanch-nightly/test-nightly"
PUBLISHED = ("cluster_members.csv", "run_summary.json", "report.html")


def test_deployment_carries_the_schedule_and_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    d = build_deployment(ServeConfig(Path("exports"), Path("out"), cron="30 1 * * *",
                                     timezone="Asia/Kolkata", name="n"))
    assert (d.name, d.flow_name, d.entrypoint) == ("n", "jaanch-nightly",
                                                    "pipelines.flow.nightly")
    schedule = d.schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("30 1 * * *", "Asia/Kolkata")
    assert d.parameters == {"exports": str(tmp_path / "exports"),
                            "out": str(tmp_path / "out"), "db": None}


@pytest.mark.parametrize("cron, tz", [("0 2 * *", "Asia/Kolkata"),
                                      ("0 2 * * *", "Asia/Kolkatta")])
def test_a_bad_schedule_is_refused_before_serving(cron, tz):
    with pytest.raises(ServeError):
        check_schedule(cron, tz)


def test_serve_without_a_server_says_how_to_start_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path)  # no profile naming a server either
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "serve", "--exports",
                           str(tmp_path), "--out", str(tmp_path / "out")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "jaanch: PREFECT_API_URL is not set: start a server with `prefect server start` "
        "and run `export PREFECT_API_URL=http://127.0.0.1:4200/api`"]


def test_served_deployment_runs_by_hand_and_publishes(tmp_path):
    out = tmp_path / "out"
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = os.environ | {"PREFECT_HOME": str(tmp_path / "prefect"),
                        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                        "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    env.pop("PREFECT_API_URL", None)
    procs = []
    try:
        procs.append(_start([sys.executable, "-m", "prefect", "server", "start", "--host",
                             "127.0.0.1", "--port", str(port)], env, tmp_path / "server.log"))
        generate_sample(persons=300, seed=7, out=tmp_path / "sample")  # while it starts
        _wait_healthy(api, procs[0], tmp_path / "server.log")
        procs.append(_start([sys.executable, "-m", "pipelines.cli", "serve",
                             "--exports", str(tmp_path / "sample" / "exports"),
                             "--out", str(out), "--name", "test-nightly"],
                            env | {"PREFECT_API_URL": api}, tmp_path / "serve.log"))
        with temporary_settings({PREFECT_API_URL: api}):
            deployment = _wait_deployment(procs[1], tmp_path / "serve.log")
            schedule = deployment.schedules[0].schedule
            assert (schedule.cron, schedule.timezone) == ("0 2 * * *", "Asia/Kolkata")

            run = run_deployment(DEPLOYMENT, timeout=180, poll_interval=1)
            assert run.state.is_completed(), (run.state, _tail(tmp_path / "serve.log"))
            with get_client(sync_client=True) as client:
                made = client.read_artifacts(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
    finally:
        for p in reversed(procs):
            _stop(p)

    assert all((out / f).is_file() for f in PUBLISHED)
    assert json.loads((out / "run_summary.json").read_text())["validation"]["files"][
        "registrations"]["accepted"] > 300
    by_key = {a.key: a for a in made}
    assert by_key["jaanch-night-summary"].type == "markdown"
    assert "First night" in by_key["jaanch-night-summary"].data
    assert by_key["jaanch-top-flagged"].type == "table"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "wb") as fh:  # the child keeps its own copy of the handle
        return subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)


def _stop(p: subprocess.Popen) -> None:
    p.terminate()
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(timeout=15)


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _until(ready, proc: subprocess.Popen, log: Path, what: str, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what}: process exited with {proc.returncode}\n{_tail(log)}")
        found = ready()
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"{what}: not ready after {seconds:.0f} s\n{_tail(log)}")


def _wait_healthy(api: str, proc: subprocess.Popen, log: Path) -> None:
    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    _until(healthy, proc, log, "prefect server")


def _wait_deployment(proc: subprocess.Popen, log: Path):
    def registered():
        with get_client(sync_client=True) as client:
            try:
                return client.read_deployment_by_name(DEPLOYMENT)
            except ObjectNotFound:
                return None

    return _until(registered, proc, log, "jaanch serve")
