"""What every stored notebook must be before it is committed: executed top to bottom in a fresh kernel,
free of unexpected errors, and free of anything private (keys, tokens, local paths, user names)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SKIPPED_FOLDERS = {".venv", ".git", ".ipynb_checkpoints", "test-artifacts", "build", "node_modules"}
NOTEBOOKS = sorted(
    path for path in REPO_ROOT.rglob("*.ipynb")
    if not SKIPPED_FOLDERS.intersection(path.relative_to(REPO_ROOT).parts)
)

# The mock's documented key is printed on purpose and opens nothing: the one key a notebook may show as is.
ALLOWED_SECRETS = {"sk-mock-llm-calls"}
# Candidates: anything shaped like a key or token. Only those with a long random-looking run are real-looking;
# invented keys a lesson spells out in words ("sk-this-key-is-invented-0000", "sk-bad") are not.
SECRET_PATTERNS = {
    "OpenAI-style key": re.compile(r"\bsk-[A-Za-z0-9_-]{3,}"),
    "bearer token": re.compile(r"(?<=Bearer )[A-Za-z0-9._~+/=-]{8,}"),
    "GitHub token": re.compile(r"\b(?:gh[pousr]|github_pat)_[A-Za-z0-9_]{20,}"),
    "Hugging Face token": re.compile(r"\bhf_[A-Za-z0-9]{20,}"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
}
RANDOM_RUN = re.compile(r"[A-Za-z0-9]{20,}")
# Where a machine shows who ran it: home folders, root's home, scratch and work folders.
LOCAL_PATH = re.compile(r"(?<![\w.])(?:/root\b|/home/[^/\s\"']+|/Users/[^/\s\"']+|/tmp/|/work/|/var/folders/"
                        r"|[A-Za-z]:\\\\Users\\\\)")
RAISES = "raises-exception"


def real_looking_secrets(text: str) -> list[str]:
    """Each key or token in the text that could be a real one, cut short so a test log never shows it whole."""
    return [
        f"{kind}: {match[:12]}..."
        for kind, pattern in SECRET_PATTERNS.items()
        for match in pattern.findall(text)
        if match not in ALLOWED_SECRETS and RANDOM_RUN.search(match)
    ]


def notebook_id(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    return [(index, cell) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.get("tags", [])


every_notebook = pytest.mark.parametrize("path", NOTEBOOKS, ids=notebook_id)


@every_notebook
def test_notebook_is_valid_nbformat_4(path):
    notebook = load(path)
    assert notebook.nbformat == 4
    nbformat.validate(notebook)


@pytest.mark.parametrize("text", [
    "sk-" + "A1b2C3d4E5f6G7h8I9j0" * 2,
    "sk-proj-" + "Ab3_" * 5 + "x9Y8z7W6v5U4t3S2r1Q0",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.abc",
    "token = ghp_" + "a1B2c3D4e5" * 4,
])
def test_real_looking_keys_are_caught(text):
    assert real_looking_secrets(text)


@pytest.mark.parametrize("text", [
    "api_key = 'sk-mock-llm-calls'", "Authorization: Bearer sk-mock-llm-calls", "Authorization: Bearer [redacted]",
    'headers={"Authorization": f"Bearer {api_key}"}', "key='sk-this-key-is-invented-0000'", "sk-bad", "sk-...",
])
def test_the_mock_key_redactions_and_invented_keys_pass(text):
    assert real_looking_secrets(text) == []


@every_notebook
def test_no_real_looking_keys_or_tokens_anywhere(path):
    found = real_looking_secrets(path.read_text(encoding="utf-8"))
    assert not found, "looks like a real key or token (redact it as [redacted]):\n" + "\n".join(found)


@every_notebook
def test_kernelspec_is_python3(path):
    assert load(path).metadata.get("kernelspec", {}).get("name") == "python3"


@every_notebook
def test_no_local_paths_or_user_names_in_outputs_or_metadata(path):
    notebook = load(path)
    places = {"notebook metadata": notebook.metadata}
    for index, cell in enumerate(notebook.cells):
        places[f"cell {index} metadata"] = cell.metadata
        if cell.cell_type == "code":
            places[f"cell {index} outputs"] = cell.outputs
    leaks = [f"{place}: {match}" for place, value in places.items()
             for match in LOCAL_PATH.findall(json.dumps(value))]
    assert not leaks, ("a local path shows who ran the notebook and where "
                       "(for tracebacks, `%xmode Minimal` shows only the error line):\n" + "\n".join(leaks))


@every_notebook
def test_every_code_cell_with_source_was_executed(path):
    not_run = [index for index, cell in code_cells(load(path))
               if cell.source.strip() and cell.execution_count is None]
    assert not not_run, f"cells {not_run} have never been run: run the notebook top to bottom and save it"


@every_notebook
def test_execution_counts_run_1_to_n_from_top_to_bottom(path):
    counts = [cell.execution_count for _, cell in code_cells(load(path)) if cell.execution_count is not None]
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts {counts}: restart the kernel and run all cells once, top to bottom"
    )


@every_notebook
def test_results_carry_their_cells_execution_count(path):
    mismatched = [index for index, cell in code_cells(load(path)) for output in cell.outputs
                  if output.output_type == "execute_result" and output.execution_count != cell.execution_count]
    assert not mismatched, f"cells {mismatched} show a result from another run"


@every_notebook
def test_only_cells_tagged_raises_exception_show_errors(path):
    unexpected = [f"cell {index}: {output.ename}: {output.evalue}"
                  for index, cell in code_cells(load(path)) if RAISES not in tags(cell)
                  for output in cell.outputs if output.output_type == "error"]
    assert not unexpected, "errors in cells not tagged raises-exception:\n" + "\n".join(unexpected)


@every_notebook
def test_cells_tagged_raises_exception_do_raise(path):
    silent = [index for index, cell in code_cells(load(path)) if RAISES in tags(cell)
              and not any(output.output_type == "error" for output in cell.outputs)]
    assert not silent, f"cells {silent} are tagged {RAISES} but show no error: drop the tag or the cell"
