"""The seam between the HTTP layer and the API (http.Api), tested with a tiny API of the test's own: the
route decided once before the body, and the upgrade whose `takeover` is handed the socket (a WebSocket's way in)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from helpers.mock.http import Answer, BadRequest, Limits, MockHTTPServer, RequestHead, Response
from helpers.mock.wire_record import ExchangeLog

UPGRADE = b"GET /echo HTTP/1.1\r\nHost: mock\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"


def echo_five_bytes(sock: socket.socket, leftover: bytes) -> None:
    """A trivial takeover: read five bytes at least (what came with the request counts), send them back in capitals."""
    data = leftover
    while len(data) < 5 and (more := sock.recv(5 - len(data))):
        data += more
    sock.sendall(data.upper())


def fail(sock: socket.socket, leftover: bytes) -> None:
    raise RuntimeError("a bug in a takeover")


class TinyApi:
    """/echo upgrades to the echo takeover, /fail to one that raises, /hello answers 200; anything else 404."""

    def __init__(self) -> None:
        self.admitted: list[str] = []

    def admit(self, head: RequestHead) -> Answer | Response:
        self.admitted.append(head.target)
        takeovers: dict[str, Callable[[socket.socket, bytes], None]] = {"/echo": echo_five_bytes, "/fail": fail}
        if head.target in takeovers:
            headers = [("upgrade", "echo"), ("connection", "Upgrade")]
            return lambda request: Response(101, headers, takeover=takeovers[request.path])
        if head.target == "/hello":
            return lambda request: Response(200, [("content-type", "text/plain")], b"hello")
        return Response(404, body=b"no such path")

    def refuse(self, problem: BadRequest) -> Response:
        return Response(problem.status, body=problem.message.encode())


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[int, TinyApi]]]:
    servers: list[MockHTTPServer] = []

    def start(**limits: float) -> tuple[int, TinyApi]:
        api = TinyApi()
        server = MockHTTPServer(("127.0.0.1", 0), api, Limits(**limits), ExchangeLog())  # type: ignore[arg-type]
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server.server_address[1], api

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    """The response head and whatever came after it."""
    data = b""
    while b"\r\n\r\n" not in data and (more := sock.recv(4096)):
        data += more
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def read_until_closed(sock: socket.socket, data: bytes = b"") -> bytes:
    while more := sock.recv(4096):
        data += more
    return data


def test_a_101_with_a_takeover_sends_its_head_then_hands_over_the_socket(serve):
    port, _ = serve()
    with connect(port) as sock:
        sock.sendall(UPGRADE)
        head, rest = read_head(sock)
        assert head.split(b"\r\n") == [b"HTTP/1.1 101 Switching Protocols", b"upgrade: echo", b"connection: Upgrade"]
        sock.sendall(b"hello")
        assert read_until_closed(sock, rest) == b"HELLO"  # echoed, then closed when the takeover returned


def test_bytes_sent_with_the_request_reach_the_takeover_as_leftover(serve):
    port, _ = serve()
    with connect(port) as sock:
        sock.sendall(UPGRADE + b"hel")  # in the same packet as the request: read by the HTTP layer already
        time.sleep(0.05)
        sock.sendall(b"lo")
        _, rest = read_head(sock)
        assert read_until_closed(sock, rest) == b"HELLO"


def test_a_taken_over_connection_is_never_reused_for_http(serve):
    port, api = serve()
    with connect(port) as sock:
        following = b"GET /hello HTTP/1.1\r\nHost: mock\r\n\r\n"
        sock.sendall(UPGRADE + b"hello" + following)
        _, rest = read_head(sock)
        assert read_until_closed(sock, rest) == (b"hello" + following).upper()  # bytes to the takeover, no 200
    assert api.admitted == ["/echo"]


def test_a_takeover_that_raises_closes_its_connection_and_the_server_keeps_serving(serve, capfd):
    port, _ = serve()
    with connect(port) as sock:
        sock.sendall(UPGRADE.replace(b"/echo", b"/fail"))
        head, rest = read_head(sock)
        assert head.startswith(b"HTTP/1.1 101 ")
        assert read_until_closed(sock, rest) == b""
    assert "a bug in a takeover" in capfd.readouterr().err
    with connect(port) as sock:
        sock.sendall(b"GET /hello HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n")
        assert read_until_closed(sock).endswith(b"\r\n\r\nhello")


def test_a_running_takeover_counts_against_the_connection_cap(serve):
    port, _ = serve(max_connections=1)
    with connect(port) as upgraded, connect(port) as other:
        upgraded.sendall(UPGRADE)
        read_head(upgraded)  # the takeover now waits for five bytes, holding the only slot
        other.sendall(b"GET /hello HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n")
        other.settimeout(0.3)
        with pytest.raises(TimeoutError):
            other.recv(100)  # not served while the takeover runs
        upgraded.sendall(b"hello")
        other.settimeout(5)
        assert read_until_closed(other).endswith(b"\r\n\r\nhello")  # served once it returned


def test_a_refusal_from_admit_is_sent_without_reading_the_body(serve):
    port, api = serve()
    with connect(port) as sock:
        sock.sendall(b"POST /nowhere HTTP/1.1\r\nHost: mock\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n")
        head, rest = read_head(sock)
        assert head.startswith(b"HTTP/1.1 404 ")
        assert read_until_closed(sock, rest) == b"no such path"
    assert api.admitted == ["/nowhere"]  # asked once, before the body
