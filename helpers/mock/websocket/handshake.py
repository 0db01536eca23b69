"""The opening handshake (RFC 6455, section 4): an HTTP GET that asks to stop being HTTP, and the
`101 Switching Protocols` that agrees. Pure checks on the request's headers; the key proves the answer.

The client sends

    GET /v1/responses HTTP/1.1
    Host: 127.0.0.1:8000
    Upgrade: websocket
    Connection: Upgrade
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==     <- 16 random bytes, base64
    Sec-WebSocket-Version: 13
    Authorization: Bearer sk-...

and the server answers

    HTTP/1.1 101 Switching Protocols
    Upgrade: websocket
    Connection: Upgrade
    Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  <- base64(SHA-1(key + the fixed GUID))

after which both sides speak in frames (frames.py). The accept value shows the client that the server
understood a WebSocket request, not that it is trustworthy: anyone can compute it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from .. import errors

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3: the same for every server
VERSION = "13"


def accept_key(key: str) -> str:
    """`Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455, 4.2.2 step 5.4)."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode("ascii")).digest()).decode("ascii")


def wants_upgrade(headers: dict[str, str]) -> bool:
    """Whether the request asks for a WebSocket at all (`Upgrade: websocket`)."""
    return "websocket" in _tokens(headers.get("upgrade", ""))


def check(headers: dict[str, str]) -> str:
    """The `Sec-WebSocket-Accept` value for an upgrade request that RFC 6455 allows; an ApiError otherwise:
    426 for a version other than 13 (with `Sec-WebSocket-Version: 13`, 4.2.2), 400 for the rest.
    The messages are the mock's own words: OpenAI does not document its answers to a broken handshake."""
    if "upgrade" not in _tokens(headers.get("connection", "")):
        raise _bad_handshake("The 'Connection' header must include 'Upgrade'.")
    version = headers.get("sec-websocket-version", "")
    if version != VERSION:
        error = errors.ApiError(
            426, f"Unsupported WebSocket version {version[:20]!r}: this server speaks version 13 (RFC 6455).",
            "invalid_request_error", None, "unsupported_websocket_version")
        error.headers = {"sec-websocket-version": VERSION}
        raise error
    key = headers.get("sec-websocket-key", "")
    try:
        nonce = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        nonce = b""
    if len(nonce) != 16:
        raise _bad_handshake("'Sec-WebSocket-Key' must be 16 random bytes in base64 (24 characters).")
    return accept_key(key)


def _tokens(value: str) -> list[str]:
    return [token.strip().lower() for token in value.split(",")]


def _bad_handshake(message: str) -> errors.ApiError:
    return errors.ApiError(400, message, "invalid_request_error", None, "invalid_websocket_handshake")
