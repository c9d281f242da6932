"""Clusters of registrations judged to be one person.

Connected components of the linked pairs, computed on the whole graph at once. Plain
components chain: one weak link can fuse two families. So a component that holds a
pair with evidence against it (a veto pair: below `veto_weight`, or a household pair;
or any scored pair below zero) is rebuilt greedily, strongest link first, refusing any
merge that would put a veto pair inside one cluster, or whose scored cross pairs add up
to evidence against (one link at 1.3 bits beside twenty-nine pairs at -4: two
families). Only those components take the slow path.

A cluster's id is 'C' followed by its smallest beneficiary_reference_id, so the same
people get the same id tomorrow, and when two clusters merge the older id survives.

A night that scored only its own pairs works out again only the components its changed
pairs reach (`Since`); every other cluster keeps its rows and its id, which may be one
passed on by pipelines.cluster_history.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from linkage.catalog import table_exists

# TEMP (rid, label) of the registrations clustered with another: same label, same cluster
LABELS = "cluster_labels"
# TEMP (rid_l, rid_r, match_weight) of the scored pairs inside one of those clusters
PAIRS_INSIDE = "cluster_pairs_inside"


def components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _greedy(nodes: np.ndarray, edges: list[tuple[float, int, int]],
            vetoes: set[tuple[int, int]],
            weights: dict[tuple[int, int], float]) -> dict[int, int]:
    members = {int(v): {int(v)} for v in nodes}
    root = {int(v): int(v) for v in nodes}
    for _, a, b in sorted(edges, reverse=True):
        ra, rb = root[a], root[b]
        if ra == rb:
            continue
        cross = [(min(x, y), max(x, y)) for x in members[ra] for y in members[rb]]
        if any(p in vetoes for p in cross):
            continue
        scored = [weights[p] for p in cross if p in weights]
        # one link against the rest: the two groups' scored pairs say, on balance, two people
        if scored and sum(scored) < 0:
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        for v in members[rb]:
            root[v] = ra
        members[ra] |= members.pop(rb)
    return root


def split_chains(labels: np.ndarray, links: tuple[np.ndarray, np.ndarray, np.ndarray],
                 vetoes: tuple[np.ndarray, np.ndarray],
                 scored: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Rebuild the components that contain a veto pair, or a scored pair (i, j, weight in
    `scored`) with evidence against it; others stay as they are."""
    vi, vj = vetoes
    inside = labels[vi] == labels[vj]
    vi, vj = vi[inside], vj[inside]
    si, sj, sw = scored if scored is not None else (vi[:0], vj[:0], np.zeros(0))
    inside = labels[si] == labels[sj]
    si, sj, sw = si[inside], sj[inside], sw[inside]
    if len(vi) == 0 and not (sw < 0).any():
        return labels
    bad = np.unique(np.concatenate([labels[vi], labels[si[sw < 0]]]))
    labels = labels.copy()
    li, lj, lw = links
    veto_set = set(zip(np.minimum(vi, vj).tolist(), np.maximum(vi, vj).tolist()))
    weights = dict(zip(zip(np.minimum(si, sj).tolist(), np.maximum(si, sj).tolist()),
                       sw.tolist()))
    nodes_of: dict[int, list[int]] = {}
    in_bad = np.flatnonzero(np.isin(labels, bad))
    for v, comp in zip(in_bad.tolist(), labels[in_bad].tolist()):
        nodes_of.setdefault(comp, []).append(v)
    edges_of: dict[int, list[tuple[float, int, int]]] = {c: [] for c in nodes_of}
    sel = np.flatnonzero(np.isin(labels[li], bad))
    for w, a, b in zip(lw[sel].tolist(), li[sel].tolist(), lj[sel].tolist()):
        edges_of[int(labels[a])].append((w, a, b))
    next_label = labels.max() + 1
    for comp, nodes in nodes_of.items():
        root = _greedy(np.array(nodes), edges_of[comp], veto_set, weights)
        for r in set(root.values()):
            labels[[v for v, rv in root.items() if rv == r]] = next_label
            next_label += 1
    return labels


@dataclass(frozen=True)
class Since:
    """What changed since the clusters were last written, as TEMP tables: `pairs`
    (rid_l, rid_r, linked) scored or dropped since, each with whether it was linked
    then; `registrations` (rid) added or changed since."""
    pairs: str
    registrations: str


def cluster(con: duckdb.DuckDBPyConnection, scores: str, norm: str, target: str,
            veto_weight: float, since: Since | None = None) -> int:
    """Write `target` (beneficiary_reference_id, cluster_id) for every registration, from
    `scores` (pairs by rid, as written by linkage.score), and TEMP LABELS and
    PAIRS_INSIDE. Returns how many clusters hold two or more registrations.

    With `since` (and `target` written before), only the components that a changed pair
    can reach are worked out again: any other has the same links and scores as when
    `target` was written, so it keeps its clusters and their ids."""
    n = con.execute(f"select coalesce(max(rid), 0) from {norm}").fetchall()[0][0]
    links = con.execute(f"select rid_l - 1 as i, rid_r - 1 as j, match_weight as w "
                        f"from {scores} where linked").fetchnumpy()
    li, lj = links["i"].astype(np.int64), links["j"].astype(np.int64)
    labels = components(n, li, lj)
    region = None
    if since is not None and table_exists(con, target):
        region = _region(con, labels, since)
    # only pairs between registrations that have a link can split anything
    si, sj, sw, veto = _scored_within(con, scores, _together(labels, region), veto_weight)
    labels = split_chains(labels, (li, lj, links["w"]), (si[veto], sj[veto]), (si, sj, sw))
    _keep_pairs_inside(con, labels, si, sj, sw)
    together = _together(labels, region)
    _name_groups(con, norm, together, labels)
    if not _write(con, norm, target, region):
        return cluster(con, scores, norm, target, veto_weight)
    con.execute("drop table _grouped")
    if region is None:
        return int(len(np.unique(labels[together])))
    return con.execute(f"select count(*) from (select cluster_id from {target} "
                       f"group by all having count(*) > 1)").fetchall()[0][0]


def _region(con: duckdb.DuckDBPyConnection, labels: np.ndarray, since: Since) -> np.ndarray:
    """Mask over rids (0-based) of the components to work out again: those holding a new
    or changed registration, an end of a pair linked now or then, or both ends of a
    changed pair (its weight counts when the component is split). A pair that was
    linked and is not now may have split a component: each part holds one of its ends."""
    p = con.execute(f"select rid_l - 1 as i, rid_r - 1 as j, linked "
                    f"from {since.pairs}").fetchnumpy()
    i, j = p["i"].astype(np.int64), p["j"].astype(np.int64)
    # a pair of a registration removed since has an end beyond tonight's rids
    ok = (i < len(labels)) & (j < len(labels))
    i, j, linked = i[ok], j[ok], np.asarray(p["linked"], dtype=bool)[ok]
    reach = linked | (labels[i] == labels[j])
    rids = con.execute(f"select rid - 1 as i from {since.registrations}").fetchnumpy()["i"]
    ends = np.concatenate([i[reach], j[reach], rids.astype(np.int64)])
    return np.isin(labels, np.unique(labels[ends]))


def _scored_within(con: duckdb.DuckDBPyConnection, scores: str, nodes: np.ndarray,
                   veto_weight: float) -> tuple[np.ndarray, ...]:
    """Scored pairs (i, j, weight, veto) with both registrations among `nodes`."""
    con.register("_nodes", pa.table({"rid": (nodes + 1).astype(np.int32)}))
    inside = "(select rid from _nodes)"
    scored = con.execute(f"""select rid_l - 1 as i, rid_r - 1 as j, match_weight as w,
            match_weight < {veto_weight} or household or other_person as veto
        from {scores} where rid_l in {inside} and rid_r in {inside}""").fetchnumpy()
    con.unregister("_nodes")
    return (scored["i"].astype(np.int64), scored["j"].astype(np.int64), scored["w"],
            np.asarray(scored["veto"], dtype=bool))


def _keep_pairs_inside(con: duckdb.DuckDBPyConnection, labels: np.ndarray, si: np.ndarray,
                       sj: np.ndarray, sw: np.ndarray) -> None:
    inside = labels[si] == labels[sj]
    con.register("_inside", pa.table({"rid_l": (si[inside] + 1).astype(np.int32),
                                      "rid_r": (sj[inside] + 1).astype(np.int32),
                                      "match_weight": sw[inside]}))
    con.execute(f"create or replace temp table {PAIRS_INSIDE} as select * from _inside")
    con.unregister("_inside")


def _name_groups(con: duckdb.DuckDBPyConnection, norm: str, together: np.ndarray,
                 labels: np.ndarray) -> None:
    """TEMP LABELS (rid, label) and _grouped (beneficiary_reference_id, cluster_id) of
    the registrations `together` indexes."""
    con.register("_together", pa.table({"rid": (together + 1).astype(np.int32),
                                        "label": labels[together].astype(np.int64)}))
    con.execute(f"create or replace temp table {LABELS} as select * from _together")
    con.unregister("_together")
    # a registration alone is its cluster, named by its own id: only the others need naming
    con.execute(f"""create or replace temp table _grouped as
        select n.beneficiary_reference_id,
               'C' || min(n.beneficiary_reference_id) over (partition by x.label) as cluster_id
        from {LABELS} x join {norm} n using (rid)""")


def _write(con: duckdb.DuckDBPyConnection, norm: str, target: str,
           region: np.ndarray | None = None) -> bool:
    """Make `target` name the cluster of every registration, or of those in the `region`
    (a mask over rids). An existing table gets only the rows that moved rewritten, which
    keeps a night's commit small, and loses those of registrations removed since.

    Returns False, with nothing written, when a name given to the region is held outside
    it (an id that pipelines.cluster_history passed on to a cluster there): only naming
    every cluster again keeps ids apart then. No cluster straddles the region's edge: a
    cluster that lost a link holds an end of that link in each of its parts."""
    rows = norm
    if region is not None:
        rows = "_region"
        con.register("_region_rids",
                     pa.table({"rid": (np.flatnonzero(region) + 1).astype(np.int32)}))
        con.execute(f"""create or replace temp table _region as select beneficiary_reference_id
            from {norm} where rid in (select rid from _region_rids)""")
        con.unregister("_region_rids")
    named = f"""select r.beneficiary_reference_id,
                       coalesce(g.cluster_id, 'C' || r.beneficiary_reference_id) as cluster_id
                from {rows} r left join _grouped g using (beneficiary_reference_id)"""
    if not table_exists(con, target):
        con.execute(f"create table {target} as {named}")
        return True
    con.execute(f"""create or replace temp table _clusters_moved as
        select n.*, t.cluster_id is not null as held from ({named}) n
        left join {target} t using (beneficiary_reference_id)
        where t.cluster_id is distinct from n.cluster_id""")
    clash = region is not None and con.execute(f"""select count(*) from {target}
        where cluster_id in (select cluster_id from _clusters_moved)
          and beneficiary_reference_id not in (select beneficiary_reference_id from _region)
        """).fetchall()[0][0] > 0
    if not clash:
        moved = "(select beneficiary_reference_id from _clusters_moved where held)"
        con.execute(f"delete from {target} where beneficiary_reference_id in {moved}")
        con.execute(f"insert into {target} select beneficiary_reference_id, cluster_id "
                    f"from _clusters_moved")
        if _count(con, target) > _count(con, norm):  # registrations removed since
            con.execute(f"delete from {target} where beneficiary_reference_id not in "
                        f"(select beneficiary_reference_id from {norm})")
    con.execute("drop table _clusters_moved")
    con.execute("drop table if exists _region")
    return not clash


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]


def _together(labels: np.ndarray, region: np.ndarray | None = None) -> np.ndarray:
    """Indices of the rows whose label other rows share (within `region`, a mask)."""
    counts = np.bincount(labels)
    shared = counts[labels] > 1
    return np.flatnonzero(shared if region is None else shared & region)
