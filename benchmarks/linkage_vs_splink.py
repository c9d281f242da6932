"""Generate N persons, then run jaanch and the Splink baseline on the same exports, in one run.

usage: python benchmarks/linkage_vs_splink.py --persons 20000 --seed 11 [--profile hard]
           [--baseline ../shared/anchors/splink_baseline.py] [--work /tmp/bench] [--skip-splink]

Prints, for each: pairwise precision, recall, F1, wall time and peak memory (the largest
resident set, in GiB), and the ratios. jaanch is timed as a whole `jaanch run` (every
stage); the baseline's time is its linkage alone. The baseline needs the optional extra:
pip install -e '.[splink]'.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_BASELINE = HERE.parent.parent / "shared" / "anchors" / "splink_baseline.py"


def measured(cmd: list[str], log: Path) -> tuple[float, float, int]:
    """Run cmd in a child of a fresh process, so its peak memory is its own."""
    probe = ("import resource, subprocess, sys, time, json\n"
             "t = time.perf_counter()\n"
             f"rc = subprocess.call({cmd!r}, stdout=open({str(log)!r}, 'w'), "
             "stderr=subprocess.STDOUT)\n"
             "print(json.dumps([time.perf_counter() - t, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc]))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    wall, rss_kb, rc = json.loads(out.strip().splitlines()[-1])
    return wall, rss_kb / 1024 / 1024, rc


def jaanch(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", *args]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--persons", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--profile", choices=("default", "hard"), default="default")
    ap.add_argument("--baseline", default=str(DEFAULT_BASELINE))
    ap.add_argument("--work", default="/tmp/jaanch-bench")
    ap.add_argument("--skip-splink", action="store_true")
    args = ap.parse_args()
    work = Path(args.work) / f"{args.profile}-{args.persons}-{args.seed}"
    data = work / "data"
    if not (data / "exports" / "registrations.csv").exists():
        subprocess.run(jaanch("sample", "--persons", str(args.persons), "--seed", str(args.seed),
                              "--profile", args.profile, "--out", str(data)), check=True)
    from pipelines.evaluate import evaluate

    results = {}
    runs = {"jaanch": jaanch("run", "--exports", str(data / "exports"),
                             "--out", str(work / "jaanch"))}
    if not args.skip_splink:
        runs["splink"] = [sys.executable, args.baseline, "--exports", str(data / "exports"),
                          "--out", str(work / "splink"), "--extra-thresholds", ""]
    for name, cmd in runs.items():
        # a warehouse left by an earlier run would let jaanch reuse its comparisons
        shutil.rmtree(work / name, ignore_errors=True)
        wall, peak_gb, rc = measured(cmd, work / f"{name}.log")
        if rc != 0:
            print(f"{name} failed (exit {rc}); see {work / f'{name}.log'}")
            return 1
        acc = evaluate(work / name, data / "truth")["pairwise"]
        results[name] = {**acc, "wall_s": round(wall, 1), "peak_gb": round(peak_gb, 2)}
        print(f"{name:<7} precision {acc['precision']:.4f}  recall {acc['recall']:.4f}  "
              f"F1 {acc['f1']:.4f}  wall {wall:7.1f} s  peak {peak_gb:5.2f} GiB", flush=True)
    if "splink" in results:
        j, s = results["jaanch"], results["splink"]
        print(f"ratios  F1 {j['f1'] - s['f1']:+.4f}  precision {j['precision'] - s['precision']:+.4f}"
              f"  time x{s['wall_s'] / j['wall_s']:.2f} faster  memory x{j['peak_gb'] / s['peak_gb']:.2f}")
    (work / "results.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
