"""Which lessons exist, in reading order; which folders are paired lessons and their ways; titles; README markers.
The one home for "what lessons exist": the notebook tool, the Binder links and any later site all read it here.

Everything is derived from the files present, so a new lesson joins the catalogue by existing:

    notebooks/00_start_here.ipynb              a single lesson, read in the order of its name
    notebooks/01_chat_completion/urllib.ipynb  a paired lesson: one folder, the same call made several ways

Standard library only (nbformat is named for type hints alone), so `tools.binder_urls` runs on a bare `python3`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbformat import NotebookNode

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO_ROOT / "notebooks"
README = REPO_ROOT / "README.md"
INDEX_NOTEBOOK = "00_start_here.ipynb"  # the start page, which holds the index of every lesson

# The ways a paired lesson makes its call, in the order a reader meets them: from the raw socket (way zero)
# to the SDK. A folder is a paired lesson when it holds one of the sets of three ways: the HTTP libraries
# (with a socket way as well, optionally), or for a WebSocket, which the standard library has no client
# for, the socket, the `websockets` package and the SDK (lesson 16).
WAYS = ("socket", "urllib", "requests", "websockets", "openai_sdk")
WAY_SETS = (("urllib", "requests", "openai_sdk"), ("socket", "websockets", "openai_sdk"))
REQUIRED_WAYS = WAY_SETS[0]  # the set of every lesson but the WebSocket one
WAY_LABELS = {"socket": "socket", "urllib": "urllib", "requests": "requests", "websockets": "websockets",
              "openai_sdk": "openai SDK"}  # as shown


# --- which lessons exist, in reading order --------------------------------------------------------

def _order_in_folder(path: Path) -> tuple[int, str]:
    """The ways first, in their order; any other notebook in the folder after them, by name."""
    rank = WAYS.index(path.stem) if path.stem in WAYS else len(WAYS)
    return rank, path.name


def _entries(notebooks: Path) -> list[Path]:
    """The top level of the lessons folder by name, without hidden or private entries (checkpoints, `_drafts`)."""
    if not notebooks.is_dir():
        return []
    return sorted(p for p in notebooks.iterdir() if not p.name.startswith((".", "_")))


def lesson_paths(notebooks: Path = NOTEBOOKS) -> list[Path]:
    """Every lesson in reading order: the top level by name; inside a folder, the ways, then the rest."""
    lessons: list[Path] = []
    for entry in _entries(notebooks):
        if entry.suffix == ".ipynb":
            lessons.append(entry)
        elif entry.is_dir():
            lessons += sorted(entry.glob("*.ipynb"), key=_order_in_folder)
    return lessons


# --- paired lessons and their ways ----------------------------------------------------------------

def ways(folder: Path) -> list[Path]:
    """The way notebooks present in a lesson folder, in the order of WAYS."""
    return [folder / f"{way}.ipynb" for way in WAYS if (folder / f"{way}.ipynb").is_file()]


def way_set(folder: Path) -> tuple[str, ...] | None:
    """The set of three ways a lesson folder holds (the first of WAY_SETS that it holds whole), or None."""
    for needed in WAY_SETS:
        if all((folder / f"{way}.ipynb").is_file() for way in needed):
            return needed
    return None


def paired_lessons(notebooks: Path = NOTEBOOKS) -> dict[Path, list[Path]]:
    """Each paired lesson's folder, in reading order, with its way notebooks in the order of WAYS."""
    return {folder: ways(folder) for folder in _entries(notebooks) if folder.is_dir() and way_set(folder)}


# --- what a lesson is called ----------------------------------------------------------------------

def title(nb: NotebookNode) -> str:
    """The text of the notebook's first `# ` heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source: str = cell.source
            for line in source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "(untitled)"


def folder_label(folder: Path) -> str:
    """`01_chat_completion` -> `01 · Chat completion`; a folder without a number keeps its name."""
    number, _, words = folder.name.partition("_")
    return f"{number} · {words.replace('_', ' ').capitalize()}" if number.isdigit() else folder.name


# --- generated text inside README.md --------------------------------------------------------------

def markers(name: str) -> tuple[str, str]:
    """The HTML comments around a generated part of README.md: `<!-- name:start -->`, `<!-- name:end -->`."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


LESSON_INDEX_MARKERS = markers("lessons")  # the list of lessons, written by `tools.notebooks`
BINDER_BADGE_MARKERS = markers("binder")  # the Binder badge, written by `tools.binder_urls readme`


def replace_between_markers(text: str, start: str, end: str, new: str) -> str:
    """The text with everything between the two markers replaced by `new`; the markers themselves stay.

    Raises ValueError when either marker is missing: a tool should never guess where its text belongs.
    """
    begin = text.find(start)
    finish = text.find(end, begin + len(start)) if begin >= 0 else -1
    if finish < 0:
        raise ValueError(f"no {start} ... {end} markers, in that order")
    return text[: begin + len(start)] + new + text[finish:]
