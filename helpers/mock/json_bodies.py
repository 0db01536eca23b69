"""JSON bodies as the real service writes them: completions indented by two spaces, error bodies by four.
The hand-written writer exists only for speed (measured by `make bench`, see `indented`)."""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring_ascii as quoted  # the C function json.dumps uses for strings
from typing import Any

from . import errors
from .http import Request, Response

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


MAX_JSON_DEPTH = 128  # arrays and objects inside each other; deeper bodies are refused (400)


def parse_request_body(body: bytes) -> Any:
    """The request's JSON, or the real service's 400 for a body that is not JSON. JSON is UTF-8 without
    a byte order mark (RFC 8259, 8.1), and `NaN`, `Infinity` and numbers too large for a double are not
    JSON at all, though Python's json module reads them; so all of these are refused, not guessed at
    (json.loads refuses a string that starts with a byte order mark)."""
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_not_json, parse_float=_finite)
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep to parse at all
        raise errors.invalid_json() from None  # UnicodeDecodeError (UTF-16, stray bytes) is a ValueError
    if _deeper_than(value, MAX_JSON_DEPTH):
        raise errors.invalid_request(
            f"The JSON body of your request is nested too deeply: the mock server reads at most "
            f"{MAX_JSON_DEPTH} levels of arrays and objects."
        )
    return value


def _not_json(literal: str) -> Any:
    raise ValueError(f"{literal} is not JSON")


def _finite(literal: str) -> float:
    number = float(literal)
    if number in (math.inf, -math.inf):
        raise ValueError(f"{literal} is too large for a double")
    return number


def _deeper_than(value: Any, limit: int) -> bool:
    """True if arrays and objects nest more than `limit` deep (a loop, not recursion, so any depth
    that json.loads accepted is measured without running out of stack)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def asks_for_stream(request: Request) -> bool:
    """Whether a request's JSON body has `"stream": true` (read again on the error path only, where the
    body may not be JSON at all)."""
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, RecursionError):
        return False
    return isinstance(body, dict) and body.get("stream") is True
