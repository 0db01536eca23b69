"""Fixtures of a mock server, for the mock's tests (tests/mock) and the playground's (tests/lessons/
test_playground.py): one shared server, fresh servers on demand, clients of the shared server. The site
and browser tests start what they need themselves. What the mock's tests share besides fixtures (the wire
client, request bodies, the checks, `wait_for`) is in tests/mock/support.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

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
