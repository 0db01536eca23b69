"""Faults a lesson can switch on: rate limits, server errors, a server too slow to answer, a broken stream,
a stream held back by a buffering proxy, an HTML page where JSON was expected. Switch one on from Python
for the next N requests, or for one request with the header `X-Mock-Fault`."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from . import errors, rate_limits
from .http import EventSource, Request, Response

FAULTS = ("429", "500", "503", "timeout", "disconnect", "buffered", "html")
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


def before_answer(fault: str, request: Request, body: Any, hang_seconds: float, stopping: threading.Event) -> None:
    """Play the fault's part before the answer: raise its error, or keep the client waiting.
    `body` is the request's JSON (None if it is not JSON), for the model a 429 names."""
    if fault == "429":
        raise rate_limited(_model_named(body))
    if fault == "500":
        raise errors.server_error()
    if fault == "503":
        raise errors.overloaded()
    if fault == "timeout":
        hang(request.client_gone, hang_seconds, stopping)


def after_answer(fault: str, response: Response) -> Response:
    """Play the fault's part on the answer itself: cut it short, hold a stream back, or replace it."""
    if fault == "disconnect":
        response.cut_after = cut_point(response)
    if fault == "buffered" and response.events is not None:
        response.events = HeldBack(response.events)
    if fault == "html":
        return captive_portal_page()
    return response


class HeldBack:
    """A stream as a buffering proxy passes it on: nothing until the server has sent the last event, then
    every event at once. The reply is complete, but the time to first token is the total time."""

    def __init__(self, events: EventSource) -> None:
        self._events = events

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[bytes]:
        return iter(list(self._events))  # wait for the whole stream, pauses included


def captive_portal_page() -> Response:
    """A 200 that is not the API at all: the sign-in page a hotel Wi-Fi or a company proxy puts in the way."""
    page = (b"<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head>\n"
            b"<body><h1>Welcome!</h1><p>Please accept the terms to continue.</p></body></html>\n")
    return Response(200, [("content-type", "text/html; charset=utf-8")], page)


def cut_point(response: Response) -> int:
    """Where the `disconnect` fault drops the connection: half-way through the events, or through the body.
    (A stream passed on live while recording has no known length yet, so it is cut before its first event.)"""
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


def _model_named(body: Any) -> str:
    """The model a request names, for the rate-limit message; any JSON problem is left for later."""
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else "this model"
