import numpy as np

from linkage.cluster import Since, components, split_chains


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


def _partition(con, table: str) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for bid, cid in con.execute(f"select * from {table}").fetchall():
        groups.setdefault(cid, set()).add(bid)
    return {frozenset(g) for g in groups.values()}


SINCE = Since("changed_pairs", "changed_registrations")


def _since(con, pairs: list[tuple[int, int, bool]], registrations: list[int]) -> None:
    con.execute("create table changed_pairs (rid_l integer, rid_r integer, linked boolean)")
    con.executemany("insert into changed_pairs values (?, ?, ?)", pairs)
    con.execute("create table changed_registrations (rid integer)")
    for r in registrations:
        con.execute("insert into changed_registrations values (?)", [r])


def _night_one(links: list[tuple[int, int]], n: int = 9):
    import duckdb

    from linkage.cluster import cluster

    con = duckdb.connect()
    con.execute(f"create table norm as select i as rid, "
                f"'B' || (100 + i) as beneficiary_reference_id from range(1, {n + 1}) t(i)")
    _scores(con, links)
    cluster(con, "scores", "norm", "kept", veto_weight=-8.0)
    return con


def test_a_night_works_out_again_only_the_components_it_touched():
    from linkage.cluster import cluster

    # 3-4-5 chain with 3 and 5 known apart: last night split it into {3, 4} and {5}
    con = _night_one([(1, 2), (3, 4), (4, 5), (6, 7)])
    con.execute("update scores set match_weight = 12 where rid_l = 3")
    con.execute("insert into scores values (3, 5, -20.0, false, false, false)")
    cluster(con, "scores", "norm", "kept", veto_weight=-8.0)
    assert frozenset({"B103", "B104"}) in _partition(con, "kept")
    # ids carried over from earlier nights sit on the untouched clusters
    con.execute("update kept set cluster_id = 'C-old' "
                "where beneficiary_reference_id in ('B101', 'B102')")
    # tonight: 6-7 scored again and unlinked, 8 (new) links to 9
    con.execute("update scores set linked = false, match_weight = 1.0 where rid_l = 6")
    con.execute("insert into scores values (8, 9, 10.0, true, false, false)")
    _since(con, [(6, 7, True), (6, 7, False), (8, 9, True)], [8])
    clusters = cluster(con, "scores", "norm", "kept", veto_weight=-8.0, since=SINCE)
    cluster(con, "scores", "norm", "fresh", veto_weight=-8.0)
    assert _partition(con, "kept") == _partition(con, "fresh")
    assert clusters == 3  # {1, 2}, {3, 4}, {8, 9}
    kept = _clusters(con, "kept")
    assert kept["B101"] == kept["B102"] == "C-old"
    assert kept["B106"] == "CB106" and kept["B107"] == "CB107" and kept["B108"] == "CB108"


def test_a_name_given_tonight_that_an_untouched_cluster_holds_names_every_cluster_again():
    from linkage.cluster import cluster

    con = _night_one([(2, 3)])
    # B101 once led {B102, B103}, which kept its id when B101 left (pipelines.cluster_history)
    con.execute("update kept set cluster_id = 'CB101' "
                "where beneficiary_reference_id in ('B102', 'B103')")
    con.execute("update kept set cluster_id = 'CB101-r1' where beneficiary_reference_id = 'B101'")
    # tonight B101 links to B104: named CB101 afresh, the id the untouched cluster holds
    con.execute("insert into scores values (1, 4, 10.0, true, false, false)")
    _since(con, [(1, 4, True)], [])
    cluster(con, "scores", "norm", "kept", veto_weight=-8.0, since=SINCE)
    cluster(con, "scores", "norm", "fresh", veto_weight=-8.0)
    assert _clusters(con, "kept") == _clusters(con, "fresh")


def test_a_pair_scored_again_inside_a_cluster_splits_it_though_no_link_changed():
    from linkage.cluster import cluster

    con = _night_one([(1, 2), (2, 3)])
    con.execute("insert into scores values (1, 3, 1.0, false, false, false)")
    cluster(con, "scores", "norm", "kept", veto_weight=-8.0)
    assert frozenset({"B101", "B102", "B103"}) in _partition(con, "kept")
    # tonight 1 and 3 are known apart (both given a dose 2, say): a veto, not a link
    con.execute("update scores set match_weight = -20 where rid_l = 1 and rid_r = 3")
    _since(con, [(1, 3, False), (1, 3, False)], [])
    cluster(con, "scores", "norm", "kept", veto_weight=-8.0, since=SINCE)
    cluster(con, "scores", "norm", "fresh", veto_weight=-8.0)
    assert _clusters(con, "kept") == _clusters(con, "fresh")
    assert frozenset({"B101", "B102", "B103"}) not in _partition(con, "kept")
