"""What the mock's tests share: a urllib client that returns every status as an answer, the smallest chat
request, and the two checks every reply must pass (OpenAI's error shape; the SDK's own types, strictly)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import pydantic

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
