"""HTTP/1.1, and nothing about OpenAI: read a request off a socket, hand it to `handle`, write the response back.
Keep-alive, Content-Length or chunked bodies, server-sent events; strict framing, and limits on every cost.

A request on the wire is a request line, header lines, a blank line and maybe a body:

    POST /v1/chat/completions HTTP/1.1        <- method, target, version
    Host: 127.0.0.1:8000                      <- headers, one per line, until a blank line
    Content-Length: 57
                                              <- the blank line ends the head
    {"model": "gpt-5.4-mini", "messages": []}  <- exactly Content-Length bytes (or chunks, see below)

HTTP/1.1 keeps the connection open for the next request unless a side says `Connection: close`. A body
is framed either by `Content-Length` or by `Transfer-Encoding: chunked`: a hexadecimal size, the bytes,
again and again, then a chunk of size 0 and maybe trailer lines. A stream of server-sent events goes
out chunked, one event a chunk, because its length is not known when the head is sent.

Framing is read strictly (RFC 9112, as the h11 library reads it): where a body ends must never be in
doubt, or a second, hidden request could ride inside the first ("request smuggling"). So a request with
both `Content-Length` and `Transfer-Encoding`, or two different lengths, is refused and the connection
closed; so is a request cut short. Every read and write has a deadline (`Limits`), so a client that
stalls costs a thread for seconds, not for ever, and at most `max_connections` are served at once.

The HTTP layer meets the API at one typed interface, `Api` (as httpx's MockTransport wraps one handler),
asked once per request: `admit(head)`, before the body is read, decides the route and the key and gives
back either a refusal to send at once (a 404, a 401: the body is read past, never kept) or the function
that answers the request once its body is read. Whatever the HTTP layer itself cannot read (a bad request
line, an oversized body) is answered through `refuse(problem)`, so that the answer reads like the API's own.

An answer is one of three kinds (`Response`): a body of bytes (JSON, or a file's contents) sent with its
length; a stream of events sent one chunk each; or `101 Switching Protocols` with a `takeover`, which is
handed the socket once the head has gone out (a WebSocket), after which the connection is no longer HTTP.
"""

from __future__ import annotations

import email.utils
import functools
import re
import socket
import socketserver
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:  # ssl is imported only by a server that serves https:// (it costs start-up time)
    import ssl

from .wire_record import Exchange, ExchangeLog, escape_controls, redact_headers, redact_target

_T = TypeVar("_T")
MiB = 1024 * 1024
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # a method or header name (RFC 9110, 5.6.2)
_DIGITS = re.compile(r"[0-9]+")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")  # size, then extensions


@dataclass(frozen=True)
class Limits:
    """What one client may cost the server, in bytes, seconds and connections (README, "Limits").
    A timeout is the longest the server waits for that step as a whole, not for each packet."""

    max_body_bytes: int = 16 * MiB
    max_request_line: int = 8_192  # longer: 414 URI Too Long
    max_field_bytes: int = 16_384  # one header line longer: 431
    max_head_bytes: int = 65_536  # the request line and all headers (and trailers) together: 431
    max_headers: int = 100
    idle_timeout: float = 60.0  # between two requests on a kept-alive connection
    head_timeout: float = 10.0  # from the first byte of a request to the end of its head
    body_timeout: float = 30.0  # to read a whole body (16 MiB at 1 MB/s takes 16 s)
    write_timeout: float = 30.0  # to write one response, or one event of a stream
    max_connections: int = 64  # served at once; the next ones wait in the kernel's queue


class EventSource(Protocol):
    """The events of a stream: how many there are, and the bytes of each as it is due to leave."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[bytes]: ...


@dataclass
class Request:
    method: str
    path: str  # the target in origin form ("/v1/models?x=1"), as sent or taken from an absolute URL
    headers: dict[str, str]  # the first of each header, name in lower case
    body: bytes
    client_gone: Callable[[], bool] = lambda: False  # True once the client has hung up


Takeover = Callable[[socket.socket, bytes], None]


@dataclass
class Response:
    """A body of bytes, a stream of events sent one chunk each, or (status 101 with `takeover`) an upgrade.
    `cut_after` drops the connection on purpose after that many bytes of the body, or that many events
    (the `disconnect` fault). `takeover(sock, leftover)` is called once the 101's head has gone out, in a
    worker thread, with the bytes the client already sent past its request; when it returns (or raises)
    the connection is closed, never reused for HTTP, and until then it counts against `max_connections`."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    events: EventSource | None = None
    cut_after: int | None = None
    takeover: Takeover | None = None


class BadRequest(Exception):
    """A request the HTTP layer cannot read; `status` is the HTTP status to refuse it with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class _LineTooLong(Exception):
    """A line longer than its limit: the reader of the line knows which status that is (414, 431, 400)."""


class _ClientLeft(Exception):
    """The client closed the connection, or went quiet between requests: nothing to answer."""


Answer = Callable[[Request], Response]  # answers one request whose route and key are already decided


class Api(Protocol):
    """The API side, as the HTTP layer sees it: one object, asked once per request."""

    def admit(self, head: RequestHead) -> Answer | Response:
        """From the head alone, before the body is read: a Response to send at once (the body is read
        past, never kept), or the function that answers the request once its body is read."""
        ...

    def refuse(self, problem: BadRequest) -> Response:
        """The answer to a request the HTTP layer could not read."""
        ...


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

    def all_values(self, name: str) -> list[str]:
        """Every value of a header that may be sent as a list, over all its lines ("a, b" is two)."""
        values = [value for key, value in self.headers if key.lower() == name]
        return [item.strip() for value in values for item in value.split(",")]

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
    """Accepts connections and serves each in a thread of its own, at most `max_connections` at once."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default of 5 resets clients when dozens connect at once

    def __init__(self, address: tuple[str, int], api: Api, limits: Limits, log: ExchangeLog,
                 verbose: bool = False, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(address, _Connection)
        self.tls = tls
        self.api = api
        self.limits = limits
        self.exchange_log = log
        self.verbose = verbose
        self._slots = threading.BoundedSemaphore(limits.max_connections)
        self.connections_opened = 0  # counted in the one thread that accepts connections

    def _handle_request_noblock(self) -> None:
        """Accept one connection when a slot is free. With every slot taken, or no file descriptor left
        for a new socket, wait a moment instead of retrying at once: the loop that calls this would
        otherwise spin at 100 % CPU. Waiting connections queue in the kernel, and are served in turn."""
        if not self._slots.acquire(timeout=0.05):
            return
        try:
            connection, client_address = self.get_request()
        except OSError:  # EMFILE, ENFILE: out of file descriptors; or the client already left
            self._slots.release()
            time.sleep(0.05)
            return
        try:
            self.process_request(connection, client_address)
        except Exception:
            self._slots.release()
            self.handle_error(connection, client_address)
            self.shutdown_request(connection)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections_opened += 1
        super().process_request(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Serve one connection. For https://, the TLS handshake happens here, in the connection's own
        thread, so that a slow or refused handshake never holds up the accept loop."""
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        try:
            secure = self.tls.wrap_socket(request, server_side=True)
        except OSError:  # ssl.SSLError included
            return  # the client refused the certificate, or hung up: nothing to answer
        with secure:
            super().finish_request(secure, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up is normal, not worth a traceback: in a notebook, a server thread's
        traceback would land in whichever cell happens to be running."""
        if not isinstance(sys.exc_info()[1], OSError):  # ConnectionError, TimeoutError, ssl.SSLError
            super().handle_error(request, client_address)


class _Wire:
    """The connection's socket with a read buffer; every read is given a deadline (time.monotonic)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()

    def _receive(self, deadline: float) -> None:
        """Read what has arrived, waiting until the deadline at most; EOFError if the client closed."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)
        data = self.sock.recv(65_536)
        if not data:
            raise EOFError
        self.buffer += data

    def wait(self, deadline: float) -> None:
        """Return once there is something to read."""
        if not self.buffer:
            self._receive(deadline)

    def read_line(self, limit: int, deadline: float) -> bytes:
        """One line, its line ending included; _LineTooLong if it is longer than `limit`."""
        start = 0
        while (end := self.buffer.find(b"\n", start)) < 0:
            if len(self.buffer) > limit:
                raise _LineTooLong
            start = len(self.buffer)
            self._receive(deadline)
        if end >= limit:
            raise _LineTooLong
        line = bytes(self.buffer[: end + 1])
        del self.buffer[: end + 1]
        return line

    def read_exactly(self, size: int, deadline: float) -> bytes:
        while len(self.buffer) < size:
            self._receive(deadline)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def discard(self, size: int, deadline: float) -> None:
        """Read `size` bytes and keep none of them (the body of a request refused before it was read)."""
        while size > 0:
            self.wait(deadline)
            taken = min(size, len(self.buffer))
            del self.buffer[:taken]
            size -= taken

    def write(self, data: bytes, timeout: float) -> None:
        self.sock.settimeout(timeout)  # since Python 3.5, the limit for the whole sendall
        self.sock.sendall(data)


@dataclass
class _Framing:
    """How the body of a request is delimited: chunked, or a length (0 when there is no body)."""

    chunked: bool
    length: int


class _Connection(socketserver.BaseRequestHandler):
    """One client's connection: request after request, until either side closes it."""

    server: MockHTTPServer
    request: socket.socket

    def setup(self) -> None:
        # Small writes must not wait for the client's delayed ACK.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        self.wire = _Wire(self.request)
        self.limits = self.server.limits
        self._step = "head"  # the step of reading that a deadline belongs to, for the 408's message

    def handle(self) -> None:
        try:
            while self._serve_one():
                pass
        except _ClientLeft:
            pass

    def _serve_one(self) -> bool:
        """Read one request and answer it; False when the connection is done."""
        try:
            head = self._read_head()
            framing = self._framing(head)
        except BadRequest as problem:
            return self._refuse(problem, Exchange("(unreadable request)", [], ""))
        exchange = Exchange(redact_target(head.request_line), redact_headers(head.headers), "")
        answer = self.server.api.admit(head)  # the route and the key, decided once, before the body
        try:
            if isinstance(answer, Response):  # a 401 or 404: the body is read past, never kept
                return self._answer_unread(answer, exchange, head, framing)
            body = self._read_body(head, framing)
        except BadRequest as problem:  # a broken, slow or oversized body: the rest of it is unread
            return self._refuse(problem, exchange)
        exchange.record_request_body(body)
        response = answer(Request(head.method, head.target, head.by_name, body, self._client_gone))
        if response.takeover is not None and response.status == 101:
            return self._hand_over(response, exchange)
        return self._write(response, exchange, head, close=not head.keeps_alive())

    def _refuse(self, problem: BadRequest, exchange: Exchange) -> bool:
        """Answer a request that could not be read whole, then close: what is left of it on the socket
        cannot be told apart from the next request."""
        return self._write(self.server.api.refuse(problem), exchange, head=None, close=True)

    def _hand_over(self, response: Response, exchange: Exchange) -> bool:
        """An upgrade: the 101's head in one write, then the socket belongs to `takeover` until it returns,
        with the bytes already read past the request. The connection is closed after, never reused."""
        assert response.takeover is not None
        self._record(response, exchange)
        lines = [f"HTTP/1.1 101 {HTTPStatus(101).phrase}", *(f"{name}: {value}" for name, value in response.headers)]
        leftover, self.wire.buffer = bytes(self.wire.buffer), bytearray()
        try:
            self.wire.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), self.limits.write_timeout)
            self.request.settimeout(None)  # the takeover sets its own deadlines
            response.takeover(self.request, leftover)
        except OSError:  # the client hung up: the takeover's end, not an error
            pass
        except Exception:  # a bug in the takeover: say so, and keep serving others
            traceback.print_exc(file=sys.stderr)
        return False

    def _answer_unread(self, response: Response, exchange: Exchange, head: RequestHead,
                       framing: _Framing) -> bool:
        """Answer before reading the body. A client that waits for `100 Continue` never sends it, so
        the connection closes; any other body is read and dropped, so the connection can be kept."""
        if framing.length == 0 and not framing.chunked:
            return self._write(response, exchange, head, close=not head.keeps_alive())
        if self._expects_continue(head):
            return self._write(response, exchange, head, close=True)
        if framing.chunked:
            exchange.request_body_unrecorded = self._read_chunked(keep=False)[1]
        else:
            deadline = self._deadline(self.limits.body_timeout, "body")
            self._read(self.wire.discard, framing.length, deadline)
            exchange.request_body_unrecorded = framing.length
        return self._write(response, exchange, head, close=not head.keeps_alive())

    # --- reading the head ------------------------------------------------------------------------------

    def _deadline(self, seconds: float, step: str) -> float:
        self._step = step  # for the 408's message, should the deadline pass
        return time.monotonic() + seconds

    def _read(self, read: Callable[..., _T], *arguments: Any) -> _T:
        """Run one read of the request, turning a client that stalls or leaves into an answer."""
        try:
            return read(*arguments)
        except TimeoutError:
            raise BadRequest(408, f"The request's {self._step} did not arrive in time.") from None
        except EOFError:
            raise BadRequest(400, "The request ended before it was complete.") from None

    def _read_head(self) -> RequestHead:
        limits = self.limits
        try:  # between requests, a client that leaves or stays quiet is simply let go
            self.wire.wait(time.monotonic() + limits.idle_timeout)
        except (TimeoutError, EOFError, OSError):
            raise _ClientLeft from None
        deadline = self._deadline(limits.head_timeout, "head")
        line = self._line(limits.max_request_line + 2, deadline, 414, "Request line too long.")
        blank_lines = 0
        while line in (b"\r\n", b"\n"):  # a blank line or two before a request is allowed
            blank_lines += 1
            if blank_lines > 8:
                raise BadRequest(400, "Bad request line: only blank lines.")
            line = self._line(limits.max_request_line + 2, deadline, 414, "Request line too long.")
        parts = line.rstrip(b"\r\n").split(b" ")
        if len(parts) != 3 or not _TOKEN.fullmatch(parts[0]):
            raise BadRequest(400, f"Bad request line: {escape_controls(line[:100].decode('latin-1'))!r}")
        method, target, version = (part.decode("latin-1") for part in parts)
        if version not in ("HTTP/1.0", "HTTP/1.1"):
            raise BadRequest(505, f"HTTP version not supported: {escape_controls(version[:20])!r}")
        headers = self._read_fields(deadline, len(line))
        head = RequestHead(method, _origin_form(target), version, headers)
        host = [value for name, value in headers if name.lower() == "host"]
        if version == "HTTP/1.1" and len(host) != 1:
            raise BadRequest(400, "An HTTP/1.1 request needs exactly one Host header.")
        return head

    def _line(self, limit: int, deadline: float, status: int, message: str) -> bytes:
        try:
            return self._read(self.wire.read_line, limit, deadline)
        except _LineTooLong:  # the line's length, not its content, is the problem
            raise BadRequest(status, message) from None

    def _read_fields(self, deadline: float, used: int) -> list[tuple[str, str]]:
        """Header lines (or trailer lines) up to the blank line, within the head's size limit."""
        limits, fields = self.limits, list[tuple[str, str]]()
        while True:
            line = self._line(limits.max_field_bytes + 2, deadline, 431, "Request header field too large.")
            used += len(line)
            if used > limits.max_head_bytes:
                raise BadRequest(431, "Request header fields too large.")
            if line in (b"\r\n", b"\n"):
                return fields
            name, colon, value = line.rstrip(b"\r\n").partition(b":")
            if not colon or not _TOKEN.fullmatch(name):  # also refuses a folded line (leading space)
                raise BadRequest(400, f"Bad header line: {escape_controls(line[:100].decode('latin-1'))!r}")
            text = value.strip(b" \t").decode("latin-1")
            if "\r" in text or "\0" in text:
                raise BadRequest(400, f"Bad header value for {name.decode('latin-1')!r}.")
            fields.append((name.decode("latin-1"), text))
            if len(fields) > limits.max_headers:
                raise BadRequest(431, "Too many headers.")

    def _framing(self, head: RequestHead) -> _Framing:
        """Where the body ends, from Content-Length or Transfer-Encoding; any doubt is a 400."""
        codings = [c.lower() for c in head.all_values("transfer-encoding")]
        lengths = head.all_values("content-length")
        if codings:
            if lengths:
                raise BadRequest(400, "A request may not have both Content-Length and Transfer-Encoding.")
            if head.version == "HTTP/1.0":
                raise BadRequest(400, "Transfer-Encoding is not allowed in an HTTP/1.0 request.")
            unknown = sorted(set(codings) - {"chunked"})
            if unknown:
                raise BadRequest(501, f"Transfer-Encoding not supported: {escape_controls(unknown[0][:40])!r}.")
            if codings != ["chunked"]:
                raise BadRequest(400, "Invalid Transfer-Encoding header: 'chunked' must be given once.")
            return _Framing(chunked=True, length=0)
        if not lengths:
            return _Framing(chunked=False, length=0)
        if any(not _DIGITS.fullmatch(value) for value in lengths) or len(set(map(int, lengths))) > 1:
            raise BadRequest(400, "Invalid Content-Length header.")
        length = int(lengths[0])
        if length > self.limits.max_body_bytes:
            raise self._too_large()
        return _Framing(chunked=False, length=length)

    # --- reading the body ------------------------------------------------------------------------------

    def _too_large(self) -> BadRequest:
        limit = self.limits.max_body_bytes
        return BadRequest(413, f"Request body too large. The maximum size is {limit} bytes.")

    @staticmethod
    def _expects_continue(head: RequestHead) -> bool:
        """An HTTP/1.1 client that sent `Expect: 100-continue` waits for `100 Continue` before its body."""
        return head.version == "HTTP/1.1" and head.header("expect").lower() == "100-continue"

    def _read_body(self, head: RequestHead, framing: _Framing) -> bytes:
        """The body, never reading past the size limit (known before reading, from Content-Length)."""
        if framing.length == 0 and not framing.chunked:
            return b""
        if self._expects_continue(head):
            self.wire.write(b"HTTP/1.1 100 Continue\r\n\r\n", self.limits.write_timeout)
        if framing.chunked:
            return self._read_chunked(keep=True)[0]
        deadline = self._deadline(self.limits.body_timeout, "body")
        return self._read(self.wire.read_exactly, framing.length, deadline)

    def _read_chunked(self, keep: bool) -> tuple[bytes, int]:
        """A chunked body and its size; with `keep` false, the bytes are read past and not kept.
        Each chunk's size is hexadecimal digits, its data ends with CRLF, and the last chunk (size 0)
        may be followed by trailer lines."""
        deadline = self._deadline(self.limits.body_timeout, "body")
        body, size_read = bytearray(), 0
        while True:
            line = self._line(self.limits.max_field_bytes, deadline, 400, "Invalid chunked request body.")
            match = _CHUNK_SIZE.fullmatch(line)
            if match is None:
                raise BadRequest(400, "Invalid chunked request body.")
            size = int(match.group(1), 16)
            if size == 0:
                self._read_fields(deadline, used=0)  # the trailers, up to the blank line; all ignored
                return bytes(body), size_read
            size_read += size
            if size_read > self.limits.max_body_bytes:
                raise self._too_large()
            if keep:
                body += self._read(self.wire.read_exactly, size, deadline)
            else:
                self._read(self.wire.discard, size, deadline)
            if self._read(self.wire.read_exactly, 2, deadline) != b"\r\n":
                raise BadRequest(400, "Invalid chunked request body: a chunk's data must end with CRLF.")

    def _client_gone(self) -> bool:
        """True once the client has hung up: its socket reads as closed (a peek that does not wait)."""
        try:
            self.request.settimeout(0)
            return self.request.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False  # nothing to read: still connected, still waiting
        except ValueError:  # a TLS socket cannot peek: whether the client left is unknown until we write
            return False
        except OSError:
            return True

    # --- writing --------------------------------------------------------------------------------------

    def _record(self, response: Response, exchange: Exchange) -> None:
        exchange.status, exchange.reason = response.status, HTTPStatus(response.status).phrase
        exchange.response_headers = response.headers
        exchange.answered = time.monotonic()  # before the first byte leaves: a client never sees it unset
        # Recorded before the last byte leaves, so a client that has its answer always finds it recorded;
        # the writes that follow fill in the same record (body, frames, broken_off).
        self.server.exchange_log.add(exchange)
        if self.server.verbose:
            line = escape_controls(exchange.request_line)
            print(f'{self.client_address[0]} "{line}" {response.status}', flush=True)

    def _write(self, response: Response, exchange: Exchange, head: RequestHead | None, close: bool) -> bool:
        """Send the response and record it; True when the connection stays open for the next request."""
        self._record(response, exchange)
        cut = response.cut_after is not None
        close = close or cut
        try:
            if response.events is None:
                self._write_body(response, exchange, head, close)
            else:
                self._write_stream(response, exchange, close)
            if cut:  # the `disconnect` fault: drop the connection mid-message
                exchange.broken_off = True
                self.request.shutdown(socket.SHUT_RDWR)
        except OSError:  # the client hung up, or stopped reading for longer than the write timeout
            exchange.broken_off = True
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
        exchange.record_response_body(response.body)
        body = b"" if head is not None and head.method == "HEAD" else response.body
        if response.cut_after is not None:
            body = body[: response.cut_after]
        data = self._head(response, ("content-length", str(len(response.body))), close) + body
        self.wire.write(data, self.limits.write_timeout)

    def _write_stream(self, response: Response, exchange: Exchange, close: bool) -> None:
        """Events in chunked transfer encoding, each one chunk, sent the moment it is due. A cut stream
        stops after `cut_after` events, without the last chunk that would end the message."""
        timeout = self.limits.write_timeout
        self.wire.write(self._head(response, ("transfer-encoding", "chunked"), close), timeout)
        if response.cut_after == 0:
            return
        for sent, event in enumerate(response.events or (), start=1):
            exchange.record_frame(event)  # recorded first: the client may act on it
            self.wire.write(b"%x\r\n%s\r\n" % (len(event), event), timeout)  # size in hex, then the chunk
            if sent == response.cut_after:
                return  # before the next event's pause: the cut comes as soon as it is due
        if response.cut_after is None:
            self.wire.write(b"0\r\n\r\n", timeout)  # the last chunk: the stream is complete


def _origin_form(target: str) -> str:
    """The path and query of a target: "/v1/models" as sent, or taken from an absolute URL
    ("http://127.0.0.1:8000/v1/models", as a client talking to a proxy sends it)."""
    if target.startswith("/") or target == "*":
        return target
    parts = urllib.parse.urlsplit(target)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise BadRequest(400, f"Bad request target: {escape_controls(target[:100])!r}")
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
