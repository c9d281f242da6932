"""Validate the raw exports against the contract; keep typed, accepted rows.

For each file, in order registrations, appointments, vaccinations:

1. Exact repeats of a whole row (every input column, extra columns included) collapse
   to their first occurrence; the others are counted as `duplicates`, not quarantined.
2. DuckDB builds a cleaned frame: values trimmed, empty strings as missing, canonical
   case (gender M/F/O -> Male/Female/Others, photo ID types, vaccine, status), mobile
   numbers without spaces and +91/0 prefix, ID numbers upper-cased without separators.
3. Great Expectations runs the file's suite (pipelines/expectations.py) on that frame.
   A repeated id (rows that differ elsewhere) stays with its first row; the later rows
   are quarantined. Appointments and doses must point at an accepted registration.
4. Every failing row goes to `quarantine` once, its reasons joined by '; ', its raw
   values as JSON with mobile and photo ID numbers masked. Lines that were not valid
   CSV rows (ingest's raw_rejects) are quarantined too.
5. Accepted rows are typed into the tables of pipelines/tables.py. Extra input columns
   are dropped there (they stay visible in quarantine's raw values).

Per file: read = accepted + quarantined + duplicates, where `duplicates` counts the
exact repeats dropped (each repeated row counts once, as its first occurrence).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage import identifiers
from pipelines import tables
from pipelines.expectations import ACCEPTED, FEW_VALUES, VACCINES, Check, run_suite, suites
from pipelines.ingest import RAW_REJECTS, file_name

FILES = ("registrations", "appointments", "vaccinations")  # registrations first: others refer to it
_SENSITIVE = ("mobile_number", "photo_id_number")


@dataclass(frozen=True)
class FileCounts:
    read: int  # data rows in the file, rejected CSV lines included
    accepted: int
    quarantined: int
    duplicates: int  # exact repeats of an earlier row, dropped

    def reconciles(self) -> bool:
        return self.read == self.accepted + self.quarantined + self.duplicates


@dataclass(frozen=True)
class ValidationReport:
    export_year: int
    files: dict[str, FileCounts]

    def reconciles(self) -> bool:
        """read = accepted + quarantined + duplicates, for every file."""
        return all(c.reconciles() for c in self.files.values())

    def to_dict(self) -> dict:
        return {"export_year": self.export_year, "reconciles": self.reconciles(),
                "files": {f: asdict(c) for f, c in self.files.items()}}


def validate(con: duckdb.DuckDBPyConnection, export_year: int | None = None, *,
             secret: str, known_registrations: str | None = None) -> ValidationReport:
    """Validate tables.RAW (from ingest); `secret` keys the identifier hashes.

    `known_registrations` names a table of registrations accepted on earlier nights that
    bookings and doses may also point at (a night that only brings what is new)."""
    year = export_year or _latest_registration_year(con) or dt.date.today().year
    checks = suites(year)
    con.execute(f"create or replace table {tables.QUARANTINE} (source_file varchar, "
                f"row_number bigint, raw_values varchar, reason varchar)")
    counts = {f: _validate_file(con, f, checks[f], known_registrations) for f in FILES}
    _publishable_registrations(con, secret)
    for f in FILES:
        con.unregister(_clean(f))
        con.execute(f"drop table if exists {_fail(f)}")
    return ValidationReport(year, counts)


def _clean(file: str) -> str:
    return f"_clean_{file}"


def _fail(file: str) -> str:
    return f"_fail_{file}"


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchall()[0][0]


def _latest_registration_year(con: duckdb.DuckDBPyConnection) -> int | None:
    """The latest year in registered_at, ignoring dates after this year."""
    written = _timestamp("registered_at")
    return _scalar(con, f"""select max(y) from (
        select year(try_strptime({written}, '%Y-%m-%d %H:%M:%S')) as y
        from {tables.RAW['registrations']}) where y <= {dt.date.today().year}""")


def _input_columns(con: duckdb.DuckDBPyConnection, file: str) -> list[str]:
    cols = [r[0] for r in con.execute(f"describe {tables.RAW[file]}").fetchall()]
    return [c for c in cols if c not in ("source_file", "row_number")]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- 1 + 2: drop exact repeats, clean --------------------------------------------------------
# other ways registrants and exporters write the contract's photo ID types
PHOTO_ID_SPELLINGS = {
    "Aadhaar": "Aadhaar Card", "Aadhar": "Aadhaar Card", "Aadhar Card": "Aadhaar Card",
    "Driving Licence": "Driving License", "PAN": "PAN Card", "Voter ID Card": "Voter ID",
    "EPIC": "Voter ID", "Ration Card": "Ration Card with Photo", "NPR": "NPR Smart Card",
    "UDID": "Unique Disability ID",
}


def _text(col: str) -> str:
    """Trimmed, empty as missing; trim() only where needed (it copies every value)."""
    return (f"nullif(case when starts_with({col}, ' ') or ends_with({col}, ' ') "
            f"then trim({col}) else {col} end, '')")


def _timestamp(col: str) -> str:
    """As _text, with an ISO timestamp's 'T' between date and time (as most tools write
    one) read as the contract's space."""
    return (f"(case when contains({col}, 'T') then regexp_replace({_text(col)}, "
            f"'^([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})T', '\\1 ') else {_text(col)} end)")


# what spellings of one value differ by besides case: "No Show", "no_show", "SPUTNIK-V"
_SPELLING_IGNORES = (" ", "-", "_")


def _spelling_key(text: str) -> str:
    for ch in _SPELLING_IGNORES:
        text = text.replace(ch, "")
    return text.lower()


def _canonical(col: str, spellings: dict[str, str]) -> str:
    """Map spellings to the canonical value by their _spelling_key; keep others as typed."""
    key = f"lower({col})"
    for ch in _SPELLING_IGNORES:  # _spelling_key in SQL
        key = f"replace({key}, '{ch}', '')"
    whens = " ".join(f"when '{_spelling_key(k)}' then '{v}'" for k, v in spellings.items())
    return f"(case {key} {whens} else {_text(col)} end)"


def _already(col: str, clean_shape: str, cleaning: str) -> str:
    """Skip a costly cleaning for values already in their clean shape (most of them)."""
    return f"(case when regexp_full_match({col}, '{clean_shape}') then {col} else {cleaning} end)"


def _mobile(col: str) -> str:
    # a number that does not clean keeps its digits, so that the check fails it
    cleaning = (f"coalesce({identifiers.sql_clean_mobile(col)}, "
                f"nullif(regexp_replace({col}, '\\s', '', 'g'), ''))")
    return _already(col, "[6-9][0-9]{9}", cleaning)


def _cleaned_columns(file: str) -> dict[str, str]:
    """Cleaned column -> SQL over the raw columns."""
    if file == "registrations":
        genders = {"male": "Male", "m": "Male", "female": "Female", "f": "Female",
                   "others": "Others", "other": "Others", "o": "Others"}
        return {
            "beneficiary_reference_id": _text("beneficiary_reference_id"), "name": _text("name"),
            "gender": _canonical("gender", genders), "birth_year": _text("birth_year"),
            "birth_year_int": "try_cast(trim(birth_year) as bigint)",
            "mobile_number": _mobile("mobile_number"),
            "photo_id_type": _canonical(
                "photo_id_type", {t: t for t in identifiers.PHOTO_ID_TYPES} | PHOTO_ID_SPELLINGS),
            "photo_id_number": _already("photo_id_number", "[A-Z0-9]+",
                                        identifiers.sql_clean_photo_id("photo_id_number")),
            "state_name": _text("state_name"), "district_name": _text("district_name"),
            "pincode": _text("pincode"), "registered_at": _timestamp("registered_at"),
        }
    statuses = {"booked": "Booked", "cancelled": "Cancelled", "completed": "Completed",
                "no-show": "No-show"}
    common = {
        "beneficiary_reference_id": _text("beneficiary_reference_id"),
        "center_id": _text("center_id"), "dose": _text("dose"),
        "vaccine": _canonical("vaccine", {v: v for v in VACCINES}),
    }
    if file == "appointments":
        return {"appointment_id": _text("appointment_id"), **common,
                "center_name": _text("center_name"), "district_name": _text("district_name"),
                "date": _text("date"), "slot": _text("slot"),
                "booked_at": _timestamp("booked_at"),
                "status": _canonical("status", statuses)}
    return {"certificate_id": _text("certificate_id"), **common, "dose_date": _text("dose_date")}


def _id_of(types: str) -> str:
    """The photo ID number where its type is one of `types` (SQL list), else NULL."""
    return f"case when photo_id_type in ({types}) then photo_id_number end"


def _derived_columns(file: str, known: str | None) -> dict[str, str]:
    """Columns computed from cleaned ones: per-type ID numbers, referential integrity."""
    if file == "registrations":
        others = ", ".join(f"'{t}'" for t in identifiers.PHOTO_ID_TYPES
                           if t not in ("Aadhaar Card", "PAN Card", "Voter ID"))
        return {"aadhaar_number": _id_of("'Aadhaar Card'"), "pan_number": _id_of("'PAN Card'"),
                "epic_number": _id_of("'Voter ID'"), "other_id_number": _id_of(others)}
    quarantined = (f"select c.beneficiary_reference_id from {_clean('registrations')} c "
                   f"semi join {_fail('registrations')} f using (row_number)")
    earlier = (f"or beneficiary_reference_id in (select beneficiary_reference_id from {known})"
               if known else "")
    return {"registration": f"""case when beneficiary_reference_id is null then null
        when beneficiary_reference_id in (select beneficiary_reference_id
                                          from {tables.REGISTRATIONS_PII}) {earlier}
             then '{ACCEPTED}'
        when beneficiary_reference_id in ({quarantined}) then 'a quarantined registration'
        else 'not in registrations.csv' end"""}


def _build_clean(con: duckdb.DuckDBPyConnection, file: str, known: str | None) -> pa.Table:
    """The cleaned rows of a file, exact repeats left out, registered as _clean(file).

    Rows are compared whole through a hash first; only rows whose hash repeats (few)
    are compared value by value, the earliest of equal rows kept. The result is an
    Arrow table (GX reads it without a copy) that DuckDB scans in place.
    """
    raw, cols = tables.RAW[file], ", ".join(_q(c) for c in _input_columns(con, file))
    cleaned = ", ".join(f"{sql} as {c}" for c, sql in _cleaned_columns(file).items())
    derived = ", ".join(f"{sql} as {c}" for c, sql in _derived_columns(file, known).items())
    data = con.sql(f"""
        with suspects as (select row_number from {raw}
                          qualify count(*) over (partition by hash({cols})) > 1),
             repeats as (select row_number from (
                            select row_number, min(row_number) over (partition by {cols}) as first
                            from {raw} semi join suspects using (row_number))
                         where row_number <> first)
        select *, {derived} from (select row_number, {cleaned}
                                  from {raw} anti join repeats using (row_number))
        """).to_arrow_table()
    con.register(_clean(file), data)
    return data


# -- 3 + 4: run the suite, quarantine ----------------------------------------------------------
def _record_failures(con: duckdb.DuckDBPyConnection, file: str, checks: tuple[Check, ...],
                     positions: dict[int, np.ndarray], row_numbers: np.ndarray) -> None:
    """One row per (input row, failed check) with its reason, in _fail(file)."""
    con.execute(f"create or replace temp table {_fail(file)} "
                f"(row_number bigint, check_no integer, reason varchar)")
    for no, pos in positions.items():
        check = checks[no]
        reason = "?"
        if "{raw}" in check.reason:
            reason = f"replace({reason}, '{{raw}}', coalesce(trim(r.{_q(check.shown)}), ''))"
        if "{value}" in check.reason:
            reason = f"replace({reason}, '{{value}}', coalesce(c.{_q(check.column)}::varchar, ''))"
        # a repeated id: the first row keeps it, later rows are quarantined
        first = f"min(f.row_number) over (partition by c.{_q(check.column)})"
        keep = "row_number <> first" if check.kind == "unique" else "true"
        raw_join = (f" join {tables.RAW[file]} r using (row_number)"
                    if "{raw}" in check.reason else "")
        con.register("_failed", pa.table({"row_number": row_numbers[pos]}))
        con.execute(f"""insert into {_fail(file)}
            select row_number, {no}, replace(reason, '{{first}}', first::varchar) from (
                select f.row_number, {first} as first, {reason} as reason
                from _failed f join {_clean(file)} c using (row_number){raw_join})
            where {keep}""", [check.reason])
        con.unregister("_failed")


def _quarantine(con: duckdb.DuckDBPyConnection, file: str) -> None:
    cols = _input_columns(con, file)
    values = ", ".join(
        f"{_q(c)} := {identifiers.sql_mask(_q(c)) if c in _SENSITIVE else _q(c)}" for c in cols)
    con.execute(f"""insert into {tables.QUARANTINE}
        select '{file_name(file)}', row_number, to_json(struct_pack({values}))::varchar, reason
        from (select row_number, string_agg(reason, '; ' order by check_no) as reason
              from {_fail(file)} group by row_number)
        join {tables.RAW[file]} using (row_number)""")
    rejects = con.execute(f"select row_number, raw_line, reason from {RAW_REJECTS} "
                          f"where source_file = ?", [file_name(file)]).fetchall()
    if rejects:
        sensitive = [cols.index(c) for c in _SENSITIVE if c in cols]
        con.register("_rejects", pa.table({
            "row_number": [r[0] for r in rejects],
            "raw_line": [mask_line(r[1], sensitive if file == "registrations" else None)
                         for r in rejects],
            "reason": [r[2] for r in rejects]}))
        con.execute(f"""insert into {tables.QUARANTINE} select '{file_name(file)}', row_number,
            to_json(struct_pack(raw_line := raw_line))::varchar, reason from _rejects""")
        con.unregister("_rejects")


_IDENTIFIER_LIKE = re.compile(r"[0-9]{10,13}|(?=[A-Z0-9]*[A-Z])(?=(?:[A-Z]*[0-9]){4})[A-Z0-9]{6,}")


def mask_line(line: str, sensitive: list[int] | None) -> str:
    """Mask what may be a mobile or photo ID number in a line that did not parse as CSV.

    `sensitive` are the header positions of mobile_number and photo_id_number (None: the
    file holds no identifiers). The fields may be shifted, so any field shaped like one
    (10-13 digits; letters with at least four digits) is masked as well. Fields without
    four digits are no mobile or photo ID number, wherever they sit.
    """
    if sensitive is None:
        return line
    fields = line.split(",")
    for i, value in enumerate(fields):
        compact = re.sub(r"[^A-Za-z0-9]", "", value).upper()
        if sum(ch.isdigit() for ch in compact) < 4:
            continue
        if i in sensitive or _IDENTIFIER_LIKE.fullmatch(compact):
            fields[i] = identifiers.mask(value.strip())
    return ",".join(fields)


# -- 5: typed tables -------------------------------------------------------------------------
_TYPED = {
    "registrations": (tables.REGISTRATIONS_PII, True, """beneficiary_reference_id, name, gender,
        birth_year_int::integer as birth_year, mobile_number, photo_id_type, photo_id_number,
        state_name, district_name, pincode,
        strptime(registered_at, '%Y-%m-%d %H:%M:%S') as registered_at"""),
    "appointments": (tables.NIGHT["appointments"], True, """appointment_id, beneficiary_reference_id,
        center_id::bigint as center_id, center_name, district_name,
        strptime(date, '%d-%m-%Y')::date as session_date, slot, dose::integer as dose, vaccine,
        strptime(booked_at, '%Y-%m-%d %H:%M:%S') as booked_at, status"""),
    "vaccinations": (tables.NIGHT["vaccinations"], True, """certificate_id, beneficiary_reference_id,
        dose::integer as dose, vaccine, strptime(dose_date, '%d-%m-%Y')::date as dose_date,
        center_id::bigint as center_id"""),
}


def _keep_accepted(con: duckdb.DuckDBPyConnection, file: str) -> None:
    table, temp, columns = _TYPED[file]
    con.execute(f"""create or replace {'temp ' if temp else ''}table {table} as
        select {columns} from {_clean(file)} anti join {_fail(file)} using (row_number)""")


def _publishable_registrations(con: duckdb.DuckDBPyConnection, secret: str) -> None:
    """The night's registrations with identifiers only masked and as keyed hashes; the
    key stays set in this connection for photo_id_parts."""
    identifiers.set_secret(con, secret)
    con.execute(f"""create or replace temp table {tables.NIGHT['registrations']} as
        select beneficiary_reference_id, name, gender, birth_year,
               {identifiers.sql_keyed_identifiers()},
               state_name, district_name, pincode, registered_at
        from {tables.REGISTRATIONS_PII}""")


def photo_id_parts(ids: str) -> str:
    """SELECT of the keyed parts of the photo ID numbers (linkage.identifiers) of tonight's
    accepted registrations that `ids` (a subquery of beneficiary_reference_id) selects.
    Made only for the registrations the warehouse takes in: a dozen rows each, too many
    to make for a whole snapshot of which most is unchanged."""
    return identifiers.sql_photo_id_parts(
        f"(select beneficiary_reference_id, photo_id_number from {tables.REGISTRATIONS_PII} "
        f"where beneficiary_reference_id in {ids})")


def _frame(data: pa.Table, few_values: set[str]) -> pd.DataFrame:
    """The pandas frame GX validates, without copying text out of Arrow.

    Text stays Arrow (vectorised string kernels), columns with few distinct values
    become categoricals, numbers become numpy (GX's range check is vectorised only then).
    """
    for i, name in enumerate(data.column_names):
        if name in few_values:
            data = data.set_column(i, name, pc.dictionary_encode(data.column(i)))
    return data.to_pandas(
        types_mapper=lambda t: pd.ArrowDtype(t) if pa.types.is_string(t) else None)


def _validate_file(con: duckdb.DuckDBPyConnection, file: str, checks: tuple[Check, ...],
                   known: str | None) -> FileCounts:
    data = _build_clean(con, file, known)
    row_numbers = data.column("row_number").to_numpy()
    frame = _frame(data.drop_columns(["row_number"]), FEW_VALUES[file])
    _record_failures(con, file, checks, run_suite(file, frame, checks), row_numbers)
    _quarantine(con, file)
    _keep_accepted(con, file)
    raw, table = tables.RAW[file], _TYPED[file][0]
    return FileCounts(
        read=_scalar(con, f"select (select count(*) from {raw}) + (select count(*) from "
                          f"{RAW_REJECTS} where source_file = ?)", [file_name(file)]),
        accepted=_scalar(con, f"select count(*) from {table}"),
        quarantined=_scalar(con, f"select count(*) from {tables.QUARANTINE} "
                                 f"where source_file = ?", [file_name(file)]),
        duplicates=_scalar(con, f"select (select count(*) from {raw}) - "
                                f"(select count(*) from {_clean(file)})"))
