"""Registration rows: each person's first registration, and the extra ones of repeat
registrants typed another way, on another phone, with another photo ID.

Rows are built ordered by (person, seq); `finalise` later fixes the times of extra
registrations, hands out beneficiary reference ids in time order and keeps each
household mobile within CoWIN's limit of four registrations.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import polars as pl

from pipelines.synth import idgen, names
from pipelines.synth.config import (DAY, FRAUD_REGISTERED_BY, MAX_PER_MOBILE, SNAPSHOT_DAY,
                                    SynthConfig)
from pipelines.synth.arrays import NumberPool, cumsum_within, pick, rank_within
from pipelines.synth.geo import geo
from pipelines.synth.names import FEMALE, MALE, Typing
from pipelines.synth.people import Persons
from pipelines.synth.roles import Roles


@dataclass
class Regs:
    person: np.ndarray
    seq: np.ndarray  # 0 = the person's first registration
    name: pl.Series
    gender: np.ndarray
    birth_year: np.ndarray
    district: np.ndarray
    pincode: np.ndarray
    mobile: np.ndarray  # int64
    id_type: np.ndarray
    id_number: pl.Series  # Utf8
    time: np.ndarray  # registered_at, seconds from 2021-01-01
    ref_id: np.ndarray | None = None  # beneficiary_reference_id (int), set by finalise

    def __len__(self) -> int:
        return len(self.person)


def _mixed(primary: np.ndarray, first: Typing, again: Typing) -> Typing:
    return Typing(**{f.name: np.where(primary, getattr(first, f.name), getattr(again, f.name))
                     for f in fields(Typing)})


def _changes(rng: np.random.Generator, n: int, cfg: SynthConfig) -> tuple[np.ndarray, np.ndarray]:
    """Whether each extra registration changes mobile, photo ID type."""
    if cfg.change_both is None:
        return rng.random(n) < cfg.change_mobile, rng.random(n) < cfg.change_id_type
    both = rng.random(n) < cfg.change_both
    one = rng.integers(0, 3, n)  # the rest change at most one: none, mobile or type
    return both | (one == 1), both | (one == 2)


def _times(rng: np.random.Generator, p: Persons, roles: Roles, person: np.ndarray,
           seq: np.ndarray) -> np.ndarray:
    """Provisional registered_at: first registrations soon after eligibility, mostly;
    extra ones days to months later (fraud ones are pulled earlier in `finalise`)."""
    n = len(person)
    delay = np.select([rng.random(n) < 0.5, rng.random(n) < 0.7],
                      [rng.exponential(7, n), rng.exponential(40, n)], rng.uniform(0, 250, n))
    start = p.registers_from[person]
    first = np.minimum(start + delay.astype(np.int64), SNAPSHOT_DAY)
    fraudster = roles.fraud[person] >= 0
    late = fraudster & (first > FRAUD_REGISTERED_BY)
    first = np.where(late, start + (rng.random(n) * (FRAUD_REGISTERED_BY - start)).astype(np.int64),
                     first)
    tod = rng.integers(7 * 3600, 23 * 3600 + 3599, n)
    t = first * DAY + tod
    t0 = np.repeat(t[seq == 0], np.bincount(person))  # each row's first registration time
    again = np.where(rng.random(n) < 0.35, rng.uniform(0, 2, n), rng.exponential(40, n) + 3)
    t_extra = np.minimum(t0 + (again * DAY).astype(np.int64), SNAPSHOT_DAY * DAY + tod)
    return np.where(seq == 0, t, np.maximum(t_extra, t0 + 60))


def _tout_times(rng: np.random.Generator, p: Persons, roles: Roles, t: np.ndarray,
                person: np.ndarray) -> np.ndarray:
    """A tout registers his clients one after another, minutes apart, on one day."""
    rows = np.flatnonzero(roles.tout[person] >= 0)
    if not len(rows):
        return t
    grp = roles.tout[person[rows]]
    order = np.lexsort((rng.random(len(rows)), grp))
    rows, grp = rows[order], grp[order]
    start_day = np.zeros(roles.n_touts, dtype=np.int64)
    np.maximum.at(start_day, grp, p.registers_from[person[rows]])
    start_day += rng.integers(0, 30, roles.n_touts)
    start_day = np.minimum(start_day, FRAUD_REGISTERED_BY)
    offset = cumsum_within(rng.integers(60, 600, len(rows)), grp)
    t = t.copy()
    t[rows] = start_day[grp] * DAY + 10 * 3600 + rng.integers(0, 6 * 3600, roles.n_touts)[grp] \
        + offset
    return t


def make_registrations(p: Persons, roles: Roles, cfg: SynthConfig, rng: np.random.Generator,
                       mobiles: NumberPool) -> tuple[Regs, np.ndarray]:
    """All registration rows, plus the tout mobiles (index = tout)."""
    g = geo()
    person = np.repeat(np.arange(len(p)), roles.n_regs)
    n = len(person)
    seq = np.arange(n) - np.repeat(np.cumsum(roles.n_regs) - roles.n_regs, roles.n_regs)
    first, extra = seq == 0, seq > 0
    r = lambda share: rng.random(n) < share  # noqa: E731 - a coin per row
    how = _mixed(first, names.AS_TYPED_FIRST, names.AS_TYPED_AGAIN)
    tokens, flags = names.vary(rng, p.names.take(person), p.surname[person], p.religion[person],
                               p.gender[person], how)
    writable = names.devanagari_ok(tokens)  # common names: scale so the overall share holds
    hindi = writable & r(min(1.0, cfg.devanagari / max(writable.mean(), 1e-9)))
    name = names.render(rng, tokens, flags, devanagari=hindi)

    gender = p.gender[person].copy()
    miskey = extra & (gender != 2) & r(cfg.gender_miskey)
    gender[miskey] = np.where(gender[miskey] == MALE, FEMALE, MALE)
    birth_year = p.birth_year[person] + extra * r(cfg.birth_year_off) * rng.choice([-1, 1], n)
    district = p.district[person]
    moved = extra & r(cfg.neighbour_district)
    district = np.where(moved, pick(rng, g.nb_start, g.nbs, district), district)
    other_pin = moved | (extra & ~r(cfg.same_pincode))
    pincode = np.where(other_pin, pick(rng, g.pin_start, g.pins, district), p.pincode[person])

    new_mobile, new_type = _changes(rng, n, cfg)
    new_mobile &= extra
    new_type &= extra
    tout_mobiles = mobiles.take(roles.n_touts)
    mobile = p.mobile[person].copy()
    mobile[new_mobile] = mobiles.take(int(new_mobile.sum()))
    is_tout = roles.tout[person] >= 0
    mobile[is_tout] = tout_mobiles[roles.tout[person[is_tout]]]

    holder = np.where(roles.owner[person] >= 0, roles.owner[person], person)  # whose ID it is
    which = np.where(new_type, np.where(r(0.7), 1, 2), 0)
    id_type = p.id_types[holder, which]
    id_number = _id_numbers(rng, p, holder, id_type)
    typo = extra & ~new_type & np.isin(id_type, idgen.FREE_TEXT) & r(cfg.free_text_id_typo)
    id_number = _retype_digit(rng, id_number, typo)
    time = _tout_times(rng, p, roles, _times(rng, p, roles, person, seq), person)
    regs = Regs(person, seq, name, gender, birth_year, district, pincode, mobile, id_type,
                id_number, time)
    return regs, tout_mobiles


def _id_numbers(rng: np.random.Generator, p: Persons, holder: np.ndarray,
                id_type: np.ndarray) -> pl.Series:
    """The same person's same document always carries the same number."""
    key = holder * 16 + id_type
    uniq, inv = np.unique(key, return_inverse=True)
    owner = uniq // 16
    initial = idgen.ascii_codes(names.lexicon().words, 1)[p.surname[owner], 0]
    state = idgen.ascii_codes(geo().state_code, 2)[p.district[owner]]
    return idgen.photo_numbers(uniq % 16, initial, state, rng).gather(inv)


def _retype_digit(rng: np.random.Generator, numbers: pl.Series, rows: np.ndarray) -> pl.Series:
    """One of the last four digits mistyped (free-text IDs only: no check digit catches it)."""
    idx = np.flatnonzero(rows)
    if not len(idx):
        return numbers
    s = numbers.gather(idx)
    df = pl.DataFrame({"s": s, "at": s.str.len_chars().cast(pl.Int64) - 1
                       - pl.Series(rng.integers(0, 4, len(idx))),
                       "bump": rng.integers(1, 10, len(idx))})
    new_digit = (pl.col("s").str.slice(pl.col("at"), 1).cast(pl.Int64) + pl.col("bump")) % 10
    typed = df.select(pl.col("s").str.slice(0, pl.col("at")) + new_digit.cast(pl.Utf8)
                      + pl.col("s").str.slice(pl.col("at") + 1)).to_series()
    return numbers.scatter(idx, typed)


def finalise(regs: Regs, first_event: np.ndarray, rng: np.random.Generator,
             mobiles: NumberPool, tout_mobiles: np.ndarray) -> np.ndarray:
    """Settle times, reference ids and the per-mobile limit; returns the row order by time."""
    extra = regs.seq > 0
    t0 = np.repeat(regs.time[regs.seq == 0], np.bincount(regs.person))
    lag = rng.integers(60, 3 * DAY, len(regs))
    before = np.minimum(regs.time, first_event - lag)
    regs.time = np.where(extra, np.maximum(before, t0 + 60), regs.time)
    order = np.lexsort((rng.random(len(regs)), regs.time))
    regs.ref_id = np.empty(len(regs), dtype=np.int64)
    regs.ref_id[order] = idgen.increasing_ids(rng, len(regs), 12_000_000_000_000, 997)
    _limit_per_mobile(regs, order, mobiles, tout_mobiles)
    return order


def _limit_per_mobile(regs: Regs, order: np.ndarray, mobiles: NumberPool,
                      tout_mobiles: np.ndarray) -> None:
    """CoWIN refused a fifth registration on a number: those came in on another phone."""
    m = regs.mobile[order]
    by_mobile = np.argsort(m, kind="stable")  # stable: time order within a mobile
    ms = m[by_mobile]
    over = (rank_within(ms) >= MAX_PER_MOBILE) & ~np.isin(ms, tout_mobiles)
    rows = order[by_mobile[over]]
    regs.mobile[rows] = mobiles.take(len(rows))
