"""Binder links for every lesson, derived from this clone's own git remote, and the side-by-side workspaces.
The repository's public home is whatever `origin` points at: no owner or repository name is written down here.

    python tools/binder_urls.py                 # a link per lesson, and per paired lesson's side-by-side layout
    python tools/binder_urls.py readme          # rewrite the badge between the binder markers in README.md
    python tools/binder_urls.py workspaces      # (re)write workspaces/<lesson>.jupyterlab-workspace
    python tools/binder_urls.py --remote URL    # any subcommand, for a remote other than origin's
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = "notebooks"
START_PAGE = f"{NOTEBOOKS}/00_start_here.ipynb"
WORKSPACES = "workspaces"
WORKSPACE_SUFFIX = ".jupyterlab-workspace"
BINDER = "https://mybinder.org/v2"
BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"
README_START, README_END = "<!-- binder:start -->", "<!-- binder:end -->"
# A paired lesson is a folder holding the same call made three ways; the workspace shows them in this order.
FLAVOURS = ("urllib", "requests", "openai_sdk")
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
    """Every lesson notebook, as a path relative to the repository root."""
    return sorted(
        path.relative_to(root).as_posix()
        for path in (root / NOTEBOOKS).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts
    )


def paired_lessons(root: Path = REPO_ROOT) -> list[str]:
    """The lesson folders that hold all three flavours of the same call."""
    folder = root / NOTEBOOKS
    return sorted(
        lesson.name
        for lesson in (folder.iterdir() if folder.is_dir() else [])
        if lesson.is_dir() and all((lesson / f"{flavour}.ipynb").is_file() for flavour in FLAVOURS)
    )


def workspace_id(lesson: str) -> str:
    return f"{lesson}-side-by-side"


def workspace_urlpath(lesson: str) -> str:
    return f"lab/workspaces/{workspace_id(lesson)}"


def notebook_urlpath(notebook: str) -> str:
    return f"lab/tree/{notebook}"


def side_by_side_workspace(lesson: str) -> dict:
    """A JupyterLab 4 workspace: the lesson's three notebooks in one row, file browser folded away."""
    widgets = [f"notebook:{NOTEBOOKS}/{lesson}/{flavour}.ipynb" for flavour in FLAVOURS]
    dock = {
        "type": "split-area",
        "orientation": "horizontal",
        "sizes": [round(1 / len(widgets), 4)] * len(widgets),
        "children": [{"type": "tab-area", "currentIndex": 0, "widgets": [widget]} for widget in widgets],
    }
    data: dict = {
        "layout-restorer:data": {
            "main": {"dock": dock, "current": widgets[0]},
            "left": {"collapsed": True, "visible": True, "widgets": ["filebrowser"]},
            "right": {"collapsed": True, "visible": True, "widgets": []},
        }
    }
    for widget in widgets:
        data[widget] = {"data": {"path": widget.removeprefix("notebook:"), "factory": "Notebook"}}
    return {"data": data, "metadata": {"id": workspace_id(lesson)}}


def workspace_text(lesson: str) -> str:
    return json.dumps(side_by_side_workspace(lesson), indent=2) + "\n"


def write_workspaces(root: Path = REPO_ROOT) -> list[Path]:
    folder = root / WORKSPACES
    folder.mkdir(exist_ok=True)
    written = []
    for lesson in paired_lessons(root):
        path = folder / f"{lesson}{WORKSPACE_SUFFIX}"
        path.write_text(workspace_text(lesson), encoding="utf-8")
        written.append(path)
    return written


def link_lines(remote: Remote, ref: str = DEFAULT_REF, root: Path = REPO_ROOT) -> list[str]:
    lines = [f"{notebook}  {remote.launch_url(notebook_urlpath(notebook), ref)}" for notebook in lesson_notebooks(root)]
    lines += [
        f"{NOTEBOOKS}/{lesson}/ side by side  {remote.launch_url(workspace_urlpath(lesson), ref)}"
        for lesson in paired_lessons(root)
    ]
    return lines


def badge_markdown(remote: Remote, ref: str = DEFAULT_REF) -> str:
    return f"[![Binder]({BADGE_IMAGE})]({remote.launch_url(notebook_urlpath(START_PAGE), ref)})"


def rewrite_readme(text: str, badge: str) -> str:
    """README text with everything between the binder markers replaced by the badge."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"README has no {README_START} ... {README_END} markers")
    return text[: start + len(README_START)] + badge + text[end:]


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
    readme = REPO_ROOT / "README.md"
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
