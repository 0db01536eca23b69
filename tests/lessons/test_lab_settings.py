"""What a learner's JupyterLab is given: settings that switch off the news pop-up and wrap long code lines
(installed by `make lab` and by Binder's postBuild), and a `make lab` that runs headless and as root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tools import catalogue

ROOT = catalogue.REPO_ROOT
OVERRIDES = ROOT / "binder" / "overrides.json"
SCHEMAS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas" / "@jupyterlab"


def _settings() -> dict:
    return json.loads(OVERRIDES.read_text(encoding="utf-8"))


def test_the_news_pop_up_is_off_with_a_value_jupyterlab_knows():
    notification = _settings()["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false"
    schema = json.loads((SCHEMAS / "apputils-extension" / "notification.json").read_text())
    allowed = [choice["const"] for choice in schema["properties"]["fetchNews"]["oneOf"]]
    assert notification["fetchNews"] in allowed


def test_code_lines_are_wrapped_in_notebooks():
    tracker = _settings()["@jupyterlab/notebook-extension:tracker"]
    assert tracker["codeCellConfig"]["lineWrap"] is True
    schema = json.loads((SCHEMAS / "notebook-extension" / "tracker.json").read_text())
    assert "codeCellConfig" in schema["properties"]


def test_make_and_binder_install_the_settings_where_jupyterlab_reads_them():
    target = "share/jupyter/lab/settings"
    makefile, post_build = (ROOT / "Makefile").read_text(), (ROOT / "binder" / "postBuild").read_text()
    assert target in makefile and "cp binder/overrides.json" in makefile
    assert target in post_build and "cp binder/overrides.json" in post_build


def test_make_lab_passes_lab_args_and_allows_root_only_for_root():
    result = subprocess.run(["make", "-n", "-W", "requirements-lessons.txt", "lab",
                             "LAB_ARGS=--no-browser --port 8888"],
                            capture_output=True, text=True, cwd=ROOT, check=True)
    command = next(line for line in result.stdout.splitlines() if "jupyter lab" in line)
    assert "--no-browser --port 8888" in command
    assert ("--allow-root" in command) == (os.geteuid() == 0)


def _dry_run(*target: str) -> list[str]:
    result = subprocess.run(["make", "-n", "-W", "requirements-lessons.txt", *target], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    return result.stdout.splitlines()


def test_make_lab_opens_the_start_page_of_the_learners_copy_from_the_same_root_as_side_by_side():
    """A headless `make lab` prints a URL that opens the start page (not the Launcher); both targets serve the
    repository's root, so a path means the same in each."""
    lab = next(line for line in _dry_run("lab") if "jupyter lab" in line)
    assert "--LabApp.default_url=/lab/tree/my-notebooks/00_start_here.ipynb" in lab
    assert lab.rstrip().endswith(".ipynb") and "notebooks/00" not in lab.replace("my-notebooks/00", "")
    side = next(line for line in _dry_run("lab-side-by-side") if "jupyter lab " in line and "import" not in line)
    assert "root_dir" not in lab + side and "--LabApp.default_url=/lab/workspaces/" in side


def test_make_lab_installs_only_what_the_lessons_need():
    commands = "\n".join(_dry_run("lab"))
    assert "-r requirements-lessons.txt" in commands and "-r requirements.txt" not in commands
    lessons = (ROOT / "requirements-lessons.txt").read_text().lower()
    for tool in ("playwright==", "mypy==", "ruff==", "hypothesis==", "nbval=="):
        assert f"\n{tool}" not in lessons, tool
    assert "-r ../requirements-lessons.txt" in (ROOT / "binder" / "requirements.txt").read_text()


EXTENSIONS = ROOT / "binder" / "labextensions"


def test_our_jupyterlab_extension_is_one_jupyterlab_loads():
    """JupyterLab loads a folder under share/jupyter/labextensions whose package.json names a `load` script
    (jupyterlab_server's get_federated_extensions); the script registers window._JUPYTERLAB[<name>]."""
    (folder,) = [path for path in EXTENSIONS.iterdir() if path.is_dir()]
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == folder.name
    build = package["jupyterlab"]["_build"]
    script = (folder / build["load"]).read_text(encoding="utf-8")
    assert f'const NAME = "{package["name"]}";' in script and "window._JUPYTERLAB[NAME]" in script
    assert f'module !== "{build["extension"]}"' in script


def test_make_and_binder_install_the_extension_where_jupyterlab_finds_it():
    makefile, post_build = (ROOT / "Makefile").read_text(), (ROOT / "binder" / "postBuild").read_text()
    assert "LAB_EXTENSIONS := $(VENV)/share/jupyter/labextensions" in makefile
    assert "cp -R binder/labextensions/. $(LAB_EXTENSIONS)/" in makefile
    assert 'cp -R binder/labextensions/. "$prefix/share/jupyter/labextensions/"' in post_build
    assert "$(LAB_EXTENSION_FILES)" in makefile.split("$(LESSONS_INSTALLED):")[1].splitlines()[0]


def test_the_environment_running_the_tests_has_the_extension_as_it_is_in_the_repository():
    """The browser test's JupyterLab is this environment's: `make test` (re)installs the extension into it
    whenever binder/labextensions changes."""
    installed = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    for path in EXTENSIONS.rglob("*"):
        if path.is_file():
            copy = installed / path.relative_to(EXTENSIONS)
            assert copy.is_file() and copy.read_bytes() == path.read_bytes(), \
                f"{copy} is missing or stale: run `make test` (it installs binder/labextensions)"
