"""Fixtures for the mock server's tests: one shared server, fresh servers on demand, a urllib client,
and the two checks every reply must pass (OpenAI's error shape; the SDK's own types, strictly)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import openai
import pydantic
import pytest

import helpers

CHAT_MODEL = "gpt-4.1-mini"  # not a reasoning model: it accepts max_tokens and any temperature
REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")
ERROR_KEYS = {"message", "type", "param", "code"}


@dataclass
class WireReply:
    """What a client sees: the status, the headers (names in lower case) and the raw body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class WireClient:
    """urllib.request against one server, sending its key unless told otherwise."""

    def __init__(self, base_url: str, api_key: str | None) -> None:
        self.base_url = base_url
        self.api_key = api_key

    def get(self, path: str, headers: dict[str, str] | None = None) -> WireReply:
        return self.send("GET", path, None, headers)

    def post(self, path: str, payload: Any, headers: dict[str, str] | None = None) -> WireReply:
        return self.send("POST", path, json.dumps(payload).encode(), headers)

    def send(self, method: str, path: str, body: bytes | None, headers: dict[str, str] | None = None,
             timeout: float = 10) -> WireReply:
        """One request; an error status is an answer like any other, so it is returned, not raised."""
        all_headers = {"Content-Type": "application/json"}
        if self.api_key is not None:
            all_headers["Authorization"] = f"Bearer {self.api_key}"
        all_headers.update(headers or {})
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return WireReply(response.status, _lower(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            with error:
                return WireReply(error.code, _lower(error.headers.items()), error.read())


def _lower(headers: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def chat_body(prompt: str = "Say hello.", **parameters: Any) -> dict[str, Any]:
    """The smallest valid chat request, plus any parameters a test adds."""
    return {"model": CHAT_MODEL, "messages": [{"role": "user", "content": prompt}], **parameters}


def openai_error(reply: WireReply, status: int) -> dict[str, Any]:
    """Check that `reply` is OpenAI's error reply with this status, and return its `error` object."""
    assert reply.status == status, reply.body
    assert reply.headers["content-type"].startswith("application/json")
    assert REQUEST_ID.fullmatch(reply.headers["x-request-id"])
    body = reply.json()
    assert list(body) == ["error"]
    error = body["error"]
    assert set(error) == ERROR_KEYS
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["type"], str)
    return error


def extra_fields(value: Any, where: str = "") -> list[str]:
    """Every field the SDK's models keep only as "extra" (they allow them), anywhere in a parsed reply."""
    if isinstance(value, pydantic.BaseModel):
        found = [f"{where}.{name}" for name in value.model_extra or {}]
        for name in type(value).model_fields:
            found += extra_fields(getattr(value, name), f"{where}.{name}")
        return found
    if isinstance(value, list):
        return [item for index, part in enumerate(value) for item in extra_fields(part, f"{where}[{index}]")]
    return []


def validate_strictly(model: type[pydantic.BaseModel], payload: dict[str, Any]) -> Any:
    """Parse `payload` as the SDK's `model` in strict mode (no type coercion). The SDK's models accept
    unknown keys silently, so unknown keys are looked for separately, at the top and further down."""
    assert set(payload) <= set(model.model_fields), set(payload) - set(model.model_fields)
    parsed = model.model_validate(payload, strict=True)
    assert extra_fields(parsed) == []
    return parsed


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
def wire_for() -> Callable[..., WireClient]:
    def make(server: helpers.MockServer, api_key: str | None = None) -> WireClient:
        return WireClient(server.base_url, api_key or server.api_key)

    return make


@pytest.fixture
def sdk(server: helpers.MockServer) -> Iterator[openai.OpenAI]:
    """The SDK without retries: each call is exactly one request, so a test sees each error as it is."""
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client:
        yield client


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# The helpers above, as fixtures, so test modules need not import conftest.
@pytest.fixture
def body() -> Callable[..., dict[str, Any]]:
    return chat_body


@pytest.fixture
def error_of() -> Callable[[WireReply, int], dict[str, Any]]:
    return openai_error


@pytest.fixture
def strict() -> Callable[[type[pydantic.BaseModel], dict[str, Any]], Any]:
    return validate_strictly
