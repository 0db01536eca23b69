"""What the rest of the mock calls when something a webhook can report happens: `emit("response.completed",
response_id)`, now or after a delay. Each endpoint that asked for that event type gets one delivery."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable

from .. import ids
from ..wire_record import ExchangeLog
from . import shapes
from .delivery import Deliveries, Delivery
from .store import EndpointStore


class Webhooks:
    """The server's endpoints and its deliveries; `close()` when the server stops."""

    def __init__(self, seed: str, record: ExchangeLog | None = None,
                 retry_seconds: Callable[[], float] = lambda: 1.0) -> None:
        self.seed = seed
        self.endpoints = EndpointStore()
        self.deliveries = Deliveries(record, retry_seconds)
        self._numbers = itertools.count(1)  # events and endpoints numbered, so their ids repeat run to run
        self._lock = threading.Lock()

    def next_number(self) -> int:
        with self._lock:
            return next(self._numbers)

    def emit(self, event_type: str, object_id: str, delay: float = 0.0,
             happened: Callable[[], bool] = lambda: True) -> None:
        """Deliver the event to every endpoint that wants it, `delay` seconds from now, if `happened()` is
        still true then (a background response cancelled in the meantime never completes)."""
        if not self.endpoints.wanting(event_type):
            return  # nobody listens now; an endpoint registered later does not get past events

        def make() -> list[Delivery]:
            if not happened():
                return []
            number = self.next_number()
            event = shapes.event(ids.make_hex_id("evt_", 32, self.seed, "event", number), event_type,
                                 object_id, int(time.time()))
            body = json.dumps(event, separators=(",", ":")).encode()
            return [Delivery(endpoint.url, endpoint.secret,
                             ids.make_hex_id("wh_", 32, self.seed, "delivery", number, n), body)
                    for n, endpoint in enumerate(self.endpoints.wanting(event_type))]

        if delay <= 0:
            for delivery in make():
                self.deliveries.send(delivery)
        else:
            self.deliveries.later(delay, make)

    def close(self) -> None:
        self.deliveries.close()
