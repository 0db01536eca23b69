"""The collection as a static website: every notebook a page with its stored outputs, a start page from 00's map,
and for each paired lesson a side-by-side page that shows its ways next to each other, step by step.

    python -m tools.site                     # write the sources into build/site-src, then Sphinx -> build/site
    python -m tools.site --remote URL        # Binder links for a remote other than origin's

Nothing is executed and nothing is fetched: the outputs are the ones nbval checks, Sphinx runs with warnings as
errors, and a paired lesson whose step headings stop lining up stops the build with a message saying where.
Which lessons exist is `tools.catalogue`'s answer; the Binder links are `tools.binder_urls`'s.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools import binder_urls, catalogue
from tools.catalogue import NOTEBOOKS, REPO_ROOT
from tools.notebooks import WIDGET_VIEW, lesson_index

SITE_CONF = REPO_ROOT / "site"  # conf.py, templates, the stylesheet
SOURCE = REPO_ROOT / "build" / "site-src"  # generated: never edit, never commit
OUTPUT = REPO_ROOT / "build" / "site"
SIDE_BY_SIDE = "side_by_side"  # the side-by-side page's name inside a paired lesson's folder
GUIDE = REPO_ROOT / "docs" / "instructors.md"  # the instructors' guide: a file of the repository and a page of the site
BINDER_LINKS = "binder-links.json"  # docname -> Binder URL, read by site/conf.py
STEP = re.compile(r"^## Step \d+: .+$")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # colour codes in tracebacks
WIDGET_STILL = (
    '<div class="widget-still"><p><strong>An interactive widget stands here.</strong> It needs a running '
    "Python kernel, which a static page does not have, so the site cannot show it working. Open this notebook "
    "in JupyterLab to use it: <code>make lab</code> in a clone, or Binder where the page has its button.</p>"
    "<p>The code cells around it and their stored outputs show what it does.</p></div>"
)
NO_SUMMARY = "A picture stored in the notebook; its cell prints no summary of it."


class StepsDoNotLineUp(ValueError):
    """A paired lesson's ways no longer have the same `## Step N: ...` headings in the same order."""


def jupyter_anchor(heading: str) -> str:
    """A heading's anchor as JupyterLab makes it, which is how the notebooks link: spaces become dashes."""
    return heading.strip().replace(" ", "-")


# --- a notebook cut into its sections -------------------------------------------------------------

@dataclass
class Section:
    heading: str  # the `## ...` line
    prose: str  # the rest of the heading's cell
    cells: list[nbformat.NotebookNode]  # the cells after it, up to the next heading


def sections(nb: nbformat.NotebookNode) -> list[Section]:
    """The notebook's `## ` sections in order; a section starts at a markdown cell whose first line is `## `."""
    found: list[Section] = []
    for cell in nb.cells:
        first, _, rest = cell.source.partition("\n")
        if cell.cell_type == "markdown" and first.startswith("## "):
            found.append(Section(first.strip(), rest.strip(), []))
        elif found:
            found[-1].cells.append(cell)
    return found


def lined_up_steps(way_paths: list[Path]) -> list[list[Section]]:
    """For each step, the ways' sections of it, in the ways' order; StepsDoNotLineUp names the first mismatch."""
    first, *others = way_paths
    steps = {path: [s for s in sections(_read(path)) if STEP.match(s.heading)] for path in way_paths}
    expected = [s.heading for s in steps[first]]
    for path in others:
        found = [s.heading for s in steps[path]]
        mismatch = next((i for i, pair in enumerate(zip(expected, found, strict=False)) if pair[0] != pair[1]), None)
        if mismatch is not None:
            detail = f"step {mismatch + 1} is {expected[mismatch]!r} in {first.name} but {found[mismatch]!r} here"
        elif len(found) != len(expected):
            detail = f"it has {len(found)} steps and {first.name} has {len(expected)}"
        else:
            continue
        raise StepsDoNotLineUp(
            f"{_shown(path)}: its step headings no longer line up with {first.name}'s: {detail}. The ways of a "
            "paired lesson keep the same `## Step N: ...` headings in the same order (CONTRIBUTING.md, Notebook "
            "conventions), which is what lets the site show them side by side."
        )
    return [[steps[path][i] for path in way_paths] for i in range(len(expected))]


def _read(path: Path) -> nbformat.NotebookNode:
    nb: nbformat.NotebookNode = nbformat.read(path, as_version=4)
    return nb


def _shown(path: Path) -> str:
    """A path as a reader would type it: relative to the repository when it is inside it."""
    return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path)


# --- MyST text for a cell and its stored outputs --------------------------------------------------

def fence(text: str, info: str, options: str = "") -> str:
    """A backtick fence around text, longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{options}{text.rstrip()}\n{ticks}"


def picture_summary(cell: nbformat.NotebookNode) -> str:
    """A picture's text alternative: the lines its cell printed (the charts of helpers.charts print one line per
    row they draw), joined by semicolons. Without it docutils falls back to the image's file path, which says
    nothing; a cell that prints nothing gets a sentence saying so, and tests/site/test_site.py refuses that."""
    printed = "".join(output.text for output in cell.get("outputs", [])
                      if output.output_type == "stream" and output.name == "stdout")
    lines = [line.strip() for line in printed.splitlines() if line.strip()]
    return "; ".join(lines) or NO_SUMMARY


def output_text(output: nbformat.NotebookNode, images: dict[str, bytes], stem: str, alt: str = NO_SUMMARY) -> str:
    """One stored output as MyST: text in a block, HTML as raw HTML, a PNG as an image file with `alt` as its text
    alternative, a widget as a still."""
    if output.output_type == "stream":
        return fence(output.text, "{code-block} text", f":class: sbs-output sbs-{output.name}\n\n")
    if output.output_type == "error":
        return fence(ANSI.sub("", "\n".join(output.traceback)), "{code-block} text", ":class: sbs-output\n\n")
    data = output.get("data", {})
    if WIDGET_VIEW in data:
        return fence(WIDGET_STILL, "{raw} html")
    if "text/html" in data:
        return fence(data["text/html"], "{raw} html")
    if "image/png" in data:
        name = f"{stem}-{len(images) + 1}.png"
        images[name] = base64.b64decode(data["image/png"])
        return f"```{{image}} {name}\n:alt: {alt}\n```"
    if "text/plain" in data:
        return fence(data["text/plain"], "{code-block} text", ":class: sbs-output\n\n")
    return ""


def cell_text(cell: nbformat.NotebookNode, images: dict[str, bytes], stem: str) -> str:
    """A markdown cell's text (headings made bold: a tab holds no sections), or a code cell and its outputs."""
    if cell.cell_type == "markdown":
        return re.sub(r"^#+ (.+)$", r"**\1**", cell.source, flags=re.MULTILINE)
    if cell.cell_type != "code":
        return ""
    parts = [fence(cell.source, "ipython3")] if cell.source.strip() else []
    if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
        parts = [f":::{{dropdown}} Show the hidden code\n{parts[0]}\n:::"] if parts else []
    alt = picture_summary(cell)
    parts += [text for output in cell.outputs if (text := output_text(output, images, stem, alt))]
    return "\n\n".join(parts)


# --- the pages ------------------------------------------------------------------------------------

def side_by_side_page(folder: Path, way_paths: list[Path], images: dict[str, bytes]) -> str:
    """A paired lesson's steps, each with its ways as synchronized tabs (columns on a wide screen, by CSS)."""
    label = catalogue.folder_label(folder)
    ways = [path.stem for path in way_paths]
    links = [f"[{catalogue.WAY_LABELS.get(way, way)}]({way}.ipynb)" for way in ways]
    named = ", ".join(links[:-1]) + f" and {links[-1]}"
    extra = [
        f"*{section.heading.removeprefix('## ')}* ({catalogue.WAY_LABELS.get(path.stem, path.stem)})"
        for path in way_paths
        for section in sections(_read(path))
        if section.heading.startswith("## ") and not STEP.match(section.heading)
        and section.heading not in ("## What you will learn", "## Prerequisites", "## Exercise", "## Recap")
    ]
    lines = [
        "---",
        "html_theme.sidebar_secondary.remove: true",
        "---",
        f"# {label}: the ways side by side",
        "",
        f"Every step of this lesson as {named} make it, with the outputs stored in each notebook. On a wide "
        "screen the ways stand in columns; on a narrow one they are tabs, and choosing a way in one step "
        "chooses it in every step. What you will learn, the exercise and the recap are on each way's own page.",
    ]
    if extra:
        lines += ["", "Sections outside the steps are on their way's own page: " + "; ".join(extra) + "."]
    lines += ["", "```{toctree}", ":hidden:", "", *ways, "```"]
    for number, step in enumerate(lined_up_steps(way_paths), start=1):
        lines += ["", step[0].heading]
        shared = len({section.prose for section in step}) == 1  # the same words in every way: say them once
        if shared and step[0].prose:
            lines += ["", step[0].prose]
        lines += ["", "::::{tab-set}", ":sync-group: way", ":class: sbs-step", ""]
        for way, section in zip(ways, step, strict=True):
            body = [] if shared or not section.prose else [section.prose]
            body += [text for cell in section.cells if (text := cell_text(cell, images, f"{way}-step{number}"))]
            body = body or ["*(Nothing more in this way.)*"]  # a tab needs content, and says so when it has none
            label = catalogue.WAY_LABELS.get(way, way)
            lines += [f":::{{tab-item}} {label}", f":sync: {way}", "", "\n\n".join(body), ":::", ""]
        lines += ["::::"]
    return "\n".join(lines) + "\n"


def readme_intro() -> str:
    """README.md's opening paragraphs: everything between its title and its first marker or section."""
    text = catalogue.README.read_text(encoding="utf-8") if catalogue.README.is_file() else ""
    body = text.partition("\n")[2]
    return re.split(r"^(?:<!--|## )", body, maxsplit=1, flags=re.MULTILINE)[0].strip()


def start_page(notebooks: Path, lessons: list[Path], paired: dict[Path, list[Path]], *, binder: bool) -> str:
    """The site's front page: the README's opening, the map of 00 (with the side-by-side pages), the toctree."""
    root = notebooks.parent
    index = lesson_index({path: catalogue.title(_read(path)) for path in lessons}, root)
    for folder in paired:
        heading = f"- {catalogue.folder_label(folder)}"
        page = (folder / f"{SIDE_BY_SIDE}.md").relative_to(root).as_posix()
        index = index.replace(f"{heading}\n", f"{heading}: [the ways side by side]({page})\n", 1)
    toctree: list[str] = []
    for path in lessons:
        if path.parent in paired:
            entry = (path.parent / SIDE_BY_SIDE).relative_to(root).as_posix()  # the ways are its children
        else:
            entry = path.relative_to(root).with_suffix("").as_posix()
        if entry not in toctree:
            toctree.append(entry)
    return "\n".join([
        "# LLM Calls, Three Ways",
        "",
        readme_intro(),
        "",
        "This site shows every lesson with the outputs stored in its notebook, the ones the tests check; "
        "nothing here runs. To run the cells, "
        + ("open a page in JupyterLab on Binder (the button at the top of each page) or " if binder else "")
        + "clone the repository and run `make lab`.",
        "",
        "Teaching from these lessons? See [the instructors' guide](docs/instructors.md).",
        "",
        "## Map of the collection",
        "",
        index,
        "",
        "```{toctree}",
        ":hidden:",
        "",
        *toctree,
        "docs/instructors",
        "```",
        "",
    ])


def site_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as the site shows it: hidden solutions collapsed, widgets replaced by a still, pictures with
    the cell's printed summary as their text alternative."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if any("image/png" in output.get("data", {}) for output in cell.outputs):
            cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = picture_summary(cell)
        if cell.metadata.get("jupyter", {}).get("source_hidden"):
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")  # myst-nb's name for a collapsed input
        for output in cell.outputs:
            if WIDGET_VIEW in output.get("data", {}):
                output.data = nbformat.from_dict({"text/html": WIDGET_STILL})
    nb.metadata.pop("widgets", None)  # its state would make myst-nb load the widget manager from a CDN
    return nb


def binder_links(notebooks: Path, lessons: list[Path], paired: dict[Path, list[Path]],
                 remote: binder_urls.Remote | None) -> dict[str, str]:
    """Each page's Binder link, by Sphinx docname: a notebook opens itself, a side-by-side page its workspace."""
    if remote is None:
        return {}
    root = notebooks.parent
    links = {"index": remote.launch_url(binder_urls.notebook_urlpath(binder_urls.START_PAGE))}
    for path in lessons:
        notebook = path.relative_to(root).as_posix()
        links[notebook.removesuffix(".ipynb")] = remote.launch_url(binder_urls.notebook_urlpath(notebook))
    for folder in paired:
        page = (folder / SIDE_BY_SIDE).relative_to(root).as_posix()
        links[page] = remote.launch_url(binder_urls.workspace_urlpath(folder.name))
    return links


def lesson_files(notebooks: Path) -> list[Path]:
    """The files beside the lessons that a page may link to, without caches and without other Sphinx sources
    (a stray .md would be a page outside the contents, which the strict build refuses)."""
    return sorted(
        path for path in notebooks.rglob("*")
        if path.is_file() and path.suffix not in (".ipynb", ".md", ".rst")
        and not any(part.startswith(".") or part == "__pycache__" for part in path.relative_to(notebooks).parts)
    )


def site_sources(notebooks: Path = NOTEBOOKS, remote: binder_urls.Remote | None = None) -> dict[str, bytes]:
    """Every file of the site's source tree, by path relative to it; the tree mirrors the repository's."""
    lessons = catalogue.lesson_paths(notebooks)
    paired = catalogue.paired_lessons(notebooks)
    root = notebooks.parent
    files: dict[str, bytes] = {}
    for path in lessons:
        files[path.relative_to(root).as_posix()] = nbformat.writes(site_notebook(_read(path))).encode()
    for folder, way_paths in paired.items():
        images: dict[str, bytes] = {}
        page = side_by_side_page(folder, way_paths, images)
        files[(folder / f"{SIDE_BY_SIDE}.md").relative_to(root).as_posix()] = page.encode()
        for name, data in images.items():
            files[(folder / name).relative_to(root).as_posix()] = data
    for path in lesson_files(notebooks):  # what the lessons link to or show: example code, images
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    files[GUIDE.relative_to(REPO_ROOT).as_posix()] = GUIDE.read_bytes()
    links = binder_links(notebooks, lessons, paired, remote)
    files["index.md"] = start_page(notebooks, lessons, paired, binder=bool(links)).encode()
    files[BINDER_LINKS] = (json.dumps(links, indent=2, sort_keys=True) + "\n").encode()
    return files


def write_sources(files: dict[str, bytes], source: Path = SOURCE) -> None:
    """Make the source folder hold exactly these files; unchanged files keep their time, so Sphinx skips them."""
    source.mkdir(parents=True, exist_ok=True)
    for stale in sorted(source.rglob("*"), reverse=True):
        name = stale.relative_to(source).as_posix()
        if stale.is_file() and name not in files:
            stale.unlink()
        elif stale.is_dir() and not any(stale.iterdir()):
            stale.rmdir()
    for name, data in files.items():
        target = source / name
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def run_sphinx(source: Path = SOURCE, output: Path = OUTPUT, *, fresh: bool = False) -> int:
    """Sphinx's HTML build, warnings as errors (all of them reported, then the build fails); its exit status."""
    from sphinx.cmd.build import build_main  # only the build needs the site's requirements

    if fresh:
        shutil.rmtree(output, ignore_errors=True)
    status: int = build_main(["-b", "html", "-W", "--keep-going", "-q", "-c", str(SITE_CONF), str(source),
                              str(output)])
    return status


def build(notebooks: Path = NOTEBOOKS, source: Path = SOURCE, output: Path = OUTPUT, *,
          remote: binder_urls.Remote | None = None, fresh: bool = False) -> int:
    """Write the sources from the notebooks, then build the HTML; 0 when the site is whole."""
    write_sources(site_sources(notebooks, remote), source)
    return run_sphinx(source, output, fresh=fresh)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--remote", help="a git remote URL for the Binder links, instead of origin's")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help=f"default: {_shown(NOTEBOOKS)}")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {_shown(OUTPUT)}")
    parser.add_argument("--fresh", action="store_true", help="rebuild every page, not only the changed ones")
    args = parser.parse_args(argv)
    try:
        remote: binder_urls.Remote | None = binder_urls.parse_remote(args.remote or binder_urls.origin_url())
    except binder_urls.NoPublicRemote as problem:
        print(f"site: no Binder links on the pages: {problem}", file=sys.stderr)
        remote = None
    try:
        status = build(args.notebooks.resolve(), output=args.output, remote=remote, fresh=args.fresh)
    except StepsDoNotLineUp as problem:
        print(f"site: {problem}", file=sys.stderr)
        return 2
    if status == 0:
        print(f"site: built {_shown(args.output)}/index.html")
    return status


if __name__ == "__main__":
    sys.exit(main())
