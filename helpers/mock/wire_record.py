"""The record of what went over the wire: each request and its response, as a client and server saw them.
Credentials are redacted before anything is stored, and the record is bounded in bytes as well as count."""

from __future__ import annotations

import re
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field

REDACTED = "[redacted]"
# Headers that carry a credential, and words that mark one in any other header's name.
SECRET_HEADERS = ("authorization", "proxy-authorization", "cookie", "set-cookie", "api-key", "x-api-key",
                  "openai-api-key")
SECRET_WORDS = ("auth", "cookie", "token", "secret", "password", "api-key", "apikey", "api_key")
# Query parameters that carry a key (`?api_key=...`, as some clients and proxies send one).
SECRET_PARAMETERS = ("key", "api_key", "api-key", "apikey", "access_token", "token", "auth", "password")

RECORD_BODY_BYTES = 65_536  # of each body, the most kept; the rest is counted, not kept
RECORD_STREAM_BYTES = 65_536  # of a stream's events, the most kept
RECORD_BUDGET_BYTES = 8 * 1024 * 1024  # all the exchanges kept together
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def redact_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Replace every credential; for Bearer auth, keep the scheme so the reader sees how the key travels."""
    redacted = []
    for name, value in headers:
        lower = name.lower()
        if lower in SECRET_HEADERS or any(word in lower for word in SECRET_WORDS):
            scheme = value.split(" ", 1)[0] + " " if " " in value else ""
            value = scheme + REDACTED
        redacted.append((name, value))
    return redacted


def redact_target(request_line: str) -> str:
    """The request line with the value of every key-like query parameter replaced."""
    path, question, query = request_line.partition("?")
    if not question:
        return request_line
    query, space, version = query.rpartition(" ")
    if not space:
        query, version = version, ""
    pairs = [pair.partition("=") for pair in query.split("&")]
    kept = [name + equals + (REDACTED if equals and _is_secret(name, value) else value)
            for name, equals, value in pairs]
    return f"{path}?{'&'.join(kept)}{space}{version}"


def _is_secret(name: str, value: str) -> bool:
    """A parameter named like a key, or a value shaped like an OpenAI key ("sk-...")."""
    return urllib.parse.unquote_plus(name).lower() in SECRET_PARAMETERS or value.startswith("sk-")


def escape_controls(text: str) -> str:
    """Control characters written as `\\x1b`, so that text from a client cannot rewrite a terminal or a
    log line (a `\\r\\n` inside a request line would otherwise forge a second line)."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _kept(data: bytes, limit: int) -> tuple[str, int]:
    """The part of a body the record keeps, as text, and how many bytes it leaves out."""
    return data[:limit].decode("utf-8", "replace"), max(0, len(data) - limit)


@dataclass
class Exchange:
    """One request and its response. `frames` holds the server-sent events of a stream, as sent.
    The `*_unrecorded` counts say how much was left out of the record to keep it small. `started` and
    `answered` are `time.monotonic()` readings: the request's head read, the answer begun."""

    request_line: str
    request_headers: list[tuple[str, str]]
    request_body: str
    status: int = 0
    reason: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: str = ""
    frames: list[str] = field(default_factory=list)
    broken_off: bool = False
    request_body_unrecorded: int = 0  # bytes
    response_body_unrecorded: int = 0  # bytes
    frames_unrecorded: int = 0  # events
    recorded_bytes: int = 0  # about what this record costs in memory
    started: float = field(default_factory=time.monotonic)
    answered: float = 0.0

    def __post_init__(self) -> None:
        self.recorded_bytes += len(self.request_line) + sum(len(n) + len(v) for n, v in self.request_headers)

    @property
    def method(self) -> str:
        return self.request_line.split(" ")[0]

    @property
    def path(self) -> str:
        return self.request_line.split(" ")[1]

    def record_request_body(self, body: bytes) -> None:
        self.request_body, self.request_body_unrecorded = _kept(body, RECORD_BODY_BYTES)
        self.recorded_bytes += min(len(body), RECORD_BODY_BYTES)

    def record_response_body(self, body: bytes) -> None:
        self.response_body, self.response_body_unrecorded = _kept(body, RECORD_BODY_BYTES)
        self.recorded_bytes += min(len(body), RECORD_BODY_BYTES)

    def record_frame(self, event: bytes) -> None:
        """One server-sent event, kept while the stream's share of the record lasts, else counted: the
        frames kept are always the stream's beginning, never with a later, smaller event after a gap."""
        full = self.recorded_bytes + len(event) > RECORD_STREAM_BYTES + RECORD_BODY_BYTES
        if full or self.frames_unrecorded:
            self.frames_unrecorded += 1
            return
        self.frames.append(event.decode("utf-8", "replace").rstrip("\n"))
        self.recorded_bytes += len(event)


class ExchangeLog:
    """The last `size` exchanges, oldest first, within `budget_bytes`: a server left running does not grow."""

    def __init__(self, size: int = 100, budget_bytes: int = RECORD_BUDGET_BYTES) -> None:
        self._exchanges: deque[Exchange] = deque(maxlen=size)
        self._budget = budget_bytes
        self._lock = threading.Lock()

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)
            # Records grow after they are added (a stream's frames), so the total is summed afresh.
            total = sum(kept.recorded_bytes for kept in self._exchanges)
            while total > self._budget and len(self._exchanges) > 1:
                total -= self._exchanges.popleft().recorded_bytes

    def all(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)
