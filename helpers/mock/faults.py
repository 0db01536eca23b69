"""Faults a lesson can switch on: rate limits, server errors, a server too slow to answer, a broken stream,
a stream held back by a buffering proxy, an HTML page where JSON was expected, and streams that fail after
their 200 (STREAM_FAULTS). Switch one on from Python for the next N requests, or for one request with the
header `X-Mock-Fault`. A stream fault may name how many events go out before it: `stream-error:3`."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from . import errors, rate_limits, tokens
from .http import EventSource, Request, Response
from .replies import Choice

# Streams that begin with 200 and then fail, as real services' streams do. Each family's stream code plays
# them (chat/api.py, responses/api.py), in its own framing:
#   stream-error           Chat Completions: a `data: {"error": {...}}` event, then the stream ends (no
#                          `[DONE]`); the Responses API: an `error` event with its fields flat, as the SDK's
#                          ResponseErrorEvent types it (openai 3.57.0, types/responses/response_error_event.py).
#   stream-error-nested    the Responses API's `error` event with its fields nested under `error`, as seen
#                          from the live service (openai/openai-dotnet#881, 2025-12-19: a 429 mid-stream;
#                          Effect-TS/effect#7262: `insufficient_quota`); discussed for the Python SDK in
#                          openai/openai-python#2487. openai 3.57.0 `_streaming.py` raises APIError on this
#                          framing (it looks for an `error` key) and yields the flat one as an event.
#                          Chat Completions has only the nested framing: there it is `stream-error`.
#   stream-failed          the Responses API's `response.failed`, the response's `error` set; on Chat
#                          Completions, which has no such event, the in-stream error of `stream-error`.
#   stream-incomplete      the reply stops at a token limit: `response.incomplete` with
#                          `incomplete_details.reason` "max_output_tokens"; on chat `finish_reason` "length".
#   stream-content-filter  the same, reason "content_filter" (chat: `finish_reason` "content_filter").
#   stream-cut             the stream ends cleanly (HTTP's last chunk) before its terminal event: no
#                          `[DONE]`, no `response.completed`, as when a proxy ends a long response.
STREAM_FAULTS = ("stream-error", "stream-error-nested", "stream-failed", "stream-incomplete",
                 "stream-content-filter", "stream-cut")
FAULTS = ("429", "500", "503", "timeout", "disconnect", "buffered", "html", *STREAM_FAULTS)
FAULT_HEADER = "x-mock-fault"
_FINISH_REASONS = {"stream-incomplete": "length", "stream-content-filter": "content_filter"}


@dataclass(frozen=True)
class StreamFault:
    """A stream fault and how many events go out before it (None: half the stream's events)."""

    name: str
    after: int | None = None

    @property
    def finish_reason(self) -> str | None:
        """"length" or "content_filter" for a reply cut short; None for a stream that breaks."""
        return _FINISH_REASONS.get(self.name)

    def events_kept(self, count: int) -> int:
        """How many of a stream's `count` events go out before it breaks."""
        return count // 2 if self.after is None else min(self.after, count)


def stream_fault(fault: str | None) -> StreamFault | None:
    """The stream fault a fault names (`stream-error` or `stream-error:3`), or None for any other."""
    if fault is None:
        return None
    name, _, after = fault.partition(":")
    if name not in STREAM_FAULTS:
        return None
    return StreamFault(name, int(after) if after else None)


def is_known(fault: str) -> bool:
    """A fault's name is one of FAULTS; only a stream fault may add `:N`, N events (0 to 10000)."""
    name, colon, after = fault.partition(":")
    if not colon:
        return name in FAULTS
    return name in STREAM_FAULTS and after.isascii() and after.isdigit() and int(after) <= 10_000


def cut_short(choice: Choice, finish_reason: str) -> Choice:
    """A reply that stopped half-way, at a token limit or a content filter: half its text or, for tool
    calls, the last call's arguments cut in half (no longer valid JSON, as a real cut leaves them)."""
    if choice.tool_calls:
        calls = [dict(call) for call in choice.tool_calls]
        kind = calls[-1]["type"]
        field_name = "arguments" if kind == "function" else "input"
        pieces = tokens.split_tokens(calls[-1][kind][field_name])
        calls[-1] = {**calls[-1], kind: {**calls[-1][kind], field_name: "".join(pieces[: len(pieces) // 2])}}
        return replace(choice, tool_calls=calls, finish_reason=finish_reason)
    pieces = choice.pieces[: len(choice.pieces) // 2]
    text = "".join(pieces)
    if choice.refusal is not None:
        return replace(choice, refusal=text, finish_reason=finish_reason, completion_tokens=len(pieces))
    return replace(choice, content=text, finish_reason=finish_reason, completion_tokens=len(pieces))


class FaultQueue:
    """Faults waiting for the next requests, first in, first out."""

    def __init__(self) -> None:
        self._waiting: deque[str] = deque()
        self._lock = threading.Lock()

    def inject(self, fault: str, times: int = 1) -> None:
        if not is_known(fault):
            raise ValueError(f"unknown fault {fault!r}: choose one of {', '.join(FAULTS)} "
                             "(a stream fault may add :N, the events sent before it)")
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
    if not is_known(fault):
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
    if stream_fault(fault) is not None and not _asks_to_stream(body):
        raise errors.invalid_request(
            f"The offline mock's '{fault}' fault breaks a stream: send this request with 'stream': true.",
            param="stream")


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


def _asks_to_stream(body: Any) -> bool:
    return isinstance(body, dict) and body.get("stream") is True


def _model_named(body: Any) -> str:
    """The model a request names, for the rate-limit message; any JSON problem is left for later."""
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else "this model"
