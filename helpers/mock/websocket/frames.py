"""WebSocket frames (RFC 6455, section 5): the bytes of one frame, written and read, and whole messages
reassembled from fragments. A frame that breaks the protocol ends the connection with its close code.

One frame on the wire:

    byte 0     FIN (1 bit: last fragment of a message), RSV1-3 (3 bits, 0 without an extension), opcode (4 bits)
    byte 1     MASK (1 bit: set on every frame a client sends), payload length (7 bits)
               126: the length follows in 2 bytes; 127: in 8 bytes (its top bit 0)
    4 bytes    the masking key, if MASK is set: payload byte i is XORed with key[i % 4]
    payload

Opcodes: 0x0 continuation, 0x1 text (UTF-8), 0x2 binary, 0x8 close, 0x9 ping, 0xA pong; the rest are
reserved. Control frames (close, ping, pong) carry at most 125 bytes and are never fragmented; they may
arrive between the fragments of a message (section 5.4).
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from dataclasses import dataclass

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
DATA_OPCODES = (TEXT, BINARY)
CONTROL_OPCODES = (CLOSE, PING, PONG)
MAX_CONTROL_PAYLOAD = 125

# Close codes (RFC 6455, section 7.4.1) the mock sends or checks.
NORMAL_CLOSURE = 1000
GOING_AWAY = 1001  # the server is stopping
PROTOCOL_ERROR = 1002
INVALID_DATA = 1007  # a text message that is not UTF-8
POLICY_VIOLATION = 1008  # the idle or frame deadline passed
MESSAGE_TOO_BIG = 1009
# Codes a close frame may carry: the ones RFC 6455 and the IANA registry define, and 3000-4999 for
# libraries and applications. 1005, 1006 and 1015 stand for "no code" and must never be sent (7.4.1).
_SENDABLE = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}

MiB = 1024 * 1024


@dataclass(frozen=True)
class WebSocketLimits:
    """What one WebSocket may cost the server; the HTTP layer's limits of the same names by default."""

    max_message_bytes: int = 16 * MiB  # a message (all its fragments) longer than this: close 1009
    idle_timeout: float = 60.0  # with no frame arriving for this long: close 1008
    frame_timeout: float = 30.0  # from a frame's first byte to its last (a slow sender: close 1008)
    write_timeout: float = 30.0  # to write one frame (a reader that stops reading: the socket is dropped)


class ProtocolError(Exception):
    """A frame or message that breaks RFC 6455: `code` is the close code the connection ends with."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


class PeerGone(Exception):
    """The other side closed the TCP connection (without a close frame, or after it)."""


@dataclass
class Frame:
    fin: bool
    opcode: int
    payload: bytes


def encode_frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bytes | None = None) -> bytes:
    """One frame's bytes: a server's are unmasked; a client's carry a 4-byte `mask` (os.urandom(4))."""
    first = (0x80 if fin else 0) | opcode
    mask_bit = 0x80 if mask is not None else 0
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", first, mask_bit | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, length)
    if mask is None:
        return head + payload
    return head + mask + apply_mask(payload, mask)


def apply_mask(payload: bytes, mask: bytes) -> bytes:
    """XOR each byte with the mask's byte at the same position modulo 4 (masking and unmasking alike).
    One big-integer XOR instead of a Python loop over the bytes: a 1 MiB message takes milliseconds."""
    if not payload:
        return payload
    repeated = (mask * (len(payload) // 4 + 1))[: len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(payload), "big")


def close_payload(code: int, reason: str = "") -> bytes:
    """A close frame's payload: the code in two bytes, then a reason of at most 123 bytes of UTF-8."""
    return struct.pack("!H", code) + reason.encode()[:123]


def parse_close(payload: bytes) -> tuple[int | None, str]:
    """The code and reason of a close frame the peer sent; ProtocolError if they are not allowed."""
    if not payload:
        return None, ""
    if len(payload) == 1:
        raise ProtocolError(PROTOCOL_ERROR, "A close frame's payload must be empty or hold a 2-byte code.")
    code = struct.unpack("!H", payload[:2])[0]
    if code not in _SENDABLE and not 3000 <= code <= 4999:
        raise ProtocolError(PROTOCOL_ERROR, f"Close code {code} may not be sent.")
    try:
        reason = payload[2:].decode()
    except UnicodeDecodeError:
        raise ProtocolError(INVALID_DATA, "A close frame's reason must be UTF-8.") from None
    return code, reason


class FrameReader:
    """Reads a client's frames off a socket, checking each as RFC 6455 requires of a server."""

    def __init__(self, sock: socket.socket, leftover: bytes, limits: WebSocketLimits,
                 stopping: threading.Event | None = None) -> None:
        self.sock = sock
        self.buffer = bytearray(leftover)  # what the HTTP layer had already read past the request's head
        self.limits = limits
        self.stopping = stopping or threading.Event()

    def _receive(self, deadline: float, why: str) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProtocolError(POLICY_VIOLATION, why)
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65_536)
        except TimeoutError:
            raise ProtocolError(POLICY_VIOLATION, why) from None
        except OSError:
            raise PeerGone from None
        if not data:
            raise PeerGone
        self.buffer += data

    def _take(self, size: int, deadline: float, why: str) -> bytes:
        while len(self.buffer) < size:
            self._receive(deadline, why)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def _wait_idle(self) -> None:
        """Wait for the next frame up to the idle timeout, looking every quarter second whether the server
        is stopping (then close 1001, "going away"), so that stop() does not leave sessions behind."""
        deadline = time.monotonic() + self.limits.idle_timeout
        while not self.buffer:
            if self.stopping.is_set():
                raise ProtocolError(GOING_AWAY, "The server is stopping.")
            if time.monotonic() >= deadline:
                raise ProtocolError(POLICY_VIOLATION, "The connection was idle for too long.")
            try:
                self._receive(min(deadline, time.monotonic() + 0.25), "idle")
            except ProtocolError:
                continue  # a quarter second passed with nothing: look again

    def read_frame(self, room: int) -> Frame:
        """The next frame, unmasked; its payload may be at most `room` bytes (what is left of the message's
        allowance), else close 1009 before a byte of it is read."""
        if not self.buffer:  # between frames, the client may be quiet up to the idle timeout
            self._wait_idle()
        deadline = time.monotonic() + self.limits.frame_timeout
        slow = "A frame did not arrive whole in time."
        first, second = self._take(2, deadline, slow)
        fin, opcode = bool(first & 0x80), first & 0x0F
        if first & 0x70:
            raise ProtocolError(PROTOCOL_ERROR, "Reserved bits must be 0: no extension was negotiated.")
        if opcode not in (CONTINUATION, *DATA_OPCODES, *CONTROL_OPCODES):
            raise ProtocolError(PROTOCOL_ERROR, f"Unknown opcode {opcode:#x}.")
        if not second & 0x80:
            raise ProtocolError(PROTOCOL_ERROR, "A client's frames must be masked.")
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._take(2, deadline, slow))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._take(8, deadline, slow))[0]
            if length >> 63:
                raise ProtocolError(PROTOCOL_ERROR, "A 64-bit payload length must have its top bit 0.")
        if opcode in CONTROL_OPCODES:
            if not fin:
                raise ProtocolError(PROTOCOL_ERROR, "A control frame must not be fragmented.")
            if length > MAX_CONTROL_PAYLOAD:
                raise ProtocolError(PROTOCOL_ERROR, "A control frame's payload must be at most 125 bytes.")
        elif length > room:
            raise ProtocolError(MESSAGE_TOO_BIG,
                                f"Message too big: at most {self.limits.max_message_bytes} bytes.")
        mask = self._take(4, deadline, slow)
        return Frame(fin, opcode, apply_mask(self._take(length, deadline, slow), mask))


@dataclass
class Message:
    """A whole message (TEXT or BINARY, fragments joined), or a control frame (CLOSE, PING, PONG)."""

    opcode: int
    payload: bytes

    @property
    def text(self) -> str:
        return self.payload.decode()


class MessageReader:
    """Joins fragments into messages (RFC 6455, 5.4): the first frame says text or binary, the rest are
    continuations, the last has FIN set. Control frames are handed back as they come, even mid-message."""

    def __init__(self, frames: FrameReader) -> None:
        self.frames = frames
        self.limit = frames.limits.max_message_bytes
        self._opcode: int | None = None  # the message being joined, kept across a control frame
        self._parts: list[bytes] = []
        self._size = 0

    def read(self) -> Message:
        while True:
            frame = self.frames.read_frame(room=self.limit - self._size)
            if frame.opcode in CONTROL_OPCODES:
                return Message(frame.opcode, frame.payload)  # a fragmented message resumes on the next read
            if frame.opcode == CONTINUATION and self._opcode is None:
                raise ProtocolError(PROTOCOL_ERROR, "A continuation frame with no message to continue.")
            if frame.opcode != CONTINUATION and self._opcode is not None:
                raise ProtocolError(PROTOCOL_ERROR, "A new message began before the last one ended (no FIN).")
            if self._opcode is None:
                self._opcode = frame.opcode
            self._parts.append(frame.payload)
            self._size += len(frame.payload)
            if frame.fin:
                message = Message(self._opcode, b"".join(self._parts))
                self._opcode, self._parts, self._size = None, [], 0
                if message.opcode == TEXT:
                    _check_utf8(message.payload)
                return message


def _check_utf8(payload: bytes) -> None:
    try:
        payload.decode()
    except UnicodeDecodeError:
        raise ProtocolError(INVALID_DATA, "A text message must be valid UTF-8.") from None


def client_mask() -> bytes:
    """A fresh masking key: a client must pick each one unpredictably (RFC 6455, 5.3)."""
    return os.urandom(4)
