"""The record of what went over the wire: each request and its response, as a client and server saw them.
Keys are redacted before anything is stored, so no record (or notebook output) can leak one."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

SECRET_HEADERS = ("authorization", "api-key", "x-api-key", "openai-api-key")
REDACTED = "[redacted]"


def redact_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Replace every credential; for Bearer auth, keep the scheme so the reader sees how the key travels."""
    redacted = []
    for name, value in headers:
        if name.lower() in SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] + " " if " " in value else ""
            value = scheme + REDACTED
        redacted.append((name, value))
    return redacted


@dataclass
class Exchange:
    """One request and its response. `frames` holds the server-sent events of a stream, as sent.
    `started` and `answered` are `time.monotonic()` readings: the request's head read, the answer begun."""

    request_line: str
    request_headers: list[tuple[str, str]]
    request_body: str
    status: int = 0
    reason: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: str = ""
    frames: list[str] = field(default_factory=list)
    broken_off: bool = False
    started: float = field(default_factory=time.monotonic)
    answered: float = 0.0

    @property
    def method(self) -> str:
        return self.request_line.split(" ")[0]

    @property
    def path(self) -> str:
        return self.request_line.split(" ")[1]


class ExchangeLog:
    """The last `size` exchanges, oldest first; bounded so a long-running server does not grow."""

    def __init__(self, size: int = 100) -> None:
        self._exchanges: deque[Exchange] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)

    def all(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)
