import csv
import json
import os
import threading

import duckdb
import pytest

from pipelines.outputs import CSV_OUTPUTS
from pipelines.publish import (MARKER, jsonl_lines, publish, recover, write_csv, write_lines,
                               written_meanwhile)


def test_publish_replaces_files_and_leaves_no_staging(tmp_path):
    out = tmp_path / "out"
    publish(out, lambda d: (d / "a.csv").write_text("old\n"))
    publish(out, lambda d: (d / "a.csv").write_text("new\n"))
    assert (out / "a.csv").read_text() == "new\n"
    assert [p.name for p in out.iterdir()] == ["a.csv"]


def test_failure_while_staging_leaves_previous_publication(tmp_path):
    out = tmp_path / "out"
    publish(out, lambda d: (d / "a.csv").write_text("good\n"))

    def broken(d):
        (d / "a.csv").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        publish(out, broken)
    assert (out / "a.csv").read_text() == "good\n"
    assert not list(out.glob(".staging-*"))


def test_recover_rolls_a_killed_move_forward(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("old a")
    (out / "b.csv").write_text("new b")  # already moved before the kill
    staging = out / ".staging-x"
    staging.mkdir()
    (staging / "a.csv").write_text("new a")
    (out / MARKER).write_text(staging.name)
    recover(out)
    assert (out / "a.csv").read_text() == "new a" and (out / "b.csv").read_text() == "new b"
    assert not (out / MARKER).exists() and not staging.exists()


def test_recover_discards_staging_without_marker(tmp_path):
    out = tmp_path / "out"
    (out / ".staging-y").mkdir(parents=True)
    (out / "a.csv").write_text("old")
    recover(out)
    assert [p.name for p in out.iterdir()] == ["a.csv"]


def test_csv_cells_that_could_run_as_formulas_are_escaped(tmp_path):
    con = duckdb.connect()
    con.execute("create table t as select * from (values ('=HYPERLINK(1)', 1), ('@x', -2), "
                "('Ram', 3), ('-5', 4), ('+91', 5), (chr(9) || 'x', 6), ('सीता', 7), "
                "('a=b', 8), (null, 9)) v(name, n)")
    write_csv(con, "t", tmp_path / "t.csv", "n")
    rows = list(csv.DictReader(open(tmp_path / "t.csv", encoding="utf-8")))
    assert [r["name"] for r in rows] == ["'@x", "'=HYPERLINK(1)", "Ram", "'-5", "'+91", "'\tx",
                                         "सीता", "a=b", ""]
    assert rows[0]["n"] == "-2"  # numbers are not text cells


def test_jsonl_lines_are_written_one_line_per_row_in_order(tmp_path):
    con = duckdb.connect()
    # enough rows for several Arrow chunks; one text already ends its line
    con.execute("""create table docs as select i as k,
        case when i = 7 then '{"i": 7}' || chr(10) else json_object('i', i, 'name', 'सीता')::varchar
        end as doc from range(300000) t(i) order by random()""")
    held = jsonl_lines(con, "docs", "doc", "k")
    write_lines(tmp_path / "a.jsonl", held.column("doc"))
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 300001
    assert [json.loads(x)["i"] for x in lines[:-1]] == list(range(300000))
    # what was written comes back, keyed, for a later reader
    assert held.column("k").to_pylist() == list(range(300000))
    assert "".join(held.column("doc").to_pylist()) == "\n".join(lines)
    con.execute("create table none (k int, doc varchar)")
    write_lines(tmp_path / "b.jsonl", jsonl_lines(con, "none", "doc", "k").column("doc"))
    assert (tmp_path / "b.jsonl").read_bytes() == b""


def test_a_file_is_written_and_flushed_while_the_block_runs_and_a_failure_is_raised(
        tmp_path, monkeypatch):
    synced, real_fsync = [], os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.fstat(fd).st_ino)
                        or real_fsync(fd))
    big = tmp_path / "evidence.jsonl"
    started, release = threading.Event(), threading.Event()

    def write(path):
        started.set()
        release.wait(10)  # still writing while the block runs
        path.write_text("{}\n")

    ran = []
    with written_meanwhile(big, write):
        assert started.wait(10)
        ran.append(big.exists())
        release.set()
    assert ran == [False] and big.read_text() == "{}\n" and synced == [big.stat().st_ino]

    def fail(path):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):  # the block still runs; the failure follows
        with written_meanwhile(tmp_path / "other.jsonl", fail):
            ran.append(True)
    assert len(ran) == 2


def test_flagged_numbers_that_share_a_mask_are_written_in_one_order(tmp_path):
    table, order, private = CSV_OUTPUTS["flagged_identifiers.csv"]
    con = duckdb.connect()
    con.execute(f"create table {table} (identifier_kind varchar, identifier varchar, "
                f"identifier_key varchar, rules varchar)")
    con.executemany(f"insert into {table} values ('mobile', '******1031', ?, ?)",
                    [("k3", "third"), ("k2", "second"), ("k1", "first")])
    write_csv(con, table, tmp_path / "f.csv", order, exclude=private)
    rows = list(csv.DictReader(open(tmp_path / "f.csv", encoding="utf-8")))
    assert [r["rules"] for r in rows] == ["first", "second", "third"]
    assert "identifier_key" not in rows[0]
