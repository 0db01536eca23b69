"""What a client can make the mock keep in memory: bodies refused before they are read are never kept,
the record is bounded in bytes and says what it left out, and a reply cannot grow with what it echoes."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.display import format_exchange
from helpers.mock import MOCK_API_KEY
from helpers.mock.wire_record import RECORD_BODY_BYTES, RECORD_STREAM_BYTES, Exchange, ExchangeLog
from tests.mock.support import chat_body, wire_client_for
from tests.mock.test_hardening_http import RawClient, post, statuses

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def unauthenticated(body: bytes) -> bytes:
    return (b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body))


def test_the_body_of_a_request_without_a_key_is_read_past_and_never_kept(server):
    body = b"\xff" * 1_000_000
    client = RawClient(server.port).send(unauthenticated(body))
    assert statuses(client.read_until_closed()) == [401]
    exchange = server.last_exchange
    assert exchange.status == 401
    assert exchange.request_body == ""
    assert exchange.request_body_unrecorded == len(body)
    assert f"[… {len(body)} bytes not recorded]" in format_exchange(exchange)


def test_a_401_before_the_body_keeps_the_connection_in_step(server):
    refused = b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nContent-Length: 5000\r\n\r\n" + b"x" * 5000
    closing = b"GET /v1/models HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n"
    request = refused + closing + f"Authorization: Bearer {MOCK_API_KEY}\r\n\r\n".encode()
    assert statuses(RawClient(server.port).send(request).read_until_closed()) == [401, 200]


def test_a_large_body_is_recorded_cut_short_with_a_note(server):
    body = b'{"model": "' + b"a" * 200_000 + b'"'  # not JSON: a 400 that still records its body
    received = RawClient(server.port).send(post(body, b"Content-Length: %d\r\n" % len(body),
                                                b"Connection: close\r\n")).read_until_closed()
    assert statuses(received) == [400]
    exchange = server.last_exchange
    assert len(exchange.request_body) == RECORD_BODY_BYTES
    assert exchange.request_body_unrecorded == len(body) - RECORD_BODY_BYTES
    assert f"[… {len(body) - RECORD_BODY_BYTES} bytes not recorded]" in format_exchange(exchange)


def test_a_long_stream_is_recorded_up_to_its_share_and_counts_the_rest(server):
    server.script_reply("word " * 1_000)
    reply = wire_client_for(server).post("/chat/completions", chat_body(stream=True, n=8))
    events = [line for line in reply.body.split(b"\n\n") if line]
    exchange = server.last_exchange
    assert sum(len(frame) for frame in exchange.frames) <= RECORD_STREAM_BYTES + RECORD_BODY_BYTES
    assert len(exchange.frames) + exchange.frames_unrecorded == len(events)
    assert f"[… {exchange.frames_unrecorded} more events not recorded]" in format_exchange(exchange)
    for frame in exchange.frames:  # whole events, never one cut in the middle (the display parses them)
        assert json.loads(frame.removeprefix("data: "))["object"] == "chat.completion.chunk"


def test_the_record_drops_its_oldest_exchanges_to_stay_within_its_byte_budget():
    log = ExchangeLog(size=100, budget_bytes=1_000_000)
    for number in range(50):
        exchange = Exchange(f"POST /v1/chat/completions?n={number} HTTP/1.1", [], "")
        exchange.record_request_body(b"a" * 100_000)
        log.add(exchange)
    kept = log.all()
    assert sum(exchange.recorded_bytes for exchange in kept) <= 1_000_000
    assert kept[-1].request_line.startswith("POST /v1/chat/completions?n=49 ")  # the newest is kept


def test_a_tool_result_echoed_with_many_choices_cannot_multiply_the_reply(wire):
    messages = [{"role": "user", "content": "Weather?"},
                {"role": "assistant", "content": None,
                 "tool_calls": [{"id": "call_1", "type": "function",
                                 "function": {"name": "weather", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "sunny " * 100_000}]
    reply = wire.post("/chat/completions", chat_body(messages=messages, n=64))
    assert reply.status == 200
    assert len(reply.body) < 200_000  # 600 kB echoed 64 times would be 38 MB


def test_a_reply_stops_at_the_mock_models_output_limit_with_finish_reason_length(server):
    server.script_reply("word " * 5_000)
    reply = wire_client_for(server).post("/chat/completions", chat_body()).json()
    assert reply["choices"][0]["finish_reason"] == "length"
    assert reply["usage"]["completion_tokens"] == 1_024


def _rss_bytes(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_unauthenticated_bodies_do_not_grow_the_servers_memory():
    command = [sys.executable, "-m", "helpers.mock", "--port", "0", "--quiet"]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r":(\d+)/v1", process.stdout.readline()).group(1))
        body = b"\xff" * 2_000_000  # 0xFF bytes: the costliest to keep as text (each one a U+FFFD)
        RawClient(port).send(unauthenticated(b"{}")).read_until_closed()  # the first request's imports
        before = _rss_bytes(process.pid)
        for _ in range(30):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(unauthenticated(body))
            while sock.recv(65_536):
                pass
            sock.close()
        time.sleep(0.1)
        grown = _rss_bytes(process.pid) - before
        assert grown < 24_000_000, f"{grown / 1e6:.0f} MB kept after 30 bodies of 2 MB refused with a 401"
    finally:
        process.terminate()
        process.wait(timeout=10)

