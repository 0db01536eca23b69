"""Every lesson runs unchanged against a plain OpenAI-compatible server: each notebook under notebooks/
is executed with LLM_CALLS_TARGET=real against the mock's `minimal` profile (any key, no OpenAI-only
headers, plainer errors, no /v1/responses). Outputs are not compared; an error outside a cell tagged
`raises-exception` fails the test. Three notebooks run at a time, each in its own kernel."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import helpers
from tools import catalogue

NOTEBOOKS = sorted(catalogue.NOTEBOOKS.glob("**/*.ipynb"))  # every notebook, lesson or not
WORKERS = 3
CELL_TIMEOUT = 120  # seconds: a liveness bound, far above what any cell needs
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def compatible_server() -> Iterator[helpers.MockServer]:
    """A plain compatible server, as LLM_CALLS_TARGET=real would reach one; it streams without pauses."""
    with helpers.MockServer(profile="minimal", tokens_per_second=0, set_environment=False) as server:
        yield server


@pytest.fixture(scope="module")
def real_target(compatible_server: helpers.MockServer) -> Iterator[None]:
    """The environment a learner sets for a real provider, inherited by every kernel started meanwhile."""
    values = {"LLM_CALLS_TARGET": "real", "OPENAI_BASE_URL": compatible_server.base_url,
              "OPENAI_API_KEY": "sk-any-key-this-server-checks-none", "OPENAI_MODEL": helpers.MODEL,
              # Mocks a notebook starts itself stream without pauses too: no output is compared here.
              "LLM_CALLS_TOKENS_PER_SECOND": "0"}
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def run_notebook(path: Path) -> str | None:
    """Execute the notebook in a fresh kernel from its own folder; the first unexpected error, or None."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError:
        return _first_error(notebook)
    return None


def _first_error(notebook: nbformat.NotebookNode) -> str:
    """Which cell failed, and with what: `cell 17 (bad_response = ...): KeyError: 'error'`."""
    for position, cell in enumerate(notebook.cells):
        errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
        if errors and "raises-exception" not in cell.metadata.get("tags", []):
            first_line = cell.source.splitlines()[0] if cell.source else ""
            return f"cell {position} ({first_line[:40]}): {errors[0].ename}: {ANSI.sub('', errors[0].evalue)}"
    return "an error outside any cell (the kernel died, or a cell timed out)"


def test_there_are_notebooks_to_run():
    assert NOTEBOOKS


def test_every_notebook_runs_against_a_plain_compatible_server(real_target):
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = dict(zip(NOTEBOOKS, pool.map(run_notebook, NOTEBOOKS), strict=True))
    names = {path: path.relative_to(catalogue.NOTEBOOKS).as_posix() for path in NOTEBOOKS}
    failures = {names[path]: error for path, error in outcomes.items() if error is not None}
    assert not failures, "\n".join(f"{name}: {error}" for name, error in failures.items())
