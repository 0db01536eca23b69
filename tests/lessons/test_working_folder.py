"""The learner's copy of the lessons (`make lab` copies notebooks/ to my-notebooks/, `make reset` again) is the
learner's alone: git, pytest, ruff, the catalogue, the site, `make format` and the side-by-side layouts ignore it.
Proved with a copy made here that would trip each of them: a notebook whose cell fails under nbval, a test file
that fails, Python that ruff refuses, and a lesson folder the catalogue would otherwise list."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from tools import binder_urls, catalogue, notebooks

REPO_ROOT = catalogue.REPO_ROOT
WORK = REPO_ROOT / "my-notebooks"


def _makefile_work_folder() -> str:
    line = next(line for line in (REPO_ROOT / "Makefile").read_text().splitlines() if line.startswith("WORK :="))
    return line.partition(":=")[2].strip()


@pytest.fixture
def learners_copy() -> Iterator[Path]:
    """A learner's copy with a changed notebook and files that fail every check; removed afterwards, and never
    touched when a real one is there (a learner's work is not a test fixture)."""
    if WORK.exists():
        pytest.skip("my-notebooks/ exists here (a learner's copy): this test makes and removes its own")
    try:
        shutil.copytree(catalogue.NOTEBOOKS / "01_chat_completion", WORK / "99_my_lesson")
        for way in catalogue.ways(WORK / "99_my_lesson"):
            nb = nbformat.read(way, as_version=4)
            nb.cells.append(nbformat.v4.new_code_cell("raise SystemExit('a learner was here')"))
            nbformat.write(nb, way)
        (WORK / "test_mine.py").write_text("def test_mine():\n    assert False\n")
        (WORK / "scratch.py").write_text("import os,sys\nx=1;y = 2  \n")
        yield WORK
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


def test_the_makefile_and_the_ignore_files_name_the_same_folder() -> None:
    assert _makefile_work_folder() == WORK.name
    assert f"/{WORK.name}/" in (REPO_ROOT / ".gitignore").read_text().splitlines()


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120)


def test_git_pytest_and_ruff_ignore_the_learners_copy(learners_copy: Path) -> None:
    status = subprocess.run(["git", "status", "--porcelain", "--ignored", learners_copy.name], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True).stdout
    assert status.strip() == f"!! {learners_copy.name}/", status  # ignored, not untracked
    # `pytest .` as someone might type it (the lessons and tests left out here only to keep it quick)
    collected = _run("pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "--ignore=tests",
                     "--ignore=notebooks", ".")
    assert learners_copy.name not in collected.stdout + collected.stderr, collected.stdout
    planted = _run("pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(learners_copy / "test_mine.py"))
    assert "test_mine" in planted.stdout, "the planted test is not a test: this check would prove nothing"
    linted = _run("ruff", "check", "--no-cache", ".")
    assert linted.returncode == 0 and learners_copy.name not in linted.stdout, linted.stdout


def test_catalogue_site_format_and_layouts_ignore_the_learners_copy(learners_copy: Path) -> None:
    lessons = catalogue.lesson_paths()
    assert lessons and not any(path.is_relative_to(learners_copy) for path in lessons)
    assert not any(folder.is_relative_to(learners_copy) for folder in catalogue.paired_lessons())
    assert not any("99_my_lesson" in lesson for lesson in binder_urls.paired_lessons())
    assert not any("my-notebooks" in notebook for notebook in binder_urls.lesson_notebooks())
    assert not any(path.is_relative_to(learners_copy) for path in notebooks.planned_changes())  # make format
