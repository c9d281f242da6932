"""Each notebook runs headless, without error, against the shipped sample's warehouse
(built once per session by `jaanch run`), saves its chart as PNG, and shows no full
mobile or photo ID number. Committed notebooks carry no outputs."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from linkage.identifiers import clean_mobile, clean_photo_id

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE = ROOT / "data" / "sample"
FIGURE = {  # each notebook's chart for the README
    "investigate_cluster": "match_waterfall.png",
    "district_overview": "district_flags.png",
    "linkage_quality": "precision_recall.png",
}


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample-run") / "out"
    # a Prefect home of its own: the test leaves nothing in the user's
    env = os.environ | {"PREFECT_HOME": str(tmp_path_factory.mktemp("prefect")),
                        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}
    run = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--exports",
                          str(SAMPLE / "exports"), "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=600, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    return out / "jaanch.duckdb"


@pytest.fixture(scope="session")
def full_numbers() -> set[str]:
    """Every mobile and photo ID number in the sample's registrations, cleaned."""
    with open(SAMPLE / "exports" / "registrations.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    mobiles = {clean_mobile(r["mobile_number"]) for r in rows}
    ids = {clean_photo_id(r["photo_id_number"]) for r in rows}
    numbers = {n for n in mobiles | ids if n and len(n) >= 8}
    assert len(numbers) > 1000
    return numbers


def _output_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(v for v in out.get("data", {}).values() if isinstance(v, str))
            parts.extend(out.get("traceback", []))
    return "\n".join(parts)


@pytest.mark.parametrize("name", sorted(FIGURE))
def test_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])


@pytest.mark.parametrize("name", sorted(FIGURE))
def test_notebook_runs_on_the_sample(name, sample_warehouse, full_numbers, tmp_path,
                                     monkeypatch):
    monkeypatch.setenv("JAANCH_DB", str(sample_warehouse))
    monkeypatch.setenv("JAANCH_TRUTH", str(SAMPLE / "truth"))
    monkeypatch.setenv("JAANCH_FIGURES", str(tmp_path))
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()

    png = tmp_path / FIGURE[name]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = _output_text(nb)
    assert str(sample_warehouse) in text  # it read the warehouse it was given
    leaked = sorted(n for n in full_numbers if n in text)
    assert not leaked, f"{len(leaked)} full mobile/photo ID numbers in the outputs"
