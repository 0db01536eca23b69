"""Every lesson runs clean replayed from a cassette recorded from itself: each notebook is executed once with
LLM_CALLS_RECORD (the lessons' mock keeps every answer it gives), then again with LLM_CALLS_REPLAY (the mock
answers only from that cassette). Outputs are not compared; an error outside a cell tagged `raises-exception`
fails, and so does a request the cassette cannot answer. Its own target (`make replay-check`, run by .ci/run):
it executes every notebook twice."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import helpers
from helpers.mock.recording.cassette import read_cassette
from tests.lessons.test_portability import died_starting
from tools import catalogue

PLANTED_KEY = "sk-planted-upstream-secret-for-make-record"

pytestmark = pytest.mark.replay
NOTEBOOKS = catalogue.lesson_paths()  # every lesson: a new one is replayed by existing
WORKERS = 3
CELL_TIMEOUT = 120  # seconds: a liveness bound, far above what any cell needs
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_with(path: Path, retried: bool = False, **variables: str) -> str | None:
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
    except RuntimeError as problem:
        if not died_starting(problem) or retried:
            raise
        return run_with(path, retried=True, **variables)  # the kernel died before its first reply: once more
    unanswered = [output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
                  if "[mock replay]" in output.get("text", "")]
    return unanswered[0].strip() if unanswered else None


def _first_error(notebook: nbformat.NotebookNode) -> str:
    """Which cell failed, and with what: `cell 17 (bad_response = ...): KeyError: 'error'`."""
    for position, cell in enumerate(notebook.cells):
        errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
        if errors and "raises-exception" not in cell.metadata.get("tags", []):
            first_line = cell.source.splitlines()[0] if cell.source else ""
            return f"cell {position} ({first_line[:40]}): {errors[0].ename}: {ANSI.sub('', errors[0].evalue)}"
    return "an error outside any cell (the kernel died, or a cell timed out)"


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


def test_make_record_runs_a_lesson_through_the_provider_and_stores_no_output(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    provider = helpers.MockServer(api_key=PLANTED_KEY, tokens_per_second=0, set_environment=False).start()
    lesson = catalogue.REPO_ROOT / "notebooks" / "01_chat_completion" / "urllib.ipynb"
    before = lesson.read_bytes()
    cassette = tmp_path / "lesson.jsonl"
    environment = {**os.environ, "LLM_CALLS_RECORD": str(cassette), "LLM_CALLS_UPSTREAM": provider.base_url,
                   "LLM_CALLS_TOKENS_PER_SECOND": "0", "PYTHONPATH": str(catalogue.REPO_ROOT)}
    result = subprocess.run([sys.executable, "-m", "tools.notebooks", "run", str(lesson)], cwd=catalogue.REPO_ROOT,
                            capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 0, result.stderr
    assert lesson.read_bytes() == before
    recorded = read_cassette(cassette)
    assert recorded and all(entry.path.startswith("/v1/") for entry in recorded)
    assert len(provider.exchanges) >= len(recorded)  # each one went to the provider
    assert PLANTED_KEY not in cassette.read_text()
    provider.stop()
