"""The linkage stage after normalising: block → compare → estimate → score → cluster.

Reads the normalised registrations and writes pair scores and clusters. The table
names are given by the caller; nothing here knows about files, flows or rules.

Comparisons are kept across nights (linkage.kept): a night compares only the candidate
pairs not compared before, after forgetting those of registrations that changed. On a
night that fits the model (linkage.model_store) every pair is scored and clustered again.
On a night that scores with the model in force only the blocks and pairs of the
registrations it added or changed are touched, and the pairs of those whose doses or
bookings changed are scored again where that changed their levels (linkage.histories): a
pair's score depends on its two registrations, their doses and bookings, and the model
alone, so the clusters equal those of a run over all the data with that model.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import duckdb
import pyarrow as pa

from linkage import blocking, cluster, crowded, histories, kept, model_store, score, train, typos
from linkage.model_store import Model
from linkage.settings import LinkageSettings

STATS = score.ScoreStatistics(model_store.NAME_FREQUENCIES, model_store.DISTRICT_PAIRS)
# the slim score of every candidate pair, kept across nights, that clustering reads
SCORED_COLUMNS = score.SLIM_COLUMNS


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
    night_scores: str = "night_pair_scores"
    scored: str = "scored_pairs"  # every candidate pair's score (SCORED_COLUMNS), kept
    # doses given (beneficiary_reference_id, dose), for linkage.doses; None: no doses known
    vaccinations: str | None = None
    # bookings (beneficiary_reference_id, center_id, session_date, status), for
    # linkage.bookings; None: no bookings known
    appointments: str | None = None
    # beneficiary_reference_id, source: registrations whose bookings or doses changed
    # since the scores were kept; a pair's dose and booking levels follow them
    activity: str | None = None
    # each registration's doses and live bookings, kept across nights (linkage.histories)
    dose_history: str = "registration_doses"
    booking_history: str = "registration_live_bookings"

    @property
    def before(self) -> str:
        return f"{self.norm}_before"  # linkage.normalise, on a night that adds a few

    @property
    def histories(self) -> histories.Histories:
        return histories.Histories(self.dose_history, self.booking_history, self.vaccinations,
                                   self.appointments)


@dataclass
class LinkReport:
    registrations: int = 0
    candidate_pairs: int = 0
    compared_pairs: int = 0  # candidate pairs compared tonight; the rest were kept
    pairs_by_rule: dict = field(default_factory=dict)
    oversize_rows_by_rule: dict = field(default_factory=dict)
    linked_pairs: int = 0
    clusters: int = 0
    refit: bool = True  # the model was fitted tonight, so every pair was scored again
    model: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def link(con: duckdb.DuckDBPyConnection, t: LinkTables, settings: LinkageSettings,
         progress: Callable[[str], None] = lambda msg: None, model: Model | None = None,
         incremental: bool = False, run_id: str = "") -> LinkReport:
    """Link the registrations in `t.norm`. Without `model`, fit one and keep it; with it,
    score with it. `incremental` (with a model, after linkage.normalise was given the
    night's changes): touch only the pairs of registrations added or changed."""
    rep = LinkReport(refit=model is None)
    clock = time.perf_counter()

    def lap(name: str, msg: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        rep.timings[name] = round(now - clock, 3)
        clock = now
        progress(f"{name}: {msg} ({rep.timings[name]:.1f} s)")

    rep.registrations = con.execute(f"select count(*) from {t.norm}").fetchall()[0][0]
    if incremental:
        assert model is not None, "an incremental night scores with the model in force"
        b, rep.compared_pairs, raised = _compare_night(con, t, settings, lap)
    else:
        histories.keep_all(con, t.norm, t.histories)
        b, rep.compared_pairs, raised = _compare_all(con, t, settings, model is None, lap)
    rep.candidate_pairs, rep.pairs_by_rule = b.pairs, b.pairs_by_rule
    rep.oversize_rows_by_rule = b.oversize_rows_by_rule
    lap("compare", f"{rep.compared_pairs:,} pairs compared, "
                   f"{rep.candidate_pairs - rep.compared_pairs:,} kept from earlier nights; "
                   f"{raised:,} names raised as rare typos")
    if model is None:
        model = _fit(con, t, settings, run_id)
        lap("estimate", f"m and u estimated; prior {model.params.prior:.2e}")
    rep.model = model.params.to_dict()
    _score(con, t, settings, model, t.night_scores, slim=True)
    _keep_scored(con, t, incremental)
    rep.linked_pairs = con.execute(f"select count(*) from {t.scored} where linked").fetchall()[0][0]
    lap("score", f"{rep.linked_pairs:,} pairs above the threshold")
    rep.clusters = cluster.cluster(con, t.scored, t.norm, t.clusters, settings.veto_weight,
                                   since=cluster.Since("_changed_pairs", "_fresh")
                                   if incremental else None)
    lap("cluster", f"{rep.clusters:,} clusters of two or more registrations")
    floor = settings.threshold - settings.keep_margin
    if incremental:
        _explain_night(con, t, settings, model, floor)
        model_store.count_changes(con, _count(con, t.changed))
    else:
        keep_scores(con, t, settings, model, t.night_scores, floor, replace=True)
    lap("explain", f"{_count(con, t.scores):,} pairs kept with their explanation")
    for temp in (t.comparisons, t.night_scores, "_changed_pairs", "_pairs_touched"):
        con.execute(f"drop table if exists {temp}")
    return rep


def _compare_all(con: duckdb.DuckDBPyConnection, t: LinkTables, settings: LinkageSettings,
                 fit: bool, lap: Callable[[str, str], None]
                 ) -> tuple[blocking.BlockingReport, int, int]:
    b = blocking.block(con, t.norm, t.pairs, settings.blocking)
    lap("block", f"{b.pairs:,} candidate pairs")
    compared = kept.compare_new(con, t.norm, t.pairs, t.kept, t.comparisons, t.changed,
                                t.names, t.parts)
    if fit:  # the typo test counts spellings over the registrations the model is fitted on
        typos.word_counts(con, t.norm, model_store.WORD_COUNTS)
        crowded.count(con, t.norm, model_store.CROWDED, settings.family_registrations)
    return b, compared, _complete(con, t, settings, t.comparisons)


def _compare_night(con: duckdb.DuckDBPyConnection, t: LinkTables, settings: LinkageSettings,
                   lap: Callable[[str, str], None]
                   ) -> tuple[blocking.BlockingReport, int, int]:
    """Only the blocks of tonight's registrations are paired again, and only their pairs
    and the pairs new to the candidates are compared. Oversize blocks are counted on
    nights that block everything."""
    con.execute(f"""create or replace temp table _fresh as select rid from {t.norm}
        where beneficiary_reference_id in (select beneficiary_reference_id from {t.changed})""")
    _active_tonight(con, t)
    blocking.update_blocks(con, t.norm, t.before, t.pairs, settings.blocking, "_fresh",
                           also="_active")
    b = blocking.report(con, t.norm, t.pairs, settings.blocking, oversize=False)
    lap("block", f"{_count(con, '_pairs_added'):,} candidate pairs added, "
                 f"{_count(con, '_pairs_gone'):,} gone")
    _drop_pairs_scored_as_before(con, t, settings)
    compared = kept.compare_new(con, t.norm, "_pairs_touched", t.kept, t.comparisons, t.changed,
                                t.names, t.parts)
    return b, compared, _complete(con, t, settings, t.comparisons)


def _drop_pairs_scored_as_before(con: duckdb.DuckDBPyConnection, t: LinkTables,
                                 settings: LinkageSettings) -> None:
    """Bring the kept doses and bookings up to date, and take out of tonight's pairs those
    that were candidates before, of two registrations unchanged tonight, whose dose and
    booking levels are as they were: the same registrations, levels and model score the
    same, so their kept score, explanation and clusters stand."""
    con.execute("""create or replace temp table _activity_pairs as
        select id_l, id_r from _pairs_touched
        where id_l not in (select rid from _fresh) and id_r not in (select rid from _fresh)
        except select id_l, id_r from _pairs_added""")
    histories.update(con, t.norm, t.histories, "(select rid from _fresh union all "
                     "select rid from _active)", "_activity_pairs", settings.booking_window_days)
    con.execute("""create or replace temp table _pairs_touched as
        select * from _pairs_touched anti join _levels_as_were using (id_l, id_r)""")
    con.execute("drop table _activity_pairs")
    con.execute("drop table _levels_as_were")


def _active_tonight(con: duckdb.DuckDBPyConnection, t: LinkTables) -> None:
    """TEMP _active: the rids, not otherwise changed tonight, whose doses or bookings
    changed; their pairs are scored again from the kept comparisons."""
    activity = ("select beneficiary_reference_id from "
                f"{t.activity} where source in ('vaccinations', 'appointments')"
                if t.activity else
                "select null::varchar as beneficiary_reference_id limit 0")
    con.execute(f"""create or replace temp table _active as select rid from {t.norm}
        where beneficiary_reference_id in ({activity})
          and rid not in (select rid from _fresh)""")


def _complete(con: duckdb.DuckDBPyConnection, t: LinkTables, settings: LinkageSettings,
              comparisons: str) -> int:
    """Ready compared pairs for scoring: rare slips of common names raised, by the
    spelling counts kept with the model (returns how many), numbers too many carry
    discounted (linkage.crowded), and the dose and booking levels joined from the kept
    histories (linkage.histories)."""
    raised = typos.promote_rare_typos(con, comparisons, t.norm, settings.typo_rarity,
                                      model_store.WORD_COUNTS, t.names)
    crowded.discount(con, comparisons, t.norm, model_store.CROWDED)
    histories.add_levels(con, comparisons, t.histories, settings.booking_window_days)
    return raised


def _score(con: duckdb.DuckDBPyConnection, t: LinkTables, settings: LinkageSettings,
           model: Model, target: str, comparisons: str | None = None,
           slim: bool = False) -> None:
    """Score `comparisons` (default `t.comparisons`) into `target` with `model` and its
    kept statistics (`slim`: see linkage.score)."""
    score.score(con, comparisons or t.comparisons, t.norm, target, model.params,
                model.registrations, settings.threshold, STATS,
                other_person_veto=settings.other_person_veto, slim=slim)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]


def _fit(con: duckdb.DuckDBPyConnection, t: LinkTables, settings: LinkageSettings,
         run_id: str) -> Model:
    def compare_random(pairs: str, target: str) -> int:
        n = kept.compare_new(con, t.norm, pairs, t.kept_random, target, t.changed,
                             t.names, t.parts)
        _complete(con, t, settings, target)
        return n

    params = train.train(con, t.norm, t.comparisons, settings, compare_random)
    score.name_frequencies(con, t.norm, STATS.name_frequencies, t.names)
    score.district_pairs(con, t.comparisons, t.norm, STATS.district_pairs,
                         settings.other_person_veto)
    n = _count(con, t.norm)
    model_store.save(con, params, n, settings, run_id)
    return Model(params, n, model_store.model_key(settings))


def _keep_scored(con: duckdb.DuckDBPyConnection, t: LinkTables, incremental: bool) -> None:
    """Tonight's scores into `t.scored`: all of them, or in place of the pairs of the
    registrations tonight touched. Writes TEMP _changed_pairs (rid_l, rid_r, linked) on
    an incremental night: every pair dropped, as it was, and every pair scored anew."""
    if not incremental:
        con.execute(f"create or replace table {t.scored} as "
                    f"select {SCORED_COLUMNS} from {t.night_scores}")
        return
    # a pair scored before and stale now has a changed registration or one whose doses
    # changed (so it is among tonight's pairs), or left the candidates. Of tonight's
    # pairs that were candidates before, those that score as they did stay as they are
    # (a registration corrected in one field leaves many of its pairs' scores alone)
    # (a join, not EXISTS: DuckDB runs EXISTS with the inequalities several times slower)
    dropped = con.execute(f"""delete from {t.scored} s using (
            select rid_l, rid_r, match_weight, household, other_person from {t.night_scores}
            union all select id_l, id_r, null, null, null from _pairs_gone) x
        where x.rid_l = s.rid_l and x.rid_r = s.rid_r
          and (x.match_weight is distinct from s.match_weight
               or x.household is distinct from s.household
               or x.other_person is distinct from s.other_person)
        returning s.rid_l, s.rid_r, s.linked""").fetchnumpy()
    con.register("_dropped", pa.table(dropped))
    # scored anew: the pairs that were no candidates before tonight (`t.scored` holds
    # every candidate pair), and those whose score was dropped
    con.execute(f"""create or replace temp table _scored_anew as
        select {SCORED_COLUMNS} from {t.night_scores} semi join (
            select id_l as rid_l, id_r as rid_r from _pairs_added
            union all select rid_l, rid_r from _dropped) x using (rid_l, rid_r)""")
    con.execute(f"insert into {t.scored} select {SCORED_COLUMNS} from _scored_anew")
    # what clustering needs to know changed: every pair dropped or scored anew
    con.execute("""create or replace temp table _changed_pairs as
        select rid_l, rid_r, linked from _dropped
        union all select rid_l, rid_r, linked from _scored_anew""")
    con.unregister("_dropped")
    con.execute("drop table _scored_anew")


def keep_scores(con: duckdb.DuckDBPyConnection, t: LinkTables, settings: LinkageSettings,
                model: Model, scores: str, floor: float, replace: bool) -> None:
    """Persist the pairs of `scores` (slim, linkage.score) worth explaining: every pair
    inside a cluster and the near misses, scored again in full from `t.comparisons`.
    Millions of clearly different pairs are not kept."""
    con.execute(f"""create or replace temp table _explained_comparisons as
        select c.* from {t.comparisons} c semi join (
            select p.rid_l as id_l, p.rid_r as id_r from {scores} p
            left join {cluster.LABELS} cl on cl.rid = p.rid_l
            left join {cluster.LABELS} cr on cr.rid = p.rid_r
            where p.match_weight >= {floor} or cl.label = cr.label) k using (id_l, id_r)""")
    _score(con, t, settings, model, "_explained", comparisons="_explained_comparisons")
    rows = f"""
        select l.beneficiary_reference_id as id_l, r.beneficiary_reference_id as id_r,
               p.* exclude (rid_l, rid_r)
        from _explained p join {t.norm} l on l.rid = p.rid_l join {t.norm} r on r.rid = p.rid_r"""
    con.execute("drop table _explained_comparisons")
    if replace:
        con.execute(f"create or replace table {t.scores} as {rows}")
    else:
        con.execute(f"insert into {t.scores} {rows}")
    con.execute("drop table _explained")


def _explain_night(con: duckdb.DuckDBPyConnection, t: LinkTables, settings: LinkageSettings,
                   model: Model, floor: float) -> None:
    """Bring the explained pairs up to date: those of tonight's pairs, and the pairs that
    tonight's clusters newly hold together or no longer do."""
    # the two never share a pair (one lists candidates, the other pairs that are not)
    con.execute(f"""create or replace temp table _stale as
        select l.beneficiary_reference_id as id_l, r.beneficiary_reference_id as id_r
        from (select id_l, id_r from _pairs_touched
              union all select id_l, id_r from _pairs_gone) p
        join {t.norm} l on l.rid = p.id_l join {t.norm} r on r.rid = p.id_r""")
    changed = f"(select beneficiary_reference_id from {t.changed})"
    con.execute(f"""delete from {t.scores} s where s.id_l in {changed} or s.id_r in {changed}
        or exists (select 1 from _stale x where x.id_l = s.id_l and x.id_r = s.id_r)""")
    con.execute("drop table _stale")
    # a weak pair is explained only while a cluster holds it together
    con.execute(f"""create or replace temp table _apart as
        select s.id_l, s.id_r from {t.scores} s
        join {t.clusters} a on a.beneficiary_reference_id = s.id_l
        join {t.clusters} b on b.beneficiary_reference_id = s.id_r
        where s.match_weight < {floor} and a.cluster_id <> b.cluster_id""")
    con.execute(f"""delete from {t.scores} s where exists
        (select 1 from _apart x where x.id_l = s.id_l and x.id_r = s.id_r)""")
    con.execute("drop table _apart")
    keep_scores(con, t, settings, model, t.night_scores, floor, replace=False)
    _explain_weak_inside(con, t, settings, model, floor)


def _explain_weak_inside(con: duckdb.DuckDBPyConnection, t: LinkTables,
                         settings: LinkageSettings, model: Model, floor: float) -> None:
    """Weak pairs (below `floor`) that a cluster now holds together and that are not yet
    explained: scored again from their kept comparisons."""
    # the weak pairs already explained are weak pairs inside clusters: a few
    con.execute(f"""create or replace temp table _weak_inside as
        select w.* from (
            select rid_l as id_l, rid_r as id_r from {cluster.PAIRS_INSIDE}
            where match_weight < {floor}) w
        join {t.norm} l on l.rid = w.id_l join {t.norm} r on r.rid = w.id_r
        where not exists (select 1 from {t.scores} k where k.match_weight < {floor}
                          and k.id_l = l.beneficiary_reference_id
                          and k.id_r = r.beneficiary_reference_id)""")
    if _count(con, "_weak_inside"):
        kept.compare_new(con, t.norm, "_weak_inside", t.kept, t.comparisons, None,
                         t.names, t.parts)
        _complete(con, t, settings, t.comparisons)
        _score(con, t, settings, model, "_weak_scores", slim=True)
        keep_scores(con, t, settings, model, "_weak_scores", floor, replace=False)
        con.execute("drop table _weak_scores")
    con.execute("drop table _weak_inside")
