"""Sending events to the registered endpoints: signed as Standard Webhooks signs them, from a small pool of
worker threads, retried with back-off, recorded in the wire record; never on a request's own thread.

One delivery is an HTTP POST of the event's JSON with three headers (https://www.standardwebhooks.com/,
and openai 3.57.0 lib/_webhooks.py, which checks them):

    webhook-id: wh_...             the same on every attempt of one delivery: a receiver drops repeats by it
    webhook-timestamp: 1765000000  when this attempt was signed, in seconds of the wall clock
    webhook-signature: v1,<base64 of HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>

where the key is the base64 after `whsec_` in the endpoint's signing secret, decoded. A 2xx answer ends a
delivery; anything else, no answer within DELIVERY_TIMEOUT seconds, or a refused connection, and it is tried
again `retry_seconds`, then twice, four times ... as long later, MAX_ATTEMPTS times in all (the real service
keeps trying for days; the mock's clock is short). What waits is bounded (MAX_PENDING), and so are the
workers (WORKERS, started with the first delivery). `close()` wakes them, cuts any connection in flight and
joins them: a receiver that hangs holds up neither a request nor the server's stop."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import heapq
import hmac
import http.client
import itertools
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from ..wire_record import Exchange, ExchangeLog

WORKERS = 2
MAX_PENDING = 256  # deliveries and scheduled events waiting; past it a new one is dropped and counted
MAX_ATTEMPTS = 5
DELIVERY_TIMEOUT = 5.0  # seconds to connect and get an answer's head
MAX_ANSWER_BYTES = 4096  # of a receiver's answer, read and recorded; the rest is not read


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@dataclass
class Delivery:
    url: str
    secret: str
    webhook_id: str
    body: bytes
    attempt: int = 0  # attempts made so far


@dataclass(order=True)
class _Due:
    at: float  # time.monotonic()
    order: int
    work: Delivery | Callable[[], list[Delivery]] = field(compare=False)  # a delivery, or events still to make


class Deliveries:
    """The queue of deliveries and the workers that send them."""

    def __init__(self, record: ExchangeLog | None, retry_seconds: Callable[[], float]) -> None:
        self.record = record
        self.retry_seconds = retry_seconds  # read at each retry: the server's setting may change
        self.timeout = DELIVERY_TIMEOUT
        self.dropped = 0  # deliveries not queued because MAX_PENDING were waiting
        self._due: list[_Due] = []
        self._order = itertools.count()
        self._wakeup = threading.Condition()
        self._closed = False
        self._workers: list[threading.Thread] = []
        self._in_flight: set[socket.socket] = set()

    def send(self, delivery: Delivery, delay: float = 0.0) -> None:
        self._queue(delivery, delay)

    def later(self, delay: float, make: Callable[[], list[Delivery]]) -> None:
        """Call `make` after `delay` seconds, on a worker, and send what it returns (an event that is due
        later, such as a background response finishing, decides then whether it happened)."""
        self._queue(make, delay)

    def _queue(self, work: Delivery | Callable[[], list[Delivery]], delay: float) -> None:
        with self._wakeup:
            if self._closed:
                return
            if len(self._due) >= MAX_PENDING:
                self.dropped += 1
                return
            heapq.heappush(self._due, _Due(time.monotonic() + delay, next(self._order), work))
            if not self._workers:
                self._workers = [threading.Thread(target=self._work, name=f"mock-webhooks-{n}", daemon=True)
                                 for n in range(WORKERS)]
                for worker in self._workers:
                    worker.start()
            self._wakeup.notify()

    @property
    def pending(self) -> int:
        with self._wakeup:
            return len(self._due)

    @property
    def threads(self) -> list[threading.Thread]:
        return [worker for worker in self._workers if worker.is_alive()]

    def close(self, timeout: float = 2.0) -> None:
        """Stop: nothing new is sent, connections in flight are cut, the workers are joined."""
        with self._wakeup:
            self._closed = True
            self._due.clear()
            self._wakeup.notify_all()
            for sock in list(self._in_flight):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))

    def _work(self) -> None:
        while True:
            with self._wakeup:
                while not self._closed and (not self._due or self._due[0].at > time.monotonic()):
                    wait = self._due[0].at - time.monotonic() if self._due else None
                    self._wakeup.wait(wait)
                if self._closed:
                    return
                work = heapq.heappop(self._due).work
            if isinstance(work, Delivery):
                self._attempt(work)
            else:
                for delivery in work():
                    self._queue(delivery, 0.0)

    def _attempt(self, delivery: Delivery) -> None:
        delivery.attempt += 1
        timestamp = int(time.time())  # the wall clock: the receiver compares it with its own
        headers = {"content-type": "application/json", "user-agent": "llm-calls-mock-webhooks",
                   "webhook-id": delivery.webhook_id, "webhook-timestamp": str(timestamp),
                   "webhook-signature": sign(delivery.secret, delivery.webhook_id, timestamp, delivery.body)}
        exchange = Exchange(f"POST {delivery.url} HTTP/1.1", list(headers.items()), "")
        exchange.record_request_body(delivery.body)
        status = self._post(delivery, headers, exchange)
        if self.record is not None:
            self.record.add(exchange)
        if 200 <= status < 300 or delivery.attempt >= MAX_ATTEMPTS:
            return
        self._queue(delivery, self.retry_seconds() * 2 ** (delivery.attempt - 1))

    def _post(self, delivery: Delivery, headers: dict[str, str], exchange: Exchange) -> int:
        """The receiver's status, or 0 when it did not answer in time or could not be reached."""
        parts = urllib.parse.urlsplit(delivery.url)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(parts.hostname or "127.0.0.1", parts.port, timeout=self.timeout)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.connect()
            with self._wakeup:
                if self._closed:
                    return 0
                self._in_flight.add(connection.sock)
            connection.request("POST", target, delivery.body, headers)
            answer = connection.getresponse()
            exchange.status, exchange.reason = answer.status, answer.reason
            exchange.response_headers = answer.getheaders()
            exchange.record_response_body(answer.read(MAX_ANSWER_BYTES))
            exchange.answered = time.monotonic()
            return answer.status
        except (OSError, http.client.HTTPException):
            exchange.broken_off = True
            return 0
        finally:
            with self._wakeup:
                self._in_flight.discard(connection.sock)
            connection.close()
