"""The counting relay of lesson 16: every byte passes through unchanged and is counted once, each way."""

from __future__ import annotations

import socket

from helpers.relay import CountingRelay

MODELS = b"GET /v1/models HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n"


def test_the_relay_passes_a_request_and_its_answer_and_counts_each_way(server):
    request = MODELS % server.api_key.encode()
    with CountingRelay("127.0.0.1", server.port) as relay:
        with socket.create_connection(("127.0.0.1", relay.port), timeout=5) as sock:
            sock.sendall(request)
            received = b""
            while chunk := sock.recv(65_536):
                received += chunk
        assert received.startswith(b"HTTP/1.1 200 OK\r\n")
        assert relay.counts() == (len(request), len(received))
        assert relay.connections == 1


def test_two_connections_one_after_the_other_are_each_relayed_whole(server):
    """The pair a finished connection closes is its own, not the next one's (a bug once)."""
    request = MODELS % server.api_key.encode()
    with CountingRelay("127.0.0.1", server.port) as relay:
        first = socket.create_connection(("127.0.0.1", relay.port), timeout=5)
        first.sendall(request)
        second = socket.create_connection(("127.0.0.1", relay.port), timeout=5)
        first.close()  # ends the first pair while the second is open
        second.sendall(request)
        received = b""
        while chunk := second.recv(65_536):
            received += chunk
        second.close()
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and b'"object": "list"' in received
