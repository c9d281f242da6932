"""The linkage stage after normalising: block → compare → estimate → score → cluster.

Reads the normalised registrations and writes pair scores and clusters. The table
names are given by the caller; nothing here knows about files, flows or rules.

Comparisons are kept across nights (linkage.kept): a night compares only the candidate
pairs not compared before, after forgetting those of registrations that changed. The
model is estimated and every pair scored and clustered again each night, so the result
equals that of one run over all the data.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import duckdb

from linkage import blocking, cluster, compare, kept, score, train, typos
from linkage.settings import LinkageSettings


@dataclass(frozen=True)
class LinkTables:
    norm: str  # normalised registrations (linkage.normalise)
    pairs: str
    scores: str
    clusters: str
    kept: str = "pair_comparisons"  # every pair compared so far, kept across nights
    kept_random: str = "random_pair_comparisons"  # the same, for the pairs that teach u
    # beneficiary_reference_id of registrations added, changed or removed since the
    # comparisons were kept (None: nothing kept is stale)
    changed: str | None = None
    names: str = "name_features"
    parts: str = "photo_id_parts"
    comparisons: str = "night_comparisons"
    all_scores: str = "pair_scores_all"
    tf: str = "name_frequencies"


@dataclass
class LinkReport:
    registrations: int = 0
    candidate_pairs: int = 0
    compared_pairs: int = 0  # candidate pairs compared tonight; the rest were kept
    pairs_by_rule: dict = field(default_factory=dict)
    oversize_rows_by_rule: dict = field(default_factory=dict)
    linked_pairs: int = 0
    clusters: int = 0
    model: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def link(con: duckdb.DuckDBPyConnection, t: LinkTables, settings: LinkageSettings,
         progress: Callable[[str], None] = lambda msg: None) -> LinkReport:
    rep = LinkReport()
    clock = time.perf_counter()

    def lap(name: str, msg: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        rep.timings[name] = round(now - clock, 3)
        clock = now
        progress(f"{name}: {msg} ({rep.timings[name]:.1f} s)")

    rep.registrations = con.execute(f"select count(*) from {t.norm}").fetchall()[0][0]
    b = blocking.block(con, t.norm, t.pairs, settings.blocking)
    rep.candidate_pairs, rep.pairs_by_rule = b.pairs, b.pairs_by_rule
    rep.oversize_rows_by_rule = b.oversize_rows_by_rule
    lap("block", f"{b.pairs:,} candidate pairs")
    rep.compared_pairs = kept.compare_new(con, t.norm, t.pairs, t.kept, t.comparisons,
                                          t.changed, t.names, t.parts)
    raised = typos.promote_rare_typos(con, t.comparisons, t.norm, settings.typo_rarity)
    lap("compare", f"{rep.compared_pairs:,} pairs compared, "
                   f"{rep.candidate_pairs - rep.compared_pairs:,} kept from earlier nights; "
                   f"{raised:,} names raised as rare typos")

    def compare_random(pairs: str, target: str) -> int:
        n = kept.compare_new(con, t.norm, pairs, t.kept_random, target, t.changed,
                             t.names, t.parts)
        typos.promote_rare_typos(con, target, t.norm, settings.typo_rarity)
        return n

    params = train.train(con, t.norm, t.comparisons, settings, compare_random)
    rep.model = params.to_dict()
    lap("estimate", f"m and u estimated; prior {params.prior:.2e}")
    score.name_frequencies(con, t.norm, t.tf, t.names)
    rep.linked_pairs = score.score(con, t.comparisons, t.norm, t.tf, t.all_scores, params,
                                   settings.threshold,
                                   other_person_veto=settings.other_person_veto)
    lap("score", f"{rep.linked_pairs:,} pairs above the threshold")
    rep.clusters = cluster.cluster(con, t.all_scores, t.norm, t.clusters, settings.veto_weight)
    lap("cluster", f"{rep.clusters:,} clusters of two or more registrations")
    keep_scores(con, t, settings.threshold - settings.keep_margin)
    for temp in (t.comparisons, t.all_scores):
        con.execute(f"drop table if exists {temp}")
    return rep


def keep_scores(con: duckdb.DuckDBPyConnection, t: LinkTables, floor: float) -> None:
    """Persist the pairs worth explaining: every pair inside a cluster and the near
    misses. Millions of clearly different pairs are not kept."""
    con.execute(f"""
        create or replace table {t.scores} as
        select l.beneficiary_reference_id as id_l, r.beneficiary_reference_id as id_r,
               p.* exclude (rid_l, rid_r)
        from {t.all_scores} p
        join {t.norm} l on l.rid = p.rid_l join {t.norm} r on r.rid = p.rid_r
        join {t.clusters} cl on cl.beneficiary_reference_id = l.beneficiary_reference_id
        join {t.clusters} cr on cr.beneficiary_reference_id = r.beneficiary_reference_id
        where p.match_weight >= {floor} or cl.cluster_id = cr.cluster_id
    """)
