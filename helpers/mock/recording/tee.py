"""Recording the mock itself (`record=FILE` without `upstream=`): each answer the mock's own API gives is
kept in the cassette as a client receives it, so a lesson replayed from that cassette must run exactly as
it ran. The test suite records every lesson this way and replays it (tests/lessons/test_replay.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from ..http import EventSource, Request, Response
from .cassette import CassetteWriter, Recorded, kept_headers, request_value


class Tee:
    """Keeps a copy of each answer on its way out: a body at once, a stream once its last event has left."""

    def __init__(self, cassette: CassetteWriter) -> None:
        self.cassette = cassette

    def record(self, request: Request, response: Response,
               extra_headers: list[tuple[str, str]] | None = None) -> Response:
        if response.takeover is not None:  # a WebSocket: not an HTTP exchange, not in a cassette
            return response
        stored = request_value(request.body, request.headers.get("content-type", ""))
        headers = kept_headers([*response.headers, *(extra_headers or [])])
        if response.events is None:
            self.cassette.append(Recorded(request.method, request.path, stored, response.status, headers,
                                          response.body))
            return response

        def keep(received: list[tuple[int, bytes]]) -> None:
            self.cassette.append(Recorded(request.method, request.path, stored, response.status, headers,
                                          events=received))

        response.events = CapturedEvents(response.events, keep)
        return response


class CapturedEvents:
    """A stream passed on unchanged, its events and their times kept for `on_end` once it has ended."""

    def __init__(self, events: EventSource, on_end: Callable[[list[tuple[int, bytes]]], None]) -> None:
        self._events, self._on_end = events, on_end

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[bytes]:
        started, received = time.monotonic(), []
        try:
            for event in self._events:
                received.append((round((time.monotonic() - started) * 1000), event))
                yield event
        finally:
            self._on_end(received)
