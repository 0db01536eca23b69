"""What the Responses API's tests share: the smallest request, a hand-written reader of its typed event
stream, and strict checks of a response and of every event against the SDK's own types."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pydantic
from openai.types.responses import Response, ResponseStreamEvent

from tests.support import extra_fields, validate_strictly

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
