"""A temporary Prefect API server for one command, started before jaanch's own imports.

With no API configured, Prefect starts a temporary server itself, but only when the first
flow runs: after jaanch's imports (about 7 s), and after importing its own server code into
this process (about 5 s) only to launch it. Launching the same server first, in a process
of its own, lets it start up while jaanch imports. Any API the user configured wins, and a
server that does not come up leaves the run to Prefect's own, as before."""
from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# as Prefect runs its temporary server: the API only, no UI, no background services
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
              "PREFECT__SERVER_FINAL": "1"}
TIMEOUT_SETTING = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"  # Prefect's own, reused


@dataclass
class TemporaryServer:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def ready(self, timeout_s: float | None = None) -> bool:
        """Waits until the server answers its health check; False if it exited or never
        answered in time (by default Prefect's own start-up timeout, or 120 s)."""
        if timeout_s is None:
            timeout_s = float(os.environ.get(TIMEOUT_SETTING) or 120)
        deadline = time.monotonic() + timeout_s
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(OSError):
                with direct.open(f"{self.api_url}/health", timeout=2) as r:
                    if r.status == 200:
                        return True
            time.sleep(0.1)
        return False

    def failure(self) -> str:
        """Why the server is not answering, in one line."""
        code = self.process.poll()
        said = self.log.read_text(errors="replace").split("\n") if self.log.exists() else []
        last = next((line for line in reversed(said) if line.strip()), "no output")
        return f"{last}; " + (f"exit code {code}" if code is not None else "no answer in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.unlink(missing_ok=True)


def launch() -> TemporaryServer | None:
    """Starts the server unless `PREFECT_API_URL` is set; does not wait for it."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    port = _free_port()
    fd, log = tempfile.mkstemp(prefix="jaanch-prefect-", suffix=".log")
    with os.fdopen(fd, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "error", "--lifespan", "on"],
            env=os.environ | SERVER_ENV, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    return TemporaryServer(process, port, Path(log))


@contextlib.contextmanager
def serving(server: TemporaryServer | None) -> Iterator[None]:
    """Points Prefect at the launched server while the block runs. The server stops when
    the process exits, after Prefect has sent what it queued for it."""
    from prefect.settings import (PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
                                  temporary_settings)

    if server is None:
        yield
        return
    atexit.register(server.stop)  # before Prefect's own handlers, so it runs after them
    if not _usable(server):
        server.stop()
        yield  # the user's API, or Prefect's own server
        return
    # heartbeats let a server's services mark a run that died as crashed; this server runs
    # none and dies with the run, and the heartbeat's last sleep holds the run's end
    with temporary_settings({PREFECT_API_URL: server.api_url,
                             PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def _usable(server: TemporaryServer) -> bool:
    """False when the user configured an API (a profile may name one), or when the server
    did not start, which is said on stderr."""
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        return False
    if server.ready():
        return True
    print(f"jaanch: the temporary Prefect server did not start ({server.failure()}); "
          f"Prefect starts its own", file=sys.stderr)
    return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """A run killed with SIGKILL cannot stop its server; the kernel does it instead."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
