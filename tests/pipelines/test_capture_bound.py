"""The capture bound's frontier: cells linked best first, fraud held and purity counted."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "capture_bound.py"


@pytest.fixture(scope="module")
def bound():
    spec = importlib.util.spec_from_file_location("capture_bound", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_frontier_links_cells_best_first_and_counts_what_a_link_costs(bound):
    # fraudulent people 1 (rids 0, 1), 3 (rids 3, 4) and 4 (rid 5, one registration);
    # person 2 (rid 2) is someone else, whom the middle cell joins to person 1
    person = {"rid": np.arange(6), "person": np.array([1, 1, 2, 3, 3, 4]),
              "fraud": np.array([True, True, False, True, True, True])}
    pairs = {"rid_l": np.array([0, 1, 3]), "rid_r": np.array([1, 2, 4]),
             "share": np.array([1.0, 0.5, 0.4])}
    rows = bound.frontier(pairs, person, steps=3)
    assert [r[0] for r in rows] == [1.0, 0.5, 0.4]
    held = [round(r[1], 3) for r in rows]
    pure = [r[2] for r in rows]
    assert held == [0.667, 0.667, 1.0]  # the single registration counts as held
    assert pure == [1.0, 0.0, 0.5]  # person 1's cluster took in person 2


def test_unlinked_registrations_are_not_clusters(bound):
    person = {"rid": np.arange(4), "person": np.array([1, 1, 2, 2]),
              "fraud": np.array([True, True, True, True])}
    pairs = {"rid_l": np.array([0]), "rid_r": np.array([1]), "share": np.array([0.9])}
    [(_, held, pure)] = bound.frontier(pairs, person, steps=1)
    assert held == 0.5 and pure == 1.0
