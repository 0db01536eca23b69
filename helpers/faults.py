"""Faults a lesson can switch on: rate limits, server errors, a server too slow to answer, a broken stream.
Switch one on from Python for the next N requests, or for one request with the header `X-Mock-Fault`."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

from . import errors

FAULTS = ("429", "500", "503", "timeout", "disconnect")
FAULT_HEADER = "x-mock-fault"
RETRY_AFTER_SECONDS = 1


class FaultQueue:
    """Faults waiting for the next requests, first in, first out."""

    def __init__(self) -> None:
        self._waiting: deque[str] = deque()
        self._lock = threading.Lock()

    def inject(self, fault: str, times: int = 1) -> None:
        check(fault)
        with self._lock:
            self._waiting.extend([fault] * times)

    def clear(self) -> None:
        with self._lock:
            self._waiting.clear()

    def take(self) -> str | None:
        with self._lock:
            return self._waiting.popleft() if self._waiting else None


def check(fault: str) -> None:
    if fault not in FAULTS:
        raise errors.invalid_value(f"{FAULT_HEADER} header", fault, list(FAULTS))


def error_for(fault: str, model: str) -> errors.ApiError | None:
    """The error a fault answers with, in the real service's words; None for faults that are not errors."""
    if fault == "429":
        error = errors.rate_limited(model, RETRY_AFTER_SECONDS)
        error.headers = {
            "retry-after": str(RETRY_AFTER_SECONDS),
            "x-ratelimit-limit-requests": "3",
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": f"{RETRY_AFTER_SECONDS}s",
            "x-ratelimit-limit-tokens": "40000",
            "x-ratelimit-remaining-tokens": "40000",
            "x-ratelimit-reset-tokens": "0s",
        }
        return error
    if fault == "500":
        return errors.server_error()
    if fault == "503":
        return errors.overloaded()
    return None


def hang(client_gone: Callable[[], bool], seconds: float, stopping: threading.Event) -> None:
    """The `timeout` fault: say nothing until the client gives up (or `seconds` pass, or the server stops).
    Checking for the hang-up every 50 ms frees the server's thread as soon as the client has left."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not client_gone() and not stopping.wait(0.05):
        pass
