"""Publish gates: what a night's export must pass before it replaces the last publication.

A bad row is quarantined and the night goes on; a bad *night* (far more rows quarantined
than usual, or far fewer rows than the last published night, as when an export job
stopped half-way) must not replace a good publication. The gates run right after
validation; a night that fails one raises GateError, publishes nothing, and keeps its
run summary in OUT/rejected/run_summary.json beside the untouched publication.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from pipelines.errors import GateError

REJECTED = "rejected"  # OUT/rejected/run_summary.json: the last rejected night's summary


@dataclass(frozen=True)
class PublishGates:
    # the share of a file's rows that may be quarantined
    max_quarantined_share: float = 0.05
    # how far registrations read may fall against the last succeeded night (0.5: by half)
    max_row_drop: float = 0.5

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{f.name} must be between 0 and 1, not {value}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PublishGates:
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown publish gates: {', '.join(sorted(unknown))}")
        return cls(**{k: float(v) for k, v in data.items()})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PublishGates:
        return cls.from_dict(json.loads(text))


def check(summary: dict, previous_counts: dict | None, gates: PublishGates) -> list[str]:
    """The reasons the night must not publish (empty: it may). `summary` is the run summary
    so far (validation counts), `previous_counts` the runs-table counts of the last
    succeeded night (None on the first)."""
    return _quarantined(summary, gates) + _row_drop(summary, previous_counts, gates)


def _quarantined(summary: dict, gates: PublishGates) -> list[str]:
    limit = gates.max_quarantined_share
    reasons = []
    for name, c in summary["validation"]["files"].items():
        if c["read"] and c["quarantined"] / c["read"] > limit:
            reasons.append(f"{name}.csv: {c['quarantined']:,} of {c['read']:,} rows quarantined "
                           f"({c['quarantined'] / c['read']:.1%}), more than the {limit:.1%} "
                           f"allowed (--max-quarantined-share {limit:g})")
    return reasons


def _registrations_read(files: dict | None) -> int | None:
    return ((files or {}).get("registrations") or {}).get("read")


def _row_drop(summary: dict, previous_counts: dict | None, gates: PublishGates) -> list[str]:
    # a delta export holds only the rows new since the last night: few rows is normal,
    # and a delta night is no yardstick for a full snapshot either
    if summary.get("export_kind", "snapshot") == "delta":
        return []
    if (previous_counts or {}).get("export_kind", "snapshot") == "delta":
        return []
    now = _registrations_read(summary["validation"]["files"])
    before = _registrations_read((previous_counts or {}).get("files"))
    if not before or now is None:
        return []
    drop, limit = 1 - now / before, gates.max_row_drop
    if drop <= limit:
        return []
    return [f"registrations.csv: {now:,} rows read against {before:,} on the last published "
            f"night, {drop:.1%} fewer, more than the {limit:.1%} allowed "
            f"(--max-row-drop {limit:g})"]


def enforce(summary: dict, previous_counts: dict | None) -> str:
    """Check the night against `summary["gates"]`; raise GateError with the reasons (also
    kept in `summary["failed_gates"]`) or return a line for the progress output."""
    gates = PublishGates.from_dict(summary["gates"])
    reasons = check(summary, previous_counts, gates)
    summary["failed_gates"] = reasons
    if reasons:
        raise GateError(reasons)
    return (f"passed (at most {gates.max_quarantined_share:.1%} quarantined per file, "
            f"registrations down at most {gates.max_row_drop:.1%})")


def keep_rejected(out: Path, summary: dict) -> Path:
    """Write a night's summary to OUT/rejected/run_summary.json, whole or not at all, and
    leave the published files alone."""
    folder = out / REJECTED
    folder.mkdir(parents=True, exist_ok=True)
    path, tmp = folder / "run_summary.json", folder / ".run_summary.json.tmp"
    tmp.write_text(json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)
    return path


def clear_rejected(out: Path) -> None:
    """A night published: an older rejected night's summary would only mislead."""
    shutil.rmtree(out / REJECTED, ignore_errors=True)
