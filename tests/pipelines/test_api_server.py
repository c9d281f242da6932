"""The temporary Prefect server a `jaanch run` launches before its imports: flows run
against it, a configured API wins, a server that fails leaves the run to Prefect's own, and
it does not outlive a run killed with SIGKILL."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from pipelines import api_server

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def prefect_home(tmp_path, monkeypatch):
    """A Prefect home of its own and no API configured, as on a fresh machine."""
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        yield


# a fresh interpreter, as `jaanch run` is: the server must outlast what Prefect sends at exit
RUN_A_FLOW = """
from pipelines import api_server
server = api_server.launch()
from prefect import flow
from prefect.settings import PREFECT_API_URL, get_current_settings

@flow
def seen():
    return PREFECT_API_URL.value(), get_current_settings().flows.heartbeat_frequency

with api_server.serving(server):
    print(server.process.pid, server.log, server.api_url, *seen(), flush=True)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie has exited; only its entry is left
        return fh.read().split(")")[-1].split()[0] != "Z"


def test_a_set_api_url_launches_nothing(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
    assert api_server.launch() is None


def test_a_flow_runs_against_the_launched_server_which_stops_after(prefect_home):
    run = subprocess.run([sys.executable, "-c", RUN_A_FLOW], cwd=REPO, capture_output=True,
                         text=True, timeout=300,
                         env=os.environ | {"PREFECT_LOGGING_LEVEL": "INFO"})
    assert run.returncode == 0, run.stderr[-3000:]
    pid, log, url, seen, heartbeat = run.stdout.split()
    assert seen == url and "Completed" in run.stderr
    assert heartbeat == "None"  # nothing on this server reads them
    assert "Unable to connect" not in run.stderr and "Logging error" not in run.stderr
    assert not _alive(int(pid)) and not Path(log).exists()


def test_a_server_that_exits_leaves_the_run_to_prefects_own(prefect_home, tmp_path, capsys):
    log = tmp_path / "log"
    log.write_text("ERROR: [Errno 98] address already in use\n\n")
    failed = api_server.TemporaryServer(
        subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"]), 1, log)
    assert not failed.ready(timeout_s=30)
    with api_server.serving(failed):
        assert PREFECT_API_URL.value() is None
    assert ("did not start (ERROR: [Errno 98] address already in use; exit code 3)"
            in capsys.readouterr().err)
    assert not log.exists()


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_the_server_dies_with_a_run_killed_by_sigkill(prefect_home):
    parent = subprocess.Popen(
        [sys.executable, "-c", "import time; from pipelines import api_server; "
                               "s = api_server.launch(); print(s.process.pid, s.log, flush=True); "
                               "time.sleep(600)"],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    pid, log = parent.stdout.readline().split()
    server_pid = int(pid)
    assert _alive(server_pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30
    while _alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(server_pid)
    Path(log).unlink()  # a run killed this way leaves its server's log behind
