import numpy as np

from linkage.cluster import components, split_chains


def test_components_join_linked_pairs():
    labels = components(5, np.array([0, 1]), np.array([1, 2]))
    assert labels[0] == labels[1] == labels[2]
    assert len({labels[0], labels[3], labels[4]}) == 3


def test_weak_link_does_not_fuse_two_families():
    # 0-1 strong, 2-3 strong, 1-2 weak link; 0 and 3 are known different (veto)
    li, lj, lw = np.array([0, 2, 1]), np.array([1, 3, 2]), np.array([20.0, 18.0, 7.0])
    labels = components(4, li, lj)
    assert len(set(labels)) == 1
    labels = split_chains(labels, (li, lj, lw), (np.array([0]), np.array([3])))
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]


def _two_families_and_one_weak_link():
    # family 0-1-2 and family 3-4, each linked strongly; 2-3 links them at 1.3 bits
    li, lj = np.array([0, 1, 3, 2]), np.array([1, 2, 4, 3])
    lw = np.array([15.0, 14.0, 16.0, 1.3])
    return components(5, li, lj), (li, lj, lw)


def test_one_weak_link_against_the_other_cross_pairs_does_not_fuse_two_families():
    labels, links = _two_families_and_one_weak_link()
    none = (np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    # the other cross pairs scored against (-4 each), none of them a veto
    cross = [(0, 3), (0, 4), (1, 3), (1, 4), (2, 4)]
    si, sj = np.array([a for a, _ in cross] + [2]), np.array([b for _, b in cross] + [3])
    sw = np.array([-4.0] * len(cross) + [1.3])
    split = split_chains(labels, links, none, (si, sj, sw))
    assert len({split[0], split[1], split[2]}) == 1 and split[3] == split[4]
    assert split[0] != split[3]


def test_a_weak_link_the_cross_pairs_support_on_balance_still_joins():
    labels, links = _two_families_and_one_weak_link()
    none = (np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    # one cross pair against (-2), the others for: the groups are one person on balance
    si, sj = np.array([0, 1, 2, 2]), np.array([3, 4, 4, 3])
    sw = np.array([-2.0, 3.0, 2.0, 1.3])
    assert len(set(split_chains(labels, links, none, (si, sj, sw)).tolist())) == 1


def test_components_without_vetoes_are_untouched():
    li, lj, lw = np.array([0]), np.array([1]), np.array([10.0])
    labels = components(3, li, lj)
    assert (split_chains(labels, (li, lj, lw), (np.array([1]), np.array([2]))) == labels).all()


def _scores(con, links: list[tuple[int, int]]) -> None:
    con.execute("create or replace table scores (rid_l integer, rid_r integer, match_weight double,"
                " linked boolean, household boolean, other_person boolean)")
    for l, r in links:
        con.execute("insert into scores values (?, ?, 10.0, true, false, false)", [l, r])


def _clusters(con, table: str) -> dict[str, str]:
    return dict(con.execute(f"select * from {table}").fetchall())


def test_clustering_into_last_nights_table_equals_clustering_afresh():
    import duckdb

    from linkage.cluster import cluster

    con = duckdb.connect()
    con.execute("create table norm as select i as rid, 'B' || (100 + i) as beneficiary_reference_id "
                "from range(1, 8) t(i)")
    _scores(con, [(1, 2), (3, 4), (4, 5)])
    cluster(con, "scores", "norm", "kept", veto_weight=-8.0)
    # a night: B102 leaves its cluster, B106 joins B103's, B107 is removed, B108 arrives,
    # and a carried-over name (as pipelines.cluster_history writes) sits on B101
    con.execute("update kept set cluster_id = 'C-old' where beneficiary_reference_id = 'B101'")
    con.execute("delete from norm where rid = 7")
    con.execute("insert into norm values (8, 'B108')")
    _scores(con, [(3, 4), (4, 5), (5, 6), (1, 8)])
    cluster(con, "scores", "norm", "kept", veto_weight=-8.0)
    cluster(con, "scores", "norm", "fresh", veto_weight=-8.0)
    assert _clusters(con, "kept") == _clusters(con, "fresh")
    assert _clusters(con, "fresh") == {
        "B101": "CB101", "B108": "CB101", "B102": "CB102",
        "B103": "CB103", "B104": "CB103", "B105": "CB103", "B106": "CB103"}
