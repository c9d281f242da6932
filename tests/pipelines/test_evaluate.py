import argparse

from pipelines.evaluate import evaluate_cli


def test_a_sweep_without_the_runs_warehouse_says_so_in_one_line(tmp_path, capsys):
    (tmp_path / "cluster_members.csv").write_text("cluster_id,beneficiary_reference_id\n")
    args = argparse.Namespace(out=str(tmp_path), truth=str(tmp_path), thresholds=[2.0])
    assert evaluate_cli(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(tmp_path / "jaanch.duckdb") in err


def test_a_sweep_reads_the_warehouse_given_by_db(tmp_path, capsys):
    args = argparse.Namespace(out=str(tmp_path), truth=str(tmp_path), thresholds=[2.0],
                              db=str(tmp_path / "elsewhere.duckdb"))
    assert evaluate_cli(args) == 2
    assert "elsewhere.duckdb" in capsys.readouterr().err
