"""Keep the lessons uniform: notebook metadata, previous/index/next links, and the index of lessons.
Everything is derived from the notebook files present, so a new lesson joins the index and the links by existing.

    python -m tools.notebooks format    # rewrite whatever differs (metadata, navigation, indexes)
    python -m tools.notebooks check     # list what `format` would change; exit status 1 if anything
    python -m tools.notebooks format notebooks/02_side_by_side.ipynb   # only these files
    python -m tools.notebooks execute [FILES]   # run top to bottom in a fresh kernel, save outputs, format

Which lessons exist, and in what order, is `tools.catalogue`'s answer; this tool only writes what follows from it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import nbformat
from ipykernel.ipkernel import IPythonKernel

from tools.catalogue import (
    INDEX_NOTEBOOK,
    LESSON_INDEX_MARKERS,
    NOTEBOOKS,
    README,
    REPO_ROOT,
    folder_label,
    lesson_paths,
    replace_between_markers,
    title,
)

INDEX_HEADING = "Map of the collection"  # the heading above the index in the start page

NAV_TAG, INDEX_TAG, SOLUTION_TAG = "nav", "lesson-index", "solution"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}  # as ipykernel names it
# The kernel writes its language_info (Python's version included) into a notebook as soon as it starts;
# storing exactly that keeps a notebook from turning "modified" the moment it opens (ipykernel's own value).
LANGUAGE_INFO = dict(IPythonKernel.language_info)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# What a widget's output shows where no kernel has drawn it yet (a static viewer, JupyterLab before Run).
WIDGET_FALLBACK = "(An interactive page: run this cell in JupyterLab to use it.)"
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime")  # run timestamps written by nbclient and extensions


# --- links between lessons ------------------------------------------------------------------------

def _without_number(text: str) -> str:
    return re.sub(r"^\d+\s*·\s*", "", text)


def _link(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


# --- what the tool writes -------------------------------------------------------------------------

def lesson_index(lessons: dict[Path, str], start: Path) -> str:
    """A markdown list of every lesson, links relative to the folder `start`; paired lessons nest."""
    lines: list[str] = []
    folder: Path | None = None
    for path, text in lessons.items():
        if path.parent == NOTEBOOKS:
            folder = None
            lines.append(f"- [{text}]({_link(path, start)})")
            continue
        if path.parent != folder:
            folder = path.parent
            lines.append(f"- {folder_label(folder)}")
        lines.append(f"  - [{_without_number(text)}]({_link(path, start)})")
    return "\n".join(lines)


def navigation(path: Path, lessons: dict[Path, str]) -> str:
    """Previous / index / next, as one line under a rule."""
    order = list(lessons)
    position = order.index(path)
    index = NOTEBOOKS / INDEX_NOTEBOOK
    anchor = "#" + INDEX_HEADING.replace(" ", "-")
    parts = []
    if position > 0:
        previous = order[position - 1]
        parts.append(f"[← {lessons[previous]}]({_link(previous, path.parent)})")
    index_target = anchor if path == index else _link(index, path.parent) + anchor
    parts.append(f"[Index of lessons]({index_target})")
    if position < len(order) - 1:
        following = order[position + 1]
        parts.append(f"[{lessons[following]} →]({_link(following, path.parent)})")
    return "---\n" + " | ".join(parts)


def _has_tag(cell: nbformat.NotebookNode, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", [])


def normalise(nb: nbformat.NotebookNode, path: Path, lessons: dict[Path, str]) -> nbformat.NotebookNode:
    """Uniform metadata, hidden solutions, the lesson index where tagged, and a fresh navigation cell."""
    uses_widgets = any(WIDGET_VIEW in output.get("data", {})
                       for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs)
    metadata = {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO}
    if uses_widgets and "widgets" in nb.metadata:
        metadata["widgets"] = nb.metadata["widgets"]  # the saved state lets the widgets render without a kernel
    nb.metadata = nbformat.from_dict(metadata)
    nb.nbformat, nb.nbformat_minor = 4, 5

    cells = [cell for cell in nb.cells if not _has_tag(cell, NAV_TAG)]
    for cell in cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output["data"]["text/plain"] = WIDGET_FALLBACK
        if _has_tag(cell, SOLUTION_TAG):
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        if _has_tag(cell, INDEX_TAG):
            cell.source = f"## {INDEX_HEADING}\n\n{lesson_index(lessons, path.parent)}"
    nav = nbformat.v4.new_markdown_cell(navigation(path, lessons), metadata={"tags": [NAV_TAG]})
    nav.id = "nav"
    nb.cells = [*cells, nav]
    return nb


def _as_text(nb: nbformat.NotebookNode) -> str:
    text: str = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def readme_text(text: str, lessons: dict[Path, str]) -> str:
    """README.md with the index between the lesson markers replaced; ValueError when the markers are missing."""
    return replace_between_markers(text, *LESSON_INDEX_MARKERS, "\n" + lesson_index(lessons, REPO_ROOT) + "\n")


def planned_changes() -> dict[Path, str]:
    """Each file whose text `format` would change, with its new text."""
    paths = lesson_paths()
    notebooks = {path: nbformat.read(path, as_version=4) for path in paths}
    lessons = {path: title(nb) for path, nb in notebooks.items()}
    changes: dict[Path, str] = {}
    for path, nb in notebooks.items():
        new = _as_text(normalise(nb, path, lessons))
        if new != path.read_text(encoding="utf-8"):
            changes[path] = new
    if README.exists():
        old = README.read_text(encoding="utf-8")
        new = readme_text(old, lessons)
        if new != old:
            changes[README] = new
    return changes


def execute(path: Path, save: bool = True) -> None:
    """Run a notebook top to bottom in a fresh kernel, from its own folder, as nbval will; save the outputs
    (or not: `run` only makes the calls, e.g. for the mock to record them, README "Record once")."""
    from nbclient import NotebookClient  # only this command needs it

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    if save:
        nbformat.write(nb, path)
    print(f"{'executed' if save else 'ran'} {path.relative_to(REPO_ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["format", "check", "execute", "run"])
    parser.add_argument("files", nargs="*", type=Path, help="only these files (default: every lesson and README.md)")
    args = parser.parse_args(argv)
    command, only = args.command, {path.resolve() for path in args.files}
    if command == "run":  # the calls only: nothing is written
        for path in [p for p in lesson_paths() if not only or p in only]:
            execute(path, save=False)
        return 0
    if command == "execute":
        for path in [p for p in lesson_paths() if not only or p in only]:
            execute(path)
        command = "format"
    try:
        planned = planned_changes()
    except ValueError as problem:  # README.md lost its lesson markers
        print(f"notebooks: {README.name}: {problem}", file=sys.stderr)
        return 2
    changes = {path: text for path, text in planned.items() if not only or path in only}
    for path, text in changes.items():
        name = path.relative_to(REPO_ROOT)
        if command == "format":
            path.write_text(text, encoding="utf-8")
            print(f"formatted {name}")
        else:
            print(f"would change {name}")
    if command == "check" and changes:
        print("Run `python -m tools.notebooks format` (or `make format`).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
