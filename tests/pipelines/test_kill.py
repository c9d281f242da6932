"""A night killed with SIGKILL, mid-way and while publishing: the warehouse stays usable,
the published folder holds one night's files (the old or the new, never a mix), and the
next run completes and marks the killed runs."""
import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from prefect.settings import PREFECT_API_URL

from pipelines.publish import MARKER, recover
from pipelines.sample_data import generate_sample

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 600  # seconds for a run to reach a stage; generous for a busy machine
STAGE_LINE = re.compile(r"^\[\s*[\d.]+s\] (\w+)", re.MULTILINE)


@pytest.fixture
def env(prefect_server):
    """The CLI runs use the session's Prefect server: each would start its own otherwise."""
    return dict(os.environ, PREFECT_API_URL=PREFECT_API_URL.value())


def published(out: Path) -> dict[str, str]:
    """What a reader of the folder sees: file -> sha256, the warehouse and hidden
    work files (staging, marker) aside."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()
            if p.is_file() and not p.name.startswith((".", "jaanch.duckdb"))}


def statuses(out: Path) -> list[tuple[str, str | None]]:
    """Opens the warehouse as the next run would, and checks it answers."""
    with duckdb.connect(str(out / "jaanch.duckdb")) as con:
        assert con.execute("select count(*) from flagged_clusters").fetchone()[0] > 0
        return con.execute("select status, reason from runs order by started").fetchall()


def kill_when(env: dict, exports: Path, out: Path, log: Path, reached) -> None:
    """Start `jaanch run` and SIGKILL it as soon as `reached()` holds."""
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--exports",
                                 str(exports), "--out", str(out)],
                                env=env, cwd=REPO, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + TIMEOUT
    try:
        while not reached():
            assert proc.poll() is None, f"the run ended ({proc.returncode}) before the kill:\n" \
                                        f"{log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, "the run never reached the stage"
            time.sleep(0.002)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


def in_stage(log: Path, stage: str):
    return lambda: stage in STAGE_LINE.findall(log.read_text())


def staging(out: Path):
    return lambda: any(out.glob(".staging-*"))


def test_killed_nights_leave_one_publication_and_the_next_run_completes(env, tmp_path):
    from pipelines.flow import run_cli

    for seed in (1, 2):
        generate_sample(300, seed, tmp_path / f"night{seed}")
    night1, night2 = tmp_path / "night1" / "exports", tmp_path / "night2" / "exports"
    out = tmp_path / "out"
    assert run_cli(night1, out, None) == 0
    old = published(out)

    # killed mid-way: the warehouse transaction was never committed, nothing moved
    kill_when(env, night2, out, tmp_path / "kill1.log", in_stage(tmp_path / "kill1.log",
                                                                     "link"))
    assert [s for s, _ in statuses(out)] == ["succeeded", "running"]
    assert published(out) == old

    # killed while publishing: staged files exist, the move may or may not have begun
    kill_when(env, night2, out, tmp_path / "kill2.log", staging(out))
    assert [s for s, _ in statuses(out)] == ["succeeded", "killed", "running"]
    if (out / MARKER).exists():  # killed during the moves: the next run's first step
        recover(out)
    after_kill = published(out)

    assert run_cli(night2, out, None) == 0
    new = published(out)
    assert new != old and not list(out.glob(".*"))
    if after_kill != old:  # the killed run had published: all of it, nothing left over
        assert after_kill.keys() == new.keys()
        assert not [f for f in new if new[f] != old.get(f) and after_kill[f] == old.get(f)]
    runs = statuses(out)
    assert [s for s, _ in runs] == ["succeeded", "killed", "killed", "succeeded"]
    assert all("killed" in reason for _, reason in runs[1:3])
