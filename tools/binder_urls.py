"""Binder links for every lesson, derived from this clone's own git remote, and the side-by-side workspaces.
The repository's public home is whatever `origin` points at: no owner or repository name is written down here.

    python -m tools.binder_urls                 # a link per lesson, and per paired lesson's side-by-side layout
    python -m tools.binder_urls readme          # rewrite the badge between the binder markers in README.md
    python -m tools.binder_urls workspaces      # (re)write workspaces/<lesson>.jupyterlab-workspace
    python -m tools.binder_urls --remote URL    # any subcommand, for a remote other than origin's

Standard library only, like `tools.catalogue`, so it runs on a bare `python3` before any virtual environment exists.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from tools import catalogue
from tools.catalogue import REPO_ROOT

NOTEBOOKS = catalogue.NOTEBOOKS.name  # "notebooks": the lessons folder, relative to the root, as Binder spells it
START_PAGE = f"{NOTEBOOKS}/{catalogue.INDEX_NOTEBOOK}"
WORKSPACES = "workspaces"
WORKSPACE_SUFFIX = ".jupyterlab-workspace"
BINDER = "https://mybinder.org/v2"
BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"
DEFAULT_REF = "HEAD"  # mybinder.org resolves HEAD to the repository's default branch


class NoPublicRemote(Exception):
    """The clone has no remote that Binder could build from."""


@dataclass(frozen=True)
class Remote:
    """Where Binder fetches the repository: a provider (gh, gl or git) and that provider's spec."""

    provider: str
    spec: str  # gh: "owner/repo"; gl: "group%2Fsub%2Frepo"; git: the quoted https clone URL

    def launch_url(self, urlpath: str, ref: str = DEFAULT_REF) -> str:
        return f"{BINDER}/{self.provider}/{self.spec}/{quote(ref, safe='')}?urlpath={quote(urlpath, safe='')}"


_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?!//)(?P<path>[^\\]+)$")  # git@host:owner/repo.git


def parse_remote(url: str) -> Remote:
    """The Binder provider and spec for a git remote URL (https, ssh or scp-like ssh)."""
    url = url.strip()
    if not url:
        raise NoPublicRemote("the remote URL is empty")
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http", "ssh", "git", "git+ssh", "ssh+git"):
            raise NoPublicRemote(f"a {parts.scheme}:// remote is not something Binder can fetch: {url}")
        host, path = (parts.hostname or "").lower(), parts.path
    else:
        match = _SCP_LIKE.match(url)
        if not match or "/" not in match["path"]:
            raise NoPublicRemote(f"{url!r} looks like a local path, not a hosted repository")
        host, path = match["host"].lower(), match["path"]
    path = path.strip("/")
    path = path.removesuffix(".git").rstrip("/")
    segments = [segment for segment in path.split("/") if segment]
    if not host or len(segments) < 2:
        raise NoPublicRemote(f"cannot tell the owner and repository from {url!r}")
    if host in ("github.com", "www.github.com"):
        if len(segments) != 2:
            raise NoPublicRemote(f"a GitHub repository is owner/name, not {path!r}")
        return Remote("gh", "/".join(segments))
    if host in ("gitlab.com", "www.gitlab.com"):
        return Remote("gl", quote("/".join(segments), safe=""))
    if url.startswith("https://"):
        # Any other public https host: Binder's generic git provider clones the URL itself (never credentials).
        return Remote("git", quote(f"https://{host}/{'/'.join(segments)}", safe=""))
    raise NoPublicRemote(f"only GitHub, GitLab or https remotes can be turned into Binder links, not {url!r}")


def origin_url(root: Path = REPO_ROOT) -> str:
    result = subprocess.run(["git", "remote", "get-url", "origin"], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise NoPublicRemote(
            "this clone has no 'origin' remote, so there is no public repository to link to.\n"
            "Add one (git remote add origin https://github.com/OWNER/REPO) or pass --remote URL."
        )
    return result.stdout.strip()


def lesson_notebooks(root: Path = REPO_ROOT) -> list[str]:
    """Every lesson notebook in reading order, as a path relative to the repository root."""
    return [path.relative_to(root).as_posix() for path in catalogue.lesson_paths(root / NOTEBOOKS)]


def paired_lessons(root: Path = REPO_ROOT) -> list[str]:
    """The names of the paired lessons' folders, each of which gets a side-by-side layout."""
    return [folder.name for folder in catalogue.paired_lessons(root / NOTEBOOKS)]


def layouts(root: Path = REPO_ROOT) -> dict[str, list[Path]]:
    """Each side-by-side layout's name and its notebooks, in reading order: the three ways of every paired
    lesson's set, and `<lesson>-socket` where it has a socket way. Way zero (a raw socket) gets a layout of
    its own beside the first library of the set (urllib; in the WebSocket lesson, `websockets`), one layer
    apart: four columns would not fit 1600 pixels, and the socket reads best next to the library that hides
    the same steps."""
    found: dict[str, list[Path]] = {}
    for folder in catalogue.paired_lessons(root / NOTEBOOKS):
        three = catalogue.way_set(folder) or catalogue.REQUIRED_WAYS
        found[folder.name] = [folder / f"{way}.ipynb" for way in three]
        if (folder / "socket.ipynb").is_file():
            beside = next(way for way in three if way != "socket")
            found[f"{folder.name}-socket"] = [folder / "socket.ipynb", folder / f"{beside}.ipynb"]
    return found


def workspace_id(lesson: str) -> str:
    return f"{lesson}-side-by-side"


def workspace_urlpath(lesson: str) -> str:
    return f"lab/workspaces/{workspace_id(lesson)}"


def notebook_urlpath(notebook: str) -> str:
    return f"lab/tree/{notebook}"


def side_by_side_workspace(lesson: str, root: Path = REPO_ROOT) -> dict[str, Any]:
    """A JupyterLab 4 workspace: a layout's notebooks in one row (see `layouts`), file browser folded away."""
    notebooks = layouts(root)[lesson]
    widgets = [f"notebook:{path.relative_to(root).as_posix()}" for path in notebooks]
    dock = {
        "type": "split-area",
        "orientation": "horizontal",
        "sizes": [round(1 / len(widgets), 4)] * len(widgets),
        "children": [{"type": "tab-area", "currentIndex": 0, "widgets": [widget]} for widget in widgets],
    }
    data: dict[str, Any] = {
        "layout-restorer:data": {
            "main": {"dock": dock, "current": widgets[0]},
            "left": {"collapsed": True, "visible": True, "widgets": ["filebrowser"]},
            "right": {"collapsed": True, "visible": True, "widgets": []},
        }
    }
    for widget in widgets:
        data[widget] = {"data": {"path": widget.removeprefix("notebook:"), "factory": "Notebook"}}
    return {"data": data, "metadata": {"id": workspace_id(lesson)}}


def workspace_text(lesson: str, root: Path = REPO_ROOT) -> str:
    return json.dumps(side_by_side_workspace(lesson, root), indent=2) + "\n"


def write_workspaces(root: Path = REPO_ROOT) -> list[Path]:
    folder = root / WORKSPACES
    folder.mkdir(exist_ok=True)
    written = []
    for lesson in layouts(root):
        path = folder / f"{lesson}{WORKSPACE_SUFFIX}"
        path.write_text(workspace_text(lesson, root), encoding="utf-8")
        written.append(path)
    return written


def link_lines(remote: Remote, ref: str = DEFAULT_REF, root: Path = REPO_ROOT) -> list[str]:
    lines = [f"{notebook}  {remote.launch_url(notebook_urlpath(notebook), ref)}" for notebook in lesson_notebooks(root)]
    lines += [
        f"{NOTEBOOKS}/{lesson}/ side by side  {remote.launch_url(workspace_urlpath(lesson), ref)}"
        for lesson in layouts(root)
    ]
    return lines


def badge_markdown(remote: Remote, ref: str = DEFAULT_REF) -> str:
    return f"[![Binder]({BADGE_IMAGE})]({remote.launch_url(notebook_urlpath(START_PAGE), ref)})"


def rewrite_readme(text: str, badge: str) -> str:
    """README text with everything between the binder markers replaced by the badge; ValueError without them."""
    return catalogue.replace_between_markers(text, *catalogue.BINDER_BADGE_MARKERS, badge)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="links", choices=["links", "readme", "workspaces"])
    parser.add_argument("--remote", help="a git remote URL to use instead of origin's")
    parser.add_argument("--ref", default=DEFAULT_REF, help="branch, tag or commit (default: the default branch)")
    args = parser.parse_args(argv)

    if args.command == "workspaces":
        for path in write_workspaces():
            print(f"wrote {path.relative_to(REPO_ROOT)}")
        return 0
    try:
        remote = parse_remote(args.remote if args.remote else origin_url())
    except NoPublicRemote as problem:
        print(f"binder_urls: no Binder links: {problem}", file=sys.stderr)
        return 2
    if args.command == "links":
        print("\n".join(link_lines(remote, args.ref)))
        return 0
    readme = catalogue.README
    try:
        old = readme.read_text(encoding="utf-8")
        new = rewrite_readme(old, badge_markdown(remote, args.ref))
    except (OSError, ValueError) as problem:
        print(f"binder_urls: {problem}", file=sys.stderr)
        return 2
    if new != old:
        readme.write_text(new, encoding="utf-8")
    print(f"README badge -> {badge_markdown(remote, args.ref)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
