"""Replaying: answer each request from a cassette, as the provider answered it when it was recorded.

A request matches a recorded one by method, path and body (cassette.Player); a stream comes back event by
event, with the pauses it had when it was recorded or at the mock's own pace. A request that matches
nothing is never answered with something else: it gets a 400 that names the nearest recorded request and
the first field that differs, so the reader sees at once what to record again.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .. import errors
from ..calls import Call
from ..http import Response
from ..sse import PacedEvents, token_pause
from .cassette import Player, Recorded, read_cassette, request_value

TIMINGS = ("recorded", "mock")


class Replayer:
    """The handler of every request while replaying (routes.MockApi calls it in place of the API's own).
    A WebSocket upgrade is not among them: a cassette holds HTTP exchanges, so the mock's own WebSocket
    answers it (`answers_upgrades`), with the mock's own answers."""

    answers_upgrades = False

    def __init__(self, path: str | os.PathLike[str], timing: str = "recorded") -> None:
        if timing not in TIMINGS:
            raise ValueError(f"replay timing must be one of {', '.join(TIMINGS)}, not {timing!r}")
        self.path = Path(path)
        self.player = Player(read_cassette(self.path))  # a bad cassette fails here, naming its line
        self.timing = timing
        # Replaying every lesson (LLM_CALLS_REPLAY, README "Record once"): a miss is also printed in the cell.
        self.announce_misses = os.environ.get("LLM_CALLS_REPLAY", "") == str(path)

    def __call__(self, call: Call) -> Response:
        request = call.request
        sent = request_value(request.body, request.headers.get("content-type", ""))
        recorded = self.player.find(request.method, request.path, sent)
        if recorded is None:
            error = self._no_match(request.method, request.path, sent)
            if self.announce_misses:  # a notebook may catch the 400 quietly: say it where the reader looks too
                print(f"[mock replay] {error.message}", file=sys.stderr, flush=True)
            raise error
        headers = list(recorded.headers.items())
        if recorded.events is None:
            return Response(recorded.status, headers, recorded.body)
        return Response(recorded.status, headers,
                        events=PacedEvents([event for _, event in recorded.events],
                                           self._pauses(recorded, call.settings.tokens_per_second),
                                           call.stopping))

    def _pauses(self, recorded: Recorded, tokens_per_second: float) -> list[float]:
        """Recorded timing: the gaps between the events as they arrived (none at all when the server streams
        at 0 tokens a second, as the test suite does); mock timing: one token's pause before each event."""
        offsets = [at for at, _ in recorded.events or []]
        if not tokens_per_second:
            return [0.0] * len(offsets)
        if self.timing == "mock":
            return [token_pause(tokens_per_second)] * len(offsets)
        return [max(0, now - before) / 1000 for before, now in zip([0, *offsets], offsets, strict=False)]

    def _no_match(self, method: str, path: str, sent: object) -> errors.ApiError:
        # The mock's own words (there is no OpenAI error for this): what was asked, and what is nearest.
        nearest = self.player.nearest(method, path, sent)
        where = f"The cassette {self.path.name} has no recorded answer to {method} {path.split('?')[0]}"
        if nearest is None:
            return errors.invalid_request(f"{where}: it is empty.", code="no_recorded_answer")
        recorded, field = nearest
        return errors.invalid_request(
            f"{where}. The nearest recorded request (line {recorded.line}: {recorded.method} "
            f"{recorded.path.split('?')[0]}) differs first at `{field}`. Record this request again, or send "
            "the recorded one.", param=field, code="no_recorded_answer")

