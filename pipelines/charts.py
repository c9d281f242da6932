"""Altair charts over the frames of `pipelines.investigate`, for the notebooks.

Each builder takes a frame and returns a chart that renders in a notebook and exports
to PNG (`save_png`, through vl-convert) unchanged. Altair is a notebook dependency (the
`dev` and `notebooks` extras), not one of the pipeline's.
"""
from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

RULE_COLOURS = {  # one colour per rule, the same in every chart
    "early_dose": "#d62728", "multi_booking": "#ff7f0e", "no_show_certificate": "#9467bd",
    "repeat_dose1": "#8c564b", "shared_photo_id": "#1f77b4", "tout_mobile": "#2ca02c",
}
_UP, _DOWN, _BASE = "#2e7d32", "#c62828", "#607d8b"
_COUNT_AXIS = alt.Axis(tickMinStep=1, format="d")  # counts: no 0.5 ticks


def save_png(chart: alt.TopLevelMixin, path: str | Path, scale: float = 2.0) -> Path:
    """Write `chart` as a PNG (folders created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    chart.save(str(path), format="png", scale_factor=scale)
    return path


def waterfall(steps: pd.DataFrame, threshold: float, max_pairs: int = 6,
              columns: int = 2, width: int = 400) -> alt.FacetChart:
    """One waterfall per pair: the prior, each field's weight added in turn, and the match
    weight it ends at, against the linking threshold. `steps` is pair_contributions()."""
    pairs = list(dict.fromkeys(steps["pair"]))[:max_pairs]
    steps = steps[steps["pair"].isin(pairs)]
    totals = (steps.groupby("pair", sort=False).agg(match_weight=("match_weight", "first"))
              .reset_index().assign(field="match weight", label="total", step=99,
                                    start=0.0, end=lambda d: d.match_weight,
                                    weight=lambda d: d.match_weight))
    data = pd.concat([steps, totals], ignore_index=True)
    data["kind"] = "total"
    data.loc[data.field != "match weight", "kind"] = "adds evidence"
    data.loc[(data.field != "match weight") & (data.weight < 0), "kind"] = "takes evidence away"
    data.loc[data.field == "prior", "kind"] = "prior"
    data["shown"] = data["weight"].map(lambda w: f"{w:+.1f}")
    data["threshold"] = threshold
    order = list(dict.fromkeys(data.sort_values("step")["field"]))
    x = alt.X("field:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30))
    colour = alt.Color("kind:N", title=None, scale=alt.Scale(
        domain=["prior", "adds evidence", "takes evidence away", "total"],
        range=[_BASE, _UP, _DOWN, "#37474f"]))
    tooltip = ["pair:N", "field:N", "label:N", alt.Tooltip("weight:Q", format="+.2f"),
               alt.Tooltip("end:Q", format=".2f", title="running total")]
    base = alt.Chart().encode(x=x)
    bars = base.mark_bar(size=28).encode(y=alt.Y("start:Q", title="match weight (bits)"),
                                         y2="end:Q", color=colour, tooltip=tooltip)
    text = base.mark_text(dy=-6, fontSize=10).encode(
        y=alt.Y("top:Q"), text="shown:N").transform_calculate(
        top="max(datum.start, datum.end)")
    once = alt.Chart().transform_filter(alt.datum.step == 0)  # one threshold mark per pair
    rule = once.mark_rule(strokeDash=[6, 3], color="black").encode(y="threshold:Q")
    rule_text = once.mark_text(align="left", dx=4, dy=-6, fontSize=10).encode(
        y="threshold:Q", x=alt.value(0), text=alt.value(f"threshold {threshold:g}"))
    layers = alt.layer(bars, text, rule, rule_text, data=data).properties(width=width, height=220)
    return layers.facet(facet=alt.Facet("pair:N", sort=pairs, title=None),
                        columns=min(columns, len(pairs))).properties(
        title="Why these registrations were linked: each field's weight, from the prior to "
              "the match weight")


def timeline(events: pd.DataFrame, width: int = 620) -> alt.LayerChart:
    """Bookings and doses per registration over time, coloured by centre. `events` is
    timeline()."""
    data = events.assign(
        event=events["kind"].where(events["kind"] == "dose", "booking: " + events["status"])
              .where(events["kind"] != "dose", "dose given"),
        tag=events["kind"].str[0].str.upper() + events["dose"].astype("string"))
    base = alt.Chart(data).encode(
        x=alt.X("date:T", title="session or dose date", scale=alt.Scale(padding=16)),
        y=alt.Y("beneficiary_reference_id:N", title="registration"),
        # a booking and its dose fall on one day: bookings above, doses below
        yOffset=alt.YOffset("kind:N", sort=["booking", "dose"]))
    points = base.mark_point(size=140, filled=True, opacity=0.85).encode(
        color=alt.Color("center_name:N", title="centre"),
        shape=alt.Shape("event:N", title="event"),
        tooltip=["date:T", "event:N", "dose:Q", "vaccine:N", "center_name:N", "reference:N",
                 "booked_at:T"])
    tags = base.mark_text(dx=14, fontSize=9).encode(text="tag:N")
    return (points + tags).properties(
        width=width, height=max(90, 50 * data["beneficiary_reference_id"].nunique()),
        title="Bookings (B) and doses (D) by registration; number = dose")


def flags_by_district(frame: pd.DataFrame, top: int = 20) -> alt.Chart:
    """Stacked bars: flagged clusters per district, by rule, for the `top` districts.
    `frame` is flags_by_district()."""
    order = (frame.groupby("district_name")["flagged_clusters"].sum()
             .sort_values(ascending=False, kind="stable").head(top).index.tolist())
    frame = frame[frame["district_name"].isin(order)]
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("district_name:N", sort=order, title=None),
        x=alt.X("flagged_clusters:Q", title="flagged people (a person with two rules counts twice)",
                axis=_COUNT_AXIS),
        color=_rule_colour(frame["rule_id"]),
        tooltip=["district_name:N", "rule_id:N", "flagged_clusters:Q"],
    ).properties(width=520, height=max(120, 22 * len(order)),
                 title=f"Flagged people by district and rule (top {len(order)} districts)")


def centre_weeks(frame: pd.DataFrame, top: int = 20) -> alt.Chart:
    """Heat map of flagged people active at a centre each week, for the `top` busiest
    centres. `frame` is flags_by_centre_week()."""
    frame = frame.assign(centre=frame["center_name"].fillna(frame["center_id"].astype(str))
                         + " (" + frame["district_name"].fillna("?") + ")")
    busiest = (frame.groupby("centre")["flagged_clusters"].sum()
               .sort_values(ascending=False).head(top).index.tolist())
    return alt.Chart(frame[frame["centre"].isin(busiest)]).mark_rect().encode(
        x=alt.X("yearmonthdate(week):O", title="week starting", axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("centre:N", sort=busiest, title=None),
        color=alt.Color("flagged_clusters:Q", title="flagged people",
                        scale=alt.Scale(scheme="orangered")),
        tooltip=["centre:N", alt.Tooltip("week:T", title="week starting"), "flagged_clusters:Q"],
    ).properties(title=f"Flagged people with a booking or dose at a centre, by week "
                       f"(top {len(busiest)} centres)")


def top_centres(frame: pd.DataFrame, value: str, title: str, top: int = 15,
                colour: str = _DOWN) -> alt.Chart:
    """Horizontal bars: the `top` centres by `value`."""
    frame = frame.assign(centre=frame["center_name"].fillna(frame["center_id"].astype(str))
                         + " (" + frame["center_district"].fillna("?") + ")")
    frame = frame.sort_values(value, ascending=False).head(top)
    return alt.Chart(frame).mark_bar(color=colour).encode(
        y=alt.Y("centre:N", sort="-x", title=None),
        x=alt.X(f"{value}:Q", title=value.replace("_", " "), axis=_COUNT_AXIS),
        tooltip=["centre:N", f"{value}:Q", *[c for c in ("clusters", "people") if c in frame]],
    ).properties(width=460, height=max(80, 22 * len(frame)), title=title)


def weight_histogram(frame: pd.DataFrame, threshold: float, bin_width: float) -> alt.LayerChart:
    """Candidate pairs by match weight, linked or not, with the threshold marked (log scale:
    non-matches outnumber matches by orders of magnitude). `frame` is match_weights()."""
    data = frame.assign(bin_end=frame["weight_bin"] + bin_width,
                        status=frame["linked"].map({True: "linked", False: "not linked"}))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("weight_bin:Q", title="match weight (bits)", bin="binned"), x2="bin_end:Q",
        y=alt.Y("pairs:Q", title="candidate pairs", scale=alt.Scale(type="symlog")),
        color=alt.Color("status:N", title=None,
                        scale=alt.Scale(domain=["linked", "not linked"], range=[_UP, _BASE])),
        tooltip=["weight_bin:Q", "status:N", "pairs:Q"])
    return (bars + _threshold_rule(threshold)).properties(
        width=560, height=260, title="Distribution of match weights over candidate pairs")


def precision_recall(frame: pd.DataFrame, threshold: float) -> alt.LayerChart:
    """Precision and recall of linking at each threshold, the chosen one marked.
    `frame` is precision_recall()."""
    long = frame.melt(id_vars=["threshold"], value_vars=["precision", "recall"],
                      var_name="measure", value_name="value")
    lines = alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=alt.X("threshold:Q", title="match-weight threshold (bits)"),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("measure:N", title=None),
        tooltip=["threshold:Q", "measure:N", alt.Tooltip("value:Q", format=".3f")])
    return (lines + _threshold_rule(threshold, text_y=250)).properties(
        width=560, height=260, title="Pairwise precision and recall against the threshold")


def _threshold_rule(threshold: float, text_y: float = 8) -> alt.LayerChart:
    """A dashed vertical line at the threshold, labelled `text_y` pixels from the top."""
    at = pd.DataFrame({"threshold": [threshold], "text": [f"chosen threshold {threshold:g}"]})
    rule = alt.Chart(at).mark_rule(strokeDash=[6, 3], color="black").encode(x="threshold:Q")
    text = alt.Chart(at).mark_text(align="left", dx=4, y=text_y, fontSize=11).encode(
        x="threshold:Q", text="text:N")
    return rule + text


def _rule_colour(rules: pd.Series) -> alt.Color:
    domain = sorted(set(rules))
    return alt.Color("rule_id:N", title="rule", scale=alt.Scale(
        domain=domain, range=[RULE_COLOURS.get(r, "#7f7f7f") for r in domain]))
