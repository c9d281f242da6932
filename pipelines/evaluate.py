"""Accuracy of a published run against generated ground truth.

Pairwise: every two registrations placed in one cluster is a predicted pair; every two
registrations of one person is a true pair. Registrations the run quarantined are left
out of the truth (the run never saw them as registrations).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
import numpy as np
import recordlinkage as rl

from linkage import cluster
from linkage.settings import LinkageSettings
from pipelines import tables

FRAUD_KINDS_ON_PEOPLE = ("multi_booking", "repeat_dose1", "early_dose", "no_show_certificate")


def load(con: duckdb.DuckDBPyConnection, out: Path, truth: Path) -> None:
    """TEMP `truth` (id, person_id) and `members` (cluster_id, id) of a published run."""
    con.execute(f"create or replace temp table truth as select beneficiary_reference_id as id, "
                f"person_id from read_csv('{truth / 'registrations.csv'}', all_varchar=true)")
    con.execute(f"create or replace temp table members as select cluster_id, "
                f"beneficiary_reference_id as id from read_csv('{out / 'cluster_members.csv'}', "
                f"all_varchar=true)")
    quarantine = out / "quarantine.csv"
    if quarantine.exists():
        # an id leaves the truth only when every row carrying it was quarantined
        con.execute(f"""delete from truth where id in (
            select q.id from (
                select json_extract_string(raw_values, '$.beneficiary_reference_id') as id,
                       count(*) as n
                from read_csv('{quarantine}', all_varchar=true)
                where source_file = 'registrations.csv' group by 1) q
            join (select id, count(*) as n from truth group by id) t using (id)
            where q.n >= t.n)""")
    con.execute("create or replace temp table truth as select distinct id, person_id from truth")


def pairwise(con: duckdb.DuckDBPyConnection) -> dict:
    con.execute("""create or replace temp table predicted as
        select a.id as l, b.id as r from members a join members b
        on a.cluster_id = b.cluster_id and a.id < b.id""")
    con.execute("""create or replace temp table actual as
        select a.id as l, b.id as r from truth a join truth b
        on a.person_id = b.person_id and a.id < b.id""")
    tp = con.execute("select count(*) from predicted join actual using (l, r)").fetchall()[0][0]
    n_pred = con.execute("select count(*) from predicted").fetchall()[0][0]
    n_true = con.execute("select count(*) from actual").fetchall()[0][0]
    fp, fn = n_pred - tp, n_true - tp
    confusion = np.array([[tp, fn], [fp, 0]])
    precision = tp / n_pred if n_pred else 1.0
    recall = tp / n_true if n_true else 1.0
    f1 = float(rl.fscore(confusion)) if tp else 0.0
    return {"true_pairs": n_true, "predicted_pairs": n_pred, "true_positives": tp,
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def fraud_capture(con: duckdb.DuckDBPyConnection, out: Path, truth: Path) -> dict:
    """Share of fraudulent people whose registrations all sit in one flagged cluster, and
    share of flagged clusters that are one real person."""
    fraud = truth / "fraud.csv"
    flagged = out / "flagged_clusters.csv"
    if not fraud.exists() or not flagged.exists():
        return {}
    kinds = ", ".join(f"'{k}'" for k in FRAUD_KINDS_ON_PEOPLE)
    con.execute(f"create or replace temp table flagged as select cluster_id "
                f"from read_csv('{flagged}', all_varchar=true)")
    # every registration is in a cluster; singletons are 'C' || id
    con.execute("""create or replace temp table placed as
        select t.id, t.person_id, coalesce(m.cluster_id, 'C' || t.id) as cluster_id
        from truth t left join members m using (id)""")
    caught, total = con.execute(f"""
        with f as (select distinct person_id from read_csv('{fraud}', all_varchar=true)
                   where fraud_kind in ({kinds})),
        per as (select p.person_id, count(distinct p.cluster_id) as n_clusters,
                       bool_and(p.cluster_id in (select cluster_id from flagged)) as all_flagged
                from placed p join f using (person_id) group by p.person_id)
        select count(*) filter (where n_clusters = 1 and all_flagged), count(*) from per
    """).fetchall()[0]
    pure, n_flagged = con.execute("""
        select count(*) filter (where n_people = 1), count(*) from (
            select cluster_id, count(distinct person_id) as n_people
            from placed where cluster_id in (select cluster_id from flagged) group by cluster_id)
    """).fetchall()[0]
    return {"fraudulent_people": total, "caught_together_and_flagged": caught,
            "fraud_capture": round(caught / total, 4) if total else None,
            "flagged_clusters": n_flagged,
            "flagged_one_person": round(pure / n_flagged, 4) if n_flagged else None}


def evaluate(out: Path, truth: Path) -> dict:
    con = duckdb.connect()
    load(con, out, truth)
    return {"pairwise": pairwise(con), "fraud": fraud_capture(con, out, truth)}


def threshold_sweep(out: Path, truth: Path, thresholds: list[float],
                    db: Path | None = None) -> list[dict]:
    """Pairwise accuracy of the run in `out` had it linked at each of `thresholds`.

    A pair's score does not depend on the threshold, and the warehouse keeps every
    candidate pair's score, so each threshold's links are clustered as the run clusters
    them (the same anti-chaining) without running it again."""
    saved = out / "settings.json"  # the run's own, for its anti-chaining limit
    veto_weight = (LinkageSettings.load(saved) if saved.exists() else LinkageSettings()).veto_weight
    con = duckdb.connect()
    load(con, out, truth)
    con.execute(f"attach '{tables.warehouse(out, db)}' as w (read_only)")
    con.execute(f"create temp table _norm as select rid, beneficiary_reference_id "
                f"from w.{tables.REGISTRATIONS_NORM}")
    con.execute(f"create temp table _scored as select rid_l, rid_r, match_weight, household, "
                f"other_person from w.{tables.SCORED_PAIRS}")
    rows = []
    for threshold in thresholds:
        con.execute(f"""create or replace temp table _links as select *,
            match_weight >= {float(threshold)} and not household and not other_person as linked
            from _scored""")
        con.execute("drop table if exists _swept")
        cluster.cluster(con, "_links", "_norm", "_swept", veto_weight)
        con.execute("""create or replace temp table members as
            select cluster_id, beneficiary_reference_id as id from _swept
            qualify count(*) over (partition by cluster_id) > 1""")
        rows.append({"threshold": threshold, **pairwise(con)})
    return rows


def evaluate_cli(args: argparse.Namespace) -> int:
    if getattr(args, "thresholds", None):
        return _sweep_cli(args)
    result = evaluate(Path(args.out), Path(args.truth))
    p = result["pairwise"]
    print(f"pairwise  precision {p['precision']:.4f}  recall {p['recall']:.4f}  "
          f"F1 {p['f1']:.4f}  ({p['true_positives']:,} of {p['true_pairs']:,} true pairs, "
          f"{p['predicted_pairs']:,} predicted)")
    f = result["fraud"]
    if f:
        print(f"fraud     {f['caught_together_and_flagged']:,} of {f['fraudulent_people']:,} "
              f"fraudulent people caught together in a flagged cluster ({f['fraud_capture']:.2%}); "
              f"{f['flagged_one_person']:.2%} of {f['flagged_clusters']:,} flagged clusters "
              f"are one person")
    if getattr(args, "json", False):
        print(json.dumps(result, indent=2))
    return 0


def _sweep_cli(args: argparse.Namespace) -> int:
    db = tables.warehouse(args.out, getattr(args, "db", None))
    if not db.exists():
        print(f"jaanch evaluate: no warehouse at {db}; --thresholds reads the scores the run "
              f"kept there (give --db where the run was given one)", file=sys.stderr)
        return 2
    rows = threshold_sweep(Path(args.out), Path(args.truth), args.thresholds, db)
    for r in rows:
        print(f"threshold {r['threshold']:5.2f}  precision {r['precision']:.4f}  "
              f"recall {r['recall']:.4f}  F1 {r['f1']:.4f}  "
              f"({r['predicted_pairs']:,} predicted pairs)")
    if getattr(args, "json", False):
        print(json.dumps(rows, indent=2))
    return 0
