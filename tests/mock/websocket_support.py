"""What the WebSocket tests share: a raw client that writes frames exactly as told (masked or not, any bits,
any length), reads the server's frames, and the strict check of every server event against the SDK's union."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
from typing import Any

import pydantic
from openai.types.responses.responses_server_event import ResponsesServerEvent

from helpers.mock.websocket import frames
from tests.mock.support import EVENT_EXTRAS, REAL_EXTRAS, extra_fields, validate_response

SERVER_EVENTS: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(ResponsesServerEvent)
PLAIN_MODEL = "gpt-4.1-mini"


def handshake_request(port: int, key: str | None = None, **headers: str) -> tuple[bytes, str]:
    """The upgrade request's bytes and its key; `headers` (underscores for dashes) replace or add lines."""
    key = key or base64.b64encode(os.urandom(16)).decode()
    fields = {"Host": f"127.0.0.1:{port}", "Upgrade": "websocket", "Connection": "Upgrade",
              "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13"}
    fields.update({name.replace("_", "-"): value for name, value in headers.items()})
    head = "GET /v1/responses HTTP/1.1\r\n" + "".join(f"{n}: {v}\r\n" for n, v in fields.items() if v) + "\r\n"
    return head.encode(), key


class RawWebSocket:
    """A client on a plain socket: the handshake, frames written byte by byte, frames read back."""

    def __init__(self, port: int, api_key: str | None, timeout: float = 5.0, receive_buffer: int | None = None,
                 **headers: str) -> None:
        self.sock = socket.socket()
        if receive_buffer is not None:  # before connecting, so that the TCP window stays that small
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        auth = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        request, self.key = handshake_request(port, **auth, **headers)
        self.sock.sendall(request)
        self.buffer = b""
        head = self._read_until(b"\r\n\r\n")
        self.status = int(head.split(b" ", 2)[1])
        self.head = head.decode("latin-1")
        self.headers = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip()
                        for line in self.head.split("\r\n")[1:] if ":" in line}

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            chunk = self.sock.recv(65_536)
            if not chunk:
                raise EOFError(self.buffer)
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            chunk = self.sock.recv(65_536)
            if not chunk:
                raise EOFError(self.buffer)
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def body(self) -> Any:
        """The JSON body of a refused handshake (Content-Length framed)."""
        return json.loads(self._take(int(self.headers["content-length"])))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_frame(self, opcode: int, payload: bytes, *, fin: bool = True, mask: bool = True,
                   rsv: int = 0) -> None:
        data = bytearray(frames.encode_frame(opcode, payload, fin=fin, mask=os.urandom(4) if mask else None))
        data[0] |= rsv << 4
        self.sock.sendall(bytes(data))

    def send_json(self, event: dict[str, Any]) -> None:
        self.send_frame(frames.TEXT, json.dumps(event).encode())

    def read_frame(self) -> frames.Frame:
        """The server's next frame; a server never masks (RFC 6455, 5.1)."""
        first, second = self._take(2)
        assert not second & 0x80, "a server's frame must not be masked"
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._take(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._take(8))[0]
        return frames.Frame(bool(first & 0x80), first & 0x0F, self._take(length))

    def read_json(self) -> dict[str, Any]:
        frame = self.read_frame()
        assert frame.opcode == frames.TEXT and frame.fin, frame
        event: dict[str, Any] = json.loads(frame.payload)
        return event

    def turn(self, **body: Any) -> list[dict[str, Any]]:
        """One `response.create` and every event up to `response.completed` (or an `error`)."""
        self.send_json({"type": "response.create", "model": PLAIN_MODEL, **body})
        events = [self.read_json()]
        while events[-1]["type"] not in ("response.completed", "error"):
            events.append(self.read_json())
        return events

    def close_frame(self) -> tuple[int, str]:
        """Read frames until the server's close frame; its code and reason."""
        while (frame := self.read_frame()).opcode != frames.CLOSE:
            pass
        return struct.unpack("!H", frame.payload[:2])[0], frame.payload[2:].decode()

    def closed_by_server(self) -> bool:
        """True once the server has closed the TCP connection (reads end), after any frames still buffered."""
        try:
            while self.sock.recv(65_536):
                pass
        except ConnectionResetError:
            return True
        return True

    def close(self) -> None:
        self.sock.close()


def validate_server_event(payload: dict[str, Any]) -> Any:
    """Parse one message strictly as a member of the SDK's `ResponsesServerEvent` union (openai 3.57.0)."""
    data = {k: v for k, v in payload.items() if k not in EVENT_EXTRAS}
    if "response" in data:
        validate_response(data["response"])
        data["response"] = {k: v for k, v in data["response"].items() if k not in REAL_EXTRAS}
    parsed = SERVER_EVENTS.validate_python(data, strict=True)
    assert set(data) <= set(type(parsed).model_fields), set(data) - set(type(parsed).model_fields)
    assert extra_fields(parsed) == []
    return parsed
