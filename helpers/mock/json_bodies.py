"""JSON bodies as the real service writes them: completions indented by two spaces, error bodies by four.
The hand-written writer exists only for speed (measured by `make bench`, see `indented`)."""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii as quoted  # the C function json.dumps uses for strings
from typing import Any

from . import errors
from .http import Response

_CONSTANTS = {None: "null", True: "true", False: "false"}


def json_response(status: int, payload: Any, headers: list[tuple[str, str]] | None = None,
                  indent: int = 2) -> Response:
    body = indented(payload, indent).encode()
    return Response(status, [("content-type", "application/json"), *(headers or [])], body)


def indented(value: Any, indent: int = 2) -> str:
    """Exactly json.dumps(value, indent=indent) for plain JSON values (dict, list, str, int, float, bool, None).
    Python 3.11's fast C encoder cannot indent, and json.dumps(indent=...) falls back to a pure-Python
    encoder that costs more than the rest of a mock reply; this gives the same text in half the time,
    which keeps the mock within its latency target in `make bench` (a hypothesis test checks the texts agree)."""
    return _write(value, " " * indent, "")


def _write(value: Any, step: str, margin: str) -> str:
    if isinstance(value, str):
        return quoted(value)
    if value is None or value is True or value is False:
        return _CONSTANTS[value]
    if isinstance(value, int):
        return int.__repr__(value)  # as json does, so an IntEnum is written as its number
    if isinstance(value, float):
        return json.dumps(value)  # as json does: NaN and Infinity included
    inner = margin + step
    if isinstance(value, dict):
        if not value:
            return "{}"
        members = [f"{inner}{quoted(str(key))}: {_write(item, step, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(members) + "\n" + margin + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = [inner + _write(item, step, inner) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + margin + "]"
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def parse_request_body(body: bytes) -> Any:
    """The request's JSON, or the real service's 400 for a body that is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON nested too deep to parse
        raise errors.invalid_json() from None
