"""The report in a real browser: headless Chromium driven over the DevTools protocol.

Also a script for the docs screenshot:
    python tests/pipelines/test_report_browser.py [REPORT.html] docs/report.png
(without REPORT.html it builds one from the test fixture).
"""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also run as a script
import warehouse_fixtures as fx  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1"]


class Browser:
    """One headless Chromium page, spoken to over the DevTools websocket."""

    def __init__(self, width: int = 1280, height: int = 900):
        from websockets.sync.client import connect

        self.profile = tempfile.mkdtemp(prefix="report-browser-")
        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}",
                                      f"--window-size={width},{height}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        self.ws = connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        self.next_id = 0
        self.errors: list[str] = []
        self.call("Runtime.enable")
        self.call("Page.enable")

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=30))
            if msg.get("method") == "Runtime.exceptionThrown":
                self.errors.append(json.dumps(msg["params"]["exceptionDetails"])[:500])
            elif msg.get("method") == "Runtime.consoleAPICalled" and \
                    msg["params"]["type"] in ("error", "assert"):
                self.errors.append(json.dumps(msg["params"]["args"])[:500])
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def js(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, path: Path) -> None:
        self.call("Page.navigate", url=path.resolve().as_uri())
        deadline = time.monotonic() + 20
        while self.js("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise RuntimeError("page did not load")
            time.sleep(0.05)

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element."""
        box = self.js(f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
            e.scrollIntoView({{block: "center"}}); const r = e.getBoundingClientRect();
            return [r.x + r.width / 2, r.y + r.height / 2]; }})()""")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1],
                      button="left", clickCount=1)

    def key(self, key: str) -> None:
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=key,
                      windowsVirtualKeyCode=27 if key == "Escape" else 0)

    def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self) -> None:
        if getattr(self, "ws", None):
            try:  # let chromium close its own helper processes
                self.call("Browser.close")
            except Exception:
                pass
            self.ws.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)




def _fixture_report(path: Path) -> Path:
    from pipelines.report import write_report

    con = fx.run_night(fx.scenario())
    write_report(con, path, {"registrations": {"read": 14, "accepted": 14, "quarantined": 0}})
    return path


pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                "(apt-get install chromium)")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    report = _fixture_report(tmp_path_factory.mktemp("report") / "report.html")
    browser = Browser()
    try:
        browser.open(report)
        yield browser
    finally:
        browser.close()


def _visible_rows(page) -> list[str]:
    return page.js("""[...document.querySelectorAll('#flagged tbody tr')]
        .filter(tr => !tr.hidden).map(tr => tr.dataset.cluster)""")


def test_lists_flagged_people_highest_risk_first(page):
    assert _visible_rows(page) == ["C10000000000001", "C10000000000004"]
    assert page.js("document.querySelectorAll('.tile').length") == 5
    assert page.errors == []


def test_filter_by_district_then_clear(page):
    page.js("""const s = document.getElementById('f-district'); s.value = 'Nalanda';
               s.dispatchEvent(new Event('change'));""")
    assert _visible_rows(page) == ["C10000000000004"]
    assert page.js("document.getElementById('shown-count').textContent") == \
        "Showing 1 of 2 listed people."
    page.click("#f-reset")
    assert _visible_rows(page) == ["C10000000000001", "C10000000000004"]


def test_clicking_a_row_opens_its_card(page):
    page.click('tr[data-cluster="C10000000000001"] td:last-child')
    assert page.js("document.getElementById('card-overlay').hidden") is False
    card = page.js("document.getElementById('card').innerText")
    assert "Person C10000000000001" in card
    assert "Registration C" in card  # three members side by side: A, B, C
    assert "similar names (typo or spelling variant)" in card and "missing on one side" in card
    assert "First dose given twice" in card and "Dose 1 was given 2 times" in card
    marks = page.js("[...document.querySelectorAll('#card mark')].map(m => m.textContent)")
    assert "Aasha" in marks  # member B's name differs from A's in one word
    steps = page.js("[...document.querySelectorAll('#card ol.timeline li')].map(li => li.innerText)")
    assert len(steps) == 4 and "certificate V1" in steps[0] and "Booked dose 1" in steps[2]
    # the hostile name is shown as text: no element came from it
    assert fx.HOSTILE_NAME in card
    assert page.js("document.querySelectorAll('img').length") == 0
    assert page.js("location.hash") == "#C10000000000001"
    page.key("Escape")
    assert page.js("document.getElementById('card-overlay').hidden") is True
    assert page.errors == []


def test_fits_a_phone_screen(page):
    page.viewport(390, 844, mobile=True)
    try:
        page.js("window.scrollTo(0, 0)")
        assert page.js("document.documentElement.scrollWidth") <= 390
        page.click('tr[data-cluster="C10000000000004"] td:first-child')
        assert "Person C10000000000004" in page.js("document.getElementById('card').innerText")
        assert page.js("document.documentElement.scrollWidth") <= 390
        page.key("Escape")
    finally:
        page.call("Emulation.clearDeviceMetricsOverride")


def main(argv: list[str]) -> int:
    """Screenshot a report with its highest-risk card open."""
    out = Path(argv[-1])
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(argv[0]) if len(argv) == 2 else _fixture_report(Path(tmp) / "report.html")
        browser = Browser(1280, 1600)
        try:
            browser.viewport(1280, 1600)
            browser.open(report)
            browser.click("#flagged tbody tr:not([hidden]) td:last-child")
            time.sleep(0.2)
            browser.screenshot(out)
        finally:
            browser.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
