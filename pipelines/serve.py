"""`jaanch serve`: the nightly flow as a Prefect deployment on a cron schedule.

The process registers the deployment on the Prefect server named by `PREFECT_API_URL`
and then waits for its runs (scheduled or started by hand), running each in a
subprocess, one at a time, since every night writes the same warehouse and folder.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

START_SERVER_HINT = ("PREFECT_API_URL is not set: start a server with `prefect server start` "
                     "and run `export PREFECT_API_URL=http://127.0.0.1:4200/api`")


@dataclass(frozen=True)
class ServeConfig:
    exports: Path
    out: Path
    db: Path | None = None
    cron: str = "0 2 * * *"
    timezone: str = "Asia/Kolkata"
    name: str = "nightly"


class ServeError(Exception):
    """A reason not to start serving; `str()` is one line for the operator."""


def check_schedule(cron: str, timezone: str) -> None:
    """Fail now rather than at two in the morning: Prefect checks the cron string but
    accepts any timezone name."""
    from prefect.schedules import Cron

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ServeError(f"unknown timezone {timezone!r} (use an IANA name such as "
                         f"Asia/Kolkata)") from None
    try:
        Cron(cron, timezone=timezone)
    except ValueError as e:
        raise ServeError(f"bad --cron {cron!r}: {e}") from None


def check_server() -> str:
    """The API URL, once the server there answers."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise ServeError(START_SERVER_HINT)
    with get_client(sync_client=True) as client:
        failure = client.api_healthcheck()
    if failure is not None:
        raise ServeError(f"no Prefect server answers at {url} ({type(failure).__name__}); "
                         f"start one with `prefect server start`")
    return url


def build_deployment(cfg: ServeConfig) -> RunnerDeployment:
    """The deployment: the flow by module path (the project is installed, so the run's
    subprocess imports it from anywhere), absolute paths as its default parameters."""
    from prefect.flows import EntrypointType
    from prefect.schedules import Cron

    from pipelines.flow import nightly

    params = {"exports": str(cfg.exports.resolve()), "out": str(cfg.out.resolve()),
              "db": str(cfg.db.resolve()) if cfg.db else None}
    return nightly.to_deployment(
        cfg.name, schedules=[Cron(cfg.cron, timezone=cfg.timezone)], parameters=params,
        entrypoint_type=EntrypointType.MODULE_PATH, tags=["jaanch"],
        description=f"The nightly job on {params['exports']}, published to {params['out']}.")


def serve(cfg: ServeConfig) -> None:
    """Register the deployment and run its flow runs until interrupted. On shutdown
    Prefect pauses the schedule; serving again resumes it."""
    from prefect import serve as prefect_serve

    prefect_serve(build_deployment(cfg), limit=1)


def serve_cli(cfg: ServeConfig) -> int:
    try:
        check_schedule(cfg.cron, cfg.timezone)
        url = check_server()
    except ServeError as e:
        print(f"jaanch: {e}", file=sys.stderr)
        return 2
    if not cfg.exports.is_dir():
        print(f"jaanch: warning: {cfg.exports} is not a folder yet; each run reads it when "
              f"it starts", file=sys.stderr)
    print(f"jaanch: serving {cfg.name!r} on {url}: cron {cfg.cron!r} in {cfg.timezone}",
          flush=True)
    serve(cfg)
    return 0
