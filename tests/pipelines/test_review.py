"""Officials' review decisions: import, dismissal that holds until new evidence, template,
report, command, and decisions that outlive the nightly runs."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import pytest

from linkage.settings import LinkageSettings
from pipelines import outputs, review, tables
from pipelines.cli import main
from pipelines.report import report_data, write_report
from rules.engine import load_rules, run_rules
from rules.risk import score

import warehouse_fixtures as fx

PERSON = "C10000000000001"  # three registrations: multi_booking, repeat_dose1
ALONE = "C10000000000004"  # one registration: no_show_certificate
HEADER = "cluster_id,decision,reviewer,note,decided_at\n"
RULES = load_rules()


def night(con: duckdb.DuckDBPyConnection) -> int:
    """Rules, risk, cluster_members, suppression and evidence, as the nightly flow runs them."""
    run_rules(con, RULES)
    score(con)
    return outputs.build_tables(con, LinkageSettings())


@pytest.fixture
def con():
    c = fx.scenario()
    night(c)
    return c


def decisions_file(tmp_path: Path, *lines: str, name: str = "decisions.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def flagged(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(f"select cluster_id from {tables.FLAGGED_CLUSTERS}").fetchall()}


def stored(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    review.ensure_tables(con)
    return con.execute(f"select cluster_id, decision, reviewer, note, decided_at::varchar, "
                       f"member_ids, rule_ids from {tables.REVIEW_DECISIONS} "
                       f"order by cluster_id, decided_at").fetchall()


# -- import ------------------------------------------------------------------------------

def test_import_normalises_and_snapshots_the_cluster(con, tmp_path):
    path = decisions_file(
        tmp_path,
        f"{PERSON},Needs field visit,Insp. Sharma,check the two centres,2021-06-10 14:30:00",
        f"{ALONE},DISMISSED,Dr. Rao,,2021-06-11",
        f"{PERSON},,,,",  # a template row left blank
    )
    result = review.import_decisions(con, path)
    assert result == review.ImportResult(decisions=2, imported=2, already_present=0, blank=1)
    assert stored(con) == [
        (PERSON, "needs_field_visit", "Insp. Sharma", "check the two centres",
         "2021-06-10 14:30:00", ["10000000000001", "10000000000002", "10000000000003"],
         ["multi_booking", "repeat_dose1"]),
        (ALONE, "dismissed", "Dr. Rao", None, "2021-06-11 00:00:00", [],
         ["no_show_certificate"]),
    ]


@pytest.mark.parametrize("line, problem", [
    (f"{PERSON},maybe,Dr. Rao,,2021-06-10 10:00:00", "decision 'maybe' is not one of"),
    (",dismissed,Dr. Rao,,2021-06-10 10:00:00", "cluster_id is empty"),
    (f"{PERSON},dismissed, ,,2021-06-10 10:00:00", "reviewer is empty"),
    (f"{PERSON},dismissed,Dr. Rao,,10/06/2021", "not YYYY-MM-DD HH:MM:SS"),
    (f"{PERSON},dismissed,Dr. Rao,,2021-02-30", "not a real date"),
    (f"{PERSON},dismissed,Dr. Rao,,2999-01-01", "in the future"),
    (f"{PERSON},dismissed,Dr. Rao,no, not him,2021-06-10", "more values than the header"),
    ("C99999999999999,dismissed,Dr. Rao,,2021-06-10", "unknown cluster_id 'C99999999999999'"),
])
def test_a_bad_line_imports_nothing_and_is_named(con, tmp_path, line, problem):
    path = decisions_file(tmp_path, f"{ALONE},confirmed,Dr. Rao,,2021-06-09 09:00:00",
                          '"C10000000000004","confirmed","Dr. Rao","a note\nover two lines",'
                          '2021-06-09 09:30:00', line)
    with pytest.raises(review.ReviewFileError) as e:
        review.import_decisions(con, path)
    # header line 1, two good decisions on lines 2 and 3-4: the bad one is on line 5
    assert str(e.value).startswith("decisions.csv, line 5: ") and problem in str(e.value)
    assert stored(con) == []


def test_every_bad_line_is_listed_and_a_missing_column_is_named(con, tmp_path):
    path = decisions_file(tmp_path, f"{PERSON},maybe,Dr. Rao,,2021-06-10",
                          f"{ALONE},dismissed,,,2021-06-10")
    with pytest.raises(review.ReviewFileError, match=r"line 2: .*\(and 1 more\)") as e:
        review.import_decisions(con, path)
    assert [line for line, _ in e.value.problems] == [2, 3]
    no_reviewer = tmp_path / "no_reviewer.csv"
    no_reviewer.write_text(f"cluster_id,decision,decided_at\n{PERSON},dismissed,2021-06-10\n")
    with pytest.raises(review.ReviewFileError, match="line 1: missing column.s. reviewer"):
        review.import_decisions(con, no_reviewer)


def test_reimporting_a_file_adds_nothing(con, tmp_path):
    path = decisions_file(tmp_path, f"{PERSON},dismissed,Dr. Rao,same family,2021-06-10 10:00",
                          f"{PERSON},dismissed,Dr. Rao,copied line,2021-06-10 10:00:00",
                          f"{ALONE},confirmed,Dr. Rao,,2021-06-10 11:00")
    first = review.import_decisions(con, path)
    again = review.import_decisions(con, path)
    assert (first.imported, first.already_present) == (2, 1)
    assert (again.imported, again.already_present) == (0, 3)
    rows = stored(con)
    assert len(rows) == 2 and rows[0][3] == "same family"  # the first of two equal lines


def test_a_cluster_published_on_an_earlier_night_still_imports(con, tmp_path):
    review.record_published(con, "night-1")
    con.execute(f"delete from {tables.FLAGGED_CLUSTERS} where cluster_id = '{ALONE}'")
    review.import_decisions(con, decisions_file(tmp_path, f"{ALONE},confirmed,Dr. Rao,,2021-06-10"))
    assert [r[0] for r in stored(con)] == [ALONE]


# -- suppression -------------------------------------------------------------------------

def test_a_dismissed_cluster_is_not_flagged_again(con, tmp_path):
    review.import_decisions(con, decisions_file(tmp_path, f"{PERSON},dismissed,Dr. Rao,,2021-06-10"))
    assert night(con) == 1
    assert flagged(con) == {ALONE}
    assert con.execute(f"select list(cluster_id) from {tables.EVIDENCE}").fetchone()[0] == [ALONE]
    assert night(con) == 1  # and stays so, night after night


def test_confirmed_and_field_visit_change_nothing(con, tmp_path):
    review.import_decisions(con, decisions_file(
        tmp_path, f"{PERSON},confirmed,Dr. Rao,,2021-06-10",
        f"{ALONE},needs field visit,Dr. Rao,,2021-06-10"))
    assert night(con) == 0
    assert flagged(con) == {PERSON, ALONE}


def test_a_new_rule_hit_flags_a_dismissed_cluster_again(tmp_path):
    con = fx.scenario()
    con.execute(f"delete from {tables.VACCINATIONS} where certificate_id = 'V2'")  # no repeat dose yet
    night(con)
    review.import_decisions(con, decisions_file(tmp_path, f"{PERSON},dismissed,Dr. Rao,,2021-06-10"))
    assert stored(con)[0][-1] == ["multi_booking"]
    assert night(con) == 1 and PERSON not in flagged(con)
    con.execute(f"insert into {tables.VACCINATIONS} values "
                f"('V2', '10000000000002', 1, 'COVISHIELD', '2021-05-10', 202)")
    assert night(con) == 0
    assert PERSON in flagged(con)


def test_a_new_member_flags_a_dismissed_cluster_again(con, tmp_path):
    review.import_decisions(con, decisions_file(tmp_path, f"{PERSON},dismissed,Dr. Rao,,2021-06-10"))
    con.execute(f"update {tables.CLUSTERS} set cluster_id = '{PERSON}' "
                f"where beneficiary_reference_id = '10000000000010'")
    assert night(con) == 0
    assert PERSON in flagged(con)


@pytest.mark.parametrize("lines, suppressed", [
    ([f"{PERSON},dismissed,A,,2021-06-10 10:00", f"{PERSON},confirmed,B,,2021-06-10 11:00"], 0),
    ([f"{PERSON},confirmed,A,,2021-06-10 10:00", f"{PERSON},dismissed,B,,2021-06-10 11:00"], 1),
    ([f"{PERSON},dismissed,A,,2021-06-10 10:00", f"{PERSON},confirmed,B,,2021-06-10 10:00"], 0),
])
def test_the_latest_decision_is_in_force_and_a_tie_keeps_the_flag(con, tmp_path, lines, suppressed):
    review.import_decisions(con, decisions_file(tmp_path, *lines))
    assert night(con) == suppressed


# -- published: template, evidence, report -------------------------------------------------

def test_the_template_lists_flagged_clusters_and_imports_once_filled_in(con, tmp_path):
    path = tmp_path / "review_template.csv"
    review.write_template(con, path)
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == review.TEMPLATE_COLUMNS
    assert rows[1:] == [[PERSON, "88", "multi_booking;repeat_dose1", "", "", "", ""],
                        [ALONE, rows[2][1], "no_show_certificate", "", "", "", ""]]
    assert review.import_decisions(con, path).blank == 2
    rows[2][3:] = ["dismissed", "Dr. Rao", "a note, with a comma", "2021-06-10 09:00"]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:  # as a spreadsheet saves it
        csv.writer(fh).writerows(rows)
    assert review.import_decisions(con, path) == review.ImportResult(1, 1, 0, 1)


def test_evidence_and_report_carry_the_history_as_text(con, tmp_path):
    hostile = "<script>alert(1)</script> & done"
    review.import_decisions(con, decisions_file(
        tmp_path, f"{PERSON},needs_field_visit,Dr. Rao,,2021-06-10 09:00",
        f'{PERSON},confirmed,Insp. Sharma,"{hostile}",2021-06-12 17:00'))
    night(con)
    doc = json.loads(con.execute(f"select evidence from {tables.EVIDENCE} "
                                 f"where cluster_id = '{PERSON}'").fetchone()[0])
    assert [(r["decision"], r["reviewer"], r["decided_at"], r["note"])
            for r in doc["review_history"]] == [
        ("needs_field_visit", "Dr. Rao", "2021-06-10 09:00:00", None),
        ("confirmed", "Insp. Sharma", "2021-06-12 17:00:00", hostile)]
    data = report_data(con, {})
    assert {f["cluster_id"]: f["review"] for f in data["flagged"]} == {PERSON: "confirmed",
                                                                       ALONE: None}
    page = tmp_path / "report.html"
    write_report(con, page, {})
    text = page.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text and "\\u003cscript\\u003ealert(1)" in text


def test_the_report_counts_a_dismissed_cluster_under_no_rule(con, tmp_path):
    review.import_decisions(con, decisions_file(tmp_path, f"{PERSON},dismissed,Dr. Rao,,2021-06-10"))
    night(con)
    rules = {r["rule_id"]: r["clusters"] for r in report_data(con, {})["rules"]}
    assert rules["repeat_dose1"] == 0 and rules["no_show_certificate"] == 1


# -- the command -------------------------------------------------------------------------

@pytest.fixture
def warehouse(con, tmp_path):
    path = tmp_path / "out" / "jaanch.duckdb"
    path.parent.mkdir()
    con.execute(f"attach '{path}' as w")
    con.execute("copy from database memory to w")
    con.execute("detach w")
    return path


def test_command_imports_and_prints_counts(warehouse, tmp_path, capsys):
    path = decisions_file(tmp_path, f"{PERSON},dismissed,Dr. Rao,,2021-06-10")
    assert main(["review", "import", str(path), "--out", str(warehouse.parent)]) == 0
    assert "read: 1 (1 imported, 0 already present)" in capsys.readouterr().out
    assert main(["review", "import", str(path), "--db", str(warehouse)]) == 0
    assert "read: 1 (0 imported, 1 already present)" in capsys.readouterr().out
    with duckdb.connect(str(warehouse), read_only=True) as c:
        assert c.execute(f"select count(*) from {tables.REVIEW_DECISIONS}").fetchone()[0] == 1


def test_command_refuses_a_bad_file_in_one_line(warehouse, tmp_path, capsys):
    path = decisions_file(tmp_path, f"{PERSON},dismissed,Dr. Rao,,2021-06-10",
                          f"{ALONE},perhaps,Dr. Rao,,2021-06-10")
    assert main(["review", "import", str(path), "--db", str(warehouse)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "line 3" in err[0] and "nothing imported" in err[0]
    with duckdb.connect(str(warehouse), read_only=True) as c:
        assert c.execute(f"select count(*) from {tables.REVIEW_DECISIONS}").fetchone()[0] == 0
    missing = tmp_path / "nowhere" / "jaanch.duckdb"
    assert main(["review", "import", str(path), "--db", str(missing)]) == 2
    assert "no warehouse" in capsys.readouterr().err and not missing.exists()


# -- across nightly runs -----------------------------------------------------------------

def test_decisions_outlive_nightly_runs_and_failed_ones(prefect_server, tmp_path):
    from pipelines.errors import ExportError
    from pipelines.flow import nightly
    from pipelines.sample_data import generate_sample

    generate_sample(300, 7, tmp_path / "sample")
    exports, out = tmp_path / "sample" / "exports", tmp_path / "out"
    db = out / "jaanch.duckdb"
    first = nightly(str(exports), str(out))
    with open(out / "review_template.csv", encoding="utf-8", newline="") as fh:
        template = list(csv.DictReader(fh))
    assert first["flagged_clusters"] == len(template) > 0 and first["suppressed_by_review"] == 0
    dismissed = template[0]["cluster_id"]
    path = decisions_file(tmp_path, f"{dismissed},dismissed,Dr. Rao,known family,2021-06-10")
    with duckdb.connect(str(db)) as c:
        assert review.import_decisions(c, path).imported == 1

    second = nightly(str(exports), str(out))
    assert second["suppressed_by_review"] == 1
    assert second["flagged_clusters"] == first["flagged_clusters"] - 1
    for name in ("flagged_clusters.csv", "review_template.csv"):
        assert dismissed not in (out / name).read_text(encoding="utf-8"), name
    assert json.loads((out / "run_summary.json").read_text())["suppressed_by_review"] == 1

    (exports / "vaccinations.csv").write_text("")  # an empty export stops the run
    with pytest.raises(ExportError):
        nightly(str(exports), str(out))
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute(f"select cluster_id, decision, note from {tables.REVIEW_DECISIONS}"
                         ).fetchall() == [(dismissed, "dismissed", "known family")]
        assert [s for (s,) in c.execute(f"select status from {tables.RUNS} order by started"
                                        ).fetchall()] == ["succeeded", "succeeded", "failed"]
