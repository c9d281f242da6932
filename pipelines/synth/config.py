"""Knobs of the synthetic export generator, as data, and the 2021 calendar it lives in.

Times are kept as int64 seconds (and dates as int days) from 2021-01-01 00:00 IST.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

EPOCH = np.datetime64("2021-01-01", "D")
DAY = 86_400


def day(iso: str) -> int:
    return int((np.datetime64(iso, "D") - EPOCH).astype(np.int64))


SNAPSHOT_DAY = day("2021-12-24")  # the export is taken at the end of this day
LAST_SESSION_DAY = day("2021-12-31")  # bookings reach a week past the snapshot at most
COVISHIELD_84_FROM = day("2021-05-16")
SPUTNIK_FROM = day("2021-06-15")
FRAUD_REGISTERED_BY = day("2021-09-15")  # fraud plays out in full before the snapshot

VACCINES = ("COVISHIELD", "COVAXIN", "SPUTNIK V")
VACCINE_P = (0.87, 0.12, 0.01)
SLOTS = ("09:00AM-11:00AM", "11:00AM-01:00PM", "01:00PM-03:00PM", "03:00PM-05:00PM")
STATUSES = ("Booked", "Cancelled", "Completed", "No-show")
BOOKED, CANCELLED, COMPLETED, NO_SHOW = range(4)
GENDERS = ("Male", "Female", "Others")

FRAUD_KINDS = ("multi_booking", "repeat_dose1", "early_dose", "shared_photo_id",
               "no_show_certificate", "tout_mobile")
MULTI_BOOKING, REPEAT_DOSE1, EARLY_DOSE, SHARED_PHOTO_ID, NO_SHOW_CERT, TOUT_MOBILE = range(6)
# the kinds that need a person registered more than once
NEEDS_REPEAT = (MULTI_BOOKING, REPEAT_DOSE1, EARLY_DOSE)
MAX_PER_MOBILE = 4


@dataclass(frozen=True)
class SynthConfig:
    repeat_share: float = 0.10  # persons registered 2-5 times in all
    repeat_total_p: tuple[float, ...] = (0.70, 0.20, 0.07, 0.03)  # P(2, 3, 4, 5 registrations)
    # each extra registration: changes independently, unless change_both is set (then that
    # share changes both and the rest change at most one)
    change_mobile: float = 0.75
    change_id_type: float = 0.50
    change_both: float | None = None
    birth_year_off: float = 0.10
    neighbour_district: float = 0.10
    same_pincode: float = 0.85
    gender_miskey: float = 0.005
    free_text_id_typo: float = 0.05
    devanagari: float = 0.01
    # share of all persons per fraud kind (tout_mobile: persons registered on a tout's mobile)
    fraud_share: tuple[float, ...] = (0.025, 0.02, 0.01, 0.006, 0.01, 0.008)
    tout_clients: tuple[int, int] = (5, 12)  # registrations per tout mobile, inclusive
    never_vaccinated: float = 0.08
    one_dose_only: float = 0.17
    cancel: float = 0.05
    honest_no_show: float = 0.03
    walk_in: float = 0.03  # dose given on site, no appointment row
    split_doses: float = 0.25  # honest repeaters taking dose 2 under another registration
    frontline: float = 0.03  # health and frontline workers, registered from January
    stray_format: float = 0.015  # stray spaces, case and aliases the contract allows


def for_profile(profile: str) -> SynthConfig:
    if profile == "default":
        return SynthConfig()
    if profile == "hard":
        return replace(SynthConfig(), change_both=0.9)
    raise ValueError(f"unknown profile {profile!r} (expected 'default' or 'hard')")


def spawn(seed: int, n: int) -> list[np.random.Generator]:
    """Independent generators per stage, so one stage's draws never shift another's."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]
