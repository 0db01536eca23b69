"""Every lesson runs clean replayed from a cassette recorded from itself: each notebook is executed once with
LLM_CALLS_RECORD (the lessons' mock keeps every answer it gives), then again with LLM_CALLS_REPLAY (the mock
answers only from that cassette). Outputs are not compared; an error outside a cell tagged `raises-exception`
fails, and so does a request the cassette cannot answer. Its own target (`make replay-check`, run by .ci/run):
it executes every notebook twice."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.lessons.test_portability import CELL_TIMEOUT, NOTEBOOKS, WORKERS, _first_error
from tools import catalogue

pytestmark = pytest.mark.replay


def run_with(path: Path, **variables: str) -> str | None:
    """Execute the notebook in a fresh kernel whose environment adds `variables`; the first error, or None."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    environment = {**os.environ, "LLM_CALLS_TOKENS_PER_SECOND": "0", **variables}
    for name in ("LLM_CALLS_TARGET", "LLM_CALLS_REPLAY", "LLM_CALLS_RECORD", "LLM_CALLS_UPSTREAM"):
        if name not in variables:
            environment.pop(name, None)
    try:
        client.execute(env=environment)
    except CellExecutionError:
        return _first_error(notebook)
    unanswered = [output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
                  if "[mock replay]" in output.get("text", "")]
    return unanswered[0].strip() if unanswered else None


def record_then_replay(path: Path, folder: Path) -> str | None:
    cassette = folder / (path.relative_to(catalogue.NOTEBOOKS).as_posix().replace("/", "__") + ".jsonl")
    recorded = run_with(path, LLM_CALLS_RECORD=str(cassette))
    if recorded is not None:
        return f"while recording: {recorded}"
    if not cassette.exists():
        return None  # a lesson that never asks the lessons' mock anything (it starts servers of its own)
    replayed = run_with(path, LLM_CALLS_REPLAY=str(cassette))
    return None if replayed is None else f"replayed: {replayed}"


def test_every_notebook_runs_replayed_from_a_cassette_recorded_from_itself(tmp_path):
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = dict(zip(NOTEBOOKS, pool.map(lambda path: record_then_replay(path, tmp_path), NOTEBOOKS),
                            strict=True))
    failures = {path.relative_to(catalogue.NOTEBOOKS).as_posix(): error
                for path, error in outcomes.items() if error is not None}
    assert not failures, "\n".join(f"{name}: {error}" for name, error in failures.items())
