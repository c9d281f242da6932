"""The three export tables as CoWIN-style text, and the ground truth beside them.

Column order and formats follow ../shared/CONTRACT.md. A small share of values carry the
noise the contract allows (stray spaces, mixed case, M/F aliases, +91 prefixes, spaced
Aadhaar numbers); every such value still means the same thing once cleaned.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from linkage.identifiers import PHOTO_ID_TYPES
from pipelines.synth import idgen
from pipelines.synth.arrays import apply_where
from pipelines.synth.idgen import lookup
from pipelines.synth.config import (EPOCH, FRAUD_KINDS, GENDERS, SHARED_PHOTO_ID, SLOTS,
                                    STATUSES, VACCINES)
from pipelines.synth.geo import geo
from pipelines.synth.registrations import Regs
from pipelines.synth.roles import Roles

REGISTRATION_COLUMNS = ("beneficiary_reference_id", "name", "gender", "birth_year",
                        "mobile_number", "photo_id_type", "photo_id_number", "state_name",
                        "district_name", "pincode", "registered_at")
APPOINTMENT_COLUMNS = ("appointment_id", "beneficiary_reference_id", "center_id", "center_name",
                       "district_name", "date", "slot", "dose", "vaccine", "booked_at", "status")
VACCINATION_COLUMNS = ("certificate_id", "beneficiary_reference_id", "dose", "vaccine",
                       "dose_date", "center_id")
_EPOCH_S = int(EPOCH.astype("datetime64[s]").astype(np.int64))
_EPOCH_D = int(EPOCH.astype(np.int64))


def timestamps(seconds: np.ndarray) -> pl.Series:
    return pl.from_epoch(pl.Series(seconds + _EPOCH_S), time_unit="s").dt.strftime(
        "%Y-%m-%d %H:%M:%S")


def dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days + _EPOCH_D, dtype=pl.Int32).cast(pl.Date).dt.strftime("%d-%m-%Y")


def _noisy(rng: np.random.Generator, value: pl.Series, share: float, *forms) -> pl.Series:
    """A `share` of values rewritten by one of `forms` (Series -> Series), chosen at random."""
    hit = rng.random(len(value)) < share
    which = rng.integers(0, len(forms), len(value))
    for i, form in enumerate(forms):
        value = apply_where(value, hit & (which == i), form)
    return value


_SPACED = lambda s: s + " "  # noqa: E731
_PADDED = lambda s: " " + s + " "  # noqa: E731
_UPPER = lambda s: s.str.to_uppercase()  # noqa: E731
_LOWER = lambda s: s.str.to_lowercase()  # noqa: E731
_TITLE = lambda s: s.str.to_titlecase()  # noqa: E731


def _ints(name: str, values: np.ndarray) -> pl.Series:
    return pl.Series(name, values).cast(pl.Utf8)


def registrations_table(regs: Regs, order: np.ndarray, rng: np.random.Generator,
                        share: float) -> pl.DataFrame:
    g = geo()
    district = regs.district[order]
    id_type = regs.id_type[order]
    spaced_aadhaar = (id_type == idgen.AADHAAR) & (rng.random(len(order)) < 2 * share)
    number = apply_where(regs.id_number.gather(order), spaced_aadhaar, lambda s: s.str.slice(
        0, 4) + " " + s.str.slice(4, 4) + " " + s.str.slice(8))
    return pl.DataFrame([
        _ints("beneficiary_reference_id", regs.ref_id[order]),
        regs.name.gather(order).alias("name"),
        _noisy(rng, lookup(GENDERS, regs.gender[order], "gender"), share,
               lambda s: s.str.slice(0, 1), _LOWER, _PADDED),
        _ints("birth_year", regs.birth_year[order]),
        _noisy(rng, _ints("mobile_number", regs.mobile[order]), share, lambda s: "+91" + s,
               lambda s: "+91 " + s, lambda s: "0" + s,
               lambda s: s.str.slice(0, 5) + " " + s.str.slice(5)),
        _noisy(rng, lookup(PHOTO_ID_TYPES, id_type, "photo_id_type"), share, _LOWER, _UPPER,
               _SPACED),
        _noisy(rng, number.alias("photo_id_number"), share / 4, _LOWER, _SPACED),
        _noisy(rng, lookup(g.states, district, "state_name"), share, _UPPER, _SPACED),
        _noisy(rng, lookup(g.names, district, "district_name"), share, _UPPER, _LOWER, _SPACED),
        _noisy(rng, _ints("pincode", regs.pincode[order]), share / 4, _PADDED),
        timestamps(regs.time[order]).alias("registered_at"),
    ])


def appointments_table(appts: dict[str, np.ndarray], ref_id: np.ndarray,
                       rng: np.random.Generator, share: float) -> pl.DataFrame:
    g = geo()
    order = np.lexsort((rng.random(len(appts["reg"])), appts["booked_at"]))
    a = {k: v[order] for k, v in appts.items()}
    centre = a["centre"]
    return pl.DataFrame([
        idgen.uuids(rng, len(order)).alias("appointment_id"),
        _ints("beneficiary_reference_id", ref_id[a["reg"]]),
        _ints("center_id", g.centre_id[centre]),
        _noisy(rng, lookup(g.centre_name, centre, "center_name"), share, _SPACED, _UPPER),
        lookup(g.names, g.centre_district[centre], "district_name"),
        dates(a["day"]).alias("date"),
        lookup(SLOTS, a["slot"], "slot"),
        _ints("dose", a["dose"]),
        _noisy(rng, lookup(VACCINES, a["vaccine"], "vaccine"), share, _TITLE, _LOWER),
        timestamps(a["booked_at"]).alias("booked_at"),
        _noisy(rng, lookup(STATUSES, a["status"], "status"), share, _LOWER, _UPPER),
    ])


def vaccinations_table(doses: dict[str, np.ndarray], ref_id: np.ndarray,
                       rng: np.random.Generator, share: float) -> pl.DataFrame:
    g = geo()
    order = np.lexsort((rng.random(len(doses["reg"])), doses["day"]))
    d = {k: v[order] for k, v in doses.items()}
    return pl.DataFrame([
        _ints("certificate_id", idgen.increasing_ids(rng, len(order), 4_000_000_000_000, 40)),
        _ints("beneficiary_reference_id", ref_id[d["reg"]]),
        _ints("dose", d["dose"]),
        _noisy(rng, lookup(VACCINES, d["vaccine"], "vaccine"), share, _LOWER),
        dates(d["day"]).alias("dose_date"),
        _ints("center_id", g.centre_id[d["centre"]]),
    ])


# -- truth -----------------------------------------------------------------------------
def truth_registrations(regs: Regs, order: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame([_ints("beneficiary_reference_id", regs.ref_id[order]),
                         pl.Series("person_id", regs.person[order] + 1)])


def truth_fraud(roles: Roles) -> pl.DataFrame:
    who = np.flatnonzero(roles.fraud >= 0)
    return pl.DataFrame({"person_id": who + 1,
                         "fraud_kind": np.array(FRAUD_KINDS)[roles.fraud[who]]})


def truth_identifiers(regs: Regs, roles: Roles, tout_mobiles: np.ndarray) -> pl.DataFrame:
    borrowed = np.flatnonzero(roles.fraud[regs.person] == SHARED_PHOTO_ID)
    ids = regs.id_number.gather(borrowed).unique().sort().to_list()
    return pl.DataFrame({
        "identifier_kind": ["mobile"] * len(tout_mobiles) + ["photo_id"] * len(ids),
        "identifier": [str(m) for m in tout_mobiles] + ids,
        "fraud_kind": ["tout_mobile"] * len(tout_mobiles) + ["shared_photo_id"] * len(ids),
    }, schema={"identifier_kind": pl.Utf8, "identifier": pl.Utf8, "fraud_kind": pl.Utf8})
