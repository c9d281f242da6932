"""Split one export into nightly deltas, as a growing CoWIN export arrives night by night.

Registrations go to the night of their registered_at; a booking or a dose goes to the
later of its own night (booked_at, dose_date) and its registration's night, since
CoWIN cannot export it before the registration exists. Rows that do not parse (the
generator's bad rows) go to the last night.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import polars as pl

FILES = ("registrations", "appointments", "vaccinations")


def _read(folder: Path, file: str) -> pl.DataFrame:
    return pl.read_csv(folder / f"{file}.csv", infer_schema=False)


def _night_of(times: pl.Expr, cutoffs: list[str]) -> pl.Expr:
    """0 .. len(cutoffs): how many cutoffs lie at or before the time."""
    return pl.sum_horizontal([(times >= c).cast(pl.Int32) for c in cutoffs])


def split_into_nights(exports: Path, out: Path, shares: Sequence[float]) -> list[Path]:
    """Write `out/night_1 .. night_N`, each a delta export folder holding about its share
    of the registrations (in order of registration); returns the folders."""
    regs = _read(exports, "registrations")
    stamp = pl.col("registered_at").str.strip_chars().str.to_datetime(
        "%Y-%m-%d %H:%M:%S", strict=False)
    order = regs.select(stamp.alias("t")).drop_nulls().sort("t")["t"]
    nights, total = len(shares), sum(shares)
    edges = [sum(shares[:k]) / total for k in range(1, nights)]
    cutoffs = [order[min(int(len(order) * e), len(order) - 1)] for e in edges]
    last = nights - 1
    regs = regs.with_columns(_night_of(stamp, cutoffs).alias("_night"))
    regs = regs.with_columns(pl.when(stamp.is_null()).then(last).otherwise(pl.col("_night"))
                             .alias("_night"))
    night_of_reg = regs.select(pl.col("beneficiary_reference_id").str.strip_chars(),
                               pl.col("_night").alias("_reg_night")).unique(
        "beneficiary_reference_id", keep="first")
    frames = {"registrations": regs}
    for file, column, fmt in (("appointments", "booked_at", "%Y-%m-%d %H:%M:%S"),
                              ("vaccinations", "dose_date", "%d-%m-%Y")):
        df = _read(exports, file).with_columns(
            pl.col("beneficiary_reference_id").str.strip_chars().alias("_id"))
        t = pl.col(column).str.strip_chars().str.to_datetime(fmt, strict=False)
        df = df.join(night_of_reg, left_on="_id", right_on="beneficiary_reference_id",
                     how="left")
        own = pl.when(t.is_null()).then(last).otherwise(_night_of(t, cutoffs))
        frames[file] = df.with_columns(
            pl.max_horizontal(own, pl.col("_reg_night").fill_null(last)).alias("_night"))
    folders = []
    for k in range(nights):
        folder = out / f"night_{k + 1}"
        folder.mkdir(parents=True, exist_ok=True)
        for file in FILES:
            df = frames[file]
            keep = [c for c in df.columns if not c.startswith("_")]
            df.filter(pl.col("_night") == k).select(keep).write_csv(folder / f"{file}.csv")
        folders.append(folder)
    return folders
