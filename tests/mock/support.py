"""What the mock's tests share: a urllib client that returns every status as an answer, the smallest chat
request, the two checks every reply must pass (OpenAI's error shape; the SDK's own types, strictly), and
`wait_for`, for what the server's threads finish in their own time."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydantic
from openai.types.responses import Response, ResponseStreamEvent

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


def wire_client_for(server: helpers.MockServer, api_key: str | None = None) -> WireClient:
    """A client of `server`, sending its key (or `api_key`)."""
    return WireClient(server.base_url, api_key or server.api_key)


# The Responses API: the smallest request, a hand-written reader of its typed event stream, and strict checks
# of a response and of every event against the SDK's own types.

PLAIN_MODEL = "gpt-4.1-mini"  # not a reasoning model: its output is one message, at output_index 0
# Fields the real service sends that the SDK's models do not declare (seen in captures of real traffic).
REAL_EXTRAS = {"store"}
EVENT_EXTRAS = {"obfuscation"}
EVENTS = pydantic.TypeAdapter(ResponseStreamEvent)


def responses_body(prompt: str = "Say hello.", **parameters: Any) -> dict[str, Any]:
    """The smallest valid Responses request, plus any parameters a test adds."""
    return {"model": PLAIN_MODEL, "input": prompt, **parameters}


def validate_response(payload: dict[str, Any]) -> Response:
    """Parse a response strictly as the SDK's `Response`; `store` (sent by the real API, unknown to the
    SDK's model) must be there, and nothing else unknown may be."""
    assert isinstance(payload["store"], bool)
    parsed: Response = validate_strictly(Response, {k: v for k, v in payload.items() if k not in REAL_EXTRAS})
    return parsed


def validate_event(payload: dict[str, Any]) -> Any:
    """Parse one event strictly as a member of the SDK's `ResponseStreamEvent` union, its response too."""
    data = {k: v for k, v in payload.items() if k not in EVENT_EXTRAS}
    if "response" in data:
        validate_response(data["response"])
        data["response"] = {k: v for k, v in data["response"].items() if k not in REAL_EXTRAS}
    parsed = EVENTS.validate_python(data, strict=True)
    assert set(data) <= set(type(parsed).model_fields), set(data) - set(type(parsed).model_fields)
    assert extra_fields(parsed) == []
    return parsed


def read_typed_events(base_url: str, api_key: str, payload: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """POST with urllib and read the stream a line at a time, as a hand-written client must: each event is
    an `event:` line, a `data:` line whose `type` is the same, and a blank line. The stream ends with the
    body (there is no `[DONE]`). Returns the content type and the events' data."""
    request = urllib.request.Request(f"{base_url}/responses", data=json.dumps({**payload, "stream": True}).encode(),
                                     headers={"Authorization": f"Bearer {api_key}",
                                              "Content-Type": "application/json"})
    events = []
    with urllib.request.urlopen(request, timeout=10) as response:
        content_type = response.headers["Content-Type"]
        while line := response.readline():
            assert line.startswith(b"event: ") and line.endswith(b"\n"), line
            data_line = response.readline()
            assert data_line.startswith(b"data: "), data_line
            assert response.readline() == b"\n"  # the blank line that ends the event
            data = json.loads(data_line.removeprefix(b"data: "))
            assert data["type"] == line.removeprefix(b"event: ").decode().rstrip("\n")
            events.append(data)
    return content_type, events


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Poll until `condition()` holds (the server's threads finish on their own time) or give up."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        time.sleep(0.02)
    return condition()
