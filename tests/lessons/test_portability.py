"""Every lesson runs unchanged against servers that call themselves OpenAI-compatible: each notebook under
notebooks/ is executed with LLM_CALLS_TARGET=real against mock servers playing such servers
(helpers/mock/profiles.py). Outputs are not compared; an error outside a cell tagged `raises-exception`
fails the test. `make test` runs the three combined profiles, which together hold every documented
difference; `make portability` (LLM_CALLS_PORTABILITY=all) runs every profile.

Cheap on purpose: one kernel per lesson runs each of its notebooks once per profile, one after another,
with a fresh start before each run (the user namespace reset, the kernel's environment and working folder
as they were when it started, the profile's address set as a learner would set it); streams without
pauses. Starting a kernel and importing what a lesson imports costs about a second of CPU, and a lesson's
ways import the same things, so one kernel for a lesson's three or four notebooks saves two or three of
those. Each lesson is a test of its own, so pytest-xdist spreads the lessons over its workers
(tests/conftest.py lets these tests, unlike the rest of a file's, go to different workers).

A cell tagged `same-on-every-server` talks to no server (lesson 06 running pytest on files of its own, lesson
02 timing imports): it runs against the first profile only, and against the others the names it bound
there are put back, so the cells after it find them as they would. Those few cells are a fifth of the run's
CPU otherwise.

A new lesson is picked up by existing (tools/catalogue.py). A cell that cannot work against another
server steps aside the way the lessons do: it checks `api.mock is None` (a real provider) or what the
server answered, and prints one line saying what this server did differently and what OpenAI would
have answered. Never a traceback, and never an exercise check on a model's wording.
"""

from __future__ import annotations

import ast
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import helpers
from helpers.mock import profiles
from tools import catalogue

NOTEBOOKS = catalogue.lesson_paths()  # every lesson, in reading order: new ones join by existing
# A lesson: a folder's notebooks, or a notebook at the top level; its name is the test's id.
LESSONS: dict[str, list[Path]] = {}
for _path in NOTEBOOKS:
    _lesson = _path if _path.parent == catalogue.NOTEBOOKS else _path.parent
    LESSONS.setdefault(_lesson.relative_to(catalogue.NOTEBOOKS).as_posix(), []).append(_path)
CELL_TIMEOUT = 120  # seconds: a liveness bound, far above what any cell needs
KERNEL_STARTS = 2  # a kernel that dies before its first reply is started once more (died_starting)
KEY = "sk-any-key-this-server-checks-none"  # the key a learner sets; servers that check one are given it
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# `make test`: the three combined profiles, each notebook run against all three in one kernel.
# `make portability` (LLM_CALLS_PORTABILITY=all): every profile, one test each, spread over the workers.
RUN_ALL = os.environ.get("LLM_CALLS_PORTABILITY", "") == "all"
GROUPS = ([(profile,) for profile in (*profiles.FAMILIES, *profiles.COMBINED)] if RUN_ALL
          else [profiles.COMBINED])
RUNS = [pytest.param(group, lesson, id=f"{','.join(p.name for p in group)}-{lesson}")
        for group in GROUPS for lesson in LESSONS]


def _servers(group: tuple[profiles.Profile, ...]) -> dict[str, helpers.MockServer]:
    """One server per profile, as LLM_CALLS_TARGET=real would reach it; they stream without pauses."""
    return {profile.name: helpers.MockServer(profile=profile.name, api_key=KEY, tokens_per_second=0,
                                             set_environment=False).start()
            for profile in group}


@pytest.fixture(scope="module")
def kernel_environment() -> Iterator[None]:
    """What every kernel inherits: the real target; mocks a notebook starts itself stream without pauses
    (no output is compared here)."""
    values = {"LLM_CALLS_TARGET": "real", "OPENAI_API_KEY": KEY, "OPENAI_MODEL": helpers.MODEL,
              "LLM_CALLS_TOKENS_PER_SECOND": "0"}
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


SAME = "same-on-every-server"
HARNESS = "portability-harness"  # a cell of this run's own, not the notebook's
# What a `same-on-every-server` cell bound in the first profile's run, kept where %reset -f does not reach.
_KEPT = "__import__('builtins').__dict__.setdefault('_portability_kept', {})"


def _harness_cell(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": [HARNESS]})


# The kernel's environment and working folder as it started, kept where %reset -f does not reach.
_START = "__import__('builtins').__dict__.setdefault('_portability_start', {})"


def _start_cell() -> nbformat.NotebookNode:
    return _harness_cell(f"import os\n{_START}.update(environ=dict(os.environ), folder=os.getcwd())")


def _switch_cell(notebook: str, name: str, base_url: str) -> nbformat.NotebookNode:
    """A fresh start against another server: the user's names forgotten, the environment and working
    folder as the kernel started with them (a notebook may change either), the new address set."""
    source = (f"%reset -f\nimport os\nos.chdir({_START}['folder'])\n"
              f"os.environ.clear()\nos.environ.update({_START}['environ'])\n"
              f"os.environ['OPENAI_BASE_URL'] = {base_url!r}  # {notebook}, profile {name}")
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["portability-switch"], "profile": name,
                                                       "notebook": notebook})


def _profile_cells(notebook: str, cells: list[nbformat.NotebookNode], first: bool) -> list[nbformat.NotebookNode]:
    """The notebook's code cells for one profile: a `same-on-every-server` cell runs in the first profile,
    with what it binds kept (every name new or rebound by it); in the others, those names are put back."""
    run: list[nbformat.NotebookNode] = []
    for index, cell in enumerate(cells):
        key = f"{notebook} {index}"
        if SAME not in cell.metadata.get("tags", []):
            run.append(_copy(cell))
        elif first:
            before, kept = f"{_KEPT}['before {key}']", f"{_KEPT}[{key!r}]"
            run += [_harness_cell(f"{before} = dict(globals())"),
                    _copy(cell),
                    _harness_cell(f"_before = {before}\n{kept} = {{\n"
                                  "    name: value for name, value in globals().items()\n"
                                  "    if not name.startswith('_')\n"
                                  "    and (name not in _before or _before[name] is not value)}")]
        else:
            run.append(nbformat.from_dict({**_copy(cell), "source": f"globals().update({_KEPT}[{key!r}])"}))
    return run


def run_lesson(paths: list[Path], servers: dict[str, helpers.MockServer]) -> list[str]:
    """Run each of a lesson's notebooks once per profile in one fresh kernel; each unexpected error as one
    line. The notebooks share the lesson's folder, where the kernel starts."""
    for attempt in range(KERNEL_STARTS):
        lesson = nbformat.v4.new_notebook(cells=[_start_cell()])
        for path in paths:
            cells = [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
            lesson.cells += [new for number, (name, server) in enumerate(servers.items())
                             for new in (_switch_cell(_name(path), name, server.base_url),
                                         *_profile_cells(_name(path), cells, first=number == 0))]
        client = NotebookClient(lesson, timeout=CELL_TIMEOUT, startup_timeout=CELL_TIMEOUT,
                                kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(paths[0].parent)}})
        try:
            client.execute()
        except Exception as problem:  # the kernel died, or a cell timed out
            if died_starting(problem) and attempt + 1 < KERNEL_STARTS:
                continue
            first_line = str(problem).splitlines()[0] if str(problem) else ""
            return [*_errors(lesson), f"{_last_run(lesson)}: {type(problem).__name__}: {first_line}"]
        return _errors(lesson)
    return ["unreachable"]


def _name(path: Path) -> str:
    return path.relative_to(catalogue.NOTEBOOKS).as_posix()


def _last_run(lesson: nbformat.NotebookNode) -> str:
    """The notebook and profile of the last cell that began to run: where a timeout or a dead kernel struck."""
    where = "before the first notebook"
    for cell in lesson.cells:
        if "portability-switch" in cell.metadata.get("tags", []):
            if cell.get("execution_count") is None:
                break
            where = f"{cell.metadata['notebook']} [{cell.metadata['profile']}]"
    return where


def died_starting(problem: Exception) -> bool:
    """A kernel that died before it answered at all: the machine's doing, not the notebook's (several kernels
    starting at once can draw the same free port), so it is started again, once (KERNEL_STARTS)."""
    return isinstance(problem, RuntimeError) and "before replying to kernel_info" in str(problem)


def _copy(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return nbformat.from_dict({**cell, "outputs": [], "execution_count": None})


def _errors(lesson: nbformat.NotebookNode) -> list[str]:
    """Which notebook, which profile, which cell, and what:
    `03_streaming/requests.ipynb [gemini] code cell 17 (bad = ...): KeyError: 'error'`."""
    found, notebook, profile, position = [], "?", "?", 0
    for cell in lesson.cells:
        tags = cell.metadata.get("tags", [])
        if "portability-switch" in tags:
            notebook, profile, position = cell.metadata["notebook"], cell.metadata["profile"], 0
            continue
        position += HARNESS not in tags
        errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
        if errors and "raises-exception" not in cell.metadata.get("tags", []):
            first_line = cell.source.splitlines()[0] if cell.source else ""
            found.append(f"{notebook} [{profile}] code cell {position} ({first_line[:40]}): "
                         f"{errors[0].ename}: {ANSI.sub('', errors[0].evalue)[:200]}")
    return found


def test_there_are_notebooks_to_run():
    assert NOTEBOOKS
    assert sorted(path for paths in LESSONS.values() for path in paths) == sorted(NOTEBOOKS)


# Where a call to a server starts in the lessons: a cell that names none of these talks to none.
SERVER_NAMES = {"api", "client", "base_url", "api_key", "helpers", "requests", "urllib", "OpenAI", "socket",
                "websockets", "ask", "post", "call", "send"}


def test_cells_said_to_be_the_same_on_every_server_reach_for_none():
    """The tag skips a cell's reruns, so it must be true of the cell: none names what reaches a server."""
    tagged = []
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if SAME in cell.metadata.get("tags", []):
                tree = ast.parse("\n".join(line for line in cell.source.splitlines()
                                           if not line.lstrip().startswith(("%", "!"))))
                names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
                names |= {alias.name.split(".")[0] for node in ast.walk(tree)
                          if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names}
                names |= {node.module.split(".")[0] for node in ast.walk(tree)
                          if isinstance(node, ast.ImportFrom) and node.module}
                tagged.append(path.name)
                assert not names & SERVER_NAMES, f"{path.name}: {cell.source[:60]!r} names {names & SERVER_NAMES}"
    assert tagged, "no cell is tagged: then this test and the tag's code have nothing to do"


def test_the_profiles_run_here_hold_every_difference():
    """The combined profiles carry every switch any family turns away from OpenAI, every error shape
    and every way of serving /v1/responses, so `make test` misses none of them."""
    for field in profiles.Profile.__dataclass_fields__:
        if field in ("name", "extra_paths"):
            continue
        wanted = {getattr(p, field) for p in profiles.FAMILIES} - {getattr(profiles.OPENAI, field)}
        held = {getattr(p, field) for p in profiles.COMBINED}
        assert wanted <= held, f"{field}: {wanted - held} is in no combined profile"


@pytest.mark.timeout(300)  # a liveness bound: a lesson takes seconds
@pytest.mark.parametrize(("group", "lesson"), RUNS)
def test_every_notebook_runs_against_other_servers(group, lesson, kernel_environment):
    servers = _servers(group)
    started = time.perf_counter()
    try:
        failures = run_lesson(LESSONS[lesson], servers)
    finally:
        for server in servers.values():
            server.stop()
    print(f"{len(LESSONS[lesson])} notebooks x {len(servers)} profiles in {time.perf_counter() - started:.1f} s")
    assert not failures, "\n".join(failures)
