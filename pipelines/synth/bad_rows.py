"""Malformed rows of every kind validation must catch, and a few whole-row re-exports.

Each bad row starts as a copy of a random good row of the same file (so it looks like
real data) and breaks exactly one thing. Rows are slipped in at random places; the
truth records where (`row_number`: 1 = first data row under the header) and what kind.
A line with the wrong number of fields cannot live in a table, so it is returned as raw
text to swap in when the CSV is written. Re-exported registration rows (exact repeats
of a whole row) are not errors; they are listed with kind `exact_repeat`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.synth import idgen

REG, APPT, VACC = "registrations.csv", "appointments.csv", "vaccinations.csv"
KINDS: tuple[tuple[str, str], ...] = (
    (REG, "missing_id"), (REG, "short_id"), (REG, "non_numeric_id"), (REG, "duplicate_id"),
    (REG, "unknown_gender"), (REG, "birth_year_out_of_range"), (REG, "birth_year_not_a_number"),
    (REG, "bad_mobile"), (REG, "unknown_photo_id_type"), (REG, "aadhaar_checksum"),
    (REG, "bad_pan"), (REG, "bad_voter_id"), (REG, "bad_pincode"), (REG, "bad_registered_at"),
    (REG, "empty_name"), (REG, "wrong_field_count"),
    (APPT, "orphan_beneficiary"), (APPT, "bad_date"), (APPT, "dose_out_of_range"),
    (APPT, "unknown_vaccine"), (APPT, "unknown_status"), (APPT, "non_integer_center_id"),
    (APPT, "duplicate_appointment_id"), (APPT, "bad_booked_at"),
    (VACC, "orphan_beneficiary"), (VACC, "bad_date"), (VACC, "dose_out_of_range"),
    (VACC, "unknown_vaccine"), (VACC, "non_integer_center_id"),
    (VACC, "duplicate_certificate_id"),
)
EXACT_REPEAT = "exact_repeat"
_ID_COLUMN = {REG: "beneficiary_reference_id", APPT: "appointment_id", VACC: "certificate_id"}
# one broken value per kind, picked at random from these
_VALUES = {
    "unknown_gender": ("X", "U", "Unknown", "-"),
    "birth_year_out_of_range": ("1885", "1899", "2022", "2031", "2105"),
    "birth_year_not_a_number": ("19S2", "abc", "1985.5", "nineteen"),
    "bad_mobile": ("98765432", "5876543210", "98765abcde", "0000000000", "987654321"),
    "unknown_photo_id_type": ("Student ID", "Bank Passbook", "Employee ID", "Birth Certificate"),
    "bad_pan": ("ABCDE12345", "ABC1234567", "AB1CD2345E", "ABCDP1234"),
    "bad_voter_id": ("AB12345678", "ABCD123456", "ABC123456", "1234567ABC"),
    "bad_pincode": ("2010", "20100A", "1234567", "PIN201"),
    "bad_registered_at": ("2021-13-05 10:00:00", "31/05/2021 10:22:11", "2021-02-30 09:00:00",
                          "yesterday"),
    "empty_name": ("", "   "),
    "bad_date": ("31-02-2021", "2021-05-12", "12/05/2021", "32-01-2021"),
    "dose_out_of_range": ("0", "4", "5", "-1"),
    "unknown_vaccine": ("PFIZER", "MODERNA", "COVIDSHIELD X"),
    "unknown_status": ("Pending", "Rescheduled", "Done"),
    "non_integer_center_id": ("C-12345", "12.5", "abc", "5500O1"),
    "bad_booked_at": ("2021-06-31 10:00:00", "10/06/2021 09:00", "not booked"),
}
_FIELD = {"unknown_gender": "gender", "birth_year_out_of_range": "birth_year",
          "birth_year_not_a_number": "birth_year", "bad_mobile": "mobile_number",
          "unknown_photo_id_type": "photo_id_type", "bad_pincode": "pincode",
          "bad_registered_at": "registered_at", "empty_name": "name", "bad_booked_at": "booked_at",
          "dose_out_of_range": "dose", "unknown_vaccine": "vaccine", "unknown_status": "status",
          "non_integer_center_id": "center_id"}


@dataclass(frozen=True)
class Injected:
    truth: pl.DataFrame  # source_file, row_number, record_id, kind
    raw_lines: dict[str, dict[int, str]]  # file -> {row_number: raw CSV line}
    n_bad: int
    n_repeats: int


class _Breaker:
    """Turns a copy of a good row into a bad one of a given kind."""

    def __init__(self, tables: dict[str, pl.DataFrame], rng: np.random.Generator) -> None:
        self.tables, self.rng = tables, rng
        top = int(tables[REG]["beneficiary_reference_id"].cast(pl.Int64).max() or 12 * 10 ** 12)
        self._fresh = iter(range(top + 1_000_003, top + 10 ** 12, 7919))  # ids nobody holds

    def fresh_id(self) -> str:
        return str(next(self._fresh))

    def row(self, file: str) -> dict[str, str]:
        return self.row_at(file)[1]

    def row_at(self, file: str) -> tuple[int, dict[str, str]]:
        df = self.tables[file]
        i = int(self.rng.integers(len(df)))
        return i, df.row(i, named=True)

    def choice(self, values) -> str:
        return values[int(self.rng.integers(len(values)))]

    def make(self, file: str, kind: str) -> tuple[dict[str, str], float]:
        """A bad row, and the earliest place it may go (a re-sent id comes after the first)."""
        row, after = self.row(file), 0.0
        key = _ID_COLUMN[file]
        if file == REG:
            row[key] = self.fresh_id()
        else:
            row[key] = idgen.uuids(self.rng, 1)[0] if file == APPT else self.fresh_id()
        if kind in _FIELD:
            row[_FIELD[kind]] = self.choice(_VALUES[kind])
        elif kind == "missing_id":
            row[key] = ""
        elif kind == "short_id":
            row[key] = row[key][:13]
        elif kind == "non_numeric_id":
            i = int(self.rng.integers(2, 13))
            row[key] = row[key][:i] + self.choice("OISB") + row[key][i + 1:]
        elif kind in ("duplicate_id", "duplicate_appointment_id", "duplicate_certificate_id"):
            i, other = self.row_at(file)
            row[key], after = other[key], i + 0.5  # someone else's id on this row's content
        elif kind == "aadhaar_checksum":
            good = idgen.aadhaar(idgen.unique_ints(self.rng, 0, idgen.ID_SPACE[0], 1))[0]
            row["photo_id_type"] = "Aadhaar Card"
            row["photo_id_number"] = good[:11] + str((int(good[11]) + 1 + int(
                self.rng.integers(9))) % 10)
        elif kind in ("bad_pan", "bad_voter_id"):
            row["photo_id_type"] = "PAN Card" if kind == "bad_pan" else "Voter ID"
            row["photo_id_number"] = self.choice(_VALUES[kind])
        elif kind == "orphan_beneficiary":
            row["beneficiary_reference_id"] = self.fresh_id()
        elif kind == "bad_date":
            row["date" if file == APPT else "dose_date"] = self.choice(_VALUES[kind])
        elif kind != "wrong_field_count":
            raise ValueError(f"no breaker for {kind}")
        return row, after

    def raw_line(self, row: dict[str, str]) -> str:
        values = list(row.values())
        if self.rng.random() < 0.5:
            values.pop(int(self.rng.integers(1, len(values))))
        else:
            values.append(self.choice(("extra", "", "NA")))
        return ",".join(values)


def inject(tables: dict[str, pl.DataFrame], n_bad: int, rng: np.random.Generator) -> Injected:
    """Add `n_bad` malformed rows spread over all kinds (round robin, so every kind shows up
    once n_bad >= len(KINDS)), plus about one exact re-export per ten bad rows."""
    breaker = _Breaker(tables, rng)
    usable = [(f, k) for f, k in KINDS if len(tables[f])]
    new: dict[str, list[tuple[dict, str, str | None, float]]] = {f: [] for f in tables}
    for i in range(n_bad if usable else 0):
        file, kind = usable[i % len(usable)]
        row, after = breaker.make(file, kind)
        raw = breaker.raw_line(row) if kind == "wrong_field_count" else None
        new[file].append((row, kind, raw, after))
    n_repeats = max(1, n_bad // 10) if len(tables[REG]) else 0
    for _ in range(n_repeats):
        i, row = breaker.row_at(REG)
        new[REG].append((row, EXACT_REPEAT, None, i + 0.5))

    truth_parts, raw_lines = [], {}
    for file, rows in new.items():
        if not rows:
            continue
        tables[file], numbers = _slip_in(tables[file], [r[0] for r in rows],
                                         np.array([r[3] for r in rows]), rng)
        raw_lines[file] = {int(n): r[2] for n, r in zip(numbers, rows) if r[2]}
        truth_parts.append(pl.DataFrame({
            "source_file": [file] * len(rows), "row_number": numbers,
            "record_id": [r[0][_ID_COLUMN[file]] for r in rows],
            "kind": [r[1] for r in rows]}, schema={"source_file": pl.Utf8,
                                                      "row_number": pl.Int64,
                                                      "record_id": pl.Utf8, "kind": pl.Utf8}))
    truth = pl.concat(truth_parts).sort("source_file", "row_number")
    return Injected(truth, raw_lines, n_bad if usable else 0, n_repeats)


def _slip_in(df: pl.DataFrame, rows: list[dict], after: np.ndarray, rng: np.random.Generator
             ) -> tuple[pl.DataFrame, np.ndarray]:
    """Insert rows at random places past `after` (an index into df); returns the new table
    and the inserted rows' 1-based row numbers."""
    extra = pl.DataFrame(rows, schema=df.schema)
    place = after + rng.random(len(rows)) * (len(df) - after)
    key = np.concatenate([np.arange(len(df), dtype=float), place])
    order = np.argsort(key, kind="stable")
    position = np.empty(len(key), dtype=np.int64)
    position[order] = np.arange(len(key))
    return pl.concat([df, extra]).gather(order), position[len(df):] + 1
