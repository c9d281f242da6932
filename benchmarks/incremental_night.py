"""A night that adds a small share of new registrations, against a full run, in one run.

usage: python benchmarks/incremental_night.py --persons 1000000 --seed 15 [--share 0.01]
           [--repeat 3] [--work /tmp/bench-nights]

Generates N persons, splits the export into a first night (all but the last `share` of
registrations, by registration time) and a second night (the rest, a delta), then times,
under one Prefect server so its start-up is not counted:
  1. a full run over all the data, in a fresh warehouse (it fits its model), `--repeat`
     times;
  2. the first night, in another warehouse (it fits its model);
  3. the second night on top of a copy of it (it scores with the first night's model),
     `--repeat` times;
  4. a full run over all the data with the model of (2) and (3), untimed.
Prints the wall time and the per-stage timings of each, the ratio of (3) to (1), whether
(3) published the same clusters as (4), and how many clusters (3) and (1) differ in.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import time
from pathlib import Path


def partition(out: Path) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    with open(out / "cluster_members.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            groups.setdefault(row["cluster_id"], set()).add(row["beneficiary_reference_id"])
    return {frozenset(g) for g in groups.values()}


def timed(nightly, exports: Path, out: Path) -> tuple[float, dict]:
    # real nights are a day apart, so the last run's writes are on disk before the next
    # starts; flushing them first keeps the kernel's write-back out of the timing
    os.sync()
    started = time.perf_counter()
    summary = nightly(str(exports), str(out))
    return time.perf_counter() - started, summary


def show(label: str, seconds: float, summary: dict) -> None:
    stages = ", ".join(f"{k} {v:.1f}" for k, v in summary["timings"].items())
    link = summary["linkage"]
    print(f"{label:<22} {seconds:7.1f} s   compared {link['compared_pairs']:,} of "
          f"{link['candidate_pairs']:,} candidate pairs\n{'':<25}{stages}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--share", type=float, default=0.01, help="share of the second night")
    ap.add_argument("--repeat", type=int, default=1,
                    help="time the full run and the second night this many times each "
                         "(medians reported)")
    ap.add_argument("--work", default="/tmp/bench-nights")
    args = ap.parse_args()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    from pipelines.flow import nightly
    from pipelines.sample_data import generate_sample
    from pipelines.synth.nights import split_into_nights

    work = Path(args.work)
    data = work / f"data-{args.persons}-{args.seed}"
    if not (data / "exports" / "registrations.csv").exists():
        generate_sample(args.persons, args.seed, data)
    nights = split_into_nights(data / "exports", work / "nights", [1 - args.share, args.share])
    with prefect_test_harness(server_startup_timeout=300):
        fulls = []
        for _ in range(args.repeat):
            shutil.rmtree(work / "full", ignore_errors=True)
            full_s, full = timed(nightly, data / "exports", work / "full")
            show("full run", full_s, full)
            fulls.append(full_s)
        full_s = statistics.median(fulls)
        shutil.rmtree(work / "first", ignore_errors=True)
        first_s, first = timed(nightly, nights[0], work / "first")
        show("first night", first_s, first)
        second = []
        for _ in range(args.repeat):  # each time on a copy of the first night's warehouse
            shutil.rmtree(work / "inc", ignore_errors=True)
            shutil.copytree(work / "first", work / "inc")
            s, summary = timed(nightly, nights[1], work / "inc")
            show(f"second night (+{summary['merge']['new']:,})", s, summary)
            second.append(s)
        shutil.rmtree(work / "same-model", ignore_errors=True)
        nightly(str(data / "exports"), str(work / "same-model"),
                model_from=str(work / "inc" / "jaanch.duckdb"))
    night = statistics.median(second)
    inc, full = partition(work / "inc"), partition(work / "full")
    same = inc == partition(work / "same-model")
    print(f"\nsecond night / full run: {night / full_s:.3f} (median {night:.1f} s / {full_s:.1f} s)"
          f"\nsame clusters as a full run with the night's model: {'yes' if same else 'NO'}"
          f"\nagainst the full run that fitted its own model: {len(inc - full):,} of the night's "
          f"{len(inc):,} clusters are not among its {len(full):,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
