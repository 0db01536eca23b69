"""The lessons' common shape, checked on every notebook present: the sections of CONTRIBUTING.md in order,
paired notebooks that keep the same steps, and navigation and indexes that `tools.notebooks` leaves as they are."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import catalogue

REPO_ROOT = catalogue.REPO_ROOT
LESSONS = catalogue.lesson_paths()
# Every folder of lessons is meant to be a paired lesson; the catalogue says which ones really are.
LESSON_FOLDERS = sorted({p.parent for p in LESSONS} - {catalogue.NOTEBOOKS})
PAIRED = catalogue.paired_lessons()
SHARED_NAMES = ("base_url", "api_key", "model", "messages", "reply")
STEP = re.compile(r"^## Step (\d+): (.+)$", re.MULTILINE)


def _name(path: Path) -> str:
    return path.relative_to(catalogue.NOTEBOOKS).as_posix()


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _headings(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell position, heading line) for every `#` or `##` heading in the markdown cells."""
    return [
        (position, line.strip())
        for position, cell in enumerate(nb.cells)
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if re.match(r"^##? ", line)
    ]


def _position(nb: nbformat.NotebookNode, heading: str) -> int:
    found = [position for position, line in _headings(nb) if line == heading]
    assert found, f"no `{heading}` heading"
    return found[0]


def _steps(nb: nbformat.NotebookNode) -> list[str]:
    return [f"Step {n}: {text.strip()}" for cell in nb.cells if cell.cell_type == "markdown"
            for n, text in STEP.findall(cell.source)]


def _tagged(nb: nbformat.NotebookNode, tag: str) -> list[int]:
    return [position for position, cell in enumerate(nb.cells) if tag in _tags(cell)]


def test_there_are_lessons_to_check():
    assert LESSONS, "no notebooks found under notebooks/"


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_lesson_opens_with_a_numbered_title(path: Path):
    first = _read(path).cells[0]
    assert first.cell_type == "markdown" and re.match(r"^# \d\d · \S", first.source), \
        "the first cell should be the title, `# NN · <topic>`"


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_lesson_has_the_common_sections_in_order(path: Path):
    nb = _read(path)
    first_step = [position for position, line in _headings(nb) if line.startswith("## Step 1: ")]
    assert first_step, "no `## Step 1: ...` heading"
    order = [_position(nb, "## What you will learn"), _position(nb, "## Prerequisites"), first_step[0],
             _position(nb, "## Exercise"), _position(nb, "## Recap")]
    assert order == sorted(order), "sections out of order: learn, prerequisites, steps, exercise, recap"


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_steps_are_numbered_from_one_without_gaps(path: Path):
    numbers = [int(step.split(":")[0].removeprefix("Step ")) for step in _steps(_read(path))]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_exercise_has_exercise_solution_and_check_cells_in_order(path: Path):
    nb = _read(path)
    exercise, recap = _position(nb, "## Exercise"), _position(nb, "## Recap")
    found = {tag: _tagged(nb, tag) for tag in ("exercise", "solution", "check")}
    for tag, positions in found.items():
        assert positions, f"no cell tagged `{tag}`"
        assert all(exercise < p < recap for p in positions), f"`{tag}` cells belong between Exercise and Recap"
        assert all(nb.cells[p].cell_type == "code" for p in positions), f"`{tag}` cells are code cells"
    assert found["exercise"][0] < found["solution"][0] < found["check"][-1]
    assert any("assert" in nb.cells[p].source for p in found["check"]), "a check cell asserts something"


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_solutions_are_collapsed(path: Path):
    nb = _read(path)
    for position in _tagged(nb, "solution"):
        assert nb.cells[position].metadata.get("jupyter", {}).get("source_hidden") is True, \
            f"solution cell {position} should have jupyter.source_hidden = true"


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_lesson_ends_with_navigation(path: Path):
    nb = _read(path)
    assert _tagged(nb, "nav") == [len(nb.cells) - 1], "exactly one `nav` cell, the last one"
    assert "Index of lessons" in nb.cells[-1].source


def test_start_page_holds_the_index_of_every_lesson():
    start = catalogue.NOTEBOOKS / catalogue.INDEX_NOTEBOOK
    nb = _read(start)
    index_cells = _tagged(nb, "lesson-index")
    assert len(index_cells) == 1, "the start page needs one markdown cell tagged `lesson-index`"
    index = nb.cells[index_cells[0]].source
    for path in LESSONS:
        assert f"({_name(path)})" in index, f"{_name(path)} is missing from the index"


@pytest.mark.parametrize("folder", LESSON_FOLDERS, ids=lambda p: p.name)
def test_every_lesson_folder_is_a_paired_lesson_with_the_three_ways(folder: Path):
    sets = " or ".join(", ".join(ways) for ways in catalogue.WAY_SETS)
    assert folder in PAIRED, f"a paired lesson has all three ways of one set: {sets}"


@pytest.mark.parametrize("folder", PAIRED, ids=lambda p: p.name)
def test_paired_notebooks_have_the_same_steps_in_the_same_order(folder: Path):
    reference, *others = PAIRED[folder]
    for way in others:
        assert _steps(_read(way)) == _steps(_read(reference)), f"{way.name}'s steps differ from {reference.name}'s"


@pytest.mark.parametrize("folder", PAIRED, ids=lambda p: p.name)
def test_paired_notebooks_use_the_shared_names(folder: Path):
    for way in PAIRED[folder]:
        code = "\n".join(c.source for c in _read(way).cells if c.cell_type == "code")
        missing = [name for name in SHARED_NAMES if not re.search(rf"\b{name}\s*=", code)]
        assert not missing, f"{way.name} never assigns {', '.join(missing)}"


def test_format_tool_finds_nothing_to_change():
    result = subprocess.run([sys.executable, "-m", "tools.notebooks", "check"],
                            capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 0, "run `python -m tools.notebooks format`:\n" + result.stdout + result.stderr


# --- issue 11: what a learner meets in every notebook ------------------------------------------------

MAX_CODE_LINE = 90  # three notebooks side by side at 1600x900 show about this many characters each
LESSON_PARAMS = [pytest.param(path, id=_name(path)) for path in LESSONS]


def _assigned(source: str) -> set[str]:
    """Every name a cell binds: assignments, functions, classes, loop and `with` targets, imports."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _used(source: str) -> set[str]:
    import ast

    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


@pytest.mark.parametrize("path", LESSON_PARAMS)
def test_running_the_solution_keeps_what_the_learner_wrote(path: Path):
    nb = _read(path)
    exercise = set().union(*(_assigned(nb.cells[p].source) for p in _tagged(nb, "exercise")))
    solution = set().union(*(_assigned(nb.cells[p].source) for p in _tagged(nb, "solution")))
    assert not exercise & solution, f"the solution cell overwrites the learner's {sorted(exercise & solution)}"


@pytest.mark.parametrize("path", LESSON_PARAMS)
def test_the_check_runs_the_learners_work_and_falls_back_to_the_solution(path: Path):
    nb = _read(path)
    check = set().union(*(_used(nb.cells[p].source) for p in _tagged(nb, "check")))
    exercise = set().union(*(_assigned(nb.cells[p].source) for p in _tagged(nb, "exercise")))
    solution = set().union(*(_assigned(nb.cells[p].source) for p in _tagged(nb, "solution")))
    assert check & (exercise - solution), "the check should run what the learner's cell defines"
    assert check & (solution - exercise), "... and fall back to what only the hidden solution defines"


@pytest.mark.parametrize("path", LESSON_PARAMS)
def test_the_solutions_stored_output_gives_nothing_away(path: Path):
    nb = _read(path)
    for position in _tagged(nb, "solution"):
        assert not nb.cells[position].outputs, f"solution cell {position} should define, not print"


@pytest.mark.parametrize("path", LESSON_PARAMS)
def test_code_lines_fit_three_notebooks_side_by_side(path: Path):
    long = [f"cell {position}: {line[:40]}..." for position, cell in enumerate(_read(path).cells)
            if cell.cell_type == "code" for line in cell.source.splitlines() if len(line) > MAX_CODE_LINE]
    assert not long, f"code lines over {MAX_CODE_LINE} characters:\n" + "\n".join(long)


@pytest.mark.parametrize("folder", PAIRED, ids=lambda p: p.name)
def test_paired_notebooks_have_the_same_headings(folder: Path):
    """Every `##` heading, not only the steps, so that the three columns line up side by side."""
    reference, *others = PAIRED[folder]
    expected = [line for _, line in _headings(_read(reference)) if line.startswith("## ")]
    for way in others:
        headings = [line for _, line in _headings(_read(way)) if line.startswith("## ")]
        assert headings == expected, f"{way.name}'s headings differ from {reference.name}'s"


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_stored_language_info_is_what_the_kernel_writes(path: Path):
    from ipykernel.ipkernel import IPythonKernel

    assert _read(path).metadata["language_info"] == IPythonKernel.language_info, \
        "a notebook opened in JupyterLab would turn modified at once: run `python -m tools.notebooks format`"


@pytest.mark.parametrize("path", LESSONS, ids=_name)
def test_a_widget_shows_a_friendly_line_before_its_cell_runs(path: Path):
    from tools.notebooks import WIDGET_FALLBACK, WIDGET_VIEW

    for cell in _read(path).cells:
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                assert output["data"]["text/plain"] == WIDGET_FALLBACK
