"""The HTTP layer: read a request off the socket, hand it to the API, write the response back.
Standard library only (http.server); each response leaves in one write, so keep-alive stays fast."""

from __future__ import annotations

import email.utils
import json
import select
import socket
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable

from . import errors
from .wire_record import Exchange, ExchangeLog, redact_headers


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    client_gone: Callable[[], bool] = lambda: False


@dataclass
class Response:
    """A JSON body, or a stream of server-sent events. `break_off` cuts it short mid-way on purpose."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    events: Iterable[bytes] | None = None
    break_off: bool = False


def json_response(status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    body = json.dumps(payload, indent=2).encode()
    return Response(status, [("content-type", "application/json")] + (headers or []), body)


def error_response(error: errors.ApiError) -> Response:
    return json_response(error.status, error.body(), list(error.headers.items()))


class MockHTTPServer(ThreadingHTTPServer):
    """One thread per connection; each request is answered by `handle_request_fn`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handle: Callable[[Request], Response], max_body_bytes: int,
                 log: ExchangeLog, verbose: bool = False) -> None:
        super().__init__(address, _Handler)
        self.handle_request_fn = handle
        self.max_body_bytes = max_body_bytes
        self.exchange_log = log
        self.verbose = verbose


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as every OpenAI client expects
    disable_nagle_algorithm = True  # small writes must not wait for the client's delayed ACK
    server: MockHTTPServer

    def do_POST(self) -> None:
        self._serve()

    do_GET = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_POST

    def _serve(self) -> None:
        exchange = Exchange(self.requestline, redact_headers(list(self.headers.items())), "")
        try:
            body = self._read_body()
        except errors.ApiError as too_large:
            self.close_connection = True  # the rest of the body is still unread on the socket
            self._write(error_response(too_large), exchange)
            return
        exchange.request_body = body.decode("utf-8", "replace")
        request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                          self._client_gone)
        self._write(self.server.handle_request_fn(request), exchange)

    def _read_body(self) -> bytes:
        """The body, never reading past the size limit (checked before reading, from Content-Length)."""
        limit = self.server.max_body_bytes
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        try:
            length = int(self.headers.get("Content-Length", 0))
        except ValueError:
            raise errors.invalid_request("Invalid Content-Length header.") from None
        if length > limit:
            raise errors.body_too_large(limit)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self, limit: int) -> bytes:
        body = bytearray()
        while True:
            size = int(self.rfile.readline(64).split(b";")[0], 16)
            if len(body) + size > limit:
                raise errors.body_too_large(limit)
            if size == 0:
                self.rfile.readline()  # the blank line after the last chunk
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline()

    def _client_gone(self) -> bool:
        """True once the client has hung up: its socket reads as closed."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        try:
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _write(self, response: Response, exchange: Exchange) -> None:
        exchange.status, exchange.reason = response.status, HTTPStatus(response.status).phrase
        exchange.response_headers = response.headers
        try:
            if response.events is None:
                self._write_body(response, exchange)
            else:
                self._write_stream(response, exchange)
        except (BrokenPipeError, ConnectionResetError):
            exchange.broken_off = True  # the client hung up; nothing to answer, keep serving others
            self.close_connection = True
        self.server.exchange_log.add(exchange)
        if self.server.verbose:
            print(f'{self.client_address[0]} "{self.requestline}" {response.status}', flush=True)

    def _head(self, response: Response, framing: tuple[str, str]) -> bytes:
        lines = [f"HTTP/1.1 {response.status} {HTTPStatus(response.status).phrase}",
                 f"date: {email.utils.formatdate(usegmt=True)}", f"{framing[0]}: {framing[1]}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        if self.close_connection:
            lines.append("connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _write_body(self, response: Response, exchange: Exchange) -> None:
        body = b"" if self.command == "HEAD" else response.body
        exchange.response_body = response.body.decode()
        if response.break_off:
            self._break_off(self._head(response, ("content-length", str(len(body)))) + body[: len(body) // 2])
            exchange.broken_off = True
            return
        self.wfile.write(self._head(response, ("content-length", str(len(body)))) + body)

    def _write_stream(self, response: Response, exchange: Exchange) -> None:
        """Server-sent events in chunked transfer encoding; each event goes out as one chunk, at once."""
        events = list(response.events) if response.break_off else response.events
        stop_after = len(events) // 2 if response.break_off else None  # type: ignore[arg-type]
        self.wfile.write(self._head(response, ("transfer-encoding", "chunked")))
        for number, event in enumerate(events):
            if number == stop_after:
                exchange.broken_off = True
                self._break_off(b"")
                return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            exchange.frames.append(event.decode().rstrip("\n"))
        self.wfile.write(b"0\r\n\r\n")

    def _break_off(self, last_bytes: bytes) -> None:
        """Send what there is, then drop the connection without finishing the message."""
        self.wfile.write(last_bytes)
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Even a request too broken to parse gets an answer in OpenAI's error shape."""
        self.close_connection = True
        error = errors.ApiError(code, message or HTTPStatus(code).phrase)
        exchange = Exchange(self.requestline or "(unreadable request)", [], "")
        self._write(error_response(error), exchange)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are logged by _write (never with headers, which could carry a key)

