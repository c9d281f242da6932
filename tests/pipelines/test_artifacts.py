from pipelines.artifacts import summary_markdown


def test_summary_markdown_shows_counts_rules_and_stages():
    summary = {
        "run_id": "abc123",
        "validation": {"files": {"registrations": {"read": 1200, "accepted": 1190,
                                                   "quarantined": 10}}},
        "clusters": 40, "flagged_clusters": 12, "flagged_identifiers": 3,
        "flagged_by_rule": {"repeat_dose1": 7, "multi_booking": 5},
        "timings": {"ingest": 0.51, "link": 2.25},
    }
    md = summary_markdown(summary)
    assert "| registrations | 1,200 | 1,190 | 10 |" in md
    assert "| repeat_dose1 | 7 |" in md and "| link | 2.2 |" in md
    assert "**12** flagged" in md
