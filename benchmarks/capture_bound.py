"""How much fraud any linkage of these comparisons could catch: an upper bound, from the truth.

usage: python benchmarks/capture_bound.py --out RUN_OUT --truth TRUTH [--db WAREHOUSE]

Every candidate pair of a run falls in a cell: its comparison levels, the household and
other-person vetoes, its match weight rounded to a bit, and the dose pattern of its two
registrations (which doses each holds, and the weeks between them). An oracle that knows,
from the truth, the share of each cell's pairs that are one person links the cells in
order of that share, and no scorer of these comparisons can order pairs better (it sees
no more than the cell). Its cells are fitted on the very pairs they are judged on, so the
bound flatters it. At each step it prints the fraudulent people held together (as
`jaanch evaluate` counts them, a single-registration fraud counted as held) and the
share of the clusters holding a fraudulent person's registration that are one person.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import numpy as np

from linkage import cluster
from pipelines.evaluate import FRAUD_KINDS_ON_PEOPLE

_DOSE_PATTERN = """case
    when coalesce(x.mask, 0) & coalesce(y.mask, 0) & 6 <> 0 then 'same later dose'
    when coalesce(x.mask, 0) & coalesce(y.mask, 0) = 1 then
        case when (case when x.d1 <= y.d1 then x.mask else y.mask end) = 1
             then 'dose 1 again, weeks ' || least(date_diff('day', least(x.d1, y.d1),
                                                             greatest(x.d1, y.d1)) // 14, 8)
             else 'dose 1 again after a later dose' end
    when coalesce(x.mask, 0) > 0 and coalesce(y.mask, 0) > 0 then 'split, weeks ' ||
        coalesce(least(greatest(date_diff('day', coalesce(x.d1, y.d1),
                                          coalesce(y.d2, x.d2)), -1) // 14, 8), 99)
    when coalesce(x.mask, 0) > 0 or coalesce(y.mask, 0) > 0 then 'one side'
    else 'none' end"""


def load(con: duckdb.DuckDBPyConnection, db: Path, truth: Path) -> None:
    """TEMP person (rid, person, fraud) and pairs (rid_l, rid_r, same, cell)."""
    con.execute(f"attach '{db}' as w (read_only)")
    con.execute(f"""create temp table person as
        select n.rid, t.person_id as person, t.person_id in (
            select person_id from read_csv('{truth / "fraud.csv"}', all_varchar=true)
            where fraud_kind in {FRAUD_KINDS_ON_PEOPLE}) as fraud
        from read_csv('{truth / "registrations.csv"}', all_varchar=true) t
        join w.registrations_norm n using (beneficiary_reference_id)""")
    con.execute("""create temp table doses as
        select n.rid, bit_or(1 << (v.dose - 1))::int as mask,
               min(v.dose_date) filter (where v.dose = 1) as d1,
               min(v.dose_date) filter (where v.dose = 2) as d2
        from w.vaccinations v join w.registrations_norm n using (beneficiary_reference_id)
        where v.dose between 1 and 3 group by n.rid""")
    con.execute(f"""create temp table pairs as
        select s.rid_l, s.rid_r, a.person = b.person as same, concat_ws(',',
            c.name_level, c.birth_year_level, c.gender_level, c.photo_id_level,
            c.mobile_level, c.location_level, s.household, s.other_person,
            round(s.match_weight)::int, {_DOSE_PATTERN}) as cell
        from w.scored_pairs s
        join w.registrations_norm l on l.rid = s.rid_l
        join w.registrations_norm r on r.rid = s.rid_r
        join w.pair_comparisons c on c.bid_l = l.bid and c.bid_r = r.bid
        join person a on a.rid = s.rid_l join person b on b.rid = s.rid_r
        left join doses x on x.rid = s.rid_l left join doses y on y.rid = s.rid_r""")


def ranked_pairs(con: duckdb.DuckDBPyConnection, floor: float) -> dict:
    """Pairs of cells where at least `floor` of the pairs are one person, with their
    cell's share, best cells first."""
    return con.execute(f"""
        with cells as (select cell, avg(same::int) as share from pairs group by cell)
        select p.rid_l, p.rid_r, c.share from pairs p join cells c using (cell)
        where c.share >= {floor} order by c.share desc, p.cell""").fetchnumpy()


def held_and_pure(labels: np.ndarray, fraud: tuple[np.ndarray, np.ndarray], single: int,
                  person_of: np.ndarray, linked: np.ndarray) -> tuple[float, float]:
    """Share of fraudulent people held in one component (`fraud`: their registrations,
    grouped, and where each group starts), and share of the components of two or more
    registrations holding a fraudulent person's registration that hold one person (a
    proxy for the flagged clusters that are one person)."""
    rids, starts = fraud
    lab = labels[rids]
    held = int((np.minimum.reduceat(lab, starts) == np.maximum.reduceat(lab, starts)).sum())
    kinds = np.unique(np.stack([labels[linked], person_of[linked]]), axis=1)
    comps, people = np.unique(kinds[0], return_counts=True)
    touched = np.isin(comps, lab)
    total = len(starts) + single
    return (held + single) / total, float((people[touched] == 1).mean()) if touched.any() else 1.0


def frontier(pairs: dict, person: dict, steps: int = 40) -> list[tuple[float, float, float]]:
    """(cell share linked down to, fraud held, purity), linking cells best first."""
    n = int(person["rid"].max()) + 1
    person_of = np.zeros(n, dtype=np.int64)
    person_of[person["rid"]] = person["person"]
    mine = np.asarray(person["fraud"], dtype=bool)
    owners, counts = np.unique(person["person"][mine], return_counts=True)
    several = np.isin(person["person"], owners[counts > 1]) & mine
    order = np.argsort(person["person"][several], kind="stable")
    rids = person["rid"][several][order]
    starts = np.flatnonzero(np.r_[True, np.diff(person["person"][several][order]) != 0])
    single = int((counts == 1).sum())
    shares, rows = pairs["share"], []
    for cut in np.unique(np.quantile(shares, np.linspace(1, 0, steps)))[::-1]:
        upto = int(np.searchsorted(-shares, -cut, side="right"))
        left, right = pairs["rid_l"][:upto], pairs["rid_r"][:upto]
        labels = cluster.components(n, left, right)
        linked = np.unique(np.concatenate([left, right]))
        rows.append((float(cut), *held_and_pure(labels, (rids, starts), single, person_of,
                                                linked)))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="the run's output folder")
    ap.add_argument("--truth", type=Path, required=True)
    ap.add_argument("--db", type=Path, help="its warehouse (default: OUT/jaanch.duckdb)")
    ap.add_argument("--floor", type=float, default=0.05,
                    help="leave out cells where fewer pairs than this are one person")
    args = ap.parse_args()
    con = duckdb.connect()
    load(con, args.db or args.out / "jaanch.duckdb", args.truth)
    rows = frontier(ranked_pairs(con, args.floor),
                    con.execute("select rid, person::bigint as person, fraud "
                                "from person").fetchnumpy())
    print(f"{'cells linked down to':>22} {'fraud held':>11} {'one person':>11}")
    for cut, held, pure in rows:
        print(f"{cut:>22.3f} {held:>11.2%} {pure:>11.2%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
