"""Persons in households: who they are before they ever register.

A household shares a district, a pincode, a mobile and (mostly) a surname; its members
are a head, a spouse, grown children or parents, and now and then twins.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.synth import idgen, names
from pipelines.synth import name_pools as P
from pipelines.synth.config import SynthConfig, day
from pipelines.synth.arrays import NumberPool, pick
from pipelines.synth.geo import geo
from pipelines.synth.names import FEMALE, HINDU, MALE, MUSLIM, OTHERS, NameTokens

HOUSEHOLD_SIZE_P = (0.28, 0.32, 0.18, 0.12, 0.06, 0.04)  # 1..6 adults
# photo ID a person shows first, and the others they also hold (CoWIN's nine types)
PRIMARY_ID_P = np.array([.86, .03, .03, .005, .008, .004, .05, .01, .003])
OTHER_ID_P = np.array([.25, .12, .12, .03, .02, .02, .35, .08, .01])


@dataclass(frozen=True)
class Persons:
    household: np.ndarray
    hh_start: np.ndarray  # per household: index of its first member
    hh_size: np.ndarray  # per person
    hh_pos: np.ndarray
    religion: np.ndarray
    gender: np.ndarray
    birth_year: np.ndarray
    district: np.ndarray
    pincode: np.ndarray
    mobile: np.ndarray  # household mobile, int64
    surname: np.ndarray  # lexicon id, always set (even when not written)
    names: NameTokens  # as the person writes it
    id_types: np.ndarray  # (n, 3): the type shown first, then two others held
    registers_from: np.ndarray  # day CoWIN let them register
    vaccinated_from: np.ndarray  # day they could get a dose

    def __len__(self) -> int:
        return len(self.gender)


def _households(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    sizes = rng.choice(np.arange(1, 7), size=n // 2 + 16, p=HOUSEHOLD_SIZE_P)
    end = np.cumsum(sizes)
    k = int(np.searchsorted(end, n)) + 1
    sizes = sizes[:k]
    sizes[-1] -= end[k - 1] - n
    household = np.repeat(np.arange(k), sizes)
    return household, np.concatenate([[0], np.cumsum(sizes)[:-1]])


def _birth_years(rng: np.random.Generator, pos: np.ndarray, head_year: np.ndarray,
                 gender: np.ndarray) -> np.ndarray:
    n = len(pos)
    spouse = head_year + np.where(gender == FEMALE, rng.integers(-1, 9, n), rng.integers(-8, 2, n))
    child = rng.random(n) < 0.65
    other = np.where(child, head_year + rng.integers(20, 33, n),
                     head_year - rng.integers(20, 31, n))
    year = np.where(pos == 0, head_year, np.where(pos == 1, spouse, other))
    # a "child" too young to register is a younger sibling instead
    year = np.where(year > 2003, head_year + rng.integers(0, 11, n), year)
    return np.clip(year, 1930, 2003)


def _head_years(rng: np.random.Generator, k: int) -> np.ndarray:
    ages = np.arange(22, 86)
    w = np.exp(-(ages - 22) / 28.0)  # more young adults than old
    return 2021 - rng.choice(ages, size=k, p=w / w.sum())


def _genders(rng: np.random.Generator, pos: np.ndarray, head_gender: np.ndarray) -> np.ndarray:
    n = len(pos)
    g = np.where(pos == 0, head_gender, rng.integers(0, 2, n))
    g = np.where((pos == 1) & (rng.random(n) < 0.85), 1 - head_gender, g)
    return np.where(rng.random(n) < 0.001, OTHERS, g)


def _pick_twins(rng: np.random.Generator, hh_start: np.ndarray, hh_sizes: np.ndarray,
                p: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The last two members of some larger households are twins (same year, phone, surname)."""
    hh = np.flatnonzero((hh_sizes >= 3) & (rng.random(len(hh_sizes)) < 0.04))
    a, b = hh_start[hh] + hh_sizes[hh] - 2, hh_start[hh] + hh_sizes[hh] - 1
    same = rng.random(len(hh)) < 0.7
    p["birth_year"][b] = p["birth_year"][a]
    p["surname"][b] = p["surname"][a]
    p["gender"][b] = np.where(same, p["gender"][a], p["gender"][b])
    return a, b, same


def _name_twins(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, same: np.ndarray,
                p: dict) -> None:
    """Twins of one gender share the middle word, and often get rhyming names (Ram, Shyam)."""
    t: NameTokens = p["names"]
    t.mid[b] = np.where(same, t.mid[a], t.mid[b])
    t.sur[b] = np.where(t.sur[a] >= 0, p["surname"][a], -1)
    lex = names.lexicon()
    for g, key in ((MALE, "male"), (FEMALE, "female")):
        pairs = np.array([[lex.ids[x] for x in pr] for pr in P.TWIN_PAIRS[key]])
        rows = np.flatnonzero(same & (p["gender"][a] == g) & (p["religion"][a] == HINDU)
                              & (rng.random(len(a)) < 0.4))
        chosen = pairs[rng.integers(0, len(pairs), len(rows))]
        t.first[a[rows]], t.first[b[rows]] = chosen[:, 0], chosen[:, 1]
    clash = t.first[a] == t.first[b]  # twins never share a first name
    for rel, g, pool_name in ((HINDU, MALE, "hindu_male"), (HINDU, FEMALE, "hindu_female"),
                              (MUSLIM, MALE, "muslim_male"), (MUSLIM, FEMALE, "muslim_female")):
        rows = clash & (p["religion"][b] == rel) & (np.minimum(p["gender"][b], 1) == g)
        ids = names.pool(pool_name).ids
        t.first[b[rows]] = np.where(t.first[a[rows]] == ids[1], ids[2], ids[1])


def _id_types(rng: np.random.Generator, n: int, birth_year: np.ndarray) -> np.ndarray:
    primary = rng.choice(len(PRIMARY_ID_P), size=n, p=PRIMARY_ID_P)
    primary = np.where((primary == idgen.PENSION) & (birth_year > 1963), idgen.AADHAAR, primary)
    keys = np.log(OTHER_ID_P)[None, :] + rng.gumbel(size=(n, len(OTHER_ID_P))).astype(np.float32)
    rows = np.arange(n)
    keys[rows, primary] = -np.inf
    alt1 = keys.argmax(axis=1)
    keys[rows, alt1] = -np.inf
    return np.stack([primary, alt1, keys.argmax(axis=1)], axis=1)


def _eligibility(rng: np.random.Generator, birth_year: np.ndarray,
                 frontline_share: float) -> tuple[np.ndarray, np.ndarray]:
    """CoWIN's phases: health/frontline workers, 60+, 45+ (with comorbidities first), 18+."""
    n = len(birth_year)
    age = 2021 - birth_year
    frontline = (age < 60) & (rng.random(n) < frontline_share)
    comorbid = rng.random(n) < 0.2
    reg = np.select([frontline, age >= 60, (age >= 45) & comorbid, age >= 45],
                    [day("2021-01-10"), day("2021-03-01"), day("2021-03-01"), day("2021-04-01")],
                    day("2021-04-28"))
    young = np.where(rng.random(n) < 0.25, day("2021-05-01"), day("2021-06-01"))
    vacc = np.select([frontline, age >= 45], [day("2021-01-16"), reg], young)
    return reg, vacc


def make_persons(n: int, cfg: SynthConfig, rng: np.random.Generator,
                 mobiles: NumberPool) -> Persons:
    g = geo()
    household, hh_start = _households(rng, n)
    k = len(hh_start)
    hh_sizes = np.diff(np.append(hh_start, n))
    pos = np.arange(n) - hh_start[household]
    district_h = rng.choice(len(g.names), size=k, p=g.p)
    religion_h = (rng.random(k) < g.muslim[district_h]).astype(np.int64)
    surname_h = np.where(religion_h == MUSLIM, names.pool("muslim_surname").sample(rng, k),
                         names.pool("hindu_surname").sample(rng, k))
    religion = religion_h[household]
    gender = _genders(rng, pos, np.where(rng.random(k) < 0.75, MALE, FEMALE)[household])
    birth_year = _birth_years(rng, pos, _head_years(rng, k)[household], gender)
    own = np.where(religion == MUSLIM, names.pool("muslim_surname").sample(rng, n),
                   names.pool("hindu_surname").sample(rng, n))
    surname = np.where((pos > 0) & (rng.random(n) < 0.08), own, surname_h[household])
    p = {"birth_year": birth_year, "surname": surname, "gender": gender, "religion": religion}
    twins = _pick_twins(rng, hh_start, hh_sizes, p)
    p["names"] = names.sample_names(rng, religion, gender, birth_year, surname)
    _name_twins(rng, *twins, p)
    district = district_h[household]
    reg_from, vacc_from = _eligibility(rng, birth_year, cfg.frontline)
    return Persons(
        household=household, hh_start=hh_start, hh_size=hh_sizes[household], hh_pos=pos,
        religion=religion, gender=gender, birth_year=birth_year, district=district,
        pincode=pick(rng, g.pin_start, g.pins, district_h)[household],
        mobile=mobiles.take(k)[household], surname=surname, names=p["names"],
        id_types=_id_types(rng, n, birth_year), registers_from=reg_from,
        vaccinated_from=vacc_from)
