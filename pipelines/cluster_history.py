"""Cluster ids that survive the nights, and a record of every merge and split.

Linkage names a cluster 'C' + its smallest registration id. Against last night's
published clusters that is not enough: a member with a smaller id may join. So each of
last night's clusters passes its id to tonight's cluster holding most of its members
(its heir); a cluster that is heir to several keeps the oldest (smallest) id and the
merge is recorded; a cluster whose members now sit in several clusters is recorded as
split. A new id that happens to equal one passed on gets the run id as a suffix, so no
id ever names two clusters.
"""
from __future__ import annotations

import duckdb

from linkage.catalog import table_exists
from pipelines import tables


def carry_ids(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Rewrite tables.CLUSTERS' ids from last night's cluster_members; returns counts."""
    con.execute(f"""create table if not exists {tables.CLUSTER_CHANGES} (run_id varchar,
        change varchar, cluster_id varchar, other_cluster_id varchar)""")
    if not table_exists(con, tables.CLUSTER_MEMBERS):
        return {"merged": 0, "split": 0}
    # last night's clusters met tonight's: members in common per (old, new) pair of ids
    con.execute(f"""create or replace temp table _met as
        select p.cluster_id as pid, t.cluster_id as tid, count(*) as n
        from {tables.CLUSTER_MEMBERS} p join {tables.CLUSTERS} t using (beneficiary_reference_id)
        group by all""")
    con.execute("""create or replace temp table _heirs as select pid, tid from _met
        qualify row_number() over (partition by pid order by n desc, tid) = 1""")
    # only a cluster that met one of last night's, or whose new id is one passed on, can
    # be renamed: the rest of the registrations' clusters are not read
    con.execute(f"""create or replace temp table _final as
        with inherit as (select tid, min(pid) as pid from _heirs group by tid),
        t as (select tid from _met
              union select cluster_id from {tables.CLUSTERS}
              where cluster_id in (select pid from inherit))
        select t.tid, case when i.pid is not null then i.pid
                           when t.tid in (select pid from inherit) then t.tid || '-' || ?
                           else t.tid end as cid
        from t left join inherit i using (tid)
    """, [run_id])
    merged = _record(con, run_id, "merged", """
        select f.cid, h.pid from _heirs h join _final f using (tid) where h.pid <> f.cid""")
    split = _record(con, run_id, "split", """
        select distinct m.pid, f.cid from _met m join _final f using (tid)
        join _heirs h using (pid) where m.tid <> h.tid""")
    # rows replaced, not updated: an update rewrites the whole column at the commit
    con.execute(f"""create or replace temp table _renamed as
        select c.beneficiary_reference_id, f.cid as cluster_id
        from {tables.CLUSTERS} c join _final f on f.tid = c.cluster_id where f.cid <> f.tid""")
    con.execute(f"""delete from {tables.CLUSTERS} where beneficiary_reference_id in
                    (select beneficiary_reference_id from _renamed)""")
    con.execute(f"insert into {tables.CLUSTERS} select * from _renamed")
    for tmp in ("_met", "_heirs", "_final", "_renamed"):
        con.execute(f"drop table {tmp}")
    return {"merged": merged, "split": split}


def _record(con: duckdb.DuckDBPyConnection, run_id: str, change: str, sql: str) -> int:
    con.execute(f"create or replace temp table _changes as {sql}")
    n = con.execute("select count(*) from _changes").fetchall()[0][0]
    con.execute(f"insert into {tables.CLUSTER_CHANGES} select ?, ?, * from _changes",
                [run_id, change])
    con.execute("drop table _changes")
    return n
