"""Warehouse input tables built in code, in an in-memory DuckDB, for rule, risk,
evidence and report tests. Rows are dicts with short keys and sensible defaults."""
from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any, Iterable

import duckdb

from linkage import identifiers
from linkage.identifiers import mask
from linkage.settings import COMPARISONS
from pipelines import tables
from rules.engine import empty_warehouse, load_rules, run_rules

REG = dict(name="Asha Devi", gender="Female", birth_year=1980, mobile=None,
           photo_id_type="Aadhaar Card", photo_id=None, state_name="Bihar",
           district_name="Patna", pincode="800001", registered_at="2021-04-01 10:00:00")
APPT = dict(center=101, center_name=None, district="Patna", slot="09:00AM-11:00AM", dose=1,
            vaccine="COVISHIELD", booked_at=None, status="Booked")
DOSE = dict(dose=1, vaccine="COVISHIELD", center=101)


def key(value: str | None) -> str | None:
    """A stand-in for the keyed hash: equal numbers give equal keys, numbers don't show."""
    return hashlib.sha256(value.encode()).hexdigest()[:16] if value else None


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"insert into {table} values ({marks})", rows)


def _registration(r: dict) -> tuple:
    r = {**REG, **r}
    return (r["id"], r["name"], r["gender"], r["birth_year"], mask(r["mobile"]), key(r["mobile"]),
            r["photo_id_type"], mask(r["photo_id"]), key(r["photo_id"]), r["state_name"],
            r["district_name"], r["pincode"], r["registered_at"])


def _appointment(a: dict) -> tuple:
    a = {**APPT, **a}
    booked = a["booked_at"] or f"{a['date']} 08:00:00"
    return (a["id"], a["reg"], a["center"], a["center_name"] or f"Centre {a['center']}",
            a["district"], a["date"], a["slot"], a["dose"], a["vaccine"], booked, a["status"])


def _vaccination(v: dict) -> tuple:
    v = {**DOSE, **v}
    return (v["cert"], v["reg"], v["dose"], v["vaccine"], v["date"], v["center"])


# a plausible model for fixture pairs: weight of each field's level, and the prior
PRIOR_WEIGHT = -4.0
FIELD_WEIGHTS = {"name": (-4, -1, 0, 1, 1, 3, 6, 8), "birth_year": (-5, -1, 1, 2), "gender": (-6, 0.5),
                 "photo_id": (-3, 0, 8, 12), "mobile": (-1.5, 6), "location": (-2, 1, 2.5),
                 "doses": (-8, 0.5, 2.5, 3), "bookings": (0, -2.5, 8)}
assert set(FIELD_WEIGHTS) == {c.field for c in COMPARISONS}


def _pair(l: str, r: str, linked: bool = True, levels: dict[str, int] | None = None) -> tuple:
    """A pair_scores row: every field agrees fully unless `levels` says otherwise, the
    doses weigh neither way (dose 1 under both), and no live bookings are under both."""
    levels = ({c.field: len(c.labels) - 1 for c in COMPARISONS} | {"doses": -1, "bookings": 0}
              | (levels or {}))
    per_field = [(levels[c.field], float(FIELD_WEIGHTS[c.field][levels[c.field]])
                  if levels[c.field] >= 0 else 0.0) for c in COMPARISONS]
    weight = PRIOR_WEIGHT + sum(w for _, w in per_field)
    probability = 2 ** weight / (1 + 2 ** weight)
    return (l, r, weight, probability, linked, *itertools.chain.from_iterable(per_field))


def make_warehouse(registrations: Iterable[dict], appointments: Iterable[dict] = (),
                   vaccinations: Iterable[dict] = (), people: Iterable[Iterable[str]] = (),
                   pairs: Iterable[dict] = ()) -> duckdb.DuckDBPyConnection:
    """Input tables in an in-memory DuckDB.

    `people` lists groups of registration ids that are one person (one cluster); every
    other registration is a cluster of one. Each pair inside a group gets a linked
    pair_scores row with every field agreeing, unless `pairs` gives it: {l, r, linked,
    levels}.
    """
    con = empty_warehouse()
    regs = [_registration(r) for r in registrations]
    _insert(con, tables.REGISTRATIONS, regs)
    _insert(con, tables.APPOINTMENTS, [_appointment(a) for a in appointments])
    _insert(con, tables.VACCINATIONS, [_vaccination(v) for v in vaccinations])
    cluster = {r[0]: "C" + r[0] for r in regs}
    scored = {(p["l"], p["r"]): _pair(**p) for p in pairs}
    for group in people:
        group = sorted(group)
        for rid in group:
            cluster[rid] = "C" + group[0]
        for l, r in itertools.combinations(group, 2):
            scored.setdefault((l, r), _pair(l, r))
    _insert(con, tables.CLUSTERS, sorted(cluster.items()))
    _insert(con, tables.PAIR_SCORES, list(scored.values()))
    return con


def hits(con: duckdb.DuckDBPyConnection, rule_id: str,
         params: dict[str, Any] | None = None) -> dict[str, dict]:
    """Run one shipped rule; its hits as {entity_id: facts}."""
    rules = [r for r in load_rules() if r.id == rule_id]
    assert rules, f"no rule {rule_id}"
    run_rules(con, rules, {rule_id: params} if params else None)
    rows = con.execute(f"select entity_id, facts from {tables.RULE_HITS}").fetchall()
    return {e: json.loads(f) for e, f in rows}


# A small night with one case of every kind; reused by the evidence and report tests.
HOSTILE_NAME = "Asha Devi <img src=x onerror=alert(1)> & Sons"
TOUT_MOBILE = "9876501403"
SHARED_AADHAAR = "234567891238"


def scenario() -> duckdb.DuckDBPyConnection:
    """Inputs only. C10000000000001 (three registrations, weakest link 16/17): dose 1 twice
    and two live bookings; one of its numbers is a tout's. C10000000000004 (alone):
    certificate for a no-show. Six people on one mobile (a tout). Two people sharing one Aadhaar number. 10000000000009 has a
    linked pair with 10000000000001 that clustering refused (it must not count)."""
    regs = [
        {"id": "10000000000001", "name": "Asha Devi", "mobile": "9123400001",
         "photo_id": "456789123457", "registered_at": "2021-04-01 10:00:00"},
        {"id": "10000000000002", "name": "Aasha Devi", "mobile": TOUT_MOBILE,
         "photo_id": "456789123457", "registered_at": "2021-04-20 18:30:00"},
        {"id": "10000000000003", "name": HOSTILE_NAME, "photo_id_type": "Voter ID",
         "photo_id": "ABC1234567", "registered_at": "2021-05-02 07:15:00"},
        {"id": "10000000000004", "name": "Ravi Kumar", "gender": "Male", "birth_year": 1955,
         "district_name": "Nalanda", "pincode": "803101", "photo_id": "567891234565"},
        *[{"id": f"1000000000001{i}", "name": f"Customer {i}", "mobile": TOUT_MOBILE,
           "district_name": "Gaya", "pincode": "823001", "birth_year": 1970 + i}
          for i in range(5)],
        {"id": "10000000000021", "name": "Meena Kumari", "photo_id": SHARED_AADHAAR},
        {"id": "10000000000022", "name": "Sunil Yadav", "gender": "Male",
         "photo_id": SHARED_AADHAAR, "district_name": "Gaya"},
    ]
    appointments = [
        {"id": "A1", "reg": "10000000000001", "center": 101, "center_name": "PHC Danapur",
         "date": "2021-06-01", "booked_at": "2021-05-28 09:00:00"},
        {"id": "A2", "reg": "10000000000003", "center": 202, "center_name": "CHC Gaya",
         "district": "Gaya", "date": "2021-06-03", "booked_at": "2021-05-29 21:40:00"},
        {"id": "A4", "reg": "10000000000004", "center": 303, "center_name": "PHC Rajgir",
         "district": "Nalanda", "date": "2021-06-01", "status": "No-show"},
    ]
    vaccinations = [
        {"cert": "V1", "reg": "10000000000001", "date": "2021-05-01", "center": 101},
        {"cert": "V2", "reg": "10000000000002", "date": "2021-05-10", "center": 202},
        {"cert": "V4", "reg": "10000000000004", "date": "2021-06-01", "center": 303},
    ]
    person = ["10000000000001", "10000000000002", "10000000000003"]
    pairs = [  # 1-2 agree on everything; 2-3 is the weak link (weight 4, p = 16/17)
        {"l": "10000000000002", "r": "10000000000003",
         "levels": {"name": 5, "photo_id": 1, "mobile": -1}},
        {"l": "10000000000001", "r": "10000000000003", "linked": False,
         "levels": {"name": 5, "photo_id": 1, "mobile": -1, "birth_year": 0}},
        {"l": "10000000000001", "r": "10000000000010", "levels": {"name": 0, "photo_id": 0}},
    ]
    return make_warehouse(regs, appointments, vaccinations, [person], pairs)


def run_night(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Rules, risk, cluster members and evidence over `con`, as the nightly flow runs them."""
    from linkage.settings import LinkageSettings
    from pipelines.outputs import build_tables
    from rules.risk import score

    run_rules(con, load_rules())
    score(con)
    build_tables(con, LinkageSettings())
    return con


def typed_registrations(rows: Iterable[tuple], table: str = "src",
                        parts: str = "photo_id_parts") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with `table` shaped like the warehouse's registrations (what
    linkage reads: identifiers as keyed hashes) and `parts` like photo_id_parts. Each row
    gives every column of registrations_pii but registered_at; blanks are missing values,
    as validation leaves them."""
    con = duckdb.connect()
    identifiers.set_secret(con, "fixture-secret")
    con.execute("""create temp table _pii (beneficiary_reference_id varchar, name varchar,
        gender varchar, birth_year integer, mobile_number varchar, photo_id_type varchar,
        photo_id_number varchar, state_name varchar, district_name varchar, pincode varchar)""")
    con.executemany("insert into _pii values (?, ?, ?, ?, nullif(?, ''), ?, nullif(?, ''), "
                    "?, ?, ?)", list(rows))
    con.execute(f"""create table {table} as
        select beneficiary_reference_id, name, gender, birth_year,
               {identifiers.sql_keyed_identifiers()},
               state_name, district_name, pincode, now()::timestamp as registered_at
        from _pii""")
    con.execute(f"create table {parts} as {identifiers.sql_photo_id_parts('_pii')}")
    return con
