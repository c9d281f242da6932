"""Schedules of the frauds that need a person registered more than once.

Fraudsters registered first by mid-September (see `registrations`), and every schedule
here is bounded so that the fraud has fully happened by the export's snapshot: the truth
lists only what the exports show.
"""
from __future__ import annotations

import numpy as np

from pipelines.synth.bookings import (COVAXIN, COVISHIELD, SPUTNIK, Ledger, another_reg,
                                      booked_at, centre_in, first_day, other_centres, reg_start,
                                      second_dose_gap, status_for, vaccine_for)
from pipelines.synth.config import (COMPLETED, DAY, EARLY_DOSE, LAST_SESSION_DAY, MULTI_BOOKING,
                                    NO_SHOW, REPEAT_DOSE1)
from pipelines.synth.people import Persons
from pipelines.synth.registrations import Regs
from pipelines.synth.roles import Roles


def _setup(kind: int, p: Persons, roles: Roles, regs: Regs, rng: np.random.Generator):
    who = np.flatnonzero(roles.fraud == kind)
    start, count = reg_start(roles)[who], roles.n_regs[who]
    t0 = regs.time[start]  # first registration; the others get pulled before their use
    a = start + (rng.random(len(who)) * count).astype(np.int64)
    d1 = first_day(rng, t0, p.vaccinated_from[who], max_wait=20)
    return who, start, count, t0, a, d1


def _give_both(ledger: Ledger, reg, centre, day, dose: int, vaccine, booked) -> None:
    ledger.book(reg, centre, day, dose, vaccine, booked, COMPLETED)
    ledger.give(reg, dose, vaccine, day, centre)


def _later_dose2(ledger: Ledger, rng, rows, reg, centre, d1, vaccine, t0) -> None:
    """Some go on to a regular second dose on the registration they last used."""
    d2 = d1 + second_dose_gap(rng, d1, vaccine)
    ok = rows & (d2 <= LAST_SESSION_DAY)
    status = status_for(d2[ok])
    b = booked_at(rng, d2[ok], np.maximum(t0[ok], d1[ok] * DAY + 12 * 3600))
    ledger.book(reg[ok], centre[ok], d2[ok], 2, vaccine[ok], b, status)
    done = status == COMPLETED
    ledger.give(reg[ok][done], 2, vaccine[ok][done], d2[ok][done], centre[ok][done])


def multi_booking(ledger: Ledger, p: Persons, roles: Roles, regs: Regs,
                  rng: np.random.Generator) -> None:
    """Three or four live bookings under different registrations at different centres,
    session dates within a week; one is used, the others end as No-show."""
    who, start, count, t0, a, d1 = _setup(MULTI_BOOKING, p, roles, regs, rng)
    n = len(who)
    k = np.where((count >= 4) & (rng.random(n) < 0.3), 4, 3)
    centres = other_centres(rng, centre_in(rng, regs.district[start]), 4)
    offsets = np.hstack([np.zeros((n, 1), np.int64), rng.integers(0, 7, (n, 3))])
    used = (rng.random(n) * k).astype(np.int64)
    base = booked_at(rng, d1, t0)
    v = vaccine_for(rng, d1)
    for j in range(4):
        rows = j < k
        reg = start + (a - start + j) % count
        day = d1 + offsets[:, j]
        b = np.minimum(base + j * rng.integers(60, 2 * 3600, n), day * DAY + 8 * 3600)
        status = np.where(used == j, COMPLETED, NO_SHOW)
        ledger.book(reg[rows], centres[j][rows], day[rows], 1, v[rows], b[rows], status[rows])
        done = rows & (used == j)
        ledger.give(reg[done], 1, v[done], day[done], centres[j][done])
    used_reg = start + (a - start + used) % count
    used_day = d1 + offsets[np.arange(n), used]
    used_centre = np.stack(centres, 1)[np.arange(n), used]
    _later_dose2(ledger, rng, rng.random(n) < 0.75, used_reg, used_centre, used_day, v, t0)


def repeat_dose1(ledger: Ledger, p: Persons, roles: Roles, regs: Regs,
                 rng: np.random.Generator) -> None:
    """Dose 1, then dose 1 again weeks later under another registration."""
    who, start, count, t0, a, d1 = _setup(REPEAT_DOSE1, p, roles, regs, rng)
    n = len(who)
    b_reg = another_reg(rng, start, count, a)
    v = vaccine_for(rng, d1)
    c1 = centre_in(rng, regs.district[a])
    _give_both(ledger, a, c1, d1, 1, v, booked_at(rng, d1, t0))
    again = d1 + rng.integers(10, 71, n)
    c2 = centre_in(rng, regs.district[b_reg])
    # same vaccine again: another vaccine would also read as a mixed (early_dose) course
    _give_both(ledger, b_reg, c2, again, 1, v, booked_at(rng, again, t0 + 120))
    _later_dose2(ledger, rng, rng.random(n) < 0.5, b_reg, c2, again, v, t0 + 120)


def early_dose(ledger: Ledger, p: Persons, roles: Roles, regs: Regs,
               rng: np.random.Generator) -> None:
    """Dose 2 under another registration: too soon for the vaccine, or another vaccine."""
    who, start, count, t0, a, d1 = _setup(EARLY_DOSE, p, roles, regs, rng)
    n = len(who)
    b_reg = another_reg(rng, start, count, a)
    v = vaccine_for(rng, d1)
    c1 = centre_in(rng, regs.district[a])
    _give_both(ledger, a, c1, d1, 1, v, booked_at(rng, d1, t0))
    mixed = rng.random(n) < 0.35
    # early under every 2021 rule: under 21 days for Sputnik V, under 28 for the others
    early_gap = np.where(v == SPUTNIK, rng.integers(8, 15, n), rng.integers(8, 21, n))
    gap = np.where(mixed, rng.integers(28, 61, n), early_gap)
    v2 = np.where(mixed, np.where(v == COVISHIELD, COVAXIN, COVISHIELD), v)
    d2 = d1 + gap
    c2 = centre_in(rng, regs.district[b_reg])
    _give_both(ledger, b_reg, c2, d2, 2, v2, booked_at(rng, d2, t0 + 120))


def all_frauds(ledger: Ledger, p: Persons, roles: Roles, regs: Regs,
               rng: np.random.Generator) -> None:
    for schedule in (multi_booking, repeat_dose1, early_dose):
        schedule(ledger, p, roles, regs, rng)
