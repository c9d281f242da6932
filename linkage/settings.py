"""Linkage settings as data: a dataclass that round-trips through JSON.

Each comparison has ordered levels (0 = least alike). Level -1 means a value is missing
on one side and contributes nothing. Labels are what an official reads in the evidence.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class BlockingRule:
    name: str
    columns: tuple[str, ...]
    # a block larger than this is split by the extra columns (not dropped)
    max_block: int = 200
    split_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    field: str
    labels: tuple[str, ...]  # label of level 0, 1, ...
    tf_adjust: bool = False  # term-frequency adjustment on the top level
    none_label: str = "missing on one side"  # level -1, which weighs neither way


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("name", (
        "different names",
        "weakly similar names",
        "same first name, another surname",
        "same first name, surname kept or dropped",
        "same initials and surname",
        "similar names (typo or spelling variant)",
        "same name after normalising spelling, order and optional words",
        "exactly the same name",
    ), tf_adjust=True),
    Comparison("birth_year", (
        "birth years differ by 3 or more",
        "birth years differ by 2",
        "birth years differ by 1",
        "same birth year",
    )),
    Comparison("gender", ("different gender", "same gender")),
    Comparison("photo_id", (
        "same ID type, different numbers",
        "different ID types",
        "same ID type, numbers one character apart",
        "same photo ID number",
    ), none_label="missing on one side, or a number more registrations carry than a family"),
    Comparison("mobile", ("different mobile", "same mobile"),
               none_label="missing on one side, or a number more registrations carry than "
                          "CoWIN allowed one mobile"),
    Comparison("location", ("different district", "same district", "same pincode")),
    # linkage.doses: dose 1 under both registrations weighs neither way
    Comparison("doses", (
        "the same later dose under both registrations",
        "doses under one registration only",
        "no dose under either registration",
        "doses split between the two, none given twice",
    ), none_label="dose 1 under both registrations (weighs neither way)"),
    # linkage.bookings: what rule 1 flags, counted as evidence like any other field
    Comparison("bookings", (
        "live bookings under one registration or neither",
        "live bookings under both, not at two centres in one window",
        "live bookings under both at different centres, session dates close together",
    )),
)

# Each key targets one way a repeat registration differs (phone, ID type, spelling,
# birth year, district). Block sizes stay small: a pair inside a very large block (a
# common name in a common year) could not be linked on the evidence anyway, and such
# blocks are split by another column rather than compared whole.
DEFAULT_BLOCKING: tuple[BlockingRule, ...] = (
    BlockingRule("photo_id", ("photo_id_key",), max_block=50),
    BlockingRule("mobile", ("mobile_key",), max_block=8),
    BlockingRule("name_year", ("name_key", "birth_year"), max_block=40,
                 split_by=("district_name",)),
    BlockingRule("first_year", ("first_phon", "birth_year"), max_block=15,
                 split_by=("district_name",)),
    BlockingRule("first_district_band_a", ("first_phon", "district_name", "birth_band_a"),
                 max_block=40, split_by=("last_initial",)),
    BlockingRule("first_district_band_b", ("first_phon", "district_name", "birth_band_b"),
                 max_block=40, split_by=("last_initial",)),
    BlockingRule("last_year_district", ("last_phon", "birth_year", "district_name"),
                 max_block=40, split_by=("first_initial",)),
    BlockingRule("initial_last_district", ("first_initial", "last_phon", "district_name"),
                 max_block=25, split_by=("birth_band_a",)),
    BlockingRule("name_pincode", ("name_key", "pincode"), max_block=25),
    # a slip inside the first name or another word order: the words' first letters agree
    BlockingRule("initials_year_district", ("word_initials", "birth_year", "district_name"),
                 max_block=12, split_by=("gender",)),
)


@dataclass(frozen=True)
class LinkageSettings:
    comparisons: tuple[Comparison, ...] = COMPARISONS
    blocking: tuple[BlockingRule, ...] = DEFAULT_BLOCKING
    # match weight (log2 Bayes factor) above which a pair is linked; see README. F1 is
    # flat from 2.5 to 3.0 since the doses count; 2.75 keeps precision at a million
    # where it was before them
    threshold: float = 2.75
    # a first name or surname one letter from one this many times commoner is taken for
    # a typo of it (linkage.typos); 0 turns this off
    typo_rarity: float = 20.0
    # a mobile or photo ID number carried by more registrations than this is no evidence
    # that two of them are one person (linkage.crowded): CoWIN allowed a mobile six
    family_registrations: int = 6
    # a night that adds or changes a few registrations scores them with the model in
    # force (linkage.model_store); it is fitted again once the registrations added or
    # changed since the fit pass this share of those it was fitted on
    refit_growth: float = 0.1
    # two live bookings at different centres this many days apart or less count for a
    # link (linkage.bookings); rule 1's window by default
    booking_window_days: int = 7
    # pairs scoring this far below the threshold are dropped after clustering
    keep_margin: float = 10.0
    em_max_iterations: int = 200
    em_tolerance: float = 1e-6
    u_sample_pairs: int = 1_000_000
    seed: int = 42
    # pairs these rules accept are nearly all one person; they are assumed to find this
    # share of all true pairs (the prior follows from the two; see linkage/train.py)
    prior_rules: tuple[str, ...] = (
        "photo_id_level = 3 and name_level >= 5",
        "name_level >= 6 and birth_year_level = 3 and location_level = 2 and gender_level = 1",
    )
    prior_rules_recall: float = 0.6
    # m fixed by what is known rather than estimated: (field, level, m). One person holds
    # one number per ID type, so the same type with another number (not a one-character
    # typo) is rare for one person; EM cannot see that, because namesakes born the same
    # year in one district look like repeat registrations to it
    fixed_m: tuple[tuple[str, int, float], ...] = (("photo_id", 0, 0.01),)
    # a cluster merge is refused when any cross pair scores below this (anti-chaining)
    veto_weight: float = -8.0
    # another name with another age (or gender) is someone else, even on one photo ID:
    # true where a relative's ID is reused (CoWIN); false where a repeat's errors replace
    # whole fields (FEBRL's duplicates)
    other_person_veto: bool = True

    def labels(self, field_name: str) -> tuple[str, ...]:
        return self.comparison(field_name).labels

    def comparison(self, field_name: str) -> Comparison:
        return next(c for c in self.comparisons if c.field == field_name)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    def save(self, path: Path) -> None:
        Path(path).write_text(self.to_json())

    @classmethod
    def from_json(cls, text: str) -> "LinkageSettings":
        d = json.loads(text)
        d["comparisons"] = tuple(Comparison(c["field"], tuple(c["labels"]), c["tf_adjust"],
                                            c.get("none_label", Comparison.none_label))
                                 for c in d["comparisons"])
        d["prior_rules"] = tuple(d["prior_rules"])
        d["fixed_m"] = tuple(tuple(x) for x in d["fixed_m"])
        d["blocking"] = tuple(BlockingRule(b["name"], tuple(b["columns"]), b["max_block"],
                                           tuple(b["split_by"])) for b in d["blocking"])
        return cls(**d)

    @classmethod
    def load(cls, path: Path) -> "LinkageSettings":
        return cls.from_json(Path(path).read_text())
