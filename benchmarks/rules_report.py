"""Time the rules, risk score, members, evidence and report on a warehouse of `jaanch run`.

usage: python benchmarks/rules_report.py --db OUT/jaanch.duckdb [--repeat 3]

The warehouse's input tables (registrations, appointments, vaccinations, clusters,
pair_scores) are copied into memory once; each repeat then runs the stages as the nightly
flow does and prints the seconds of each, and the median of the totals.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from linkage.settings import LinkageSettings
from pipelines import tables
from pipelines.outputs import build_tables
from pipelines.report import write_report
from rules.engine import load_rules, run_rules
from rules.risk import score

INPUTS = (tables.REGISTRATIONS, tables.APPOINTMENTS, tables.VACCINATIONS, tables.CLUSTERS,
          tables.PAIR_SCORES)


def once(con: duckdb.DuckDBPyConnection, summary: dict) -> dict[str, float]:
    steps = {}
    t = time.perf_counter()
    run_rules(con, load_rules())
    steps["rules"] = time.perf_counter() - t
    t = time.perf_counter()
    score(con)
    steps["risk"] = time.perf_counter() - t
    t = time.perf_counter()
    build_tables(con, LinkageSettings())  # cluster members and evidence, as the flow does
    steps["members and evidence"] = time.perf_counter() - t
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_report(con, Path(tmp) / "report.html", summary)
    steps["report"] = time.perf_counter() - t
    return steps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, help="a warehouse written by jaanch run")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    con = duckdb.connect()
    con.execute(f"attach '{args.db}' as night (read_only)")
    for name in INPUTS:
        con.execute(f"create table {name} as select * from night.{name}")
    n = con.execute(f"select count(*) from {tables.REGISTRATIONS}").fetchall()[0][0]
    print(f"{n:,} registrations")
    totals = []
    for i in range(args.repeat):
        steps = once(con, {"registrations": n})
        totals.append(sum(steps.values()))
        print(f"run {i + 1}: " + "  ".join(f"{k} {v:.1f} s" for k, v in steps.items())
              + f"  total {totals[-1]:.1f} s")
    print(f"median total {statistics.median(totals):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
