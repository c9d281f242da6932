"""Read the export folder's three CSV files into TEMP tables, every value as text.

Each raw table keeps the file's columns (header names trimmed and lower-cased, extra
columns included) plus `source_file` and `row_number`, the row's line number in the
file minus the header line. Empty lines are skipped (their numbers stay unused). Values
are kept exactly as written (an empty value is an empty string).

Every line is one row: these exports never put a line break inside a value. A line
that is not a valid CSV row (wrong number of fields, a quote not closed, a stray quote)
goes to `raw_rejects` with the reason and counts as read, so that later
read = accepted + quarantined + repeats holds. A line-based parser keeps one bad quote
from swallowing the lines after it, as a quote-aware reader would.

Whole-file problems raise ExportError: folder or file missing, empty file, not UTF-8
text, JSON, not comma-separated, a required column missing. A header with no data rows
is an error for registrations.csv (a nightly export always has registrations) but
allowed for appointments.csv and vaccinations.csv (a night may have no bookings or doses).
"""
from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import tables
from pipelines.errors import ExportError

RAW_REJECTS = tables.RAW_REJECTS

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "registrations": (
        "beneficiary_reference_id", "name", "gender", "birth_year", "mobile_number",
        "photo_id_type", "photo_id_number", "state_name", "district_name", "pincode",
        "registered_at"),
    "appointments": (
        "appointment_id", "beneficiary_reference_id", "center_id", "center_name",
        "district_name", "date", "slot", "dose", "vaccine", "booked_at", "status"),
    "vaccinations": (
        "certificate_id", "beneficiary_reference_id", "dose", "vaccine", "dose_date",
        "center_id"),
}
MAY_BE_HEADER_ONLY = {"appointments", "vaccinations"}
_RESERVED = {"source_file", "row_number"}
_SNIFF_BYTES = 1 << 16
# one CSV field: quoted (a doubled quote inside stands for one) or free of commas and quotes
_FIELD = '("(?:[^"]|"")*"|[^,"]*)'


@dataclass(frozen=True)
class Header:
    columns: list[str]  # trimmed, lower-cased
    crlf: bool  # lines end with \r\n


def file_name(key: str) -> str:
    return f"{key}.csv"


def ingest(con: duckdb.DuckDBPyConnection, exports: Path) -> dict[str, int]:
    """Load the three files into tables.RAW[...] and RAW_REJECTS; rows read per file."""
    exports = Path(exports)
    if not exports.is_dir():
        raise ExportError(str(exports), "export folder not found")
    paths = {key: exports / file_name(key) for key in REQUIRED_COLUMNS}
    for key, path in paths.items():  # check every file before reading any
        if not path.is_file():
            raise ExportError(file_name(key), f"missing from {exports}")
    headers = {key: read_header(path, REQUIRED_COLUMNS[key]) for key, path in paths.items()}
    con.execute(f"create or replace temp table {RAW_REJECTS} (source_file varchar, "
                f"row_number bigint, raw_line varchar, reason varchar)")
    return {key: _load(con, key, paths[key], headers[key]) for key in paths}


def read_header(path: Path, required: tuple[str, ...]) -> Header:
    """The header row, after checking that the file looks like a comma-separated CSV."""
    name = path.name
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head.strip():
        raise ExportError(name, "is empty (no header row)")
    if b"\x00" in head:
        raise ExportError(name, "is not a CSV text file (binary content)")
    try:  # unless the whole file was read, a character may be cut at the sniff boundary
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(
            head, final=len(head) < _SNIFF_BYTES)
    except UnicodeDecodeError:
        raise ExportError(name, "is not UTF-8 text") from None
    if text.lstrip()[:1] in ("{", "["):
        raise ExportError(name, "looks like JSON, not CSV")
    line = text.split("\n", 1)[0]
    if not line.strip():
        raise ExportError(name, "has no header row on its first line")
    names = [c.strip().lower() for c in next(csv.reader([line.rstrip("\r")]))]
    names = [c or f"column{i + 1}" for i, c in enumerate(names)]
    missing = [c for c in required if c not in names]
    if missing and len(names) == 1:
        for sep in (";", "\t", "|"):
            if sep in line:
                raise ExportError(name, f"is not comma-separated (the header is split by {sep!r})")
    if missing:
        raise ExportError(name, f"required column{'s' if len(missing) > 1 else ''} missing: "
                                f"{', '.join(missing)}")
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        raise ExportError(name, f"column named twice in the header: {', '.join(repeated)}")
    reserved = sorted(_RESERVED & set(names))
    if reserved:
        raise ExportError(name, f"uses a reserved column name: {', '.join(reserved)}")
    return Header(names, line.endswith("\r"))


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchall()[0][0]


def _fields(line: str) -> str:
    """SQL: the line's fields as a list, or NULL when its quoting is broken.

    A line without quotes splits on commas; a quoted line must be a whole run of
    fields, which are then taken one by one (each after a comma: the line is given a
    leading one) and unquoted.
    """
    unquote = "lambda f: case when f[1] = '\"' then replace(f[2:-2], '\"\"', '\"') else f end"
    return f"""(case when strpos({line}, '"') = 0 then string_split({line}, ',')
        when regexp_full_match({line}, '{_FIELD}(?:,{_FIELD})*') then list_transform(
            regexp_extract_all(',' || {line}, ',{_FIELD}', 1), {unquote}) end)"""


def _load(con: duckdb.DuckDBPyConnection, key: str, path: Path, header: Header) -> int:
    raw, lines, source = tables.RAW[key], f"_lines_{key}", _sql_str(path.name)
    content = "replace(content, e'\\r\\n', e'\\n')" if header.crlf else "content"
    try:
        con.execute(f"""create or replace temp table {lines} as
            select row_number, line from (
                select generate_subscripts(ls, 1) - 1 as row_number, unnest(ls) as line
                from (select string_split({content}, e'\\n') as ls
                      from read_text({_sql_str(str(path))})))
            where row_number > 0 and line <> ''""")
    except duckdb.InvalidInputException:  # read_text wants valid UTF-8 throughout
        raise ExportError(path.name, "is not UTF-8 text") from None
    n = len(header.columns)
    values = ", ".join(f"fields[{i + 1}] as " + '"' + c.replace('"', '""') + '"'
                       for i, c in enumerate(header.columns))
    con.execute(f"""create or replace temp table {raw} as
        select {values}, {source} as source_file, row_number
        from (select row_number, {_fields('line')} as fields from {lines})
        where len(fields) = {n}""")
    con.execute(f"""insert into {RAW_REJECTS}
        select {source}, row_number, line, case when fields is null
            then 'not a valid CSV row: a quoted value is not closed properly'
            else 'not a valid CSV row: expected {n} fields, found ' || len(fields) end
        from (select row_number, line, {_fields('line')} as fields
              from {lines} anti join {raw} using (row_number))""")
    con.execute(f"drop table {lines}")
    n_ok = _scalar(con, f"select count(*) from {raw}")
    n_bad = _scalar(con, f"select count(*) from {RAW_REJECTS} where source_file = ?", [path.name])
    if n_ok + n_bad == 0 and key not in MAY_BE_HEADER_ONLY:
        raise ExportError(path.name, "has a header but no data rows")
    return n_ok + n_bad
