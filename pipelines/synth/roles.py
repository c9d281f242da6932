"""Who registers how often, who commits which fraud, and who stays honest.

Fraud kinds are exclusive per person. The kinds that need several registrations
(multi_booking, repeat_dose1, early_dose) are drawn among repeat registrants; the others
among people registered once.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.synth.config import (MULTI_BOOKING, NEEDS_REPEAT, NO_SHOW_CERT, SHARED_PHOTO_ID,
                                    TOUT_MOBILE, SynthConfig)
from pipelines.synth.people import Persons


@dataclass(frozen=True)
class Roles:
    n_regs: np.ndarray  # registrations per person (1-5)
    fraud: np.ndarray  # FRAUD_KINDS index, -1 = none
    owner: np.ndarray  # shared_photo_id: the relative whose photo ID is used, else -1
    tout: np.ndarray  # index of the tout whose mobile carries the registration, else -1
    n_touts: int
    doses: np.ndarray  # doses an honest person goes on to take: 0, 1 or 2


def _count(share: float, n: int) -> int:
    """Modest shares, but every kind shows up once a sample has a few hundred people."""
    return max(int(round(share * n)), 1 if n >= 200 else 0)


def _tout_groups(rng: np.random.Generator, clients: np.ndarray, district: np.ndarray,
                 lo: int, hi: int) -> np.ndarray:
    """Chop clients (sorted by district, so a tout works one area) into groups of lo..hi."""
    clients = clients[np.lexsort((rng.random(len(clients)), district[clients]))]
    sizes = rng.integers(lo, hi + 1, size=len(clients) // lo + 1)
    end = np.cumsum(sizes)
    k = int(np.searchsorted(end, len(clients), side="left")) + 1
    group = np.repeat(np.arange(k), sizes[:k])[:len(clients)]
    short = np.bincount(group) < lo
    if short[-1] and k > 1:  # the last, short group joins the one before
        group[group == k - 1] = k - 2
    out = np.full(len(district), -1, dtype=np.int64)
    out[clients] = group
    return out


def assign_roles(p: Persons, cfg: SynthConfig, rng: np.random.Generator) -> Roles:
    n = len(p)
    n_regs = np.ones(n, dtype=np.int64)
    repeaters = rng.permutation(n)[:int(round(cfg.repeat_share * n))]
    n_regs[repeaters] = 2 + rng.choice(len(cfg.repeat_total_p), size=len(repeaters),
                                       p=cfg.repeat_total_p)
    fraud = np.full(n, -1, dtype=np.int64)
    taken = 0
    for kind in NEEDS_REPEAT:
        k = min(_count(cfg.fraud_share[kind], n), len(repeaters) - taken)
        fraud[repeaters[taken:taken + k]] = kind
        taken += k
    # several live (No-show) bookings besides the one used need three registrations
    multi = fraud == MULTI_BOOKING
    n_regs[multi] = np.maximum(n_regs[multi], 3)

    singles = rng.permutation(np.flatnonzero(n_regs == 1))
    # one borrower per household at most, so the owner always keeps their own ID
    first_in_hh = np.unique(p.household[singles], return_index=True)[1]
    once = singles[np.sort(first_in_hh)]
    borrowers = once[p.hh_size[once] >= 2][:_count(cfg.fraud_share[SHARED_PHOTO_ID], n)]
    fraud[borrowers] = SHARED_PHOTO_ID
    owner = np.full(n, -1, dtype=np.int64)
    owner[borrowers] = p.hh_start[p.household[borrowers]] + (p.hh_pos[borrowers] == 0)

    free = singles[fraud[singles] < 0]
    cert = free[:_count(cfg.fraud_share[NO_SHOW_CERT], n)]
    fraud[cert] = NO_SHOW_CERT
    lo, hi = cfg.tout_clients
    n_clients = max(_count(cfg.fraud_share[TOUT_MOBILE], n), lo if n >= 200 else 0)
    pool = once[(fraud[once] < 0) & ~np.isin(p.household[once], p.household[borrowers])]
    clients = pool[:n_clients]
    tout = _tout_groups(rng, clients, p.district, lo, hi) if len(clients) >= lo else \
        np.full(n, -1, dtype=np.int64)
    fraud[tout >= 0] = TOUT_MOBILE

    doses = rng.choice(3, size=n, p=(cfg.never_vaccinated, cfg.one_dose_only,
                                     1 - cfg.never_vaccinated - cfg.one_dose_only))
    booked = np.isin(fraud, (NO_SHOW_CERT, TOUT_MOBILE))  # their fraud needs a booking
    doses[booked] = np.maximum(doses[booked], 1)
    return Roles(n_regs, fraud, owner, tout, int(tout.max()) + 1, doses)
