"""Read a run's warehouse for an investigation: one cluster's people, why they were linked,
their bookings and doses, and the night's flags by district and centre.

    wh = open_warehouse()                # $JAANCH_DB, else out/jaanch.duckdb; read-only
    cid = wh.flagged(1).cluster_id[0]    # the highest-risk flagged person
    wh.cluster(cid); wh.pair_contributions(cid); wh.timeline(cid); wh.neighbours(cid)

Every method returns a pandas frame (or a dict). The warehouse holds mobile and photo ID
numbers only masked and as keyed hashes, so nothing read here can show a full number.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from linkage.settings import LinkageSettings
from pipelines import tables
from rules.engine import RULE_CATALOG

ENV_DB = "JAANCH_DB"
# pair_scores flags whose pairs get a fixed weight instead of the sum of their fields
VETOES = {"household": "same mobile, different given names: relatives",
          "other_person": "another name and another age or gender: someone else"}
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = REPO_ROOT / "out" / tables.WAREHOUSE_FILE  # where the README's sample run writes it

# a centre's most used spelling names it; doses carry only the centre's id
_CENTRES = f"""
    select center_id, list(center_name order by n desc, center_name)[1] as center_name,
           list(district_name order by n desc, district_name)[1] as center_district
    from (select center_id, center_name, district_name, count(*) as n
          from {tables.APPOINTMENTS} group by all)
    group by center_id"""

# one row per booking (dated by its session) and per dose given
_EVENTS = f"""
    select a.beneficiary_reference_id, 'booking' as kind, a.appointment_id as reference,
           a.session_date as date, a.booked_at, a.dose, a.vaccine, a.center_id, a.status
    from {tables.APPOINTMENTS} a
    union all
    select v.beneficiary_reference_id, 'dose', v.certificate_id, v.dose_date, null, v.dose,
           v.vaccine, v.center_id, 'Given'
    from {tables.VACCINATIONS} v"""


def repo_path(path: str | Path) -> Path:
    """A path from the repository root unless absolute: notebooks run in notebooks/, while
    the paths people set are written from the root, as in the README's commands."""
    path = Path(path)
    return path if path.is_absolute() else REPO_ROOT / path


def warehouse_path(path: str | Path | None = None) -> Path:
    """`path`, else $JAANCH_DB (from the repository root), else the sample run's warehouse."""
    if path is not None:
        return Path(path)
    return repo_path(os.environ.get(ENV_DB) or DEFAULT_DB)


def open_warehouse(path: str | Path | None = None) -> "Warehouse":
    """Open a warehouse written by `jaanch run`, read-only."""
    p = warehouse_path(path)
    if not p.is_file():
        raise FileNotFoundError(
            f"no warehouse at {p}: run `jaanch run --exports data/sample/exports --out out` "
            f"from the repository root, or set {ENV_DB} to a warehouse file")
    return Warehouse(duckdb.connect(str(p), read_only=True), p)


@dataclass
class Warehouse:
    con: duckdb.DuckDBPyConnection
    path: Path | None = None

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def _df(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    # -- the run -------------------------------------------------------------------------
    def summary(self) -> dict:
        """The run summary (counts, linkage model, timings) as written by the run."""
        row = self.con.execute(f"select summary from {tables.RUN_SUMMARY}").fetchone()
        return json.loads(row[0]) if row else {}

    def settings(self) -> LinkageSettings:
        """The run's linkage settings: from the run summary, else the settings.json
        published beside the warehouse, else the defaults."""
        saved = self.summary().get("settings")
        if saved:
            return LinkageSettings.from_json(json.dumps(saved))
        beside = self.path.parent / "settings.json" if self.path else None
        return LinkageSettings.load(beside) if beside and beside.is_file() else LinkageSettings()

    def prior_weight(self) -> float:
        """log2 of the prior odds that a candidate pair is one person: every pair's start."""
        prior = self.summary().get("linkage", {}).get("model", {}).get("prior")
        if prior is not None:
            return math.log2(prior / (1 - prior))
        # a summary without the model: a linked pair's weight less its field weights
        total = " + ".join(f"coalesce({c.field}_weight, 0)" for c in self.settings().comparisons)
        row = self.con.execute(f"select median(match_weight - ({total})) "
                               f"from {tables.PAIR_SCORES} where linked").fetchone()
        return float(row[0] or 0.0)

    # -- finding a person ----------------------------------------------------------------
    def flagged(self, limit: int | None = 20) -> pd.DataFrame:
        """Flagged clusters, highest risk first."""
        return self._df(f"""select * from {tables.FLAGGED_CLUSTERS}
            order by risk_score desc, cluster_id limit ?""", [limit])

    def find_clusters(self, name: str | None = None, mobile_masked: str | None = None,
                      center: int | str | None = None) -> pd.DataFrame:
        """Clusters with a registration whose name contains `name` (any case), whose
        mobile ends in the same four digits as `mobile_masked`, and that booked or was
        dosed at `center` (an id, or part of a name). Criteria combine with AND."""
        if name is None and mobile_masked is None and center is None:
            raise ValueError("give a name, a masked mobile or a centre")
        where, params = [], {}
        if name is not None:
            where.append("r.name ilike '%' || $name || '%'")
            params["name"] = name
        if mobile_masked is not None:
            where.append("right(r.mobile_masked, 4) = right($mobile, 4)")
            params["mobile"] = str(mobile_masked)
        if center is not None:
            by = "e.center_id = $center" if isinstance(center, int) else \
                 "k.center_name ilike '%' || $center || '%'"
            where.append(f"""c.cluster_id in (
                select c2.cluster_id from ({_EVENTS}) e
                join {tables.CLUSTERS} c2 using (beneficiary_reference_id)
                left join ({_CENTRES}) k using (center_id) where {by})""")
            params["center"] = center
        return self._df(f"""
            with hit as (
                select distinct c.cluster_id from {tables.CLUSTERS} c
                join {tables.REGISTRATIONS} r using (beneficiary_reference_id)
                where {' and '.join(where)}
            )
            select c.cluster_id, count(*) as n_registrations,
                   string_agg(distinct r.name, '; ' order by r.name) as names,
                   any_value(f.risk_score) as risk_score, any_value(f.rules) as rules
            from {tables.CLUSTERS} c join hit using (cluster_id)
            join {tables.REGISTRATIONS} r using (beneficiary_reference_id)
            left join {tables.FLAGGED_CLUSTERS} f using (cluster_id)
            group by c.cluster_id
            order by risk_score desc nulls last, n_registrations desc, c.cluster_id""", params)

    # -- one cluster ---------------------------------------------------------------------
    def cluster(self, cluster_id: str) -> pd.DataFrame:
        """The cluster's registrations, oldest first (identifiers masked)."""
        df = self._df(f"""
            select r.beneficiary_reference_id, r.name, r.gender, r.birth_year,
                   r.mobile_masked, r.photo_id_type, r.photo_id_masked, r.district_name,
                   r.pincode, r.registered_at
            from {tables.CLUSTERS} c join {tables.REGISTRATIONS} r using (beneficiary_reference_id)
            where c.cluster_id = ? order by r.registered_at, r.beneficiary_reference_id""",
            [cluster_id])
        if df.empty:
            raise KeyError(f"no cluster {cluster_id!r} in this warehouse")
        return df

    def evidence(self, cluster_id: str) -> dict | None:
        """The published evidence document, or None when the cluster is not flagged."""
        row = self.con.execute(f"select evidence from {tables.EVIDENCE} where cluster_id = ?",
                               [cluster_id]).fetchone()
        return json.loads(row[0]) if row else None

    def pair_contributions(self, cluster_id: str, linked_only: bool = True) -> pd.DataFrame:
        """Why each pair inside the cluster scored as it did, one step per row: the prior,
        then each field's weight. Columns: pair, id_l, id_r, step, field, level, label,
        weight, start, end (the running total before and after the step), match_weight."""
        settings = self.settings()
        fields = [c.field for c in settings.comparisons]
        present = {d[0] for d in self.con.execute(
            f"select * from {tables.PAIR_SCORES} limit 0").description}
        cols = ", ".join([f"p.{f}_level, p.{f}_weight" for f in fields]
                         + [f"p.{v}" for v in VETOES if v in present])
        pairs = self._df(f"""
            select p.id_l, p.id_r, p.match_weight, p.linked, {cols}
            from {tables.PAIR_SCORES} p
            join {tables.CLUSTERS} l on l.beneficiary_reference_id = p.id_l
            join {tables.CLUSTERS} r on r.beneficiary_reference_id = p.id_r
            where l.cluster_id = ? and r.cluster_id = ? {'and p.linked' if linked_only else ''}
            order by p.match_weight desc, p.id_l, p.id_r""", [cluster_id, cluster_id])
        return _steps(pairs, fields, settings, self.prior_weight())

    def timeline(self, cluster_id: str) -> pd.DataFrame:
        """Bookings (dated by session) and doses of every member, in time order."""
        return self._df(f"""
            select e.date, e.kind, e.beneficiary_reference_id, e.reference, e.dose, e.vaccine,
                   e.center_id, k.center_name, e.status, e.booked_at
            from ({_EVENTS}) e join {tables.CLUSTERS} c using (beneficiary_reference_id)
            left join ({_CENTRES}) k using (center_id)
            where c.cluster_id = ?
            order by e.date, e.kind, e.booked_at, e.reference""", [cluster_id])

    def centres(self, cluster_id: str) -> pd.DataFrame:
        """The centres the cluster booked at or was dosed at, busiest first."""
        return self._df(f"""
            select e.center_id, k.center_name, k.center_district,
                   count(*) filter (where e.kind = 'booking') as bookings,
                   count(*) filter (where e.status = 'No-show') as no_shows,
                   count(*) filter (where e.kind = 'dose') as doses,
                   min(e.date) as first_date, max(e.date) as last_date
            from ({_EVENTS}) e join {tables.CLUSTERS} c using (beneficiary_reference_id)
            left join ({_CENTRES}) k using (center_id)
            where c.cluster_id = ?
            group by all order by bookings + doses desc, e.center_id""", [cluster_id])

    def rule_hits(self, cluster_id: str) -> pd.DataFrame:
        """Each rule that flagged the cluster: its plain words and the facts that triggered it."""
        df = self._df(f"""
            select h.rule_id, k.title, k.severity, h.facts::json ->> 'explanation' as explanation,
                   h.facts
            from {tables.RULE_HITS} h join {RULE_CATALOG} k using (rule_id)
            where h.entity_kind = 'cluster' and h.entity_id = ? order by h.rule_id""",
            [cluster_id])
        df["facts"] = df["facts"].map(json.loads)
        return df

    def neighbours(self, cluster_id: str) -> pd.DataFrame:
        """Other clusters that share a mobile or a photo ID number with this one."""
        return self._df(f"""
            with mine as (
                select r.mobile_key, r.photo_id_key
                from {tables.CLUSTERS} c join {tables.REGISTRATIONS} r using (beneficiary_reference_id)
                where c.cluster_id = $cid
            ), theirs as (
                select 'mobile' as shared, r.mobile_masked as identifier, c.cluster_id, r.name
                from {tables.REGISTRATIONS} r join {tables.CLUSTERS} c using (beneficiary_reference_id)
                where r.mobile_key in (select mobile_key from mine) and c.cluster_id <> $cid
                union all
                select 'photo_id', r.photo_id_masked, c.cluster_id, r.name
                from {tables.REGISTRATIONS} r join {tables.CLUSTERS} c using (beneficiary_reference_id)
                where r.photo_id_key in (select photo_id_key from mine) and c.cluster_id <> $cid
            )
            select t.cluster_id, t.shared, t.identifier, count(*) as n_registrations,
                   string_agg(distinct t.name, '; ' order by t.name) as names,
                   any_value(f.risk_score) as risk_score, any_value(f.rules) as rules
            from theirs t left join {tables.FLAGGED_CLUSTERS} f using (cluster_id)
            group by t.cluster_id, t.shared, t.identifier
            order by risk_score desc nulls last, t.cluster_id, t.shared""", {"cid": cluster_id})

    # -- the night by place --------------------------------------------------------------
    def flags_by_district(self) -> pd.DataFrame:
        """Flagged clusters per district and rule (a cluster with two rules counts under each)."""
        return self._df(f"""
            select f.district_name, rule as rule_id, count(*) as flagged_clusters
            from {tables.FLAGGED_CLUSTERS} f, unnest(string_split(f.rules, ';')) as u(rule)
            group by all order by f.district_name, rule""")

    def flags_by_centre_week(self) -> pd.DataFrame:
        """Flagged clusters with a booking or a dose at a centre in a week (weeks start Monday)."""
        return self._df(f"""
            select k.center_district as district_name, e.center_id, k.center_name,
                   date_trunc('week', e.date)::date as week,
                   count(distinct c.cluster_id) as flagged_clusters
            from ({_EVENTS}) e join {tables.CLUSTERS} c using (beneficiary_reference_id)
            join {tables.FLAGGED_CLUSTERS} f using (cluster_id)
            left join ({_CENTRES}) k using (center_id)
            group by all order by week, district_name, e.center_id""")

    def hoarding_no_shows_by_centre(self) -> pd.DataFrame:
        """No-shows among the bookings that the multi-booking rule names, per centre: slots
        held at several centres at once and then left empty."""
        return self._df(f"""
            with booked as (
                select h.entity_id as cluster_id, unnest(json_extract(h.facts, '$.bookings[*]')) as b
                from {tables.RULE_HITS} h where h.rule_id = 'multi_booking'
            )
            select (b ->> 'center_id')::bigint as center_id, k.center_name, k.center_district,
                   count(*) as no_shows, count(distinct cluster_id) as clusters
            from booked left join ({_CENTRES}) k on k.center_id = (b ->> 'center_id')::bigint
            where b ->> 'status' = 'No-show'
            group by all order by no_shows desc, center_id""")

    def repeat_dose1_by_centre(self) -> pd.DataFrame:
        """Dose-1 certificates given to a person who already had one, per centre."""
        return self._df(f"""
            with doses as (
                select h.entity_id as cluster_id, unnest(json_extract(h.facts, '$.doses[*]')) as d
                from {tables.RULE_HITS} h where h.rule_id = 'repeat_dose1'
            ), ranked as (
                select cluster_id, (d ->> 'center_id')::bigint as center_id,
                       row_number() over (partition by cluster_id
                                          order by d ->> 'dose_date', d ->> 'certificate_id') as nth
                from doses
            )
            select r.center_id, k.center_name, k.center_district,
                   count(*) as repeat_doses, count(distinct cluster_id) as people
            from ranked r left join ({_CENTRES}) k using (center_id)
            where nth > 1
            group by all order by repeat_doses desc, r.center_id""")

    # -- linkage quality -----------------------------------------------------------------
    def match_weights(self, bin_width: float = 0.5) -> pd.DataFrame:
        """Candidate pairs per match-weight bin (lower edge), split by linked: binned in the
        warehouse, since a state's night holds millions of pairs."""
        return self._df(f"""
            select floor(match_weight / $w) * $w as weight_bin, linked, count(*) as pairs
            from {tables.PAIR_SCORES} group by all order by weight_bin, linked""",
            {"w": bin_width})

    def precision_recall(self, truth_dir: str | Path, step: float = 0.5) -> pd.DataFrame:
        """Pairwise precision and recall of `match_weight >= threshold` for every multiple of
        `step` across the weights, against generated truth (truth_dir/registrations.csv: beneficiary_reference_id,
        person_id). Recall counts every true pair, including those blocking never proposed."""
        truth = _truth_sql(truth_dir)
        return self._df(f"""
            with truth as ({truth}),
            scored as (
                select floor(p.match_weight / $step)::bigint as b,
                       coalesce(tl.person_id = tr.person_id, false) as same
                from {tables.PAIR_SCORES} p
                left join truth tl on tl.id = p.id_l left join truth tr on tr.id = p.id_r
            ), bins as (
                select b, count(*) as n, count(*) filter (where same) as tp from scored group by b
            ), grid as (  -- every step from the lowest weight to the highest, empty or not
                select unnest(range(min(b), max(b) + 1)) as b from bins
            ), cum as (
                select b * $step as threshold,
                       sum(coalesce(tp, 0)) over (order by b desc) as true_positives,
                       sum(coalesce(n, 0)) over (order by b desc) as pairs_above
                from grid left join bins using (b)
            ), actual as (
                select sum(n * (n - 1) / 2) as true_pairs
                from (select person_id, count(*) as n from truth group by person_id)
            )
            select threshold, pairs_above, true_positives, true_pairs,
                   true_positives / pairs_above as precision, true_positives / true_pairs as recall
            from cum, actual order by threshold""", {"step": step})

    def cluster_precision_recall(self, truth_dir: str | Path) -> dict:
        """Pairwise precision and recall of the final clusters (after clustering's
        transitivity and vetoes), against the same truth."""
        row = self.con.execute(f"""
            with truth as ({_truth_sql(truth_dir)}),
            placed as (select c.cluster_id, t.person_id from truth t
                       join {tables.CLUSTERS} c on c.beneficiary_reference_id = t.id),
            g as (select count(*) as n from placed group by cluster_id, person_id),
            c as (select count(*) as n from placed group by cluster_id),
            p as (select count(*) as n from placed group by person_id)
            select (select sum(n * (n - 1) / 2) from g), (select sum(n * (n - 1) / 2) from c),
                   (select sum(n * (n - 1) / 2) from p)""").fetchone()
        tp, predicted, actual = (float(x or 0) for x in row)
        return {"precision": tp / predicted if predicted else 1.0,
                "recall": tp / actual if actual else 1.0,
                "true_positives": int(tp), "predicted_pairs": int(predicted),
                "true_pairs": int(actual)}


def _truth_sql(truth_dir: str | Path) -> str:
    """The truth's registrations that the run accepted (quarantined ones never took part)."""
    path = Path(truth_dir) / "registrations.csv"
    if not path.is_file():
        raise FileNotFoundError(f"no truth at {path}")
    quoted = str(path).replace("'", "''")
    return f"""select distinct beneficiary_reference_id as id, person_id
               from read_csv('{quoted}', all_varchar = true)
               where beneficiary_reference_id in
                     (select beneficiary_reference_id from {tables.REGISTRATIONS})"""


def _steps(pairs: pd.DataFrame, fields: list[str], settings: LinkageSettings,
           prior_weight: float) -> pd.DataFrame:
    """Pairs in wide form (one level and weight column per field) to one row per step."""
    pairs = pairs.assign(pair=pairs.id_l + " ↔ " + pairs.id_r)
    keys = ["pair", "id_l", "id_r", "match_weight"]
    parts = [pairs[keys].assign(step=0, field="prior", level=pd.NA,
                                label="prior odds of a candidate pair", weight=prior_weight)]
    for i, f in enumerate(fields, start=1):
        labels, none = settings.labels(f), settings.comparison(f).none_label
        level = pairs[f"{f}_level"]
        label = level.map(lambda v: none if pd.isna(v) or v < 0 else
                          labels[int(v)] if int(v) < len(labels) else f"level {int(v)}")
        parts.append(pairs[keys].assign(step=i, field=f, level=level, label=label,
                                        weight=pairs[f"{f}_weight"].astype(float).fillna(0.0)))
    # a vetoed pair's fixed weight replaces the sum: the difference is one more step
    explained = sum(p["weight"] for p in parts)
    reason = pd.Series("a fixed weight", index=pairs.index)
    for flag, why in reversed(VETOES.items()):
        if flag in pairs:
            reason = reason.mask(pairs[flag].fillna(False).astype(bool), why)
    veto = pairs[keys].assign(step=len(fields) + 1, field="veto", level=pd.NA, label=reason,
                              weight=pairs["match_weight"] - explained)
    parts.append(veto[veto["weight"].abs() > 1e-6])
    long = pd.concat(parts, ignore_index=True).sort_values(
        ["match_weight", "pair", "step"], ascending=[False, True, True], ignore_index=True)
    long["end"] = long.groupby("pair", sort=False)["weight"].cumsum()
    long["start"] = long["end"] - long["weight"]
    return long[["pair", "id_l", "id_r", "step", "field", "level", "label", "weight",
                 "start", "end", "match_weight"]]
