"""`jaanch sample`: synthetic CoWIN-style exports with the ground truth kept beside them.

    out/exports/{registrations,appointments,vaccinations}.csv   what the pipeline reads
    out/truth/registrations.csv   beneficiary_reference_id -> person_id (every good row)
    out/truth/fraud.csv           person_id, fraud_kind (one row per person per kind)
    out/truth/identifiers.csv     identifier_kind, identifier (full value), fraud_kind
    out/truth/bad_rows.csv        source_file, row_number, record_id, kind (when --bad-rows)

The truth is exactly what was generated; nothing in exports/ points at it. The same seed
gives byte-identical files. How people, registrations and frauds are drawn is in
`pipelines/synth/` (one module per stage) and its knobs in `pipelines/synth/config.py`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.synth import bad_rows as bad
from pipelines.synth import bookings, exports, frauds, idgen
from pipelines.synth.arrays import NumberPool
from pipelines.synth.config import DAY, FRAUD_KINDS, SynthConfig, for_profile, spawn
from pipelines.synth.people import make_persons
from pipelines.synth.registrations import finalise, make_registrations
from pipelines.synth.roles import assign_roles

EXPORT_FILES = ("registrations.csv", "appointments.csv", "vaccinations.csv")


@dataclass(frozen=True)
class SampleStats:
    out: Path
    persons: int
    registrations: int
    appointments: int
    vaccinations: int
    repeat_persons: int
    fraud_persons: dict[str, int] = field(default_factory=dict)
    bad_rows: int = 0
    exact_repeats: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        frauds_ = ", ".join(f"{k} {v}" for k, v in self.fraud_persons.items())
        lines = [
            f"wrote {self.out / 'exports'} and {self.out / 'truth'} in {self.seconds:.1f}s",
            f"  persons {self.persons:,}  registrations {self.registrations:,}  "
            f"appointments {self.appointments:,}  vaccinations {self.vaccinations:,}",
            f"  registered more than once: {self.repeat_persons:,} persons",
            f"  fraud (persons): {frauds_}",
        ]
        if self.bad_rows or self.exact_repeats:
            lines.append(f"  malformed rows added: {self.bad_rows}  "
                         f"exact re-exported rows: {self.exact_repeats}")
        return "\n".join(lines)


def _first_event(n_regs: int, appts: dict, doses: dict) -> np.ndarray:
    """Earliest booking or dose per registration (seconds), far future when none."""
    first = np.full(n_regs, np.iinfo(np.int64).max // 2, dtype=np.int64)
    np.minimum.at(first, appts["reg"], appts["booked_at"])
    np.minimum.at(first, doses["reg"], doses["day"] * DAY + 9 * 3600)
    return first


def generate_sample(persons: int, seed: int, out: Path, bad_rows: int = 0,
                    profile: str = "default", config: SynthConfig | None = None) -> SampleStats:
    """Write synthetic exports and their truth under `out`; see the module docstring.
    `config` replaces the profile's settings outright (tests tune single knobs with it)."""
    if persons < 1:
        raise ValueError("persons must be at least 1")
    started = time.perf_counter()
    cfg = config or for_profile(profile)
    r = spawn(seed, 9)
    mobiles = NumberPool(idgen.mobiles(r[0], persons + 64))
    people = make_persons(persons, cfg, r[1], mobiles)
    roles = assign_roles(people, cfg, r[2])
    regs, tout_mobiles = make_registrations(people, roles, cfg, r[3], mobiles)
    ledger = bookings.Ledger(r[4])
    bookings.honest(ledger, people, roles, regs, cfg, r[4])
    frauds.all_frauds(ledger, people, roles, regs, r[5])
    appts, doses = ledger.appointments(), ledger.doses()
    order = finalise(regs, _first_event(len(regs), appts, doses), r[6], mobiles, tout_mobiles)

    tables = {
        "registrations.csv": exports.registrations_table(regs, order, r[7], cfg.stray_format),
        "appointments.csv": exports.appointments_table(appts, regs.ref_id, r[7], cfg.stray_format),
        "vaccinations.csv": exports.vaccinations_table(doses, regs.ref_id, r[7], cfg.stray_format),
    }
    injected = bad.inject(tables, bad_rows, r[8]) if bad_rows else None
    exports_dir, truth_dir = out / "exports", out / "truth"
    exports_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    for name in EXPORT_FILES:
        _write(tables[name], exports_dir / name, injected.raw_lines.get(name) if injected else None)
    exports.truth_registrations(regs, order).write_csv(truth_dir / "registrations.csv")
    exports.truth_fraud(roles).write_csv(truth_dir / "fraud.csv")
    exports.truth_identifiers(regs, roles, tout_mobiles).write_csv(truth_dir / "identifiers.csv")
    bad_truth = truth_dir / "bad_rows.csv"
    if injected:
        injected.truth.write_csv(bad_truth)
    elif bad_truth.exists():
        bad_truth.unlink()  # a rerun without bad rows must not keep an old list

    fraud_counts = np.bincount(roles.fraud[roles.fraud >= 0], minlength=len(FRAUD_KINDS))
    return SampleStats(
        out=out, persons=persons, registrations=len(regs), appointments=len(appts["reg"]),
        vaccinations=len(doses["reg"]), repeat_persons=int((roles.n_regs > 1).sum()),
        fraud_persons={k: int(c) for k, c in zip(FRAUD_KINDS, fraud_counts)},
        bad_rows=injected.n_bad if injected else 0,
        exact_repeats=injected.n_repeats if injected else 0,
        seconds=time.perf_counter() - started)


def _write(df: pl.DataFrame, path: Path, raw_lines: dict[int, str] | None) -> None:
    """CSV with polars; lines that must break the format are swapped in afterwards."""
    if not raw_lines:
        df.write_csv(path)
        return
    lines = df.write_csv().split("\n")
    for row_number, text in raw_lines.items():
        lines[row_number] = text  # line 0 is the header, so data row k is line k
    path.write_text("\n".join(lines), encoding="utf-8")
