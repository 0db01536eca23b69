"""tools.catalogue: which lessons exist and in what order, each paired lesson's ways, and the README markers.
Built on a temporary folder of empty notebooks, so the rules are pinned whatever lessons the repository holds."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools import catalogue


def _lessons(root: Path, *names: str) -> Path:
    """A lessons folder holding an empty notebook at each relative path."""
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbformat.v4.new_notebook(), path)
    return root


def _names(paths: list[Path], root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in paths]


def test_lessons_are_read_by_name_with_a_folder_in_its_place(tmp_path: Path):
    root = _lessons(tmp_path, "02_side.ipynb", "00_start.ipynb", "01_call/urllib.ipynb", "03_last.ipynb")
    assert _names(catalogue.lesson_paths(root), root) == [
        "00_start.ipynb", "01_call/urllib.ipynb", "02_side.ipynb", "03_last.ipynb"]


def test_hidden_and_private_entries_are_not_lessons(tmp_path: Path):
    root = _lessons(tmp_path, "00_start.ipynb", ".ipynb_checkpoints/00_start-checkpoint.ipynb", "_drafts/x.ipynb")
    assert _names(catalogue.lesson_paths(root), root) == ["00_start.ipynb"]


def test_a_paired_lessons_ways_come_urllib_requests_openai_sdk_then_any_other_notebook(tmp_path: Path):
    root = _lessons(tmp_path, "01_call/notes.ipynb", "01_call/openai_sdk.ipynb", "01_call/requests.ipynb",
                    "01_call/urllib.ipynb")
    assert _names(catalogue.lesson_paths(root), root) == [
        "01_call/urllib.ipynb", "01_call/requests.ipynb", "01_call/openai_sdk.ipynb", "01_call/notes.ipynb"]
    assert {folder.name: [way.stem for way in ways] for folder, ways in catalogue.paired_lessons(root).items()} == {
        "01_call": ["urllib", "requests", "openai_sdk"]}


def test_a_socket_notebook_is_way_zero_before_urllib(tmp_path: Path):
    root = _lessons(tmp_path, *(f"01_call/{way}.ipynb" for way in ("openai_sdk", "urllib", "socket", "requests")))
    assert [way.stem for way in catalogue.paired_lessons(root)[root / "01_call"]] == [
        "socket", "urllib", "requests", "openai_sdk"]
    assert [path.stem for path in catalogue.lesson_paths(root)] == ["socket", "urllib", "requests", "openai_sdk"]


def test_a_websocket_lessons_ways_are_socket_websockets_openai_sdk(tmp_path: Path):
    root = _lessons(tmp_path, *(f"16_ws/{way}.ipynb" for way in ("openai_sdk", "websockets", "socket")))
    assert [way.stem for way in catalogue.paired_lessons(root)[root / "16_ws"]] == [
        "socket", "websockets", "openai_sdk"]
    assert catalogue.way_set(root / "16_ws") == ("socket", "websockets", "openai_sdk")


def test_a_socket_and_websockets_without_the_sdk_is_not_a_paired_lesson(tmp_path: Path):
    root = _lessons(tmp_path, "16_ws/socket.ipynb", "16_ws/websockets.ipynb", "17_x/socket.ipynb",
                    "17_x/urllib.ipynb", "17_x/openai_sdk.ipynb")
    assert catalogue.paired_lessons(root) == {}


def test_a_folder_missing_one_of_the_three_ways_is_not_a_paired_lesson(tmp_path: Path):
    root = _lessons(tmp_path, "01_call/urllib.ipynb", "01_call/requests.ipynb", "02_all/urllib.ipynb",
                    "02_all/requests.ipynb", "02_all/openai_sdk.ipynb")
    assert [folder.name for folder in catalogue.paired_lessons(root)] == ["02_all"]


def test_the_title_is_the_first_level_one_heading():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("# a comment, not a heading"),
        nbformat.v4.new_markdown_cell("Intro\n# 03 · Streaming\n# a later heading"),
    ])
    assert catalogue.title(nb) == "03 · Streaming"
    assert catalogue.title(nbformat.v4.new_notebook()) == "(untitled)"


def test_folder_label_spells_out_a_numbered_folder():
    assert catalogue.folder_label(Path("04_errors_and_retries")) == "04 · Errors and retries"
    assert catalogue.folder_label(Path("extras")) == "extras"


def test_only_the_text_between_the_markers_is_replaced():
    start, end = catalogue.markers("lessons")
    text = f"# Title\n{start}\nold\n{end}\nold stays here\n"
    new = catalogue.replace_between_markers(text, start, end, "\nNEW\n")
    assert new == f"# Title\n{start}\nNEW\n{end}\nold stays here\n"
    assert catalogue.replace_between_markers(new, start, end, "\nNEW\n") == new


@pytest.mark.parametrize("text", ["# Title\n", "<!-- lessons:start -->only the start\n",
                                  "<!-- lessons:end --> before <!-- lessons:start -->\n"])
def test_a_missing_marker_is_an_error_that_names_the_markers(text: str):
    with pytest.raises(ValueError, match=re.escape("<!-- lessons:start --> ... <!-- lessons:end -->")):
        catalogue.replace_between_markers(text, *catalogue.markers("lessons"), "NEW")
