"""Bookings and doses of honest people (and of the two frauds that ride on an honest
schedule: certificates for no-shows, and a tout's burst bookings).

Every schedule is computed for a whole group of people at once and written to a
`Ledger`; the fraud schedules that need several registrations live in `frauds`.
"""
from __future__ import annotations

import numpy as np

from pipelines.synth.arrays import cumsum_within, pick
from pipelines.synth.config import (BOOKED, CANCELLED, COMPLETED, COVISHIELD_84_FROM, DAY,
                                    LAST_SESSION_DAY, NEEDS_REPEAT, NO_SHOW, NO_SHOW_CERT,
                                    SLOTS, SNAPSHOT_DAY, SPUTNIK_FROM, VACCINE_P, SynthConfig)
from pipelines.synth.geo import geo
from pipelines.synth.people import Persons
from pipelines.synth.registrations import Regs
from pipelines.synth.roles import Roles

COVISHIELD, COVAXIN, SPUTNIK = range(3)
_LEAD_P = np.array([.15, .3, .2, .12, .1, .08, .05])  # days between booking and session


class Ledger:
    """Appointments and doses as parallel arrays, appended group by group."""

    APPT = ("reg", "centre", "day", "dose", "vaccine", "booked_at", "status", "slot")
    DOSE = ("reg", "dose", "vaccine", "day", "centre")

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._appts: list[tuple] = []
        self._doses: list[tuple] = []

    def book(self, reg, centre, day, dose, vaccine, booked_at, status) -> None:
        n = len(reg)
        cols = (reg, centre, day, dose, vaccine, booked_at, status,
                self.rng.integers(0, len(SLOTS), n))
        self._appts.append(tuple(np.broadcast_to(np.asarray(c), (n,)).astype(np.int64)
                                 for c in cols))

    def give(self, reg, dose, vaccine, day, centre) -> None:
        n = len(reg)
        self._doses.append(tuple(np.broadcast_to(np.asarray(c), (n,)).astype(np.int64)
                                 for c in (reg, dose, vaccine, day, centre)))

    def _table(self, parts: list[tuple], names: tuple[str, ...]) -> dict[str, np.ndarray]:
        if not parts:
            return {k: np.zeros(0, dtype=np.int64) for k in names}
        return {k: np.concatenate([p[i] for p in parts]) for i, k in enumerate(names)}

    def appointments(self) -> dict[str, np.ndarray]:
        return self._table(self._appts, self.APPT)

    def doses(self) -> dict[str, np.ndarray]:
        return self._table(self._doses, self.DOSE)


# -- building blocks ------------------------------------------------------------------
def centre_in(rng: np.random.Generator, district: np.ndarray) -> np.ndarray:
    g = geo()
    return pick(rng, g.centre_start, np.arange(len(g.centre_id)), district)


def other_centres(rng: np.random.Generator, centre: np.ndarray, k: int) -> list[np.ndarray]:
    """`k` distinct centres of the same district, the first being `centre` (k <= 4: every
    district has four centres or more)."""
    g = geo()
    d = g.centre_district[centre]
    start, m = g.centre_start[d], g.centre_start[d + 1] - g.centre_start[d]
    r = (rng.random(len(centre)) * (m - 1)).astype(np.int64)
    # offsets 1 + (r + j) mod (m - 1) are distinct and never 0
    return [centre] + [start + (centre - start + 1 + (r + j) % (m - 1)) % m for j in range(k - 1)]


def vaccine_for(rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
    v = rng.choice(3, size=len(day), p=VACCINE_P)
    return np.where((v == SPUTNIK) & (day < SPUTNIK_FROM), COVISHIELD, v)


def second_dose_gap(rng: np.random.Generator, d1: np.ndarray, vaccine: np.ndarray) -> np.ndarray:
    """On schedule under the 2021 rules, whichever date one reads them from."""
    n = len(d1)
    cs_short = d1 + 56 < COVISHIELD_84_FROM
    cs = np.where(cs_short, rng.integers(28, 57, n), 84 + rng.geometric(0.12, n))
    return np.select([vaccine == COVISHIELD, vaccine == COVAXIN],
                     [cs, 28 + rng.geometric(0.15, n)], 21 + rng.geometric(0.2, n))


def first_day(rng: np.random.Generator, reg_time: np.ndarray, vaccinated_from: np.ndarray,
              max_wait: int = 90) -> np.ndarray:
    wait = np.minimum(rng.geometric(1 / 12, len(reg_time)), max_wait)
    return np.maximum(reg_time // DAY + 1, vaccinated_from) + wait


def booked_at(rng: np.random.Generator, day: np.ndarray, not_before: np.ndarray) -> np.ndarray:
    """Booked a few days ahead, never before the registration (or earlier event) it needs."""
    n = len(day)
    lead = rng.choice(len(_LEAD_P), size=n, p=_LEAD_P)
    t = (day - lead) * DAY + rng.integers(6 * 3600, 24 * 3600, n)
    return np.minimum(np.maximum(t, not_before + rng.integers(60, 1800, n)), day * DAY + 8 * 3600)


def status_for(day: np.ndarray) -> np.ndarray:
    return np.where(day <= SNAPSHOT_DAY, COMPLETED, BOOKED)


def reg_start(roles: Roles) -> np.ndarray:
    return np.cumsum(roles.n_regs) - roles.n_regs


def another_reg(rng: np.random.Generator, start: np.ndarray, n: np.ndarray,
                reg: np.ndarray) -> np.ndarray:
    """A registration of the same person other than `reg` (n >= 2)."""
    j = (reg - start + 1 + (rng.random(len(reg)) * (n - 1)).astype(np.int64)) % n
    return start + j


# -- honest schedules ------------------------------------------------------------------
def honest(ledger: Ledger, p: Persons, roles: Roles, regs: Regs, cfg: SynthConfig,
           rng: np.random.Generator) -> None:
    """Everyone but the repeat-registration fraudsters: book, turn up, get the dose."""
    who = np.flatnonzero(~np.isin(roles.fraud, NEEDS_REPEAT))
    n = len(who)
    start, count = reg_start(roles)[who], roles.n_regs[who]
    use = start + (rng.random(n) * count).astype(np.int64)  # the registration they use
    t_use = regs.time[use]
    d1 = first_day(rng, t_use, p.vaccinated_from[who])
    c1 = centre_in(rng, regs.district[use])
    b1 = booked_at(rng, d1, t_use)
    tout = roles.tout[who] >= 0
    if tout.any():
        d1[tout], c1[tout], b1[tout] = _tout_bursts(rng, roles, regs, who[tout], use[tout],
                                                    p.vaccinated_from[who[tout]])
    v = vaccine_for(rng, d1)
    doses = roles.doses[who]
    has1 = (doses >= 1) & (d1 <= LAST_SESSION_DAY)
    s1 = status_for(d1)
    cert = roles.fraud[who] == NO_SHOW_CERT
    _dose_one(ledger, rng, cfg, has1 & ~cert, use, c1, d1, v, b1, s1, tout)
    _no_show_certificates(ledger, rng, has1 & cert, use, c1, d1, v, b1)

    split = (count >= 2) & (rng.random(n) < cfg.split_doses)
    use2 = np.where(split, another_reg(rng, start, count, use), use)
    d2 = d1 + second_dose_gap(rng, d1, v)
    has2 = has1 & (doses == 2) & (s1 == COMPLETED) & (d2 <= LAST_SESSION_DAY)
    c2 = np.where(rng.random(n) < 0.7, c1, centre_in(rng, regs.district[use2]))
    t0 = regs.time[start]
    b2 = booked_at(rng, d2, np.maximum(np.maximum(regs.time[use2], t0), d1 * DAY + 12 * 3600))
    walk_in = rng.random(n) < cfg.walk_in
    _emit(ledger, has2 & ~walk_in, use2, c2, d2, 2, v, b2, status_for(d2))
    done = has2 & walk_in & (status_for(d2) == COMPLETED)
    ledger.give(use2[done], 2, v[done], d2[done], c2[done])
    _noise(ledger, rng, cfg, has1 & ~cert & ~tout, use, d1, regs)


def _emit(ledger: Ledger, rows: np.ndarray, reg, centre, day, dose: int, vaccine, booked,
          status) -> None:
    """Book, and record the dose where the booking was completed."""
    ledger.book(reg[rows], centre[rows], day[rows], dose, vaccine[rows], booked[rows],
                status[rows])
    done = rows & (status == COMPLETED)
    ledger.give(reg[done], dose, vaccine[done], day[done], centre[done])


def _dose_one(ledger, rng, cfg, rows, use, c1, d1, v, b1, s1, tout) -> None:
    walk_in = rows & ~tout & (rng.random(len(rows)) < cfg.walk_in)
    _emit(ledger, rows & ~walk_in, use, c1, d1, 1, v, b1, s1)
    done = walk_in & (s1 == COMPLETED)
    ledger.give(use[done], 1, v[done], d1[done], c1[done])


def _no_show_certificates(ledger, rng, rows, use, c1, d1, v, b1) -> None:
    """The dose is on record, but the booking says No-show, or it was booked elsewhere."""
    idx = np.flatnonzero(rows)
    no_show = rng.random(len(idx)) < 0.6
    booked_centre = np.where(no_show, c1[idx], other_centres(rng, c1[idx], 2)[1])
    ledger.book(use[idx], booked_centre, d1[idx], 1, v[idx], b1[idx],
                np.where(no_show, NO_SHOW, COMPLETED))
    ledger.give(use[idx], 1, v[idx], d1[idx], c1[idx])


def _tout_bursts(rng, roles: Roles, regs: Regs, who: np.ndarray, use: np.ndarray,
                 eligible: np.ndarray):
    """A tout books all his clients in one go, seconds apart, at one centre, once the
    whole group may get a dose."""
    grp = roles.tout[who]
    order = np.lexsort((regs.time[use], grp))
    g_sorted = grp[order]
    last_reg, ready = np.zeros((2, roles.n_touts), dtype=np.int64)
    np.maximum.at(last_reg, grp, regs.time[use] // DAY)
    np.maximum.at(ready, grp, eligible)
    day = np.maximum(last_reg + rng.integers(1, 10, roles.n_touts), ready - 1)
    burst = day * DAY + rng.integers(14 * 3600, 21 * 3600, roles.n_touts)
    session = burst // DAY + rng.integers(1, 4, roles.n_touts)
    first_client = np.full(roles.n_touts, -1, dtype=np.int64)
    first_client[g_sorted[::-1]] = use[order][::-1]
    centre = centre_in(rng, regs.district[first_client])
    b = np.empty(len(who), dtype=np.int64)
    b[order] = burst[g_sorted] + cumsum_within(rng.integers(2, 13, len(who)), g_sorted)
    return session[grp], centre[grp], b


def _noise(ledger: Ledger, rng, cfg: SynthConfig, rows, use, d1, regs: Regs) -> None:
    """Cancelled bookings, and honest no-shows that rebooked later."""
    n = len(rows)
    shift = rng.integers(1, 11, n) * rng.choice([-1, 1], n)
    day_c = np.clip(d1 + shift, regs.time[use] // DAY + 1, LAST_SESSION_DAY)
    cancel = rows & (rng.random(n) < cfg.cancel) & (day_c != d1)
    ledger.book(use[cancel], centre_in(rng, regs.district[use[cancel]]), day_c[cancel], 1,
                vaccine_for(rng, day_c[cancel]), booked_at(rng, day_c[cancel],
                                                           regs.time[use[cancel]]), CANCELLED)
    day_n = d1 - rng.integers(8, 26, n)  # over a week before: not a multi-booking
    missed = (rows & (rng.random(n) < cfg.honest_no_show) & (day_n > regs.time[use] // DAY)
              & (day_n <= SNAPSHOT_DAY))
    ledger.book(use[missed], centre_in(rng, regs.district[use[missed]]), day_n[missed], 1,
                vaccine_for(rng, day_n[missed]),
                booked_at(rng, day_n[missed], regs.time[use[missed]]), NO_SHOW)
