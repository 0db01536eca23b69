"""A cassette: recorded exchanges, one JSON object a line, and how a new request finds the one it matches.

One line of a cassette (keys in this order; `events` instead of `body` for a stream):

    {"method": "POST", "path": "/v1/chat/completions", "request": {...the JSON body...},
     "status": 200, "headers": {"content-type": "application/json", "x-request-id": "req_..."},
     "body": "{...}"}                                   <- or "body_base64" for bytes that are not text
    {"...", "events": [[0, "data: {...}\\n\\n"], [41, "data: {...}\\n\\n"], ...]}   <- [ms after the head, event]

Only the response headers a lesson reads are kept (`KEPT_HEADERS`); no request header is kept at all, so a
key, a cookie or an organisation id cannot reach the file; key-like query parameters are redacted as the
wire record redacts them. A line is written whole, with one write, as soon as its exchange ends: a crash
loses at most the exchange in flight.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..wire_record import redact_target

# The response headers worth replaying: what the lessons read, and what tells a provider apart.
KEPT_HEADERS = ("content-type", "x-request-id", "openai-processing-ms", "openai-version", "openai-model",
                "retry-after", "retry-after-ms", "x-should-retry")
KEPT_PREFIXES = ("x-ratelimit-",)
# Request fields a match ignores: they change how an answer is delivered or who asked, not what it says.
IGNORED_FIELDS = ("stream_options", "user", "safety_identifier", "metadata")
MAX_CASSETTE_BYTES = 64 * 1024 * 1024  # a larger file is refused when it is read, before it fills memory


class CassetteError(ValueError):
    """A cassette that cannot be read; the message names the file and the line."""


@dataclass
class Recorded:
    """One exchange as a cassette holds it."""

    method: str
    path: str
    request: Any  # the JSON body, the body as text, or None
    status: int
    headers: dict[str, str]
    body: bytes = b""
    events: list[tuple[int, bytes]] | None = None  # (milliseconds after the head, the event's bytes)
    line: int = 0  # where it stands in its file, for error messages
    notes: dict[str, Any] = field(default_factory=dict)  # e.g. "upstream_error": what went wrong upstream

    def to_line(self) -> str:
        record: dict[str, Any] = {"method": self.method, "path": redact_target(self.path),
                                  "request": self.request, "status": self.status, "headers": self.headers}
        if self.events is not None:
            record["events"] = [[at, event.decode("utf-8", "replace")] for at, event in self.events]
        else:
            try:
                record["body"] = self.body.decode("utf-8")
            except UnicodeDecodeError:  # file contents: bytes that are not text travel as base64
                record["body_base64"] = base64.b64encode(self.body).decode("ascii")
        record.update(self.notes)
        return json.dumps(record, ensure_ascii=False) + "\n"


def kept_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The response headers a cassette keeps, names in lower case; nothing that could carry a credential."""
    return {name.lower(): value for name, value in headers
            if name.lower() in KEPT_HEADERS or name.lower().startswith(KEPT_PREFIXES)}


def request_value(body: bytes, content_type: str) -> Any:
    """What a cassette stores of a request body: its JSON, or its text with a multipart boundary made
    constant (a client draws a new boundary for every upload, so it must not decide a match)."""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        pass
    text = body.decode("utf-8", "replace")
    boundary = _boundary(content_type)
    return text.replace(boundary, "BOUNDARY") if boundary else text


def _boundary(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name.lower() == "boundary":
            return value.strip('"')
    return ""


def comparable(value: Any) -> Any:
    """A request body as a match sees it: JSON without the ignored fields (key order never matters)."""
    if isinstance(value, dict):
        return {key: item for key, item in value.items() if key not in IGNORED_FIELDS}
    return value


def first_difference(recorded: Any, sent: Any, where: str = "") -> str | None:
    """The path of the first field where two request bodies differ (`messages[0].content`), or None."""
    if isinstance(recorded, dict) and isinstance(sent, dict):
        for key in sorted(set(recorded) | set(sent)):
            if key not in recorded or key not in sent:
                return _join(where, key)
            found = first_difference(recorded[key], sent[key], _join(where, key))
            if found is not None:
                return found
        return None
    if isinstance(recorded, list) and isinstance(sent, list):
        for index, (old, new) in enumerate(zip(recorded, sent, strict=False)):
            found = first_difference(old, new, f"{where}[{index}]")
            if found is not None:
                return found
        return f"{where}[{min(len(recorded), len(sent))}]" if len(recorded) != len(sent) else None
    return None if recorded == sent else (where or "(the whole body)")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _difference_count(recorded: Any, sent: Any) -> int:
    """How many leaf fields differ: the nearest recorded request is the one with the fewest."""
    if isinstance(recorded, dict) and isinstance(sent, dict):
        return sum(_difference_count(recorded.get(key), sent.get(key)) if key in recorded and key in sent else 1
                   for key in set(recorded) | set(sent))
    if isinstance(recorded, list) and isinstance(sent, list):
        return (sum(_difference_count(a, b) for a, b in zip(recorded, sent, strict=False))
                + abs(len(recorded) - len(sent)))
    return 0 if recorded == sent else 1


def read_cassette(path: str | Path) -> list[Recorded]:
    """Every exchange in the file, in order; a CassetteError names the first line that is not one."""
    path = Path(path)
    if path.stat().st_size > MAX_CASSETTE_BYTES:
        raise CassetteError(f"{path}: larger than {MAX_CASSETTE_BYTES // (1024 * 1024)} MiB, the most a "
                            "cassette may be")
    recorded = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                recorded.append(_parse_line(path, number, line))
    return recorded


def _parse_line(path: Path, number: int, line: str) -> Recorded:
    where = f"{path}, line {number}"
    try:
        record = json.loads(line)
    except ValueError as error:
        raise CassetteError(f"{where}: not JSON ({error}); was the file cut short or edited by hand?") from None
    if not isinstance(record, dict):
        raise CassetteError(f"{where}: a line must be a JSON object, not {type(record).__name__}")
    try:
        method, target, status = record["method"], record["path"], record["status"]
        headers = record.get("headers", {})
        if not (isinstance(method, str) and isinstance(target, str) and isinstance(status, int)
                and isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())):
            raise TypeError("method and path must be strings, status a number, headers strings")
        events = None
        if "events" in record:
            events = [(int(at), str(event).encode("utf-8")) for at, event in record["events"]]
            body = b""
        elif "body_base64" in record:
            body = base64.b64decode(record["body_base64"], validate=True)
        else:
            body = str(record.get("body", "")).encode("utf-8")
    except KeyError as missing:
        raise CassetteError(f"{where}: no {missing} field") from None
    except (TypeError, ValueError) as error:
        raise CassetteError(f"{where}: {error}") from None
    return Recorded(method, target, record.get("request"), status, headers, body, events, line=number)


class CassetteWriter:
    """Appends exchanges to a cassette, one whole line each, from any thread."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def append(self, recorded: Recorded) -> None:
        line = recorded.to_line().encode("utf-8")
        with self._lock, self.path.open("ab") as file:  # opened per line: nothing is held between exchanges
            file.write(line)


def _key(method: str, path: str, request: Any) -> str:
    """What decides a match, as one string: key order and white space do not count, ignored fields are gone."""
    return json.dumps([method, redact_target(path), comparable(request)], sort_keys=True)


class Player:
    """Finds the recorded answer to a request: same method, path and body (ignoring IGNORED_FIELDS).
    Identical requests get their recorded answers in the recorded order (a background response polled
    three times answers `queued`, `in_progress`, `completed`), then the last one again."""

    def __init__(self, recorded: list[Recorded]) -> None:
        self._recorded = recorded
        self._by_request: dict[str, list[Recorded]] = {}  # one look-up per request, however long the file
        for entry in recorded:
            self._by_request.setdefault(_key(entry.method, entry.path, entry.request), []).append(entry)
        self._served: dict[str, int] = {}  # how many answers to each request were served
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._recorded)

    def find(self, method: str, path: str, request: Any) -> Recorded | None:
        key = _key(method, path, request)
        matches = self._by_request.get(key)
        if not matches:
            return None
        with self._lock:
            served = self._served.get(key, 0)
            self._served[key] = served + 1
        return matches[min(served, len(matches) - 1)]

    def nearest(self, method: str, path: str, request: Any) -> tuple[Recorded, str] | None:
        """The recorded request most like this one, and what differs first: for the error that says why."""
        if not self._recorded:
            return None
        sent = comparable(request)

        def distance(r: Recorded) -> tuple[int, int, int]:
            return (r.method != method, r.path != redact_target(path), _difference_count(comparable(r.request), sent))

        best = min(self._recorded, key=distance)
        if best.method != method:
            return best, "method"
        if best.path != redact_target(path):
            return best, "path"
        return best, first_difference(comparable(best.request), sent) or "(nothing)"
