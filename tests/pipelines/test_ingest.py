"""Ingest: three CSV files into raw text tables; whole-file problems raise ExportError."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines import tables
from pipelines.errors import ExportError
from pipelines.ingest import RAW_REJECTS, REQUIRED_COLUMNS, ingest

REG_HEADER = ",".join(REQUIRED_COLUMNS["registrations"])
APPT_HEADER = ",".join(REQUIRED_COLUMNS["appointments"])
VACC_HEADER = ",".join(REQUIRED_COLUMNS["vaccinations"])
REG_ROW = ("{id},Ram Kumar,M,1980,9876543210,Aadhaar Card,234123412346,Bihar,Patna,800001,"
           "2021-05-01 10:00:00")


def write_exports(folder: Path, registrations: list[str] | None = None,
                  appointments: list[str] | None = None, vaccinations: list[str] | None = None,
                  reg_header: str = REG_HEADER) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    regs = registrations if registrations is not None else [REG_ROW.format(id=11111111111111)]
    for name, header, rows in (("registrations", reg_header, regs),
                               ("appointments", APPT_HEADER, appointments or []),
                               ("vaccinations", VACC_HEADER, vaccinations or [])):
        (folder / f"{name}.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def con():
    with duckdb.connect() as c:
        yield c


def test_every_column_is_text_with_source_and_row_number(tmp_path, con):
    header = (" Beneficiary_Reference_ID ," + ",".join(REQUIRED_COLUMNS["registrations"][1:])
              + ",Extra")
    rows = [REG_ROW.format(id="00000000000001") + ",a", REG_ROW.format(id="00000000000002") + ",b"]
    counts = ingest(con, write_exports(tmp_path, rows, reg_header=header))
    assert counts == {"registrations": 2, "appointments": 0, "vaccinations": 0}
    got = con.execute(f"select beneficiary_reference_id, birth_year, extra, source_file, "
                      f"row_number from {tables.RAW['registrations']} order by row_number"
                      ).fetchall()
    assert got == [("00000000000001", "1980", "a", "registrations.csv", 1),
                   ("00000000000002", "1980", "b", "registrations.csv", 2)]
    types = dict(con.execute(f"select column_name, column_type from (describe "
                             f"{tables.RAW['registrations']})").fetchall())
    assert types["birth_year"] == "VARCHAR" and types["row_number"] == "BIGINT"


def test_invalid_csv_lines_are_kept_with_their_row_number_and_counted(tmp_path, con):
    rows = [REG_ROW.format(id=11111111111111),
            "22222222222222,only,three",
            REG_ROW.format(id=33333333333333),
            REG_ROW.format(id=44444444444444).replace("Ram Kumar", '"Ram" Kumar'),
            REG_ROW.format(id=55555555555555) + ",one too many"]
    counts = ingest(con, write_exports(tmp_path, rows + [REG_ROW.format(id=66666666666666)]))
    assert counts["registrations"] == 6
    kept = con.execute(f"select beneficiary_reference_id, row_number from "
                       f"{tables.RAW['registrations']} order by row_number").fetchall()
    assert kept == [("11111111111111", 1), ("33333333333333", 3), ("66666666666666", 6)]
    rejects = con.execute(f"select source_file, row_number, raw_line, reason from {RAW_REJECTS} "
                          f"order by row_number").fetchall()
    assert [r[:3] for r in rejects] == [("registrations.csv", 2, "22222222222222,only,three"),
                                        ("registrations.csv", 4, rows[3]),
                                        ("registrations.csv", 5, rows[4])]
    assert rejects[0][3] == "not a valid CSV row: expected 11 fields, found 3"
    assert "quoted" in rejects[1][3] and "found 12" in rejects[2][3]


def test_header_only_is_fine_for_appointments_but_not_registrations(tmp_path, con):
    assert ingest(con, write_exports(tmp_path / "a"))["appointments"] == 0
    with pytest.raises(ExportError, match="registrations.csv: has a header but no data rows"):
        ingest(con, write_exports(tmp_path / "b", registrations=[]))


def _broken(folder: Path, name: str, content: bytes) -> Path:
    (folder / name).write_bytes(content)
    return folder


@pytest.mark.parametrize("name, content, problem", [
    ("registrations.csv", b"", "is empty"),
    ("appointments.csv", b"  \n", "is empty"),
    ("vaccinations.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("registrations.csv", json.dumps([{"beneficiary_reference_id": "1"}]).encode(), "JSON"),
    ("appointments.csv", APPT_HEADER.replace(",", ";").encode() + b"\nA1;1\n", "comma-separated"),
    ("vaccinations.csv", b"certificate_id,dose,vaccine,dose_date\nC1,1,COVAXIN,01-05-2021\n",
     "required columns missing: beneficiary_reference_id, center_id"),
    ("registrations.csv", b"\xff\xfeb\x00e\x00", "binary"),
])
def test_whole_file_problems_raise_export_error(tmp_path, con, name, content, problem):
    folder = _broken(write_exports(tmp_path), name, content)
    with pytest.raises(ExportError) as caught:
        ingest(con, folder)
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and problem in message and "\n" not in message
    assert caught.value.file == name


def test_missing_folder_and_missing_file(tmp_path, con):
    with pytest.raises(ExportError, match="export folder not found"):
        ingest(con, tmp_path / "nowhere")
    folder = write_exports(tmp_path)
    (folder / "appointments.csv").unlink()
    with pytest.raises(ExportError, match="^appointments.csv: missing from"):
        ingest(con, folder)


def test_not_utf8_text_is_an_export_error(tmp_path, con):
    folder = _broken(write_exports(tmp_path), "registrations.csv",
                     REG_HEADER.encode() + b"\n" + "Zoë".encode("latin-1"))
    with pytest.raises(ExportError, match="registrations.csv: is not UTF-8 text"):
        ingest(con, folder)


def test_an_unclosed_quote_does_not_swallow_the_lines_after_it(tmp_path, con):
    rows = [REG_ROW.format(id=11111111111111).replace("Ram Kumar", '"Ram, ""Kumar"""'),
            REG_ROW.format(id=22222222222222).replace("Ram Kumar", '"Ram Kumar'),
            *[REG_ROW.format(id=30000000000000 + i) for i in range(3)]]
    assert ingest(con, write_exports(tmp_path, rows))["registrations"] == 5
    kept = con.execute(f"select row_number, name from {tables.RAW['registrations']} "
                       f"order by row_number").fetchall()
    assert kept == [(1, 'Ram, "Kumar"'), (3, "Ram Kumar"), (4, "Ram Kumar"), (5, "Ram Kumar")]
    assert con.execute(f"select row_number, reason from {RAW_REJECTS}").fetchall() == [
        (2, "not a valid CSV row: a quoted value is not closed properly")]


def test_crlf_line_ends_empty_lines_and_empty_values(tmp_path, con):
    folder = write_exports(tmp_path)
    rows = [REG_ROW.format(id=11111111111111), "", REG_ROW.format(id=22222222222222)
            .replace(",Patna,", ",,")]
    (folder / "registrations.csv").write_bytes(
        "\r\n".join([REG_HEADER, *rows, ""]).encode("utf-8-sig"))
    assert ingest(con, folder)["registrations"] == 2
    got = con.execute(f"select row_number, district_name, registered_at from "
                      f"{tables.RAW['registrations']} order by row_number").fetchall()
    assert got == [(1, "Patna", "2021-05-01 10:00:00"), (3, "", "2021-05-01 10:00:00")]
