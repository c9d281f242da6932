import duckdb

from pipelines import runs
from pipelines.artifacts import changes_markdown, summary_markdown
from pipelines.outputs import run_counts


def _summary(accepted: int = 1190, clusters: int = 40, flagged: int = 12,
             by_rule: dict | None = None) -> dict:
    return {
        "run_id": "abc123",
        "validation": {"files": {"registrations": {"read": 1200, "accepted": accepted,
                                                   "quarantined": 1200 - accepted}}},
        "clusters": clusters, "flagged_clusters": flagged, "flagged_identifiers": 3,
        "flagged_by_rule": {"repeat_dose1": 7, "multi_booking": 5} if by_rule is None
        else by_rule,
        "timings": {"ingest": 0.51, "link": 2.25},
    }


def test_summary_markdown_shows_counts_rules_and_stages():
    md = summary_markdown(_summary())
    assert "| registrations | 1,200 | 1,190 | 10 |" in md
    assert "| repeat_dose1 | 7 |" in md and "| link | 2.2 |" in md
    assert "**12** flagged" in md
    assert "First night: no earlier successful run" in md


def test_changes_since_last_night_show_signed_deltas():
    tonight = run_counts(_summary(accepted=1190, clusters=40, flagged=12,
                                   by_rule={"repeat_dose1": 7, "multi_booking": 5}))
    last = run_counts(_summary(accepted=1000, clusters=45, flagged=12,
                                by_rule={"repeat_dose1": 9, "tout_mobile": 2}))
    md = changes_markdown(tonight, last)
    assert "| registrations accepted | 1,000 | 1,190 | +190 |" in md
    assert "| people registered more than once | 45 | 40 | -5 |" in md
    assert "| flagged people | 12 | 12 | 0 |" in md
    # a rule that flagged nobody is absent from flagged_by_rule: it counts 0 on that side
    assert "| flagged by multi_booking | 0 | 5 | +5 |" in md
    assert "| flagged by tout_mobile | 2 | 0 | -2 |" in md
    assert "| flagged by repeat_dose1 | 9 | 7 | -2 |" in md
    assert "First night" not in md


def test_changes_show_no_value_for_a_count_the_older_run_did_not_keep():
    md = changes_markdown(run_counts(_summary()), {"clusters": 40, "flagged_by_rule": {}})
    assert "| registrations accepted | – | 1,190 | – |" in md
    assert "| people registered more than once | 40 | 40 | 0 |" in md


def test_previous_counts_is_the_last_succeeded_earlier_run():
    con = duckdb.connect()
    runs.start(con, "r1", "exports", "{}")
    assert runs.previous_counts(con, "r1") is None  # the first night
    runs.finish(con, "r1", "succeeded", counts={"clusters": 1})
    runs.start(con, "r2", "exports", "{}")
    runs.finish(con, "r2", "succeeded", counts={"clusters": 2})
    runs.start(con, "r3", "exports", "{}")
    runs.finish(con, "r3", "failed", reason="bad export")
    runs.start(con, "r4", "exports", "{}")
    assert runs.previous_counts(con, "r4") == {"clusters": 2}  # not the failed r3
    assert runs.previous_counts(con, "r2") == {"clusters": 1}  # not a later run

