"""Comparisons kept across nights, so that a pair is compared once.

A pair's comparison levels depend only on its two registrations, so they stay true until
one of them changes. Kept rows are keyed by the registration ids themselves (as BIGINT),
which do not move when new registrations arrive. A change of the comparison code makes
every kept row stale: the kept table records a fingerprint of that code and is emptied
when the fingerprint differs.
"""
from __future__ import annotations

import duckdb

from linkage import (code_digest, compare, doses, name_compare, name_order, names, normalise,
                     phonetic, transliterate)

COLUMNS = ("bid_l BIGINT, bid_r BIGINT, name_level TINYINT, name_similarity FLOAT, "
           + ", ".join(f"{f}_level TINYINT" for f in compare.FIELDS[1:]))
_LEVELS = "name_level, name_similarity, " + ", ".join(f"{f}_level" for f in compare.FIELDS[1:])


def code_fingerprint() -> str:
    """Of the code that turns two registrations into comparison levels, the features
    compared (linkage.normalise) included."""
    return code_digest.of_modules(compare, doses, name_compare, name_order, names, normalise,
                                  phonetic, transliterate)


def _ensure(con: duckdb.DuckDBPyConnection, kept: str) -> None:
    code_digest.drop_if_other_code(con, kept, code_fingerprint())
    con.execute(f"create table if not exists {kept} ({COLUMNS})")


def _forget_changed(con: duckdb.DuckDBPyConnection, kept: str, changed: str | None) -> None:
    if changed is None:
        return
    ids = (f"(select beneficiary_reference_id::bigint from {changed} "
           f"where change <> 'new')")  # a new registration has nothing kept
    if con.execute(f"select count(*) from {ids}").fetchall()[0][0]:
        con.execute(f"delete from {kept} where bid_l in {ids} or bid_r in {ids}")


def compare_new(con: duckdb.DuckDBPyConnection, norm: str, pairs: str, kept: str, target: str,
                changed: str | None = None, names_table: str = "name_features",
                parts: str = "photo_id_parts") -> int:
    """Write `target` (TEMP, pairs by rid with their levels) for every pair in `pairs`,
    comparing only those not in `kept`, and keep the new ones. Returns how many were
    compared. A kept pair that is no longer a candidate stays kept (it is still true) and
    is simply not used. `changed` (beneficiary_reference_id, change: 'new', 'changed' or
    'removed') lists the registrations whose kept pairs are stale."""
    _ensure(con, kept)
    _forget_changed(con, kept, changed)
    con.execute(f"""create or replace temp table _pair_bids as
        select p.id_l, p.id_r, l.bid as bid_l, r.bid as bid_r
        from {pairs} p join {norm} l on l.rid = p.id_l join {norm} r on r.rid = p.id_r""")
    # an inner join first: it hashes the smaller side, where an anti join would hash all
    # the kept comparisons for a night's few pairs
    con.execute(f"""create or replace temp table {target} as
        select b.id_l, b.id_r, {_LEVELS} from {kept} k join _pair_bids b using (bid_l, bid_r)""")
    con.execute(f"""create or replace temp table _new_pairs as
        select id_l, id_r from _pair_bids anti join {target} using (id_l, id_r)""")
    compared = compare.compare(con, norm, "_new_pairs", "_new_comparisons", names_table, parts)
    con.execute(f"insert into {target} select id_l, id_r, {_LEVELS} from _new_comparisons")
    con.execute(f"""insert into {kept} select b.bid_l, b.bid_r, {_LEVELS}
        from _new_comparisons c join _pair_bids b using (id_l, id_r)""")
    for tmp in ("_pair_bids", "_new_pairs", "_new_comparisons"):
        con.execute(f"drop table {tmp}")
    return compared
