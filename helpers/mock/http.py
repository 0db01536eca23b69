"""HTTP/1.1, and nothing about OpenAI: read a request off a socket, hand it to `handle`, write the response back.
Keep-alive, Content-Length or chunked bodies, server-sent events; each response leaves in one write.

A request on the wire is a request line, header lines, a blank line and maybe a body:

    POST /v1/chat/completions HTTP/1.1        <- method, target, version
    Host: 127.0.0.1:8000                      <- headers, one per line, until a blank line
    Content-Length: 57
                                              <- the blank line ends the head
    {"model": "gpt-5.4-mini", "messages": []}  <- exactly Content-Length bytes (or chunks, see below)

HTTP/1.1 keeps the connection open for the next request unless a side says `Connection: close`. A body
is framed either by `Content-Length` or by `Transfer-Encoding: chunked`: a hexadecimal size, the bytes,
again and again, then a chunk of size 0. A stream of server-sent events goes out chunked, one event a
chunk, because its length is not known when the head is sent.

Whatever the HTTP layer cannot read (a bad request line, an oversized body) is answered through
`refuse(status, message)`, which the API side supplies so that the answer reads like the API's own.
"""

from __future__ import annotations

import email.utils
import functools
import select
import socket
import socketserver
import ssl
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol

from .wire_record import Exchange, ExchangeLog, redact_headers

MAX_LINE = 65_536  # the longest request line or header line read
MAX_HEADERS = 100


class EventSource(Protocol):
    """The events of a stream: how many there are, and the bytes of each as it is due to leave."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[bytes]: ...


@dataclass
class Request:
    method: str
    path: str  # the target as sent, query string included
    headers: dict[str, str]  # the first of each header, name in lower case
    body: bytes
    client_gone: Callable[[], bool] = lambda: False  # True once the client has hung up


@dataclass
class Response:
    """A body, or a stream of events sent one chunk each. `cut_after` drops the connection on purpose
    after that many bytes of the body, or that many events (the `disconnect` fault)."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    events: EventSource | None = None
    cut_after: int | None = None


class BadRequest(Exception):
    """A request the HTTP layer cannot read; `status` is the HTTP status to refuse it with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


Handle = Callable[[Request], Response]
Refuse = Callable[[int, str], Response]


@functools.lru_cache(maxsize=1)
def http_date(second: int) -> str:
    """The Date header's value ("Wed, 25 Nov 2026 20:12:13 GMT"), formatted once a second, not per request."""
    return email.utils.formatdate(second, usegmt=True)


@dataclass
class RequestHead:
    """The request line and headers, as read off the wire (`by_name`: the first of each, name in lower case)."""

    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    by_name: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {}
        for name, value in self.headers:
            self.by_name.setdefault(name.lower(), value)

    def header(self, name: str, default: str = "") -> str:
        return self.by_name.get(name, default)

    @property
    def request_line(self) -> str:
        return f"{self.method} {self.target} {self.version}"

    def keeps_alive(self) -> bool:
        """HTTP/1.1 keeps a connection open unless told to close; HTTP/1.0 closes unless told otherwise."""
        connection = self.header("connection").lower()
        if self.version == "HTTP/1.1":
            return connection != "close"
        return connection == "keep-alive"


class MockHTTPServer(socketserver.ThreadingTCPServer):
    """Accepts connections and serves each in a thread of its own; `handle` answers every request."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default of 5 resets clients when dozens connect at once

    def __init__(self, address: tuple[str, int], handle: Handle, refuse: Refuse, max_body_bytes: int,
                 log: ExchangeLog, verbose: bool = False, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(address, _Connection)
        self.tls = tls
        self.handle_request_fn = handle
        self.refuse_fn = refuse
        self.max_body_bytes = max_body_bytes
        self.exchange_log = log
        self.verbose = verbose

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Serve one connection. For https://, the TLS handshake happens here, in the connection's own
        thread, so that a slow or refused handshake never holds up the accept loop."""
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        try:
            secure = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client refused the certificate, or hung up: nothing to answer
        with secure:
            super().finish_request(secure, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up is normal, not worth a traceback: in a notebook, a server thread's
        traceback would land in whichever cell happens to be running."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError)):
            super().handle_error(request, client_address)


class _Connection(socketserver.StreamRequestHandler):
    """One client's connection: request after request, until either side closes it."""

    disable_nagle_algorithm = True  # small writes must not wait for the client's delayed ACK
    server: MockHTTPServer

    def handle(self) -> None:
        while self._serve_one():
            pass

    def _serve_one(self) -> bool:
        """Read one request and answer it; False when the connection is done."""
        try:
            head = self._read_head()
        except BadRequest as problem:
            return self._refuse(problem, Exchange("(unreadable request)", [], ""))
        if head is None:
            return False  # the client closed the connection between requests
        exchange = Exchange(head.request_line, redact_headers(head.headers), "")
        try:
            body = self._read_body(head)
        except BadRequest as problem:  # a broken or oversized body: the rest of it is unread
            return self._refuse(problem, exchange)
        exchange.request_body = body.decode("utf-8", "replace")
        request = Request(head.method, head.target, head.by_name, body, self._client_gone)
        response = self.server.handle_request_fn(request)
        return self._write(response, exchange, head, close=not head.keeps_alive())

    def _refuse(self, problem: BadRequest, exchange: Exchange) -> bool:
        """Answer a request that could not be read whole, then close: what is left of it on the socket
        cannot be told apart from the next request."""
        response = self.server.refuse_fn(problem.status, problem.message)
        return self._write(response, exchange, head=None, close=True)

    # --- reading --------------------------------------------------------------------------------------

    def _read_line(self) -> bytes:
        line = self.rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise BadRequest(431, "Request line or header line too long.")
        return line

    def _read_head(self) -> RequestHead | None:
        line = self._read_line()
        while line in (b"\r\n", b"\n"):  # stray blank lines before a request are allowed
            line = self._read_line()
        if not line:
            return None
        parts = line.decode("latin-1").split()
        if len(parts) != 3:
            raise BadRequest(400, f"Bad request line: {line[:100].decode('latin-1').strip()!r}")
        method, target, version = parts
        if version not in ("HTTP/1.0", "HTTP/1.1"):
            raise BadRequest(505, f"HTTP version not supported: {version[:20]!r}")
        return RequestHead(method, target, version, self._read_headers())

    def _read_headers(self) -> list[tuple[str, str]]:
        headers = []
        while (line := self._read_line()) not in (b"\r\n", b"\n", b""):
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or not name or name != name.strip():
                raise BadRequest(400, f"Bad header line: {line[:100].decode('latin-1').strip()!r}")
            headers.append((name, value.strip()))
            if len(headers) > MAX_HEADERS:
                raise BadRequest(431, "Too many headers.")
        return headers

    def _read_body(self, head: RequestHead) -> bytes:
        """The body, never reading past the size limit (known before reading, from Content-Length)."""
        if head.header("expect").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # curl waits for this before a large body
        limit = self.server.max_body_bytes
        if "chunked" in head.header("transfer-encoding").lower():
            return self._read_chunked(limit)
        try:
            length = int(head.header("content-length", "0"))
        except ValueError:
            raise BadRequest(400, "Invalid Content-Length header.") from None
        if length < 0:
            raise BadRequest(400, "Invalid Content-Length header.")
        if length > limit:
            raise BadRequest(413, f"Request body too large. The maximum size is {limit} bytes.")
        return self.rfile.read(length)

    def _read_chunked(self, limit: int) -> bytes:
        body = bytearray()
        while True:
            try:
                size = int(self._read_line().split(b";")[0], 16)
            except ValueError:
                raise BadRequest(400, "Invalid chunked request body.") from None
            if size < 0:
                raise BadRequest(400, "Invalid chunked request body.")
            if len(body) + size > limit:
                raise BadRequest(413, f"Request body too large. The maximum size is {limit} bytes.")
            if size == 0:
                self._read_line()  # the blank line after the last chunk
                return bytes(body)
            body += self.rfile.read(size)
            self._read_line()

    def _client_gone(self) -> bool:
        """True once the client has hung up: its socket reads as closed."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        try:
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except ValueError:  # a TLS socket cannot peek: whether the client left is unknown until we write
            return False
        except OSError:
            return True

    # --- writing --------------------------------------------------------------------------------------

    def _write(self, response: Response, exchange: Exchange, head: RequestHead | None, close: bool) -> bool:
        """Send the response and record it; True when the connection stays open for the next request."""
        exchange.status, exchange.reason = response.status, HTTPStatus(response.status).phrase
        exchange.response_headers = response.headers
        # Recorded before the last byte leaves, so a client that has its answer always finds it recorded;
        # the writes below fill in the same record (body, frames, broken_off).
        self.server.exchange_log.add(exchange)
        if self.server.verbose:
            print(f'{self.client_address[0]} "{exchange.request_line}" {response.status}', flush=True)
        cut = response.cut_after is not None
        close = close or cut
        try:
            if response.events is None:
                self._write_body(response, exchange, head, close)
            else:
                self._write_stream(response, exchange, close)
            if cut:  # the `disconnect` fault: drop the connection mid-message
                exchange.broken_off = True
                self.connection.shutdown(socket.SHUT_RDWR)
        except (BrokenPipeError, ConnectionResetError):
            exchange.broken_off = True  # the client hung up; nothing more to answer
            return False
        return not close

    def _head(self, response: Response, framing: tuple[str, str], close: bool) -> bytes:
        lines = [f"HTTP/1.1 {response.status} {HTTPStatus(response.status).phrase}",
                 f"date: {http_date(int(time.time()))}", f"{framing[0]}: {framing[1]}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        if close:
            lines.append("connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _write_body(self, response: Response, exchange: Exchange, head: RequestHead | None, close: bool) -> None:
        """Head and body in one write; a HEAD request gets the head alone, a cut answer only part of its body."""
        exchange.response_body = response.body.decode()
        body = b"" if head is not None and head.method == "HEAD" else response.body
        if response.cut_after is not None:
            body = body[: response.cut_after]
        self.wfile.write(self._head(response, ("content-length", str(len(response.body))), close) + body)

    def _write_stream(self, response: Response, exchange: Exchange, close: bool) -> None:
        """Events in chunked transfer encoding, each one chunk, sent the moment it is due. A cut stream
        stops after `cut_after` events, without the last chunk that would end the message."""
        self.wfile.write(self._head(response, ("transfer-encoding", "chunked"), close))
        if response.cut_after == 0:
            return
        for sent, event in enumerate(response.events or (), start=1):
            exchange.frames.append(event.decode().rstrip("\n"))  # recorded first: the client may act on it
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))  # chunk size in hex, then the chunk
            if sent == response.cut_after:
                return  # before the next event's pause: the cut comes as soon as it is due
        if response.cut_after is None:
            self.wfile.write(b"0\r\n\r\n")  # the last chunk: the stream is complete
