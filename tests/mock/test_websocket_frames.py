"""RFC 6455 frames as the mock reads them: fragments joined, control frames between them, every length
encoding; and every frame the protocol forbids closed with its close code (1002, 1007, 1009), never a hang."""

from __future__ import annotations

import json
import socket
import struct

import pytest

from helpers.mock.http import Limits
from helpers.mock.websocket import frames
from tests.mock.websocket_support import PLAIN_MODEL, RawWebSocket, validate_server_event

CREATE = json.dumps({"type": "response.create", "model": PLAIN_MODEL, "input": "Hi"}).encode()


def opened(server, timeout: float = 5.0) -> RawWebSocket:
    client = RawWebSocket(server.port, server.api_key, timeout=timeout)
    assert client.status == 101
    return client


# --- writing and reading frames, no server ------------------------------------------------------------------

@pytest.mark.parametrize(("size", "head"), [(0, 2), (125, 2), (126, 4), (65_535, 4), (65_536, 10)])
def test_a_length_takes_7_16_or_64_bits(size, head):
    assert len(frames.encode_frame(frames.BINARY, b"x" * size)) == head + size
    assert len(frames.encode_frame(frames.BINARY, b"x" * size, mask=b"abcd")) == head + 4 + size


def test_masking_twice_gives_the_payload_back_and_once_xors_each_byte():
    payload = "héllo, wörld".encode()
    masked = frames.apply_mask(payload, b"\x01\x02\x03\x04")
    assert masked[:4] == bytes(b ^ m for b, m in zip(payload[:4], b"\x01\x02\x03\x04", strict=True))
    assert frames.apply_mask(masked, b"\x01\x02\x03\x04") == payload


def test_a_reader_joins_fragments_and_hands_back_a_ping_between_them():
    server_side, client_side = socket.socketpair()
    mask = b"\x0f\x0e\x0d\x0c"
    client_side.sendall(frames.encode_frame(frames.TEXT, b"hel", fin=False, mask=mask)
                        + frames.encode_frame(frames.PING, b"!", mask=mask)
                        + frames.encode_frame(frames.CONTINUATION, b"lo", mask=mask))
    reader = frames.MessageReader(frames.FrameReader(server_side, b"", frames.WebSocketLimits(idle_timeout=1)))
    assert (reader.read().opcode, reader.read().text) == (frames.PING, "hello")
    server_side.close()
    client_side.close()


# --- the server's answers to fragments, lengths and control frames ----------------------------------------

def test_a_fragmented_response_create_with_a_ping_inside_is_answered(server):
    client = opened(server)
    third = len(CREATE) // 3
    client.send_frame(frames.TEXT, CREATE[:third], fin=False)
    client.send_frame(frames.PING, b"mid-message")
    client.send_frame(frames.CONTINUATION, CREATE[third:2 * third], fin=False)
    client.send_frame(frames.CONTINUATION, CREATE[2 * third:])
    pong = client.read_frame()
    assert (pong.opcode, pong.payload) == (frames.PONG, b"mid-message")
    assert validate_server_event(client.read_json()).type == "response.created"
    client.close()


@pytest.mark.parametrize("padding", [200, 70_000])  # a 16-bit and a 64-bit length
def test_a_message_with_a_long_length_is_read_whole(server, padding):
    client = opened(server)
    metadata = b', "metadata": {"pad": "' + b"x" * 500 + b'"}'
    client.send_frame(frames.TEXT, CREATE[:-1] + metadata + b" " * padding + b"}")
    assert client.read_json()["type"] == "response.created"
    client.close()


# --- what the protocol forbids: the close code, then the server closes ---------------------------------------

def bad_frame_closes(server, send, code: int) -> None:
    client = opened(server)
    send(client)
    assert client.close_frame()[0] == code
    assert client.closed_by_server()  # within the socket's timeout: never a hang


@pytest.mark.parametrize(("name", "send", "code"), [
    ("unmasked", lambda c: c.send_frame(frames.TEXT, CREATE, mask=False), 1002),
    ("reserved bit", lambda c: c.send_frame(frames.TEXT, CREATE, rsv=0b100), 1002),
    ("unknown opcode", lambda c: c.send_frame(0x3, b"?"), 1002),
    ("unknown control opcode", lambda c: c.send_frame(0xB, b"?"), 1002),
    ("continuation first", lambda c: c.send_frame(frames.CONTINUATION, b"{}"), 1002),
    ("new message mid-message", lambda c: (c.send_frame(frames.TEXT, b"{", fin=False),
                                           c.send_frame(frames.TEXT, b"}")), 1002),
    ("fragmented ping", lambda c: c.send_frame(frames.PING, b"a", fin=False), 1002),
    ("ping over 125 bytes", lambda c: c.send_frame(frames.PING, b"p" * 126), 1002),
    ("64-bit length with its top bit", lambda c: c.send_raw(b"\x81\xff" + struct.pack("!Q", 1 << 63)), 1002),
    ("close with a 1-byte payload", lambda c: c.send_frame(frames.CLOSE, b"\x03"), 1002),
    ("close code 1005", lambda c: c.send_frame(frames.CLOSE, struct.pack("!H", 1005)), 1002),
    ("bad UTF-8 in a text message", lambda c: c.send_frame(frames.TEXT, b'{"type": "\xff"}'), 1007),
    ("bad UTF-8 split over fragments", lambda c: (c.send_frame(frames.TEXT, "é".encode()[:1], fin=False),
                                                  c.send_frame(frames.CONTINUATION, b"x")), 1007),
    ("bad UTF-8 in a close reason", lambda c: c.send_frame(frames.CLOSE, struct.pack("!H", 1000) + b"\xff"),
     1007),
])
def test_a_forbidden_frame_is_closed_with_its_code(server, name, send, code):
    bad_frame_closes(server, send, code)


def test_a_message_over_the_size_limit_is_closed_1009_before_it_is_read(start_server):
    server = start_server(limits=Limits(max_body_bytes=1_000))
    # Only the head of a frame claiming 1 GiB: the server must refuse it without waiting for the payload.
    bad_frame_closes(server, lambda c: c.send_raw(b"\x81\xff" + struct.pack("!Q", 1 << 30) + b"mask"), 1009)


def test_fragments_that_add_up_past_the_limit_are_closed_1009(start_server):
    server = start_server(limits=Limits(max_body_bytes=1_000))

    def send(client):
        for _ in range(3):
            client.send_frame(frames.TEXT if _ == 0 else frames.CONTINUATION, b"x" * 400, fin=False)
    bad_frame_closes(server, send, 1009)


def test_a_frame_cut_short_is_closed_1008_after_the_frame_deadline(start_server):
    server = start_server(limits=Limits(body_timeout=0.3))
    bad_frame_closes(server, lambda c: c.send_raw(frames.encode_frame(frames.TEXT, CREATE, mask=b"abcd")[:10]), 1008)


def test_an_idle_connection_is_closed_1008_after_the_idle_timeout(start_server):
    server = start_server(limits=Limits(idle_timeout=0.3))
    client = opened(server)
    assert client.close_frame() == (1008, "The connection was idle for too long.")
    assert client.closed_by_server()
