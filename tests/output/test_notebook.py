"""The exploration notebook executes end to end against a dataset written by the writer.

Runs the real python3 kernel (nbclient); SCRAPER_DATA points it at the test dataset.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "explore.ipynb"


def test_notebook_executes(dataset: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SCRAPER_DATA", str(dataset))
    repo = str(NOTEBOOK.parents[1])
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))
    )
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend emits a PNG
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "60 articles, 180 segments" in text
    assert "akhbar.example.org" in text and "[ar] paragraph" in text and "[en] heading" in text
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "news.example.net" in html  # the per-site/language table rendered
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the per-day plot
