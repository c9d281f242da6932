"""Chart builders: what they draw, from frames built in code."""
from __future__ import annotations

import pandas as pd

from pipelines import charts


def _steps(pairs: dict[str, list[float]]) -> pd.DataFrame:
    """pair_contributions()-shaped frame: per pair, the prior then field weights."""
    rows = []
    for pair, weights in pairs.items():
        end = 0.0
        for step, w in enumerate(weights):
            rows.append({"pair": pair, "step": step, "field": ["prior", "name", "mobile"][step],
                         "label": "", "weight": w, "start": end, "end": end + w,
                         "match_weight": sum(weights)})
            end += w
    return pd.DataFrame(rows)


def _data(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def test_waterfall_ends_each_pair_with_its_total():
    chart = charts.waterfall(_steps({"a ↔ b": [-2.0, 9.0, 4.0], "a ↔ c": [-2.0, -3.0, 6.0],
                                     "b ↔ c": [-2.0, 1.0, 1.0]}), threshold=6.0, max_pairs=2)
    rows = _data(chart)
    assert {r["pair"] for r in rows} == {"a ↔ b", "a ↔ c"}  # max_pairs, in the given order
    totals = {r["pair"]: (r["start"], r["end"]) for r in rows if r["field"] == "match weight"}
    assert totals == {"a ↔ b": (0.0, 11.0), "a ↔ c": (0.0, 1.0)}
    kinds = {(r["pair"], r["field"]): r["kind"] for r in rows}
    assert kinds[("a ↔ c", "name")] == "takes evidence away"
    assert kinds[("a ↔ b", "name")] == "adds evidence" and kinds[("a ↔ b", "prior")] == "prior"


def test_precision_recall_marks_the_threshold_and_exports_png(tmp_path):
    pr = pd.DataFrame({"threshold": [0.0, 6.0, 12.0], "precision": [0.5, 0.9, 1.0],
                       "recall": [1.0, 0.9, 0.4]})
    chart = charts.precision_recall(pr, threshold=6.0)
    marks = [d for d in chart.to_dict()["datasets"].values() if "text" in d[0]]
    assert marks == [[{"threshold": 6.0, "text": "chosen threshold 6"}]]
    png = charts.save_png(chart, tmp_path / "figs" / "pr.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
