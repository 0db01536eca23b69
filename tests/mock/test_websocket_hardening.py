"""What a WebSocket client may cost the server, like the HTTP layer's limits: a flood of pings, a reader that
stops reading, and a thousand idle connections, each bounded in threads, bytes and seconds."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from helpers.mock.calls import Call, Settings
from helpers.mock.http import Limits, Request
from helpers.mock.replies import ScriptedReplies
from helpers.mock.websocket import frames
from helpers.mock.websocket.session import Connection, Session
from tests.mock.websocket_support import RawWebSocket, handshake_request


def test_a_flood_of_pings_gets_a_pong_each_and_the_conversation_goes_on(server):
    client = RawWebSocket(server.port, server.api_key)
    pings = 5_000
    client.send_raw(b"".join(frames.encode_frame(frames.PING, b"%d" % n, mask=b"abcd") for n in range(pings)))
    pongs = [client.read_frame() for _ in range(pings)]
    assert [pong.payload for pong in pongs] == [b"%d" % n for n in range(pings)]
    assert client.turn(input="Still there?")[-1]["type"] == "response.completed"
    client.close()


def test_a_ping_flood_that_never_reads_its_pongs_is_dropped_after_the_write_timeout(start_server):
    server = start_server(limits=Limits(write_timeout=0.3))
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # takes in little, reads nothing
    sock.settimeout(10)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(handshake_request(server.port, Authorization=f"Bearer {server.api_key}")[0])
    ping = frames.encode_frame(frames.PING, b"p" * 125, mask=b"abcd")
    started = time.monotonic()
    with pytest.raises((BrokenPipeError, ConnectionResetError)):
        for _ in range(100_000):  # 13 MB of pings: far more than the socket buffers hold
            sock.sendall(ping * 100)
    assert time.monotonic() - started < 5
    sock.close()


def test_a_client_that_stops_reading_mid_response_is_let_go_after_the_write_timeout():
    """The session alone on a socket pair whose buffers hold a few kilobytes (over TCP on loopback the
    kernel would buffer megabytes first): the writing thread gives up after the write timeout."""
    server_side, client_side = socket.socketpair()
    server_side.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    scripted = ScriptedReplies()
    scripted.add("word " * 2_000)
    settings = Settings("sk-test", 0, 1, websocket=frames.WebSocketLimits(write_timeout=0.3))
    call = Call(Request("GET", "/v1/responses", {}, b""), {}, 1, settings, scripted, threading.Event())
    create = frames.encode_frame(frames.TEXT, b'{"type": "response.create", "model": "gpt-4.1-mini", "input": "Hi"}',
                                 mask=b"abcd")
    session = Session(server_side, create, Connection(call, None, cut_first_turn=False))
    worker = threading.Thread(target=session.run)
    started = time.monotonic()
    worker.start()
    worker.join(10)  # a liveness bound, far above the 0.3 s write timeout: the session must not hang
    assert not worker.is_alive(), f"still writing after {time.monotonic() - started:.1f} s"
    assert 0 < session.sent_bytes < 200_000  # some events went out, far from all 2,000 of them
    server_side.close()
    client_side.close()


def test_idle_websockets_cost_at_most_max_connections_threads_and_are_let_go(start_server):
    """190 idle connections: 64 served at once, the rest waiting in the kernel's queue (128 long), so the
    test needs no SYN retries. (1,000 behave the same, in 30 s instead of 1 s: the kernel drops the SYNs
    that find its queue full, and the clients retry after 1, 3, 7 seconds.)"""
    server = start_server(limits=Limits(max_connections=64, idle_timeout=0.2))
    baseline, peak, done = threading.active_count(), [0], threading.Event()

    def watch() -> None:
        while not done.wait(0.01):
            peak[0] = max(peak[0], threading.active_count())

    watcher = threading.Thread(target=watch)
    watcher.start()
    request = handshake_request(server.port, Authorization=f"Bearer {server.api_key}")[0]
    sockets = []
    for _ in range(190):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        sock.sendall(request)
        sockets.append(sock)
    closes = []
    for sock in sockets:
        received = b""
        while chunk := sock.recv(65_536):
            received += chunk
        closes.append(received.startswith(b"HTTP/1.1 101 ") and b"\x88" in received and b"\x03\xf0" in received)
        sock.close()
    done.set()
    watcher.join()
    assert all(closes)  # each upgraded, then closed 1008 (0x03f0) once idle
    assert peak[0] <= baseline + 1 + 64  # the watcher, and at most max_connections sessions


def test_stopping_the_server_closes_its_websockets_with_1001_going_away(start_server):
    server = start_server()
    client = RawWebSocket(server.port, server.api_key)
    started = time.monotonic()
    server.stop()
    assert client.close_frame() == (1001, "The server is stopping.")
    assert time.monotonic() - started < 2
    client.close()
