"""Fixtures of a mock server, for the mock's tests (tests/mock) and the playground's (tests/lessons/
test_playground.py): one shared server, fresh servers on demand, clients of the shared server. The site
and browser tests start what they need themselves. What the mock's tests share besides fixtures (the wire
client, request bodies, the checks, `wait_for`) is in tests/mock/support.py.

Also how `make test` spreads the suite over pytest-xdist's workers (`--dist loadfile`, with two changes):
see pytest_xdist_make_scheduler."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

import openai
import pytest
import requests

import helpers
from tests.mock.support import WireClient


@pytest.fixture(scope="session")
def shared_server() -> Iterator[helpers.MockServer]:
    with helpers.MockServer(tokens_per_second=0, set_environment=False) as server:
        yield server


@pytest.fixture
def server(shared_server: helpers.MockServer) -> Iterator[helpers.MockServer]:
    """The shared server; a fault a test left waiting is cleared, so it cannot leak into the next test."""
    yield shared_server
    shared_server.clear_faults()


@pytest.fixture
def start_server() -> Iterator[Callable[..., helpers.MockServer]]:
    """Start a server of one's own (fresh counters and log, other options); stopped after the test."""
    started: list[helpers.MockServer] = []

    def start(**options: Any) -> helpers.MockServer:
        server = helpers.MockServer(**{"tokens_per_second": 0, "set_environment": False, **options}).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def wire(server: helpers.MockServer) -> WireClient:
    return WireClient(server.base_url, server.api_key)


@pytest.fixture
def sdk(server: helpers.MockServer) -> Iterator[openai.OpenAI]:
    """The SDK without retries: each call is exactly one request, so a test sees each error as it is."""
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client:
        yield client


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def session(server: helpers.MockServer) -> Iterator[requests.Session]:
    """requests on one keep-alive connection to the shared server, with its key: for the fuzz tests, fast,
    and a connection the server dropped would show."""
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {server.api_key}"
        yield session


# --- how the suite is spread over pytest-xdist's workers ---------------------------------------------

# Tests that take long, sent to workers first so that none starts near the end while the others wait
# (`make suite-times` lists the slowest): the browser test (one JupyterLab for the file), the learner's
# copy (it runs pytest and ruff), the lessons run against other servers and the lint gate (mypy takes 9 s
# of CPU without its cache, as on a fresh clone). Matched against the start of a unit's name: a file's
# path, or a test's id for the tests that go on their own.
LONG_FIRST = ("tests/browser/test_browser.py", "tests/lessons/test_working_folder.py",
              "tests/lessons/test_portability.py::test_every_notebook", "tests/test_lint.py")
# Tests that share nothing with the rest of their file, so each may go to any worker.
EACH_ON_ITS_OWN = ("tests/lessons/test_portability.py::test_every_notebook",)


class _Log(Protocol):
    def __call__(self, *args: object) -> None: ...


def pytest_xdist_make_scheduler(config: pytest.Config, log: _Log) -> object | None:
    """`--dist loadfile` keeps a file's tests on one worker: a notebook's cells share one kernel (nbval)
    and a module's tests its servers. Two changes: each lesson of the portability run is a unit of its
    own (it shares nothing), and the long tests (LONG_FIRST) are handed out first. Other modes: xdist's."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LongFirst(LoadFileScheduling):  # type: ignore[misc]
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return nodeid if nodeid.startswith(EACH_ON_ITS_OWN) else str(super()._split_scope(nodeid))

        def _assign_work_unit(self, node: object) -> None:
            if not self.ordered:  # the queue is complete once the first unit is handed out
                long = [scope for scope in self.workqueue if scope.startswith(LONG_FIRST)]
                for scope in reversed(long):
                    self.workqueue.move_to_end(scope, last=False)
                self.ordered = True
            super()._assign_work_unit(node)

    return LongFirst(config, log)
