"""Clusters of registrations judged to be one person.

Connected components of the linked pairs, computed on the whole graph at once. Plain
components chain: one weak link can fuse two families. So a component that holds a
pair with strong evidence against it (a veto pair: below `veto_weight`, or a household
pair) is rebuilt greedily, strongest link first, refusing any merge that would put a
veto pair inside one cluster. Only those few components take the slow path.

A cluster's id is 'C' followed by its smallest beneficiary_reference_id, so the same
people get the same id tomorrow, and when two clusters merge the older id survives.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _greedy(nodes: np.ndarray, edges: list[tuple[float, int, int]],
            vetoes: set[tuple[int, int]]) -> dict[int, int]:
    members = {int(v): {int(v)} for v in nodes}
    root = {int(v): int(v) for v in nodes}
    for _, a, b in sorted(edges, reverse=True):
        ra, rb = root[a], root[b]
        if ra == rb:
            continue
        if any((min(x, y), max(x, y)) in vetoes for x in members[ra] for y in members[rb]):
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        for v in members[rb]:
            root[v] = ra
        members[ra] |= members.pop(rb)
    return root


def split_chains(labels: np.ndarray, links: tuple[np.ndarray, np.ndarray, np.ndarray],
                 vetoes: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Rebuild the components that contain a veto pair; others stay as they are."""
    vi, vj = vetoes
    bad = np.unique(labels[vi][labels[vi] == labels[vj]])
    if len(bad) == 0:
        return labels
    labels = labels.copy()
    li, lj, lw = links
    in_bad = np.isin(labels[li], bad)
    veto_set = {(int(min(a, b)), int(max(a, b))) for a, b in zip(vi, vj)
                if labels[a] == labels[b] and labels[a] in set(bad.tolist())}
    next_label = labels.max() + 1
    for comp in bad:
        nodes = np.flatnonzero(labels == comp)
        sel = in_bad & (labels[li] == comp)
        edges = list(zip(lw[sel].tolist(), li[sel].tolist(), lj[sel].tolist()))
        root = _greedy(nodes, edges, veto_set)
        for r in set(root.values()):
            group = [v for v, rv in root.items() if rv == r]
            labels[group] = next_label
            next_label += 1
    return labels


def cluster(con: duckdb.DuckDBPyConnection, scores: str, norm: str, target: str,
            veto_weight: float) -> int:
    """Write `target` (beneficiary_reference_id, cluster_id) for every registration."""
    n = con.execute(f"select count(*) from {norm}").fetchall()[0][0]
    edge_sql = (f"select l.rid - 1 as i, r.rid - 1 as j, p.match_weight as w from {scores} p "
                f"join {norm} l on l.beneficiary_reference_id = p.id_l "
                f"join {norm} r on r.beneficiary_reference_id = p.id_r where {{}}")
    links = con.execute(edge_sql.format("p.linked")).fetchnumpy()
    vetoes = con.execute(edge_sql.format(
        f"p.match_weight < {veto_weight} or p.household or p.other_person")).fetchnumpy()
    li, lj = links["i"].astype(np.int64), links["j"].astype(np.int64)
    labels = components(n, li, lj)
    labels = split_chains(labels, (li, lj, links["w"]),
                          (vetoes["i"].astype(np.int64), vetoes["j"].astype(np.int64)))
    con.register("_labels", pa.table({"rid": np.arange(1, n + 1, dtype=np.int32),
                                      "label": labels.astype(np.int64)}))
    con.execute(f"""
        create or replace table {target} as
        select n.beneficiary_reference_id,
               'C' || min(n.beneficiary_reference_id) over (partition by x.label) as cluster_id
        from {norm} n join _labels x using (rid)
    """)
    con.unregister("_labels")
    return con.execute(
        f"select count(*) from (select cluster_id from {target} group by 1 having count(*) > 1)"
    ).fetchall()[0][0]
