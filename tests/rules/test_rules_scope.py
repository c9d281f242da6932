"""The rules stage re-run for what a night touched gives what a full recompute gives,
case by case: each test changes the warehouse as a delta night would, then runs the
incremental stage and the full one (each in a transaction rolled back) and compares."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from warehouse_fixtures import TOUT_MOBILE, key, make_warehouse, scenario
from linkage.identifiers import mask
from linkage.settings import LinkageSettings
from pipelines import review, tables
from rules.engine import load_rules
from rules.nightly import run_stage

SETTINGS = LinkageSettings()
RESULTS = (tables.RULE_HITS, tables.FLAGGED_CLUSTERS, tables.FLAGGED_IDENTIFIERS,
           tables.CLUSTER_MEMBERS, tables.EVIDENCE)


def _tonight(con: duckdb.DuckDBPyConnection, registrations: list[str] = (),
             activity: list[str] = ()) -> None:
    """What merge records of a night: changed registrations, and whose bookings or doses
    changed."""
    con.execute(f"create or replace temp table {tables.CHANGED_REGISTRATIONS} "
                f"(beneficiary_reference_id varchar, change varchar)")
    con.execute(f"create or replace temp table {tables.CHANGED_ACTIVITY} "
                f"(beneficiary_reference_id varchar, source varchar)")
    for rid in registrations:
        con.execute(f"insert into {tables.CHANGED_REGISTRATIONS} values (?, 'changed')", [rid])
    for rid in activity:
        con.execute(f"insert into {tables.CHANGED_ACTIVITY} values (?, 'appointments')", [rid])


def _last_night(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    _tonight(con)
    run_stage(con, SETTINGS, full=True)
    return con


def _results(con: duckdb.DuckDBPyConnection) -> dict[str, set[tuple]]:
    return {t: set(con.execute(f"select * from {t}").fetchall()) for t in RESULTS}


def _run(con: duckdb.DuckDBPyConnection, full: bool) -> tuple[dict, dict]:
    con.begin()
    try:
        stage = run_stage(con, SETTINGS, full=full)
        return stage, _results(con)
    finally:
        con.rollback()


def same_as_full(con: duckdb.DuckDBPyConnection) -> dict[str, set[tuple]]:
    """The incremental results, checked equal to a full recompute's."""
    stage, incremental = _run(con, full=False)
    _, full = _run(con, full=True)
    assert stage["rules_scope"]["full"] is False
    for table in RESULTS:
        assert incremental[table] == full[table], table
    return incremental


def _hits(results: dict[str, set[tuple]], rule_id: str) -> set[str]:
    return {h[2] for h in results[tables.RULE_HITS] if h[0] == rule_id}


PERSON = [{"id": "10000000000001"}, {"id": "10000000000002", "name": "Asha Devi Kumari"}]


def test_a_booking_added_to_an_old_registration_makes_multi_booking_fire():
    con = make_warehouse(PERSON, [{"id": "A1", "reg": "10000000000001", "center": 101,
                                   "date": "2021-06-01"}],
                         people=[["10000000000001", "10000000000002"]])
    assert _hits(_results(_last_night(con)), "multi_booking") == set()
    con.execute(f"""insert into {tables.APPOINTMENTS} values ('A2', '10000000000002', 202,
        'Centre 202', 'Patna', '2021-06-04', '09:00AM-11:00AM', 1, 'COVISHIELD',
        '2021-06-01 08:00:00', 'Booked')""")
    _tonight(con, activity=["10000000000002"])
    assert _hits(same_as_full(con), "multi_booking") == {"C10000000000001"}


def test_a_cluster_merged_into_another_loses_its_hits_and_its_members():
    regs = [{"id": f"1000000000000{i}"} for i in range(1, 6)]
    doses = [{"cert": "V3", "reg": "10000000000003", "date": "2021-05-01"},
             {"cert": "V4", "reg": "10000000000004", "date": "2021-05-20"}]
    con = _last_night(make_warehouse(regs[:4], vaccinations=doses, people=[
        ["10000000000001", "10000000000002"], ["10000000000003", "10000000000004"]]))
    assert _hits(_results(con), "repeat_dose1") == {"C10000000000003"}
    # a new registration links the two: one person now, under the older id
    con.execute(f"insert into {tables.REGISTRATIONS} select * replace "
                f"('10000000000005' as beneficiary_reference_id) from {tables.REGISTRATIONS} "
                f"where beneficiary_reference_id = '10000000000001'")
    con.execute(f"update {tables.CLUSTERS} set cluster_id = 'C10000000000001'")
    con.execute(f"insert into {tables.CLUSTERS} values ('10000000000005', 'C10000000000001')")
    con.execute(f"""insert into {tables.PAIR_SCORES} select * replace ('10000000000005' as id_r)
        from {tables.PAIR_SCORES} where id_l = '10000000000001'""")
    _tonight(con, registrations=["10000000000005"])
    results = same_as_full(con)
    assert _hits(results, "repeat_dose1") == {"C10000000000001"}
    assert {m[0] for m in results[tables.CLUSTER_MEMBERS]} == {"C10000000000001"}


def test_a_single_registration_whose_id_changes_keeps_its_hit_under_the_new_id():
    con = _last_night(scenario())
    assert "C10000000000004" in _hits(_results(con), "no_show_certificate")
    # a singleton's id is not carried over: it can change while nothing about it does
    con.execute(f"update {tables.CLUSTERS} set cluster_id = 'C10000000000004-r2' "
                f"where beneficiary_reference_id = '10000000000004'")
    _tonight(con)
    results = same_as_full(con)
    assert "C10000000000004-r2" in _hits(results, "no_show_certificate")


def test_registrations_leaving_a_tout_mobile_unflag_it_there_and_in_evidence():
    con = _last_night(scenario())
    assert _hits(_results(con), "tout_mobile") == {key(TOUT_MOBILE)}
    moved = ["10000000000012", "10000000000013"]  # people in no pair: touched alone
    for k, rid in enumerate(moved):
        number = f"98765000{k}{k}"
        con.execute(f"update {tables.REGISTRATIONS} set mobile_key = ?, mobile_masked = ? "
                    f"where beneficiary_reference_id = ?", [key(number), mask(number), rid])
    _tonight(con, registrations=moved)
    results = same_as_full(con)
    assert _hits(results, "tout_mobile") == set()
    evidence = {e[0]: e[1] for e in results[tables.EVIDENCE]}
    assert '"identifier_kind":"mobile"' not in evidence["C10000000000001"]


def test_a_centre_renamed_by_new_bookings_is_renamed_in_untouched_results():
    con = _last_night(scenario())
    for n in (1, 2):
        con.execute(f"""insert into {tables.APPOINTMENTS} values ('A9{n}', '10000000000010',
            303, 'PHC Rajgir Nalanda', 'Nalanda', '2021-07-0{n}', '09:00AM-11:00AM', 1,
            'COVISHIELD', '2021-06-20 08:00:00', 'Cancelled')""")
    _tonight(con, activity=["10000000000010"])
    results = same_as_full(con)
    facts = {h[2]: h[3] for h in results[tables.RULE_HITS]}
    assert "PHC Rajgir Nalanda" in facts["C10000000000004"]


def _decide(con: duckdb.DuckDBPyConnection, cluster_id: str, decision: str, day: int) -> None:
    review.ensure_tables(con)
    con.execute(f"""insert into {tables.REVIEW_DECISIONS}
        select ?, ?, 'tester', null, ?, ?,
               (select coalesce(list_sort(list(beneficiary_reference_id)), [])
                from {tables.CLUSTER_MEMBERS} where cluster_id = ?),
               (select list_sort(list(distinct rule_id)) from {tables.RULE_HITS}
                where entity_kind = 'cluster' and entity_id = ?)""",
                [cluster_id, decision, dt.datetime(2021, 7, day), dt.datetime(2021, 7, day),
                 cluster_id, cluster_id])


def test_a_review_between_nights_holds_back_then_lets_back_an_untouched_cluster():
    con = _last_night(scenario())
    _decide(con, "C10000000000001", "dismissed", 1)
    _tonight(con)
    held = same_as_full(con)
    assert "C10000000000001" not in {f[0] for f in held[tables.FLAGGED_CLUSTERS]}
    run_stage(con, SETTINGS, full=False)  # that night, kept
    _decide(con, "C10000000000001", "confirmed", 2)
    _decide(con, "C10000000000004", "needs_field_visit", 2)  # still flagged: evidence shows it
    back = same_as_full(con)
    evidence = {e[0]: e[1] for e in back[tables.EVIDENCE]}
    assert '"decision":"confirmed"' in evidence["C10000000000001"]
    assert '"decision":"needs_field_visit"' in evidence["C10000000000004"]


def test_other_rules_or_no_state_from_the_last_run_mean_a_full_run():
    con = scenario()
    _tonight(con)
    assert run_stage(con, SETTINGS, full=False)["rules_scope"]["full"] is True  # no state
    fewer = [r for r in load_rules() if r.id != "tout_mobile"]
    assert run_stage(con, SETTINGS, full=False, rules=fewer)["rules_scope"]["full"] is True
    assert run_stage(con, SETTINGS, full=False, rules=fewer)["rules_scope"]["full"] is False


def test_an_incremental_run_leaves_no_shadowing_tables_behind():
    con = _last_night(scenario())
    _tonight(con, registrations=["10000000000001"])
    run_stage(con, SETTINGS, full=False)
    temp = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = 'temp' union all "
        "select view_name from duckdb_views() where database_name = 'temp'").fetchall()}
    assert not temp & {tables.CLUSTERS, tables.REGISTRATIONS, tables.APPOINTMENTS,
                       "_touched_clusters", "_cut_clusters"}


def test_evidence_kept_without_the_hash_of_its_text_is_rewritten_when_next_stale():
    """A warehouse from before evidence rows kept the hash a night compares: a stale row
    without one is rewritten, and the rest stay as they were until they are stale."""
    con = _last_night(scenario())
    con.execute(f"alter table {tables.EVIDENCE} drop column evidence_hash")
    con.execute(f"update {tables.EVIDENCE} set evidence = 'last night'")
    _tonight(con, registrations=["10000000000001"])
    _, full = _run(con, full=True)
    run_stage(con, SETTINGS, full=False)
    rows = con.execute(f"select cluster_id, evidence, evidence_hash = hash(evidence) "
                       f"from {tables.EVIDENCE}").fetchall()
    rewritten = {c: text for c, text, hashed in rows if text != "last night"}
    assert "C10000000000001" in rewritten and len(rewritten) < len(rows)
    assert all(hashed for c, _, hashed in rows if c in rewritten)
    assert all(hashed is None for c, _, hashed in rows if c not in rewritten)
    assert set(rewritten.items()) <= {(c, text) for c, text, _ in full[tables.EVIDENCE]}
