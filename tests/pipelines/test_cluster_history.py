"""Cluster ids across nights: kept when a cluster grows, the older one on a merge,
merges and splits recorded."""
import duckdb

from pipelines import tables
from pipelines.cluster_history import carry_ids


def _nights(last: dict[str, list[int]], tonight: list[list[int]]):
    """`last`: published cluster id -> members; `tonight`: linkage's groups (ids C+min)."""
    con = duckdb.connect()
    con.execute(f"create table {tables.CLUSTER_MEMBERS} (cluster_id varchar, "
                f"beneficiary_reference_id varchar)")
    for cid, members in last.items():
        con.executemany(f"insert into {tables.CLUSTER_MEMBERS} values (?, ?)",
                        [[cid, str(m)] for m in members])
    con.execute(f"create table {tables.CLUSTERS} (beneficiary_reference_id varchar, "
                f"cluster_id varchar)")
    for group in tonight:
        con.executemany(f"insert into {tables.CLUSTERS} values (?, ?)",
                        [[str(m), f"C{min(group)}"] for m in group])
    counts = carry_ids(con, "run2")
    ids = {}
    for b, c in con.execute(f"select beneficiary_reference_id, cluster_id from {tables.CLUSTERS}"
                            ).fetchall():
        ids.setdefault(c, set()).add(int(b))
    changes = con.execute(f"select change, cluster_id, other_cluster_id from "
                          f"{tables.CLUSTER_CHANGES} order by all").fetchall()
    return ids, counts, changes


def test_a_cluster_that_gains_an_older_registration_keeps_its_id():
    ids, counts, changes = _nights({"C5": [5, 6]}, [[3, 5, 6]])
    assert ids == {"C5": {3, 5, 6}} and changes == [] and counts == {"merged": 0, "split": 0}


def test_on_a_merge_the_older_id_survives_and_the_merge_is_recorded():
    ids, _, changes = _nights({"C5": [5, 6], "C7": [7, 8]}, [[5, 6, 7, 8]])
    assert ids == {"C5": {5, 6, 7, 8}}
    assert changes == [("merged", "C5", "C7")]


def test_a_split_is_recorded_and_the_larger_part_keeps_the_id():
    ids, _, changes = _nights({"C5": [5, 6, 7]}, [[5, 6], [7, 9]])
    assert ids == {"C5": {5, 6}, "C7": {7, 9}}
    assert changes == [("split", "C5", "C7")]


def test_no_id_names_two_clusters():
    # 6 and 7 carry C5 on; 5 now stands with 9, and would be C5 too
    ids, _, _ = _nights({"C5": [5, 6, 7]}, [[6, 7], [5, 9]])
    assert ids["C5"] == {6, 7}
    assert ids["C5-run2"] == {5, 9}


def test_the_first_night_keeps_linkage_ids():
    con = duckdb.connect()
    con.execute(f"create table {tables.CLUSTERS} as select '1' as beneficiary_reference_id, "
                f"'C1' as cluster_id")
    assert carry_ids(con, "run1") == {"merged": 0, "split": 0}
    assert con.execute(f"select cluster_id from {tables.CLUSTERS}").fetchall() == [("C1",)]
