"""tools.binder_urls: Binder links come from the clone's own remote, and the stored workspaces match the tool."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tools import binder_urls
from tools.catalogue import REPO_ROOT

START = "?urlpath=lab%2Ftree%2Fnotebooks%2F00_start_here.ipynb"


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/someone/llm-calls",
        "https://github.com/someone/llm-calls.git",
        "https://github.com/someone/llm-calls/",
        "git@github.com:someone/llm-calls.git",
        "ssh://git@github.com/someone/llm-calls.git",
        "ssh://git@github.com:22/someone/llm-calls",
        "https://user:ghp_secret@github.com/someone/llm-calls.git",
    ],
)
def test_every_github_spelling_gives_the_same_gh_spec(url):
    assert binder_urls.parse_remote(url) == binder_urls.Remote("gh", "someone/llm-calls")


@pytest.mark.parametrize(
    "url",
    [
        "https://gitlab.com/group/sub/llm-calls.git",
        "git@gitlab.com:group/sub/llm-calls.git",
        "ssh://git@gitlab.com/group/sub/llm-calls",
    ],
)
def test_gitlab_nested_groups_are_one_escaped_spec(url):
    assert binder_urls.parse_remote(url) == binder_urls.Remote("gl", "group%2Fsub%2Fllm-calls")


def test_other_https_hosts_use_the_generic_git_provider_without_credentials():
    remote = binder_urls.parse_remote("https://bob:secret@git.example.org/team/llm-calls.git")
    assert remote == binder_urls.Remote("git", "https%3A%2F%2Fgit.example.org%2Fteam%2Fllm-calls")
    assert "secret" not in remote.launch_url("lab")


@pytest.mark.parametrize(
    "url",
    ["", "/srv/git/llm-calls.git", "../llm-calls", "file:///srv/git/llm-calls.git",
     "git@other.example.org:team/llm-calls.git", "https://github.com/only-owner",
     "https://github.com/a/b/tree/main"],
)
def test_remotes_binder_cannot_fetch_are_refused(url):
    with pytest.raises(binder_urls.NoPublicRemote):
        binder_urls.parse_remote(url)


def test_start_page_link_opens_jupyterlab_on_the_start_notebook():
    remote = binder_urls.Remote("gh", "someone/llm-calls")
    url = remote.launch_url(binder_urls.notebook_urlpath(binder_urls.START_PAGE))
    assert url == "https://mybinder.org/v2/gh/someone/llm-calls/HEAD" + START


def test_side_by_side_link_opens_the_lessons_workspace():
    remote = binder_urls.Remote("gl", "group%2Fllm-calls")
    url = remote.launch_url(binder_urls.workspace_urlpath("03_streaming"), ref="v1.0")
    assert url == ("https://mybinder.org/v2/gl/group%2Fllm-calls/v1.0"
                   "?urlpath=lab%2Fworkspaces%2F03_streaming-side-by-side")


def test_readme_badge_is_replaced_between_the_markers_only():
    text = "# Title\n<!-- binder:start -->old badge<!-- binder:end -->\nrest\n"
    new = binder_urls.rewrite_readme(text, "NEW")
    assert new == "# Title\n<!-- binder:start -->NEW<!-- binder:end -->\nrest\n"
    assert binder_urls.rewrite_readme(new, "NEW") == new


def test_readme_without_markers_is_an_error():
    with pytest.raises(ValueError):
        binder_urls.rewrite_readme("# Title\n", "NEW")


def test_without_an_origin_remote_the_tool_explains_and_fails(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = subprocess.run(
        [sys.executable, "-m", "tools.binder_urls"], cwd=tmp_path, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "GIT_DIR": str(tmp_path / ".git"), "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode != 0
    assert "no 'origin' remote" in result.stderr
    assert result.stdout == ""


def test_links_cover_every_lesson_and_each_side_by_side_layout():
    remote = binder_urls.Remote("gh", "someone/llm-calls")
    lines = binder_urls.link_lines(remote)
    assert len(lines) == len(binder_urls.lesson_notebooks()) + len(binder_urls.layouts())
    assert all("https://mybinder.org/v2/gh/someone/llm-calls/HEAD?urlpath=lab%2F" in line for line in lines)


def test_side_by_side_workspace_puts_three_notebooks_in_one_row():
    workspace = binder_urls.side_by_side_workspace("01_chat_completion")
    dock = workspace["data"]["layout-restorer:data"]["main"]["dock"]
    assert dock["type"] == "split-area" and dock["orientation"] == "horizontal"
    assert [child["widgets"] for child in dock["children"]] == [
        ["notebook:notebooks/01_chat_completion/urllib.ipynb"],
        ["notebook:notebooks/01_chat_completion/requests.ipynb"],
        ["notebook:notebooks/01_chat_completion/openai_sdk.ipynb"],
    ]
    assert workspace["data"]["notebook:notebooks/01_chat_completion/urllib.ipynb"] == {
        "data": {"path": "notebooks/01_chat_completion/urllib.ipynb", "factory": "Notebook"}
    }
    assert workspace["metadata"] == {"id": "01_chat_completion-side-by-side"}


def test_a_lesson_with_a_socket_way_gets_a_layout_of_socket_beside_urllib():
    workspace = binder_urls.side_by_side_workspace("01_chat_completion-socket")
    dock = workspace["data"]["layout-restorer:data"]["main"]["dock"]
    assert [child["widgets"] for child in dock["children"]] == [
        ["notebook:notebooks/01_chat_completion/socket.ipynb"],
        ["notebook:notebooks/01_chat_completion/urllib.ipynb"],
    ]
    assert workspace["metadata"] == {"id": "01_chat_completion-socket-side-by-side"}
    assert "04_errors_and_retries-socket" not in binder_urls.layouts()  # no socket way there


def test_stored_workspaces_are_exactly_what_the_tool_writes():
    stored = {path.name: path.read_text(encoding="utf-8")
              for path in (REPO_ROOT / binder_urls.WORKSPACES).glob("*" + binder_urls.WORKSPACE_SUFFIX)}
    expected = {lesson + binder_urls.WORKSPACE_SUFFIX: binder_urls.workspace_text(lesson)
                for lesson in binder_urls.layouts()}
    assert stored == expected, "run `python -m tools.binder_urls workspaces`"


def test_every_workspace_names_notebooks_that_exist():
    for path in (REPO_ROOT / binder_urls.WORKSPACES).glob("*" + binder_urls.WORKSPACE_SUFFIX):
        data = json.loads(path.read_text(encoding="utf-8"))["data"]
        for key, value in data.items():
            if key.startswith("notebook:"):
                assert (REPO_ROOT / value["data"]["path"]).is_file(), f"{path.name}: {key}"
