"""Time the validation of one export folder, as the nightly flow runs it.

usage: python benchmarks/validation.py --exports DIR [--repeat 3]

Each repeat ingests the folder into an in-memory warehouse and times the validation
alone (Great Expectations' suites and the quarantine); prints the seconds of each and
their median, with the counts of the registrations file.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import duckdb

from pipelines.ingest import ingest
from pipelines.validate import validate


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--exports", required=True, type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    con = duckdb.connect()
    seconds = []
    for _ in range(args.repeat):
        ingest(con, args.exports)
        started = time.perf_counter()
        report = validate(con, secret="0" * 64)
        seconds.append(time.perf_counter() - started)
        print(f"validate {seconds[-1]:6.2f} s   registrations: "
              f"{report.to_dict()['files']['registrations']}", flush=True)
    print(f"median {statistics.median(seconds):.2f} s of {args.repeat}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
