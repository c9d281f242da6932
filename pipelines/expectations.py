"""The data contract as Great Expectations suites, one per input file, and their runner.

Each `Check` names a column of the cleaned frame (trimmed, canonical case, built in
DuckDB by pipelines/validate.py), a GX expectation and the reason an official reads when
a row fails it. Reasons may show the row's trimmed input value as `{raw}` and the
cleaned value as `{value}`; the mobile and photo ID checks never do.

Three expectations are custom because the built-in ones are slow or do not exist:
`expect_column_values_to_fully_match` (RE2 full match on Arrow strings, vectorised;
the built-in regex one runs Python's re value by value),
`expect_column_values_to_be_real_datetimes` (exact fixed-width format and a real date:
30-02-2021, 1-2-2021 and 24:00:00 fail) and `expect_column_values_to_be_valid_aadhaar`
(12 digits and the Verhoeff check digit, as the contract asks, vectorised in numpy).

Speed: GX's pandas engine copies the batch frame for every expectation and fingerprints
every batch by hashing all its cells. So each column is validated as its own one-column
batch, the fingerprint (a batch marker nothing here reads) is switched off, and columns
with few distinct values arrive as categoricals, checked once per distinct value.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # a nightly job sends no usage data
import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.execution_engine import PandasExecutionEngine  # noqa: E402
from great_expectations.execution_engine import pandas_execution_engine as _gx_pandas  # noqa: E402
from great_expectations.expectations.expectation import ColumnMapExpectation  # noqa: E402
from great_expectations.expectations.metrics.map_metric_provider import (  # noqa: E402
    ColumnMapMetricProvider,
    column_condition_partial,
)

from linkage import identifiers  # noqa: E402
from pipelines.ingest import REQUIRED_COLUMNS  # noqa: E402

_gx_pandas.HASH_THRESHOLD = 0  # skip the per-batch fingerprint (hashes every cell)


# -- custom expectations --------------------------------------------------------------
class ColumnValuesFullyMatch(ColumnMapMetricProvider):
    condition_metric_name = "column_values.jaanch_fully_match"
    condition_value_keys = ("pattern",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, pattern, **kwargs):
        return column.str.fullmatch(pattern).astype(bool)


class ExpectColumnValuesToFullyMatch(ColumnMapExpectation):
    """Every non-null value matches `pattern` from start to end."""

    pattern: str
    map_metric = "column_values.jaanch_fully_match"
    success_keys = ("pattern", "mostly")
    args_keys = ("column", "pattern")


_FIELDS = {"Y": (4, pc.year), "m": (2, pc.month), "d": (2, pc.day),
           "H": (2, pc.hour), "M": (2, pc.minute), "S": (2, pc.second)}


def _per_value(check):
    """Run a vectorised check once per category when the column is categorical."""
    @functools.wraps(check)
    def run(values: pd.Series, *args) -> np.ndarray:
        if not isinstance(values.dtype, pd.CategoricalDtype):
            return check(values, *args)
        ok = check(pd.Series(values.cat.categories), *args)
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, ok[codes], False)
    return run


@_per_value
def real_datetimes(values: pd.Series, strftime_format: str) -> np.ndarray:
    """Values written exactly as a fixed-width format (%Y %m %d %H %M %S) that are real.

    Arrow parses fast but rolls impossible values over (30-02 becomes 02-03), so every
    field of the parsed value must equal the digits written in its place.
    """
    parts = re.split(r"%(.)", strftime_format)  # literal, directive, literal, ...
    shape = "".join(re.escape(p) if i % 2 == 0 else f"[0-9]{{{_FIELDS[p][0]}}}"
                    for i, p in enumerate(parts))
    shaped = values.str.fullmatch(shape).to_numpy(dtype=bool, na_value=False)
    text = pa.array(values[shaped], type=pa.string())
    parsed = pc.strptime(text, format=strftime_format, unit="s", error_is_null=True)
    ok, at = pc.is_valid(parsed), 0
    for i, part in enumerate(parts):
        if i % 2 == 0:
            at += len(part)
            continue
        width, field_of = _FIELDS[part]
        written = pc.cast(pc.utf8_slice_codeunits(text, at, at + width), pa.int64())
        ok = pc.and_(ok, pc.fill_null(pc.equal(field_of(parsed), written), False))
        at += width
    shaped[shaped] = ok.to_numpy(zero_copy_only=False)
    return shaped


class ColumnValuesRealDatetimes(ColumnMapMetricProvider):
    condition_metric_name = "column_values.jaanch_real_datetimes"
    condition_value_keys = ("strftime_format",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, strftime_format, **kwargs):
        return pd.Series(real_datetimes(column, strftime_format), index=column.index)


class ExpectColumnValuesToBeRealDatetimes(ColumnMapExpectation):
    """Every non-null value is a real date/time written exactly as `strftime_format`."""

    strftime_format: str
    map_metric = "column_values.jaanch_real_datetimes"
    success_keys = ("strftime_format", "mostly")
    args_keys = ("column", "strftime_format")


@_per_value
def aadhaar_valid(values: pd.Series) -> np.ndarray:
    """Vectorised identifiers.aadhaar_valid: 12 digits, Verhoeff check digit."""
    ok = values.str.fullmatch(identifiers.AADHAAR_SHAPE).to_numpy(dtype=bool, na_value=False)
    if not ok.any():
        return ok
    # twelve ASCII digits each: as fixed-width binary the bytes sit in one buffer
    fixed = pa.array(values[ok]).cast(pa.binary(12))
    digits = np.frombuffer(fixed.buffers()[1], dtype=np.uint8).reshape(-1, 12)
    digits = digits[fixed.offset: fixed.offset + len(fixed)] - ord("0")
    ok[ok] = identifiers.verhoeff_state(digits, check_digit_present=True) == 0
    return ok


class ColumnValuesValidAadhaar(ColumnMapMetricProvider):
    condition_metric_name = "column_values.jaanch_valid_aadhaar"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return pd.Series(aadhaar_valid(column), index=column.index)


class ExpectColumnValuesToBeValidAadhaar(ColumnMapExpectation):
    """Every non-null value is an Aadhaar number with a valid Verhoeff check digit."""

    map_metric = "column_values.jaanch_valid_aadhaar"
    success_keys = ("mostly",)
    args_keys = ("column",)


EXPECTATIONS = {
    "not_null": gxe.ExpectColumnValuesToNotBeNull,
    "in_set": gxe.ExpectColumnValuesToBeInSet,
    "between": gxe.ExpectColumnValuesToBeBetween,
    "unique": gxe.ExpectColumnValuesToBeUnique,
    "fully_match": ExpectColumnValuesToFullyMatch,
    "real_datetimes": ExpectColumnValuesToBeRealDatetimes,
    "valid_aadhaar": ExpectColumnValuesToBeValidAadhaar,
}


# -- the suites, as data ----------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    column: str  # column of the cleaned frame
    kind: str  # key of EXPECTATIONS
    reason: str  # may use {raw} (input value of `source`) and {value} (cleaned value)
    kwargs: dict = field(default_factory=dict)
    source: str = ""  # input column {raw} shows; defaults to `column`

    @property
    def shown(self) -> str:
        return self.source or self.column


GENDERS = ("Male", "Female", "Others")
VACCINES = ("COVISHIELD", "COVAXIN", "SPUTNIK V", "CORBEVAX", "COVOVAX")
STATUSES = ("Booked", "Cancelled", "Completed", "No-show")
TIMESTAMP = "%Y-%m-%d %H:%M:%S"
DATE = "%d-%m-%Y"
ACCEPTED = "accepted"  # value of `registration` when the id is an accepted registration
# columns with few distinct values (codes, places, dates): validated as categoricals,
# so each check runs once per distinct value
FEW_VALUES = {
    "registrations": {"gender", "birth_year", "photo_id_type", "state_name", "district_name",
                      "pincode"},
    "appointments": {"center_id", "center_name", "district_name", "date", "slot", "dose",
                     "vaccine", "status", "registration"},
    "vaccinations": {"dose", "vaccine", "dose_date", "center_id", "registration"},
}
_OTHER_ID_MIN = 4  # free-text ID types: as identifiers.photo_id_valid
# required columns whose value may be missing (an empty string): the linkage compares a
# missing place as unknown, and a booking is known by its centre's id, not its name or slot
MAY_BE_EMPTY = {"registrations": ("state_name", "district_name", "pincode"),
                "appointments": ("center_name", "district_name", "slot")}


def _pattern(column: str, pattern: str, reason: str, source: str = "") -> Check:
    return Check(column, "fully_match", reason, {"pattern": pattern}, source)


_BENE_ID = _pattern("beneficiary_reference_id", "[0-9]{14}",
                    "beneficiary_reference_id '{raw}' is not 14 digits")
# appointments and doses must point at an accepted registration (referential integrity)
_REGISTERED = Check("registration", "in_set", "beneficiary_reference_id '{raw}' is {value}",
                    {"value_set": [ACCEPTED]}, "beneficiary_reference_id")


def suites(export_year: int) -> dict[str, tuple[Check, ...]]:
    """One suite per input file: every required column present, then its format."""
    required = {f: tuple(Check(c, "not_null", f"{c} is missing") for c in cols
                         if c not in MAY_BE_EMPTY.get(f, ()))
                for f, cols in REQUIRED_COLUMNS.items()}
    dose = Check("dose", "in_set", "dose '{raw}' is not 1, 2 or 3 (precaution)",
                 {"value_set": ["1", "2", "3"]})
    vaccine = Check("vaccine", "in_set", "vaccine '{raw}' is not one of " + ", ".join(VACCINES),
                    {"value_set": list(VACCINES)})
    center = _pattern("center_id", "[0-9]{1,18}", "center_id '{raw}' is not an integer")
    return {
        "registrations": required["registrations"] + (
            _BENE_ID,
            Check("beneficiary_reference_id", "unique",
                  "beneficiary_reference_id '{raw}' repeats row {first} with different values"),
            Check("gender", "in_set", "gender '{raw}' is not Male, Female or Others (M/F/O)",
                  {"value_set": list(GENDERS)}),
            _pattern("birth_year", "[0-9]{4}", "birth_year '{raw}' is not a 4-digit year"),
            Check("birth_year_int", "between",
                  f"birth_year '{{raw}}' is outside 1900–{export_year}",
                  {"min_value": 1900, "max_value": export_year}, "birth_year"),
            _pattern("mobile_number", "[6-9][0-9]{9}",
                     "mobile_number is not 10 digits starting 6-9"),
            Check("photo_id_type", "in_set",
                  "photo_id_type '{raw}' is not an accepted photo ID type",
                  {"value_set": list(identifiers.PHOTO_ID_TYPES)}),
            Check("aadhaar_number", "valid_aadhaar", "photo_id_number is not a valid Aadhaar "
                  "number (12 digits, Verhoeff check digit)"),
            _pattern("pan_number", "[A-Z]{5}[0-9]{4}[A-Z]",
                     "photo_id_number is not a PAN (AAAAA9999A)"),
            _pattern("epic_number", "[A-Z]{3}[0-9]{7}",
                     "photo_id_number is not a Voter ID (EPIC, AAA9999999)"),
            _pattern("other_id_number", f"[A-Z0-9]{{{_OTHER_ID_MIN},}}",
                     f"photo_id_number is shorter than {_OTHER_ID_MIN} characters"),
            _pattern("pincode", "[0-9]{6}", "pincode '{raw}' is not 6 digits"),
            Check("registered_at", "real_datetimes",
                  "registered_at '{raw}' is not a real YYYY-MM-DD HH:MM:SS timestamp",
                  {"strftime_format": TIMESTAMP}),
        ),
        "appointments": required["appointments"] + (
            _BENE_ID, _REGISTERED,
            Check("appointment_id", "unique",
                  "appointment_id '{raw}' repeats row {first} with different values"),
            center, dose, vaccine,
            Check("date", "real_datetimes", "date '{raw}' is not a real dd-mm-yyyy date",
                  {"strftime_format": DATE}),
            Check("booked_at", "real_datetimes",
                  "booked_at '{raw}' is not a real YYYY-MM-DD HH:MM:SS timestamp",
                  {"strftime_format": TIMESTAMP}),
            Check("status", "in_set", "status '{raw}' is not one of " + ", ".join(STATUSES),
                  {"value_set": list(STATUSES)}),
        ),
        "vaccinations": required["vaccinations"] + (
            _BENE_ID, _REGISTERED,
            Check("certificate_id", "unique",
                  "certificate_id '{raw}' repeats row {first} with different values"),
            dose, vaccine, center,
            Check("dose_date", "real_datetimes", "dose_date '{raw}' is not a real dd-mm-yyyy date",
                  {"strftime_format": DATE}),
        ),
    }


# -- running a suite ----------------------------------------------------------------------
@functools.cache
def _context():
    """One ephemeral GX context per process (creating one takes a while)."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@functools.cache
def _batch_definition(file: str):
    """The file's whole-dataframe batch definition, made once per process: each
    validation passes its own frame, and updating a data source saves the context's
    configuration, which takes a while."""
    source = _context().data_sources.add_or_update_pandas(f"jaanch_{file}")
    return source.add_dataframe_asset(file).add_batch_definition_whole_dataframe("whole")


def run_suite(file: str, frame: pd.DataFrame, checks: tuple[Check, ...]) -> dict[int, np.ndarray]:
    """Validate `frame` (a RangeIndex) against `checks`: check number -> failing positions.

    The whole frame is one batch of the file's asset. Most nights every row passes, so
    the suite first runs for a pass or a fail only (GX then resolves far fewer metrics);
    only the expectations that failed run again for COMPLETE results, which give every
    failing row's index.
    """
    batch = _batch_definition(file).get_batch(batch_parameters={"dataframe": frame})
    numbered = list(enumerate(checks))
    failed = {r.expectation_config.meta["check"]
              for r in _validate(batch, file, numbered, "BOOLEAN_ONLY") if not r.success}
    failures: dict[int, np.ndarray] = {}
    for r in _validate(batch, file, [(i, c) for i, c in numbered if i in failed], "COMPLETE"):
        # GX reports an expectation that could not run as merely unsuccessful
        if not r.success and "unexpected_index_list" not in r.result:
            column = r.expectation_config.kwargs.get("column")
            raise RuntimeError(f"expectation {r.expectation_config.type} on {file}.{column} "
                               f"did not run: {'; '.join(_messages(r.exception_info))}")
        index = r.result.get("unexpected_index_list") or []
        if index:
            failures[r.expectation_config.meta["check"]] = np.asarray(index, dtype=np.int64)
    return failures


def _validate(batch, file: str, numbered: list[tuple[int, Check]], result_format: str) -> list:
    if not numbered:
        return []
    suite = gx.ExpectationSuite(name=file, expectations=[
        EXPECTATIONS[c.kind](column=c.column, meta={"check": i}, **c.kwargs)
        for i, c in numbered])
    return batch.validate(suite, result_format={
        "result_format": result_format, "partial_unexpected_count": 0,
        "return_unexpected_index_query": False}).results


def _messages(info: dict | None) -> list[str]:
    """Exception messages in a result's exception_info (flat, or keyed by metric)."""
    if not info:
        return []
    if "raised_exception" in info:
        return [str(info.get("exception_message"))] if info["raised_exception"] else []
    return [m for v in info.values() if isinstance(v, dict) for m in _messages(v)]
