"""One WebSocket connection to `/v1/responses` after the upgrade: the Responses protocol as the SDK's
`client.responses.connect()` speaks it (openai 3.57.0, resources/responses/responses.py), message by message.

The client sends JSON text messages, the `ResponsesClientEvent` union:
    response.create   the body of `POST /v1/responses` with `"type": "response.create"` (and no `stream`:
                      every answer streams); answered with the same typed events as the SSE stream
                      (`response.created` ... `response.completed`, `sequence_number` from 0), one
                      message each. `previous_response_id` reaches the same store as the HTTP API's.
    response.steer    input for a response still running: the mock's responses finish before the next
                      message is read, so it answers `response.steer.failed` with `steering_not_supported`.
The server answers a broken event with an `error` event (`ResponseWsError`: the HTTP error's body, and its
status) and keeps the connection; it answers a ping with a pong, and a close frame with a close frame.

Faults (faults.py), as for an HTTP request: one queued while the connection is open meets the next
`response.create`: 429, 500 and 503 become an `error` event with that status, `disconnect` drops the
connection half-way through the response's events. (One queued before the upgrade meets the upgrade
itself, as a request: websocket/api.py.)
"""

from __future__ import annotations

import json
import socket
import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

from .. import errors, faults, json_bodies
from ..calls import Call
from ..http import Request
from ..responses import api as responses_api
from . import frames
from .frames import WebSocketLimits

# The fields of `response.create` that are the WebSocket's envelope, not the body of POST /v1/responses.
_ENVELOPE = ("type", "stream_id", "generate", "stream")


@dataclass
class Connection:
    """What a session needs of the server: its call (settings, scripted replies, stores), the faults still
    queued, and whether it is stopping."""

    call: Call
    fault_queue: faults.FaultQueue | None
    cut_first_turn: bool  # the `disconnect` fault met the upgrade request


class Session:
    """Reads messages until the client closes, answering each one; every write is one frame in one write."""

    def __init__(self, sock: socket.socket, leftover: bytes, connection: Connection) -> None:
        self.sock = sock
        self.connection = connection
        self.limits: WebSocketLimits = connection.call.settings.websocket
        self.messages = frames.MessageReader(frames.FrameReader(sock, leftover, self.limits,
                                                                connection.call.stopping))
        self.turns = 0
        self.sent_bytes = 0
        self.unstored: deque[str] = deque(maxlen=100)  # ids of this connection's `store: false` responses

    # --- the loop --------------------------------------------------------------------------------------

    def run(self) -> None:
        """Serve the connection until it ends; a protocol error ends it with its close code."""
        try:
            while self._answer(self.messages.read()):
                pass
        except frames.ProtocolError as problem:
            self._close(problem.code, problem.reason)
        except (frames.PeerGone, OSError):  # the client left, or stopped reading past the write timeout
            return

    def _answer(self, message: frames.Message) -> bool:
        """Answer one message; False once the connection is closing."""
        if message.opcode == frames.PING:
            self._send(frames.PONG, message.payload)  # the same payload back (RFC 6455, 5.5.3)
        elif message.opcode == frames.CLOSE:
            code, _ = frames.parse_close(message.payload)
            self._send(frames.CLOSE, frames.close_payload(code) if code is not None else b"")  # echo (5.5.1)
            return False
        elif message.opcode == frames.TEXT:
            return self._event(message.text)
        elif message.opcode == frames.BINARY:
            self._error(errors.invalid_request(
                "The mock reads each event as a text message (JSON in UTF-8); this was a binary one."))
        return True  # a pong needs no answer

    def _event(self, text: str) -> bool:
        try:
            event = json_bodies.parse_request_body(text.encode())
            kind = event.get("type") if isinstance(event, dict) else None
            if kind == "response.create":
                return self._create(event)
            if kind == "response.steer":
                self._steer(event)
                return True
            raise errors.invalid_value("type", kind, ["response.create", "response.steer"])
        except errors.ApiError as error:
            self._error(error, stream_id=_stream_id(text))
            return True

    # --- response.create -------------------------------------------------------------------------------

    def _create(self, event: dict[str, Any]) -> bool:
        """One turn: the event's body through the same path as POST /v1/responses with `stream: true`,
        and each SSE event's JSON sent as one text message."""
        if event.get("background") is not None and event.get("background") is not False:
            raise errors.invalid_request("background is not supported over WebSocket.", param="background")
        if event.get("generate") is False:
            raise errors.invalid_request(
                "The offline mock cannot prepare a response without generating it: leave out 'generate'.",
                param="generate", code="unsupported_parameter")
        stream_id = event.get("stream_id")
        if stream_id is not None and not isinstance(stream_id, str):
            raise errors.invalid_type("stream_id", "a string", stream_id)
        if event.get("previous_response_id") in self.unstored:
            raise errors.invalid_request(
                "The offline mock keeps no store=false response in the connection's memory, as OpenAI's "
                "WebSocket mode does: create the previous response with 'store' left out (true) to continue it.",
                param="previous_response_id", code="unsupported_parameter")
        cut = self._fault_for_turn()
        body = {name: value for name, value in event.items() if name not in _ENVELOPE}
        self.turns += 1
        reply = responses_api.create_response(self._turn_call({**body, "stream": True}))
        events = list(reply.events or ()) if cut else reply.events or ()
        data = b""
        for sent, sse_event in enumerate(events, start=1):
            data = sse_data(sse_event)
            self._send(frames.TEXT, _with_stream_id(data, stream_id))
            if cut and sent == len(events) // 2:
                self.sock.shutdown(socket.SHUT_RDWR)  # the `disconnect` fault: no close frame, just gone
                return False
        if body.get("store") is False:  # the last event holds the response: remember its id
            self.unstored.append(json.loads(data)["response"]["id"])
        return True

    def _fault_for_turn(self) -> bool:
        """Play a queued fault on this turn: raise its error (an `error` event), or True to cut it."""
        connection = self.connection
        if self.turns == 0 and connection.cut_first_turn:
            return True
        fault = connection.fault_queue.take() if connection.fault_queue is not None else None
        if fault in ("429", "500", "503"):
            faults.before_answer(fault, connection.call.request, None, 0, connection.call.stopping)
        return fault == "disconnect"

    def _turn_call(self, body: dict[str, Any]) -> Call:
        """The Call a turn is answered with: the connection's, with this turn's body. Its ids come from a
        seed of the connection's own, so two connections (or a connection and an HTTP request) never
        make the same id, and a fresh server repeats them."""
        call = self.connection.call
        request = Request("POST", "/v1/responses", {"content-type": "application/json"},
                          json.dumps(body).encode(), call.request.client_gone)
        settings = replace(call.settings, seed=f"{call.settings.seed} websocket {call.number}")
        return replace(call, request=request, number=self.turns, settings=settings)

    # --- response.steer --------------------------------------------------------------------------------

    def _steer(self, event: dict[str, Any]) -> None:
        """The mock never has a response running when it reads a message, so there is nothing to steer:
        `response.steer.failed` with the code the SDK documents for "does not support steering"
        (types/responses/response_steer_failed_event.py), the input handed back as the protocol asks."""
        previous = event.get("previous_response_id")
        if not isinstance(previous, str):
            raise errors.invalid_type("previous_response_id", "a string", previous)
        if "input" not in event:
            raise errors.missing_parameter("input")
        self._send_json({
            "type": "response.steer.failed", "sequence_number": 0,
            "error": {"type": "invalid_request_error", "code": "steering_not_supported",
                      "message": "The offline mock cannot steer a response: each one is finished before the "
                                 "next message is read. Send the input with a new response.create."},
            "steer": {"input": event["input"], "previous_response_id": previous},
        })

    # --- writing -----------------------------------------------------------------------------------------

    def _error(self, error: errors.ApiError, stream_id: str | None = None) -> None:
        """An `error` event: the HTTP error's body, with its status (ResponseWsError, openai 3.57.0)."""
        event: dict[str, Any] = {"type": "error", "status": error.status, **error.body()}
        if stream_id is not None:
            event["stream_id"] = stream_id
        self._send_json(event)

    def _send_json(self, event: dict[str, Any]) -> None:
        self._send(frames.TEXT, json.dumps(event, separators=(",", ":")).encode())

    def _send(self, opcode: int, payload: bytes) -> None:
        data = frames.encode_frame(opcode, payload)
        self.sock.settimeout(self.limits.write_timeout)  # a reader that stops reading costs this, at most
        self.sock.sendall(data)  # one write: the head and payload leave together
        self.sent_bytes += len(data)

    def _close(self, code: int, reason: str) -> None:
        """The closing handshake after a protocol error: our close frame, then read what the client still
        sends (its own close frame, or the rest of a bad frame) until it closes, for two seconds at most.
        Closing the socket at once could reset the connection and lose the close frame (RFC 6455, 7.1.1)."""
        try:
            self._send(frames.CLOSE, frames.close_payload(code, reason))
            self.sock.shutdown(socket.SHUT_WR)
            drain(self.sock, deadline=time.monotonic() + 2.0, max_bytes=1024 * 1024)
        except OSError:
            pass


def drain(sock: socket.socket, deadline: float, max_bytes: int) -> None:
    """Read and drop until the peer closes, the deadline passes or `max_bytes` have come."""
    while max_bytes > 0 and (remaining := deadline - time.monotonic()) > 0:
        sock.settimeout(remaining)
        try:
            data = sock.recv(65_536)
        except OSError:
            return
        if not data:
            return
        max_bytes -= len(data)


def sse_data(sse_event: bytes) -> bytes:
    """The JSON of one server-sent event (`event: ...\\ndata: {...}\\n\\n`): the message the WebSocket
    carries instead. The same bytes, so the two transports cannot drift apart."""
    return sse_event.split(b"data: ", 1)[1].rstrip(b"\n")


def _with_stream_id(data: bytes, stream_id: str | None) -> bytes:
    """Events echo the `stream_id` their `response.create` gave (ResponseWsCreated and the rest)."""
    if stream_id is None:
        return data
    return json.dumps({**json.loads(data), "stream_id": stream_id}, separators=(",", ":")).encode()


def _stream_id(text: str) -> str | None:
    try:
        value = json.loads(text).get("stream_id")
    except (ValueError, AttributeError, RecursionError):
        return None
    return value if isinstance(value, str) else None
