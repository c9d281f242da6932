"""The synthetic export generator: contract formats, honest truth, realism, bad rows."""
from __future__ import annotations

import csv
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from linkage.identifiers import (PHOTO_ID_TYPES, aadhaar_valid, clean_mobile, clean_photo_id,
                                 photo_id_valid)
from pipelines.sample_data import EXPORT_FILES, generate_sample
from pipelines.synth import bad_rows, idgen, names
from pipelines.synth.config import SynthConfig
from pipelines.synth.exports import (APPOINTMENT_COLUMNS, REGISTRATION_COLUMNS,
                                     VACCINATION_COLUMNS)

COLUMNS = {"registrations.csv": REGISTRATION_COLUMNS, "appointments.csv": APPOINTMENT_COLUMNS,
           "vaccinations.csv": VACCINATION_COLUMNS}
TYPES = {t.lower(): t for t in PHOTO_ID_TYPES}
ISO = re.compile(r"2021-\d\d-\d\d \d\d:\d\d:\d\d")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    stats = generate_sample(2000, 7, out, bad_rows=40)
    assert "persons 2,000" in stats.summary()
    return out


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def files(sample) -> dict[str, list[list[str]]]:
    return {name: _rows(sample / "exports" / name) for name in EXPORT_FILES}


@pytest.fixture(scope="module")
def bad(sample) -> pl.DataFrame:
    return pl.read_csv(sample / "truth" / "bad_rows.csv", infer_schema=False).with_columns(
        pl.col("row_number").cast(pl.Int64))


def _good(files, bad, name: str) -> pl.DataFrame:
    """Rows of an export file that were not injected as bad (row_number 1 = first data row)."""
    header, *rows = files[name]
    skip = {int(n) for n in bad.filter(pl.col("source_file") == name)["row_number"]}
    kept = [r for i, r in enumerate(rows, 1) if i not in skip]
    return pl.DataFrame(kept, schema=header, orient="row")


def _truth(sample, name: str) -> pl.DataFrame:
    return pl.read_csv(sample / "truth" / name, infer_schema=False)


def _registration_ok(r: dict) -> bool:
    """The contract's checks on one registration row (values as read)."""
    id_type = TYPES.get((r["photo_id_type"] or "").strip().lower())
    year = (r["birth_year"] or "").strip()
    return bool(
        re.fullmatch(r"\d{14}", r["beneficiary_reference_id"] or "")
        and (r["name"] or "").strip()
        and (r["gender"] or "").strip().lower() in {"male", "female", "others", "m", "f", "o"}
        and year.isdigit() and 1900 <= int(year) <= 2021
        and clean_mobile(r["mobile_number"] or "")
        and id_type and photo_id_valid(id_type, clean_photo_id(r["photo_id_number"]))
        and re.fullmatch(r"\d{6}", (r["pincode"] or "").strip())
        and ISO.fullmatch(r["registered_at"] or ""))


def test_headers_follow_the_contract(files):
    for name, rows in files.items():
        assert tuple(rows[0]) == COLUMNS[name]


def test_good_registrations_pass_every_contract_check(files, bad):
    regs = _good(files, bad, "registrations.csv")
    failing = [r for r in regs.iter_rows(named=True) if not _registration_ok(r)]
    assert not failing, failing[:3]


def test_good_appointments_and_doses_are_well_formed(files, bad, sample):
    ids = set(_truth(sample, "registrations.csv")["beneficiary_reference_id"])
    appts = _good(files, bad, "appointments.csv")
    assert appts["appointment_id"].n_unique() == appts.height
    assert set(appts["beneficiary_reference_id"]) <= ids
    assert appts["center_id"].str.contains(r"^\d+$").all()
    assert appts["date"].str.strptime(pl.Date, "%d-%m-%Y").dt.year().eq(2021).all()
    assert appts["slot"].str.contains(r"^\d\d:\d\d[AP]M-\d\d:\d\d[AP]M$").all()
    assert set(appts["dose"]) <= {"1", "2", "3"}
    assert set(appts["vaccine"].str.strip_chars().str.to_uppercase()) <= {
        "COVISHIELD", "COVAXIN", "SPUTNIK V"}
    assert set(appts["status"].str.strip_chars().str.to_lowercase()) == {
        "booked", "cancelled", "completed", "no-show"}
    assert appts["booked_at"].str.contains(ISO.pattern).all()
    doses = _good(files, bad, "vaccinations.csv")
    assert doses["certificate_id"].n_unique() == doses.height
    assert set(doses["beneficiary_reference_id"]) <= ids
    assert doses["dose_date"].str.strptime(pl.Date, "%d-%m-%Y").dt.year().eq(2021).all()


def test_some_values_carry_the_noise_the_contract_allows(files, bad):
    regs = _good(files, bad, "registrations.csv")
    assert regs["gender"].is_in(["M", "F", "O"]).any()
    assert regs["mobile_number"].str.starts_with("+91").any()
    assert (regs["district_name"] != regs["district_name"].str.strip_chars()).any()


def test_truth_covers_every_registration(files, bad, sample):
    regs = _good(files, bad, "registrations.csv")
    truth = _truth(sample, "registrations.csv")
    assert truth["beneficiary_reference_id"].n_unique() == truth.height
    assert set(regs["beneficiary_reference_id"]) == set(truth["beneficiary_reference_id"])
    # reference ids grow with registration time
    ordered = regs.unique("beneficiary_reference_id").sort("beneficiary_reference_id")
    assert ordered["registered_at"].is_sorted()


def test_at_most_four_registrations_per_mobile_except_touts(files, bad, sample):
    regs = _good(files, bad, "registrations.csv").unique().join(
        _truth(sample, "registrations.csv"), on="beneficiary_reference_id")
    regs = regs.with_columns(mobile=pl.col("mobile_number").map_elements(clean_mobile,
                                                                           pl.Utf8))
    per = regs.group_by("mobile").agg(n=pl.len(), people=pl.col("person_id").n_unique())
    touts = set(_truth(sample, "identifiers.csv").filter(
        pl.col("identifier_kind") == "mobile")["identifier"])
    assert touts
    assert per.filter(~pl.col("mobile").is_in(touts))["n"].max() <= 4
    assert per.filter(pl.col("mobile").is_in(touts))["people"].min() > 4
    assert per.filter(pl.col("n") > 1).height > 100  # households share a phone


def test_aadhaar_numbers_pass_verhoeff(files, bad):
    regs = _good(files, bad, "registrations.csv")
    aadhaar = regs.filter(pl.col("photo_id_type").str.strip_chars().str.to_lowercase()
                          == "aadhaar card")["photo_id_number"]
    assert len(aadhaar) > 1000
    assert all(aadhaar_valid(clean_photo_id(x)) for x in aadhaar)


def test_repeat_registrants_type_their_name_differently(files, bad, sample):
    regs = _good(files, bad, "registrations.csv").unique().join(
        _truth(sample, "registrations.csv"), on="beneficiary_reference_id")
    per = regs.group_by("person_id").agg(pl.col("name"), n=pl.len())
    repeaters = per.filter(pl.col("n") > 1)
    assert 0.08 <= repeaters.height / per.height <= 0.12
    varied = repeaters.filter(pl.col("name").list.n_unique() > 1).height
    assert 0.5 < varied / repeaters.height < 0.98  # mostly typed differently, not always


def test_names_follow_a_skewed_frequency(files, bad):
    names_ = _good(files, bad, "registrations.csv")["name"].str.strip_chars().str.to_titlecase()
    top = names_.value_counts(sort=True)
    assert top["count"][0] >= 8  # a "Sunita Devi" is everywhere
    assert names_.n_unique() > 0.6 * len(names_)


def test_spelling_variants_cover_known_transliterations():
    assert {"Mohd", "Md", "Muhammad"} <= set(names.spellings("Mohammad"))
    assert "Chouhan" in names.spellings("Chauhan")
    assert "Puja" in names.spellings("Pooja")


def _bookings(files, bad, sample) -> tuple[pl.DataFrame, pl.DataFrame]:
    who = _truth(sample, "registrations.csv")
    appts = _good(files, bad, "appointments.csv").join(who, on="beneficiary_reference_id")
    doses = _good(files, bad, "vaccinations.csv").join(who, on="beneficiary_reference_id")
    appts = appts.with_columns(day=pl.col("date").str.strptime(pl.Date, "%d-%m-%Y"),
                               status=pl.col("status").str.strip_chars().str.to_lowercase())
    doses = doses.with_columns(day=pl.col("dose_date").str.strptime(pl.Date, "%d-%m-%Y"),
                               vaccine=pl.col("vaccine").str.to_uppercase())
    return appts, doses


def test_timeline_is_consistent(files, bad, sample):
    """Booked after registering, doses on or after that day, nothing kept after the snapshot."""
    appts, doses = _bookings(files, bad, sample)
    regs = _good(files, bad, "registrations.csv").unique().select(
        "beneficiary_reference_id", reg=pl.col("registered_at").str.strptime(pl.Datetime))
    appts = appts.join(regs, on="beneficiary_reference_id")
    doses = doses.join(regs, on="beneficiary_reference_id")
    assert (appts["booked_at"].str.strptime(pl.Datetime) >= appts["reg"]).all()
    assert (doses["day"] >= doses["reg"].dt.date()).all()
    snapshot = pl.date(2021, 12, 24)
    assert doses.select((pl.col("day") <= snapshot).all()).item()
    kept = appts.filter(pl.col("status").is_in(["completed", "no-show"]))
    assert kept.select((pl.col("day") <= snapshot).all()).item()
    assert appts.filter(pl.col("status") == "booked").select(
        (pl.col("day") > snapshot).all()).item()


def test_walk_in_doses_also_stop_at_the_snapshot(tmp_path):
    """Every dose given on site (no booking): none may fall after the export was taken."""
    generate_sample(3000, 2, tmp_path, config=replace(SynthConfig(), walk_in=1.0))
    doses = pl.read_csv(tmp_path / "exports" / "vaccinations.csv", infer_schema=False)
    last = doses["dose_date"].str.strptime(pl.Date, "%d-%m-%Y").max()
    assert last <= date(2021, 12, 24)


def _fraud(sample, kind: str) -> set[str]:
    fraud = _truth(sample, "fraud.csv")
    return set(fraud.filter(pl.col("fraud_kind") == kind)["person_id"])


def test_every_fraud_kind_is_present(sample):
    kinds = set(_truth(sample, "fraud.csv")["fraud_kind"])
    assert kinds == {"multi_booking", "repeat_dose1", "early_dose", "shared_photo_id",
                     "no_show_certificate", "tout_mobile"}


def test_repeat_dose1_is_exactly_who_got_dose1_twice(files, bad, sample):
    _, doses = _bookings(files, bad, sample)
    twice = doses.filter(pl.col("dose") == "1").group_by("person_id").agg(
        pl.col("beneficiary_reference_id").n_unique()).filter(
        pl.col("beneficiary_reference_id") > 1)
    assert set(twice["person_id"]) == _fraud(sample, "repeat_dose1")


def test_early_dose_is_exactly_who_got_dose2_too_soon_or_mixed(files, bad, sample):
    _, doses = _bookings(files, bad, sample)
    pairs = doses.filter(pl.col("dose") == "1").join(
        doses.filter(pl.col("dose") == "2"), on="person_id", suffix="_2")
    minimum = pl.when(pl.col("vaccine") == "SPUTNIK V").then(21).otherwise(28)
    early = pairs.filter((pl.col("vaccine") != pl.col("vaccine_2"))
                         | ((pl.col("day_2") - pl.col("day")).dt.total_days() < minimum))
    assert set(early["person_id"]) == _fraud(sample, "early_dose")


def test_no_show_certificates_are_exactly_doses_without_a_kept_booking(files, bad, sample):
    appts, doses = _bookings(files, bad, sample)
    both = doses.join(appts, on=["beneficiary_reference_id", "day", "dose"], suffix="_a")
    odd = both.filter((pl.col("status") == "no-show")
                      | ((pl.col("status") == "completed")
                         & (pl.col("center_id") != pl.col("center_id_a"))))
    assert set(odd["person_id"]) == _fraud(sample, "no_show_certificate")


def test_multi_bookings_are_live_at_different_centres_within_a_week(files, bad, sample):
    appts, _ = _bookings(files, bad, sample)
    live = appts.filter(pl.col("status").is_in(["no-show", "booked"]))
    pairs = live.join(live, on="person_id", suffix="_b").filter(
        (pl.col("appointment_id") < pl.col("appointment_id_b"))
        & (pl.col("center_id") != pl.col("center_id_b"))
        & ((pl.col("day") - pl.col("day_b")).dt.total_days().abs() <= 7))
    assert set(pairs["person_id"]) == _fraud(sample, "multi_booking")
    used = appts.filter(pl.col("person_id").is_in(list(_fraud(sample, "multi_booking")))
                        & (pl.col("status") == "completed") & (pl.col("dose") == "1"))
    assert used["person_id"].n_unique() == len(_fraud(sample, "multi_booking"))


def test_identifier_frauds_match_the_exports(files, bad, sample):
    regs = _good(files, bad, "registrations.csv").unique().join(
        _truth(sample, "registrations.csv"), on="beneficiary_reference_id")
    regs = regs.with_columns(number=pl.col("photo_id_number").map_elements(clean_photo_id,
                                                                            pl.Utf8))
    ids = _truth(sample, "identifiers.csv")
    shared = regs.group_by("number").agg(pl.col("person_id").n_unique()).filter(
        pl.col("person_id") > 1)
    assert set(shared["number"]) == set(ids.filter(pl.col("fraud_kind")
                                                   == "shared_photo_id")["identifier"])
    borrowers = regs.filter(pl.col("number").is_in(shared["number"].implode()))
    assert _fraud(sample, "shared_photo_id") < set(borrowers["person_id"])  # + the owners
    appts, _ = _bookings(files, bad, sample)
    mobiles = regs.select("beneficiary_reference_id", mobile=pl.col("mobile_number")
                          .map_elements(clean_mobile, pl.Utf8))
    booked = appts.join(mobiles, on="beneficiary_reference_id").with_columns(
        t=pl.col("booked_at").str.strptime(pl.Datetime)).sort("t")
    in_a_minute = booked.rolling("t", period="60s", group_by="mobile").agg(n=pl.len())
    bursty = set(in_a_minute.filter(pl.col("n") >= 5)["mobile"])
    assert bursty == set(ids.filter(pl.col("fraud_kind") == "tout_mobile")["identifier"])


def test_bad_rows_cover_every_kind_and_really_are_bad(files, bad):
    assert set(zip(bad["source_file"], bad["kind"])) >= set(bad_rows.KINDS)
    assert (bad["kind"] == bad_rows.EXACT_REPEAT).sum() >= 1
    header = files["registrations.csv"][0]
    for row in bad.filter(pl.col("source_file") == "registrations.csv").iter_rows(named=True):
        line = files["registrations.csv"][row["row_number"]]
        if row["kind"] == "wrong_field_count":
            assert len(line) != len(header)
            continue
        values = dict(zip(header, line))
        assert values["beneficiary_reference_id"] == row["record_id"]
        if row["kind"] in ("exact_repeat", "duplicate_id"):
            same_id = [(i, r) for i, r in enumerate(files["registrations.csv"][1:], 1)
                       if r[0] == row["record_id"]]
            assert len(same_id) == 2
            assert (same_id[0][1] == same_id[1][1]) == (row["kind"] == "exact_repeat")
            assert same_id[1][0] == row["row_number"]  # the copy comes after the original
        else:
            assert not _registration_ok(values), row


def test_orphans_point_at_nobody(files, bad, sample):
    ids = set(_truth(sample, "registrations.csv")["beneficiary_reference_id"])
    for name in ("appointments.csv", "vaccinations.csv"):
        header, *rows = files[name]
        col = header.index("beneficiary_reference_id")
        numbers = bad.filter((pl.col("source_file") == name)
                             & (pl.col("kind") == "orphan_beneficiary"))["row_number"]
        assert len(numbers)
        assert all(rows[n - 1][col] not in ids for n in numbers)


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    for folder, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate_sample(400, seed, tmp_path / folder, bad_rows=5)
    files = [p.relative_to(tmp_path / "a") for p in sorted((tmp_path / "a").rglob("*.csv"))]
    assert len(files) == 7
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    reg = Path("exports/registrations.csv")
    assert (tmp_path / "a" / reg).read_bytes() != (tmp_path / "c" / reg).read_bytes()


def _changed_both(out: Path) -> float:
    regs = pl.read_csv(out / "exports" / "registrations.csv", infer_schema=False).join(
        pl.read_csv(out / "truth" / "registrations.csv", infer_schema=False),
        on="beneficiary_reference_id").sort("beneficiary_reference_id")
    regs = regs.with_columns(
        mobile=pl.col("mobile_number").map_elements(clean_mobile, pl.Utf8),
        kind=pl.col("photo_id_type").str.strip_chars().str.to_lowercase(),
        k=pl.int_range(pl.len()).over("person_id"))
    first = regs.filter(pl.col("k") == 0).select("person_id", m0="mobile", k0="kind")
    extra = regs.filter(pl.col("k") > 0).join(first, on="person_id")
    return ((extra["mobile"] != extra["m0"]) & (extra["kind"] != extra["k0"])).mean()


def test_hard_profile_changes_id_type_and_mobile_about_90_percent(tmp_path):
    generate_sample(2500, 3, tmp_path / "hard", profile="hard")
    generate_sample(2500, 3, tmp_path / "default")
    assert 0.84 <= _changed_both(tmp_path / "hard") <= 0.97
    assert _changed_both(tmp_path / "default") < 0.6


def test_rerun_without_bad_rows_leaves_no_stale_list(tmp_path):
    generate_sample(300, 1, tmp_path, bad_rows=3)
    assert (tmp_path / "truth" / "bad_rows.csv").exists()
    generate_sample(300, 1, tmp_path)
    assert not (tmp_path / "truth" / "bad_rows.csv").exists()
