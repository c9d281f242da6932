"""Validation: every bad row is quarantined once with a readable reason and masked values;
accepted rows are typed and canonical; the counts reconcile."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re

import duckdb
import numpy as np
import pandas as pd
import pytest

from linkage import identifiers
from pipelines import tables
from pipelines.expectations import Check, aadhaar_valid, run_suite
from pipelines.ingest import REQUIRED_COLUMNS, ingest
from pipelines.validate import mask_line, photo_id_parts, validate

SECRET = "test-secret"


def aadhaar(base: str) -> str:
    return base + str(identifiers.verhoeff_check_digit(base))


GOOD = dict(beneficiary_reference_id="", name="Ram Kumar", gender="M", birth_year="1980",
            mobile_number="9876543210", photo_id_type="Aadhaar Card",
            photo_id_number=aadhaar("23412341234"), state_name="Bihar", district_name="Patna",
            pincode="800001", registered_at="2021-05-01 10:00:00")


def reg(n: int, **changes: str) -> dict:
    return {**GOOD, "beneficiary_reference_id": f"{10_000_000_000_000 + n}", **changes}


REGISTRATIONS = [  # row number = position + 1
    reg(1, gender=" m ", birth_year=" 1980 ", mobile_number="+91 98765 43210",
        photo_id_type=" aadhaar  CARD ", photo_id_number="2341 2341 " + aadhaar("23412341234")[8:],
        pincode=" 800001 "),
    reg(2, gender="FEMALE", mobile_number="09876543211", photo_id_type="PAN Card",
        photo_id_number="abcde1234f"),
    reg(3, gender="o", photo_id_type="voter id", photo_id_number="xyz1234567"),
    reg(3, gender="o", photo_id_type="voter id", photo_id_number="xyz1234567"),  # exact repeat
    reg(5, birth_year="1850"),
    reg(6, birth_year="19x0"),
    reg(7, gender="X"),
    reg(8, mobile_number="12345"),
    reg(9, photo_id_number=aadhaar("23412341234")[:11] + "0"),
    reg(10, photo_id_type="PAN Card", photo_id_number="ABCD12345F"),
    reg(11, photo_id_type="Voter ID", photo_id_number="XY12345678"),
    reg(12, pincode="8000"),
    reg(13, registered_at="2021-02-30 10:00:00"),
    reg(14, photo_id_type="Ration"),
    reg(15, name="  "),
    reg(0, beneficiary_reference_id="123"),
    reg(1, name="Ram K."),  # same id as row 1, different values
    None,  # row 18: not a valid CSV line
    reg(19, photo_id_type="Passport", photo_id_number="P1"),
    reg(20, birth_year="2021", mobile_number="7000000001"),
]
BROKEN_LINE = "10000000000018,Ram,9876543219,three"

APPT = dict(appointment_id="", beneficiary_reference_id="10000000000002", center_id="17",
            center_name="PHC Danapur", district_name="Patna", date="01-05-2021",
            slot="09:00AM-11:00AM", dose="1", vaccine="COVAXIN",
            booked_at="2021-04-30 09:15:00", status="Booked")


def appt(n: int, **changes: str) -> dict:
    return {**APPT, "appointment_id": f"A{n}", **changes}


APPOINTMENTS = [
    appt(1, beneficiary_reference_id="10000000000001", center_id=" 17 ", vaccine=" covaxin ",
         status="no-show"),
    appt(2, beneficiary_reference_id="10000000000005"),
    appt(3, beneficiary_reference_id="99999999999999"),
    appt(4, date="31-04-2021"),
    appt(5, date="1-5-2021"),
    appt(6, status="Done"),
    appt(7, dose="4"),
    appt(8, center_id="12a"),
    appt(9, booked_at="2021-05-01 25:00:00"),
    appt(1, slot="11:00AM-01:00PM"),  # same appointment_id, different values
    appt(1, beneficiary_reference_id="10000000000001", center_id=" 17 ", vaccine=" covaxin ",
         status="no-show"),  # exact repeat of row 1
    appt(12, vaccine="pfizer"),
]
VACCINATIONS = [
    dict(certificate_id="C1", beneficiary_reference_id="10000000000001", dose="2",
         vaccine="covishield", dose_date="02-05-2021", center_id="17"),
    dict(certificate_id="C2", beneficiary_reference_id="88888888888888", dose="1",
         vaccine="COVAXIN", dose_date="02-05-2021", center_id="17"),
    dict(certificate_id="C3", beneficiary_reference_id="10000000000002", dose="1",
         vaccine="COVAXIN", dose_date="29-02-2021", center_id="17"),
]


def write_csv(path, rows: list[dict | None], columns: tuple[str, ...], broken: str = "") -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        if row is None:
            out.write(broken + "\n")
        else:
            writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")


def run(folder, registrations, appointments=(), vaccinations=(), export_year=None,
        known=None):
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "registrations.csv", list(registrations), REQUIRED_COLUMNS["registrations"],
              BROKEN_LINE)
    write_csv(folder / "appointments.csv", list(appointments), REQUIRED_COLUMNS["appointments"])
    write_csv(folder / "vaccinations.csv", list(vaccinations), REQUIRED_COLUMNS["vaccinations"])
    con = duckdb.connect()
    con.begin()  # the flow runs every stage inside one transaction
    ingest(con, folder)
    if known:  # registrations accepted on earlier nights
        con.execute("create table earlier (beneficiary_reference_id varchar)")
        con.executemany("insert into earlier values (?)", [[k] for k in known])
    return con, validate(con, export_year, secret=SECRET,
                         known_registrations="earlier" if known else None)


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    con, report = run(tmp_path_factory.mktemp("exports"), REGISTRATIONS, APPOINTMENTS,
                      VACCINATIONS)
    yield con, report
    con.close()


@pytest.fixture(scope="module")
def quarantine(validated):
    con, _ = validated
    rows = con.execute(f"select source_file, row_number, raw_values, reason "
                       f"from {tables.QUARANTINE}").fetchall()
    return {(f.split(".")[0], n): (json.loads(raw), reason) for f, n, raw, reason in rows}


@pytest.mark.parametrize("file, row, reason", [
    ("registrations", 5, "birth_year '1850' is outside 1900–2021"),
    ("registrations", 6, "birth_year '19x0' is not a 4-digit year"),
    ("registrations", 7, "gender 'X' is not Male, Female or Others (M/F/O)"),
    ("registrations", 8, "mobile_number is not 10 digits starting 6-9"),
    ("registrations", 9, "photo_id_number is not a valid Aadhaar number "
                         "(12 digits, Verhoeff check digit)"),
    ("registrations", 10, "photo_id_number is not a PAN (AAAAA9999A)"),
    ("registrations", 11, "photo_id_number is not a Voter ID (EPIC, AAA9999999)"),
    ("registrations", 12, "pincode '8000' is not 6 digits"),
    ("registrations", 13, "registered_at '2021-02-30 10:00:00' is not a real "
                          "YYYY-MM-DD HH:MM:SS timestamp"),
    ("registrations", 14, "photo_id_type 'Ration' is not an accepted photo ID type"),
    ("registrations", 15, "name is missing"),
    ("registrations", 16, "beneficiary_reference_id '123' is not 14 digits"),
    ("registrations", 17, "beneficiary_reference_id '10000000000001' repeats row 1 "
                          "with different values"),
    ("registrations", 18, "not a valid CSV row: expected 11 fields, found 4"),
    ("registrations", 19, "photo_id_number is shorter than 4 characters"),
    ("appointments", 2, "beneficiary_reference_id '10000000000005' is a quarantined registration"),
    ("appointments", 3, "beneficiary_reference_id '99999999999999' is not in registrations.csv"),
    ("appointments", 4, "date '31-04-2021' is not a real dd-mm-yyyy date"),
    ("appointments", 5, "date '1-5-2021' is not a real dd-mm-yyyy date"),
    ("appointments", 6, "status 'Done' is not one of Booked, Cancelled, Completed, No-show"),
    ("appointments", 7, "dose '4' is not 1, 2 or 3 (precaution)"),
    ("appointments", 8, "center_id '12a' is not an integer"),
    ("appointments", 9, "booked_at '2021-05-01 25:00:00' is not a real YYYY-MM-DD HH:MM:SS "
                        "timestamp"),
    ("appointments", 10, "appointment_id 'A1' repeats row 1 with different values"),
    ("appointments", 12, "vaccine 'pfizer' is not one of COVISHIELD, COVAXIN, SPUTNIK V, "
                         "CORBEVAX, COVOVAX"),
    ("vaccinations", 2, "beneficiary_reference_id '88888888888888' is not in registrations.csv"),
    ("vaccinations", 3, "dose_date '29-02-2021' is not a real dd-mm-yyyy date"),
])
def test_each_bad_value_is_quarantined_with_a_readable_reason(quarantine, file, row, reason):
    assert quarantine[(file, row)][1] == reason


def test_only_bad_rows_are_quarantined_and_counts_reconcile(validated, quarantine):
    _, report = validated
    bad_regs = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
    assert {r for f, r in quarantine if f == "registrations"} == bad_regs
    assert {r for f, r in quarantine if f == "appointments"} == {2, 3, 4, 5, 6, 7, 8, 9, 10, 12}
    assert {r for f, r in quarantine if f == "vaccinations"} == {2, 3}
    counts = report.to_dict()["files"]
    assert counts["registrations"] == dict(read=20, accepted=4, quarantined=15, duplicates=1)
    assert counts["appointments"] == dict(read=12, accepted=1, quarantined=10, duplicates=1)
    assert counts["vaccinations"] == dict(read=3, accepted=1, quarantined=2, duplicates=0)
    assert report.reconciles() and report.to_dict()["reconciles"]
    assert report.export_year == 2021


def test_several_reasons_are_joined_in_one_row(tmp_path):
    con, report = run(tmp_path, [reg(1, birth_year="1850", pincode="8000", gender="Q")])
    (reason,) = con.execute(f"select reason from {tables.QUARANTINE}").fetchall()[0]
    assert reason == ("gender 'Q' is not Male, Female or Others (M/F/O); "
                      "birth_year '1850' is outside 1900–2021; pincode '8000' is not 6 digits")
    assert report.files["registrations"].quarantined == 1


def test_quarantine_never_shows_a_full_mobile_or_photo_id(validated, quarantine):
    numbers = set()
    for r in REGISTRATIONS:
        for value in ((r or {}).get("mobile_number"), (r or {}).get("photo_id_number")):
            if value and len(re.sub(r"\W", "", value)) > 5:
                numbers.add(re.sub(r"\W", "", value).upper())
    numbers |= {"9876543219"}  # inside the broken line
    for raw, reason in quarantine.values():
        text = re.sub(r"\W", "", json.dumps(raw) + reason).upper()
        assert not [n for n in numbers if n in text]
    raw8 = quarantine[("registrations", 8)][0]
    assert raw8["mobile_number"] == identifiers.mask("12345") and raw8["name"] == "Ram Kumar"
    assert quarantine[("registrations", 9)][0]["photo_id_number"] == "********2340"
    assert "******3219" in quarantine[("registrations", 18)][0]["raw_line"]


def test_accepted_values_are_canonical_and_typed(validated):
    con, _ = validated
    rows = {r[0]: r[1:] for r in con.execute(f"""select beneficiary_reference_id, gender,
        birth_year, mobile_number, photo_id_type, photo_id_number, pincode, registered_at
        from {tables.REGISTRATIONS_PII}""").fetchall()}
    assert rows["10000000000001"] == ("Male", 1980, "9876543210", "Aadhaar Card",
                                      aadhaar("23412341234"), "800001",
                                      dt.datetime(2021, 5, 1, 10, 0))
    assert rows["10000000000002"][:5] == ("Female", 1980, "9876543211", "PAN Card", "ABCDE1234F")
    assert rows["10000000000003"][:5] == ("Others", 1980, "9876543210", "Voter ID", "XYZ1234567")
    assert set(rows) == {"10000000000001", "10000000000002", "10000000000003", "10000000000020"}
    (a,) = con.execute(f"select * from {tables.NIGHT['appointments']}").fetchall()
    assert a == ("A1", "10000000000001", 17, "PHC Danapur", "Patna", dt.date(2021, 5, 1),
                 "09:00AM-11:00AM", 1, "COVAXIN", dt.datetime(2021, 4, 30, 9, 15), "No-show")
    (v,) = con.execute(f"select * from {tables.NIGHT['vaccinations']}").fetchall()
    assert v == ("C1", "10000000000001", 2, "COVISHIELD", dt.date(2021, 5, 2), 17)


def test_registrations_leave_validation_masked_and_keyed(validated):
    con, _ = validated
    night = tables.NIGHT["registrations"]
    columns = [r[0] for r in con.execute(f"describe {night}").fetchall()]
    assert "mobile_number" not in columns and "photo_id_number" not in columns
    temp = {r[0] for r in con.execute("select table_name from duckdb_tables() where temporary")
            .fetchall()}
    assert {tables.REGISTRATIONS_PII, night} <= temp
    assert tables.QUARANTINE not in temp
    row = con.execute(f"select mobile_masked, mobile_key, photo_id_masked, photo_id_key from "
                      f"{night} where beneficiary_reference_id = '10000000000002'").fetchall()[0]
    key = lambda v: hashlib.sha256((SECRET + v).encode()).hexdigest()[:16]  # noqa: E731
    assert row == ("******3211", key("9876543211"), "******234F", key("ABCDE1234F"))


def test_photo_id_parts_are_keyed_head_and_deletions(validated):
    con, _ = validated
    parts = photo_id_parts("('10000000000002')")
    got = set(con.execute(f"select part, part_key from ({parts})").fetchall())
    key = lambda v: hashlib.md5((SECRET + v).encode()).hexdigest()[:12]  # noqa: E731
    number = "ABCDE1234F"
    assert got == {("head", key("ABCD")), ("deletion", key(number))} | {
        ("deletion", key(number[:i] + number[i + 1:])) for i in range(len(number))}


def test_bookings_may_point_at_registrations_of_earlier_nights(tmp_path):
    booking = appt(1, beneficiary_reference_id="10000000000077")
    _, alone = run(tmp_path / "a", [reg(1)], [booking])
    assert alone.files["appointments"].quarantined == 1
    _, later = run(tmp_path / "b", [reg(1)], [booking], known=["10000000000077"])
    assert later.files["appointments"].accepted == 1


def test_export_year_defaults_to_latest_registration_year(tmp_path):
    rows = [reg(1, birth_year="2022", registered_at="2022-01-03 08:00:00")]
    _, report = run(tmp_path / "a", rows)
    assert report.export_year == 2022 and report.files["registrations"].accepted == 1
    con, report = run(tmp_path / "b", rows, export_year=2021)
    assert report.files["registrations"].quarantined == 1
    assert con.execute(f"select reason from {tables.QUARANTINE}").fetchall() == [
        ("birth_year '2022' is outside 1900–2021",)]


def test_an_iso_t_between_date_and_time_reads_as_the_contracts_space(tmp_path):
    con, report = run(tmp_path, [reg(1, registered_at=" 2022-01-03T08:00:00 "),
                                 reg(2, registered_at="2021-05-01X10:00:00"),
                                 reg(3, registered_at="2021-05-01T25:00:00")],
                      [appt(1, beneficiary_reference_id="10000000000001",
                            booked_at="2021-12-30T09:15:00")])
    assert report.export_year == 2022
    assert con.execute(f"select beneficiary_reference_id, registered_at "
                       f"from {tables.REGISTRATIONS_PII}").fetchall() == [
        ("10000000000001", dt.datetime(2022, 1, 3, 8, 0))]
    assert con.execute(f"select booked_at from {tables.NIGHT['appointments']}").fetchall() == [
        (dt.datetime(2021, 12, 30, 9, 15),)]
    quarantined = con.execute(f"select row_number, reason from {tables.QUARANTINE}").fetchall()
    assert sorted(quarantined) == [
        (2, "registered_at '2021-05-01X10:00:00' is not a real YYYY-MM-DD HH:MM:SS timestamp"),
        (3, "registered_at '2021-05-01T25:00:00' is not a real YYYY-MM-DD HH:MM:SS timestamp")]


def test_other_spellings_of_a_value_read_as_the_contracts_own(tmp_path):
    con, report = run(tmp_path, [
        reg(1, gender="Other", photo_id_type="aadhar"),
        reg(2, photo_id_type="Driving Licence", photo_id_number="BR01 20110012345"),
        reg(3, photo_id_type="Voter-ID Card", photo_id_number="xyz1234567"),
        reg(4, gender="Otherwise"),
        reg(5, photo_id_type="Aadhaar Cards")],
        [appt(1, beneficiary_reference_id="10000000000001", status="No Show",
              vaccine="Sputnik-V"),
         appt(2, beneficiary_reference_id="10000000000002", status="no_show")])
    assert con.execute(f"select beneficiary_reference_id, gender, photo_id_type "
                       f"from {tables.REGISTRATIONS_PII} order by 1").fetchall() == [
        ("10000000000001", "Others", "Aadhaar Card"),
        ("10000000000002", "Male", "Driving License"),
        ("10000000000003", "Male", "Voter ID")]
    assert con.execute(f"select status, vaccine from {tables.NIGHT['appointments']} "
                       f"order by appointment_id").fetchall() == [
        ("No-show", "SPUTNIK V"), ("No-show", "COVAXIN")]
    assert report.files["registrations"].quarantined == 2


def test_a_missing_place_centre_name_or_slot_is_kept_as_unknown(tmp_path):
    con, report = run(tmp_path, [reg(1, state_name="", district_name=" ", pincode=""),
                                 reg(2, mobile_number=""), reg(3, gender="")],
                      [appt(1, beneficiary_reference_id="10000000000001", center_name="",
                            district_name="", slot=" ")])
    assert con.execute(f"select beneficiary_reference_id, state_name, district_name, pincode "
                       f"from {tables.REGISTRATIONS_PII}").fetchall() == [
        ("10000000000001", None, None, None)]
    assert con.execute(f"select appointment_id, center_name, district_name, slot "
                       f"from {tables.NIGHT['appointments']}").fetchall() == [
        ("A1", None, None, None)]
    quarantined = con.execute(f"select row_number, reason from {tables.QUARANTINE}").fetchall()
    assert sorted(quarantined) == [(2, "mobile_number is missing"), (3, "gender is missing")]
    assert report.files["appointments"].accepted == 1


def test_vectorised_aadhaar_check_agrees_with_the_reference():
    rng = np.random.default_rng(7)
    numbers = ["".join(map(str, d)) for d in rng.integers(0, 10, size=(3000, 12))]
    numbers += [aadhaar("".join(map(str, d))) for d in rng.integers(2, 10, size=(500, 11))]
    numbers += ["12345", "2341234123x6"]
    # the contract asks for 12 digits and the check digit, nothing of the first digit
    leading = [aadhaar(first + "0123456789") for first in "01"]
    got = aadhaar_valid(pd.Series(numbers + leading, dtype="string[pyarrow]"))
    assert got.tolist() == [identifiers.aadhaar_valid(n) for n in numbers + leading]
    assert got.sum() >= 500 and got[-2:].all()


def test_mask_line_masks_identifier_shaped_fields():
    line = "10000000000018,Ram,+91 98765 43210,Aadhaar Card,2341 2341 2346,ABCDE1234F,800001"
    masked = mask_line(line, sensitive=[2, 3])
    assert "98765" not in masked and "2341 2341" not in masked and "ABCDE1234" not in masked
    assert masked.startswith("10000000000018,Ram,") and masked.endswith(",800001")
    assert ",Aadhaar Card," in masked  # a sensitive position, but no number there
    assert mask_line(line, sensitive=None) == line


def test_an_expectation_that_cannot_run_stops_validation():
    frame = pd.DataFrame({"pincode": pd.Series(["800001"], dtype="string[pyarrow]")})
    broken = (Check("pincode", "fully_match", "pincode '{raw}' is odd", {"pattern": "[0-9"}),)
    with pytest.raises(RuntimeError, match="did not run: Invalid regular expression"):
        run_suite("registrations", frame, broken)
