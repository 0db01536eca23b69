"""Faults a lesson can switch on: rate limits, server errors, a server too slow to answer, a broken stream.
Switch one on from Python for the next N requests, or for one request with the header `X-Mock-Fault`."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable

from . import errors, rate_limits
from .http import Request, Response

FAULTS = ("429", "500", "503", "timeout", "disconnect")
FAULT_HEADER = "x-mock-fault"


class FaultQueue:
    """Faults waiting for the next requests, first in, first out."""

    def __init__(self) -> None:
        self._waiting: deque[str] = deque()
        self._lock = threading.Lock()

    def inject(self, fault: str, times: int = 1) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}: choose one of {', '.join(FAULTS)}")
        with self._lock:
            self._waiting.extend([fault] * times)

    def clear(self) -> None:
        with self._lock:
            self._waiting.clear()

    def take(self) -> str | None:
        with self._lock:
            return self._waiting.popleft() if self._waiting else None


def requested(request: Request, queue: FaultQueue) -> str | None:
    """The fault this request meets: the one its `X-Mock-Fault` header names, else the next one queued."""
    fault = request.headers.get(FAULT_HEADER)
    if fault is None:
        return queue.take()
    if fault not in FAULTS:
        raise errors.invalid_value(f"{FAULT_HEADER} header", fault, list(FAULTS))
    return fault


def before_answer(fault: str, request: Request, hang_seconds: float, stopping: threading.Event) -> None:
    """Play the fault's part before the answer: raise its error, or keep the client waiting."""
    if fault == "429":
        raise rate_limited(_model_named(request.body))
    if fault == "500":
        raise errors.server_error()
    if fault == "503":
        raise errors.overloaded()
    if fault == "timeout":
        hang(request.client_gone, hang_seconds, stopping)


def cut_point(response: Response) -> int:
    """Where the `disconnect` fault drops the connection: half-way through the events, or through the body."""
    return len(response.events) // 2 if response.events is not None else len(response.body) // 2


def rate_limited(model: str) -> errors.ApiError:
    """The 429 of an account that has used up its requests for the minute, with the headers that say so."""
    error = errors.rate_limited(model, rate_limits.REQUESTS_PER_MINUTE, rate_limits.RETRY_AFTER_SECONDS)
    error.headers = dict(rate_limits.minute_spent())
    return error


def hang(client_gone: Callable[[], bool], seconds: float, stopping: threading.Event) -> None:
    """The `timeout` fault: say nothing until the client gives up (or `seconds` pass, or the server stops).
    Checking for the hang-up every 50 ms frees the server's thread as soon as the client has left."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not client_gone() and not stopping.wait(0.05):
        pass


def _model_named(body: bytes) -> str:
    """The model a request names, for the rate-limit message; any JSON problem is left for later."""
    try:
        model = json.loads(body).get("model")
    except (ValueError, UnicodeDecodeError, AttributeError, RecursionError):
        return "this model"
    return model if isinstance(model, str) else "this model"
