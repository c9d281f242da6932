"""FEBRL as exports: the converter writes files the real validation accepts, ids map
back to FEBRL's rec_ids, and the pairwise scores are right on a hand-made case."""
from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from pipelines import febrl
from pipelines.ingest import REQUIRED_COLUMNS, ingest
from pipelines.validate import validate

FEBRL_COLUMNS = ("given_name", "surname", "street_number", "address_1", "address_2", "suburb",
                 "postcode", "state", "date_of_birth", "soc_sec_id")


def records(rows: dict[str, tuple]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(FEBRL_COLUMNS))
    return frame.rename_axis("rec_id").assign(source="")


def validated(folder):
    con = duckdb.connect()
    con.begin()
    ingest(con, folder)
    return con, validate(con, secret="test-secret")


@pytest.fixture(scope="module")
def febrl3_head(tmp_path_factory):
    """The first 400 FEBRL3 records, written and validated."""
    head = febrl.load("febrl3").records.iloc[:400]
    folder = febrl.write_exports(head, tmp_path_factory.mktemp("febrl3"))
    con, report = validated(folder)
    yield head, folder, con, report
    con.close()


def test_exports_hold_the_contract_columns_and_empty_bookings(febrl3_head):
    _, folder, _, _ = febrl3_head
    for key, columns in REQUIRED_COLUMNS.items():
        frame = pd.read_csv(folder / f"{key}.csv", dtype=str)
        assert tuple(frame.columns) == columns
        assert len(frame) == (400 if key == "registrations" else 0)


def test_only_records_without_a_birth_year_or_a_name_are_quarantined(febrl3_head):
    head, _, con, report = febrl3_head
    lacking = head["date_of_birth"].isna() | (head["given_name"].isna() & head["surname"].isna())
    assert lacking.any() and report.files["registrations"].accepted == (~lacking).sum()
    quarantined = {r[0] for r in con.execute(
        "select json_extract_string(raw_values, '$.beneficiary_reference_id') "
        "from quarantine").fetchall()}
    assert set(febrl.rec_ids(pd.Series(sorted(quarantined)))) == set(head.index[lacking])


def test_missing_fields_become_contract_values_that_carry_no_evidence():
    regs = febrl.registrations(records({
        "rec-7-org": ("anna", "smith", "1", "a st", None, "como", "215", "nsw", "19700102",
                      "1234567"),
        "rec-7-dup-0": (None, "smith", "1", "a st", None, None, "2150", None, "19700102",
                        "1234567"),
    }))
    assert regs["name"].tolist() == ["anna smith", "smith"]
    assert regs["birth_year"].tolist() == ["1970", "1970"]
    assert regs["pincode"].tolist() == ["000215", "002150"]
    assert regs["district_name"].tolist() == ["como", febrl.NOT_STATED]
    assert regs["state_name"].tolist() == ["nsw", febrl.NOT_STATED]
    assert regs["gender"].nunique() == 1  # every pair agrees: gender weighs nothing
    assert regs["mobile_number"].is_unique  # no pair agrees: the mobile weighs nothing
    assert regs["mobile_number"].str.fullmatch("[6-9][0-9]{9}").all()


def test_reference_ids_are_14_digits_unique_and_map_back():
    for name in febrl.DATASETS:  # FEBRL4's two files together
        ids = febrl.load(name).records.index.to_series()
        ref = febrl.reference_ids(ids)
        assert ref.str.fullmatch("[0-9]{14}").all() and ref.is_unique
        assert febrl.rec_ids(ref).tolist() == ids.tolist()
    assert febrl.reference_ids(pd.Series(["rec-12-org", "rec-12-dup-3"])).tolist() == [
        "10000000012000", "10000000012004"]
    with pytest.raises(ValueError):
        febrl.reference_ids(pd.Series(["rec-x-org"]))


def test_pair_scores_by_hand():
    predicted = pd.DataFrame({"l": ["a", "a", "c"], "r": ["b", "c", "d"]})
    actual = pd.DataFrame({"l": ["a", "d", "e"], "r": ["b", "e", "f"]})
    s = febrl.score_pairs(predicted, actual)
    assert (s["true_positives"], s["precision"], s["recall"]) == (1, round(1 / 3, 4),
                                                                 round(1 / 3, 4))
    assert s["f1"] == round(1 / 3, 4)
    assert febrl.score_pairs(predicted.iloc[:0], actual)["f1"] == 0.0


def write_published(out, clusters: dict[str, list[str]], quarantined: list[str]) -> None:
    out.mkdir()
    members = [(c, ref) for c, recs in clusters.items()
               for ref in febrl.reference_ids(pd.Series(recs))]
    pd.DataFrame(members, columns=["cluster_id", "beneficiary_reference_id"]).to_csv(
        out / "cluster_members.csv", index=False)
    raw = [json.dumps({"beneficiary_reference_id": r})
           for r in febrl.reference_ids(pd.Series(quarantined, dtype=str))]
    pd.DataFrame({"source_file": "registrations.csv", "row_number": range(1, len(raw) + 1),
                  "raw_values": raw, "reason": "birth_year is missing"}).to_csv(
        out / "quarantine.csv", index=False)


def test_linkage_scores_count_only_pairs_across_the_two_files(tmp_path):
    # A: 1, 2, 3 originals; B: their duplicates. The run put 1 with its duplicate and with
    # 2 (same file: not a linkage pair), missed 2's duplicate, and quarantined 3's.
    recs = records({r: (None,) * 10 for r in ["rec-1-org", "rec-2-org", "rec-3-org"]})
    dups = records({r: (None,) * 10 for r in ["rec-1-dup-0", "rec-2-dup-0", "rec-3-dup-0"]})
    bench = febrl.Benchmark("tiny", pd.concat([recs.assign(source="A"), dups.assign(source="B")]),
                            febrl.ordered_pairs([(f"rec-{i}-org", f"rec-{i}-dup-0")
                                                 for i in (1, 2, 3)]), cross_only=True)
    write_published(tmp_path / "out", {"C1": ["rec-1-org", "rec-1-dup-0", "rec-2-org"]},
                    ["rec-3-dup-0"])
    s = febrl.score(bench, tmp_path / "out")
    assert s["quarantined"] == 1 and s["same_file_pairs"] == 1
    # predicted across files: (1-org, 1-dup), (2-org, 1-dup): one right of two
    assert (s["accepted"]["precision"], s["accepted"]["recall"]) == (0.5, 0.5)
    assert (s["all"]["true_pairs"], s["all"]["recall"]) == (3, round(1 / 3, 4))
