"""The report file: self-contained, escaped, bounded, masked."""
from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from pipelines.publish import jsonl_lines
from pipelines.report import ASSETS, embed_json, report_data, write_report


import warehouse_fixtures as fx


@pytest.fixture(scope="module")
def night():
    return fx.run_night(fx.scenario())


@pytest.fixture(scope="module")
def page(night, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(night, path, {"registrations": {"read": 14, "quarantined": 0}, "run_id": "n1"})
    return path.read_text(encoding="utf-8")


def _embedded(page: str) -> dict:
    found = {k: json.loads(v) for k, v in re.findall(
        r'<script type="application/json" id="report-(data|evidence)">(.*?)</script>', page, re.S)}
    return found["data"] | {"evidence": found["evidence"]}


def test_one_self_contained_file(page):
    markup = re.sub(r'(id="report-(data|evidence)">).*?(</script>)', r"\1\3", page, flags=re.S)
    assert not re.search(r"(src|href)\s*=|<link|@import|url\(|https?://", markup, re.I)
    assert page.count("<script") == 3 and page.count("<style>") == 1


def test_content_security_policy_admits_only_its_own_style_and_script(page):
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp
    for tag in ("style", "script"):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in csp


def test_input_text_never_reaches_the_page_as_markup(page):
    assert "<img" not in page and "onerror=alert(1)>" not in page
    assert "Asha Devi \\u003cimg src=x onerror=alert(1)\\u003e \\u0026 Sons" in page
    data = _embedded(page)
    names = [m["name"] for m in data["evidence"]["C10000000000001"]["members"]]
    assert fx.HOSTILE_NAME in names


def test_embedded_json_cannot_close_its_script_element():
    nasty = {"name": "</script><script>alert(1)</script><!-- &amp;"}
    text = embed_json(nasty)
    assert not re.search(r"[<>&]", text)
    assert json.loads(text) == nasty


def test_the_script_builds_the_page_from_text_only():
    js = (ASSETS / "report.js").read_text()
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|"
                         r"new Function", js)


def test_numbers_are_masked(page):
    for number in (fx.TOUT_MOBILE, fx.SHARED_AADHAAR, "9123400001", "456789123457"):
        assert number not in page
    assert "******1403" in page


def test_summary_totals_breakdowns_and_run_details(page):
    data = _embedded(page)
    assert data["totals"] == {"registrations": 11, "people": 9, "clusters": 1,
                              "registrations_in_clusters": 3, "flagged": 2,
                              "flagged_identifiers": 2}
    assert {r["rule_id"]: (r["clusters"], r["identifiers"]) for r in data["rules"]} == {
        "multi_booking": (1, 0), "repeat_dose1": (1, 0), "no_show_certificate": (1, 0),
        "early_dose": (0, 0), "shared_photo_id": (0, 1), "tout_mobile": (0, 1)}
    assert [(d["district_name"], d["flagged"]) for d in data["districts"]] == \
        [("Nalanda", 1), ("Patna", 1)]
    assert ["registrations · read", "14"] in data["run"] and ["run_id", "n1"] in data["run"]
    assert data["identifiers"][0]["explanation"].startswith("Mobile ******1403 carries 6")
    assert "weakest link" in data["risk_explanation"]


def test_a_large_night_lists_only_the_top_n_but_counts_everyone(night):
    data = report_data(night, {}, top_n=1)
    assert [f["cluster_id"] for f in data["flagged"]] == ["C10000000000001"]
    assert list(json.loads(data["evidence"])) == ["C10000000000001"]
    assert data["totals"]["flagged"] == 2 and len(data["districts"]) == 2


def test_each_card_is_its_evidence_without_what_the_page_holds_once(night):
    cards = json.loads(report_data(night, {})["evidence"])
    docs = {cid: json.loads(text) for cid, text in night.execute(
        "select cluster_id, evidence from evidence").fetchall()}
    assert cards and set(cards) == set(docs)
    assert any(card["identifier_flags"] for card in cards.values())
    for cid, card in cards.items():
        doc = docs[cid]
        wide = ("rule_hits", "identifier_flags")
        assert {k: v for k, v in card.items() if k not in wide} == \
            {k: v for k, v in doc.items() if k not in wide}
        assert card["rule_hits"] == [{k: h[k] for k in ("rule_id", "severity", "facts")}
                                     for h in doc["rule_hits"]]
        assert card["identifier_flags"] == [
            {"identifier_kind": f["identifier_kind"], "identifier": f["identifier"],
             "rules": f["rules"], "explanation": " ".join(
                 v.get("explanation", "") for v in (f["facts"] or {}).values())}
            for f in doc["identifier_flags"]]


def test_the_evidence_publishing_holds_makes_the_same_page(night, tmp_path):
    held = jsonl_lines(night, "evidence", "evidence", "cluster_id")
    write_report(night, tmp_path / "a.html", {}, evidence=held)
    write_report(night, tmp_path / "b.html", {})
    a, b = (_embedded((tmp_path / f).read_text(encoding="utf-8")) for f in ("a.html", "b.html"))
    assert a["evidence"] and a | {"generated_at": ""} == b | {"generated_at": ""}
