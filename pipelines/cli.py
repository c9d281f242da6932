"""The `jaanch` command: wiring only; each subcommand calls into a module that does the work."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path


def _sample(args: argparse.Namespace) -> int:
    from pipelines.sample_data import generate_sample

    stats = generate_sample(args.persons, args.seed, Path(args.out), bad_rows=args.bad_rows,
                            profile=args.profile)
    print(stats.summary())
    return 0


def _quiet_prefect() -> None:
    """jaanch prints its own progress and one line for a bad export; Prefect's run chatter
    (a traceback for a bad file), GX's notices and the temporary server's telemetry (no
    network here) would bury them. Explicit settings still win; a failure that is not a
    bad export still ends in Python's traceback."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _run(args: argparse.Namespace) -> int:
    _quiet_prefect()
    from pipelines.flow import run_cli

    # GX sets this one logger to INFO itself, for a notice about a temporary folder
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)

    return run_cli(Path(args.exports), Path(args.out), Path(args.db) if args.db else None)


def _evaluate(args: argparse.Namespace) -> int:
    from pipelines.evaluate import evaluate_cli

    return evaluate_cli(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jaanch",
        description="Find people registered more than once in vaccination exports, run fraud "
                    "rules over each person, and publish flagged clusters with evidence.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("sample", help="write synthetic exports with ground truth",
                       description="Write the three export CSVs to OUT/exports and the ground "
                                   "truth (registration -> person, fraud by person) to OUT/truth.")
    s.add_argument("--persons", type=int, default=2000, help="number of people (default 2000)")
    s.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    s.add_argument("--out", required=True, help="folder to write exports/ and truth/ into")
    s.add_argument("--bad-rows", type=int, default=0,
                   help="add this many malformed rows of every kind validation handles")
    s.add_argument("--profile", choices=("default", "hard"), default="default",
                   help="'hard': 90%% of repeat registrations change photo ID type and mobile")
    s.set_defaults(func=_sample)

    r = sub.add_parser("run", help="run the nightly job on an export folder",
                       description="Ingest, validate, link, run the fraud rules and publish "
                                   "the outputs of the data contract to --out.")
    r.add_argument("--exports", required=True,
                   help="folder holding registrations.csv, appointments.csv, vaccinations.csv")
    r.add_argument("--out", required=True, help="folder to publish into (replaced atomically)")
    r.add_argument("--db", help="DuckDB warehouse file (default: OUT/jaanch.duckdb)")
    r.set_defaults(func=_run)

    e = sub.add_parser("evaluate", help="score published clusters against ground truth",
                       description="Pairwise precision, recall and F1 of cluster_members.csv "
                                   "against the truth, and the share of fraudulent people "
                                   "caught together in a flagged cluster.")
    e.add_argument("--out", required=True, help="a published folder (from jaanch run)")
    e.add_argument("--truth", required=True, help="the truth folder written by jaanch sample")
    e.set_defaults(func=_evaluate)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
