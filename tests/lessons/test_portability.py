"""Every lesson runs unchanged against servers that call themselves OpenAI-compatible: each notebook under
notebooks/ is executed with LLM_CALLS_TARGET=real against mock servers playing such servers
(helpers/mock/profiles.py). Outputs are not compared; an error outside a cell tagged `raises-exception`
fails the test. `make test` runs the three combined profiles, which together hold every documented
difference; `make portability` (LLM_CALLS_PORTABILITY=all) runs every profile.

Cheap on purpose: one kernel per notebook runs it once per profile (the user namespace reset between
runs, the environment set as a learner would set it), a lesson's notebooks at once, streams without pauses.
Each lesson is a test of its own, so pytest-xdist spreads the lessons over its workers (tests/conftest.py
lets these tests, unlike the rest of a file's, go to different workers).

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
from concurrent.futures import ThreadPoolExecutor
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
WORKERS = 3  # a lesson's notebooks run at once: it has at most three ways and a socket way
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


def _switch_cell(name: str, base_url: str) -> nbformat.NotebookNode:
    """A fresh start against another server: the user's names forgotten, the new address set."""
    source = f"%reset -f\nimport os\nos.environ['OPENAI_BASE_URL'] = {base_url!r}  # profile {name}"
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["portability-switch"], "profile": name})


SAME = "same-on-every-server"
HARNESS = "portability-harness"  # a cell of this run's own, not the notebook's
# What a `same-on-every-server` cell bound in the first profile's run, kept where %reset -f does not reach.
_KEPT = "__import__('builtins').__dict__.setdefault('_portability_kept', {})"


def _harness_cell(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": [HARNESS]})


def _profile_cells(cells: list[nbformat.NotebookNode], first: bool) -> list[nbformat.NotebookNode]:
    """The notebook's code cells for one profile: a `same-on-every-server` cell runs in the first profile,
    with what it binds kept (every name new or rebound by it); in the others, those names are put back."""
    run: list[nbformat.NotebookNode] = []
    for index, cell in enumerate(cells):
        if SAME not in cell.metadata.get("tags", []):
            run.append(_copy(cell))
        elif first:
            before, kept = f"{_KEPT}['before {index}']", f"{_KEPT}[{index}]"
            run += [_harness_cell(f"{before} = dict(globals())"),
                    _copy(cell),
                    _harness_cell(f"_before = {before}\n{kept} = {{\n"
                                  "    name: value for name, value in globals().items()\n"
                                  "    if not name.startswith('_')\n"
                                  "    and (name not in _before or _before[name] is not value)}")]
        else:
            run.append(nbformat.from_dict({**_copy(cell), "source": f"globals().update({_KEPT}[{index}])"}))
    return run


def run_notebook(path: Path, servers: dict[str, helpers.MockServer]) -> list[str]:
    """Run the notebook once per profile in one fresh kernel; each unexpected error as one line."""
    for attempt in range(KERNEL_STARTS):
        notebook = nbformat.read(path, as_version=4)
        cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        notebook.cells = [new for number, (name, server) in enumerate(servers.items())
                          for new in (_switch_cell(name, server.base_url),
                                      *_profile_cells(cells, first=number == 0))]
        client = NotebookClient(notebook, timeout=CELL_TIMEOUT, startup_timeout=CELL_TIMEOUT,
                                kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except Exception as problem:  # the kernel died, or a cell timed out
            if died_starting(problem) and attempt + 1 < KERNEL_STARTS:
                continue
            return [f"{type(problem).__name__}: {str(problem).splitlines()[0] if str(problem) else ''}"]
        return _errors(notebook)
    return ["unreachable"]


def died_starting(problem: Exception) -> bool:
    """A kernel that died before it answered at all: the machine's doing, not the notebook's (several kernels
    starting at once can draw the same free port), so it is started again, once (KERNEL_STARTS)."""
    return isinstance(problem, RuntimeError) and "before replying to kernel_info" in str(problem)


def _copy(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return nbformat.from_dict({**cell, "outputs": [], "execution_count": None})


def _errors(notebook: nbformat.NotebookNode) -> list[str]:
    """Which profile, which cell, and what: `[gemini] cell 17 (bad = ...): KeyError: 'error'`."""
    found, profile, position = [], "?", 0
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if "portability-switch" in tags:
            profile, position = cell.metadata["profile"], 0
            continue
        position += HARNESS not in tags
        errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
        if errors and "raises-exception" not in cell.metadata.get("tags", []):
            first_line = cell.source.splitlines()[0] if cell.source else ""
            found.append(f"[{profile}] code cell {position} ({first_line[:40]}): "
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
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            outcomes = dict(zip(LESSONS[lesson], pool.map(lambda path: run_notebook(path, servers),
                                                           LESSONS[lesson]), strict=True))
    finally:
        for server in servers.values():
            server.stop()
    failures = [f"{path.relative_to(catalogue.NOTEBOOKS).as_posix()} {error}"
                for path, errors in outcomes.items() for error in errors]
    print(f"{len(outcomes)} notebooks x {len(servers)} profiles in {time.perf_counter() - started:.1f} s")
    assert not failures, "\n".join(failures)
