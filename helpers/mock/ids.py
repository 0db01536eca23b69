"""Ids shaped like the real service's (chatcmpl-..., req_..., call_...), unique per response, yet reproducible:
each is a hash of the server's seed and the response's number, so a fresh server repeats the same sequence."""

from __future__ import annotations

import base64
import hashlib
import itertools
import threading


def _digest(parts: tuple[object, ...]) -> bytes:
    return hashlib.sha512(":".join(map(str, parts)).encode()).digest()


def make_id(prefix: str, length: int, *parts: object) -> str:
    """`prefix` and `length` letters and digits, the same for the same parts (length at most 60)."""
    letters_and_digits = base64.b64encode(_digest(parts)).translate(None, b"+/=")
    return prefix + letters_and_digits[:length].decode()


def make_hex_id(prefix: str, length: int, *parts: object) -> str:
    """`prefix` and `length` hexadecimal digits, the same for the same parts (length at most 128)."""
    return prefix + _digest(parts).hex()[:length]


class ResponseCounter:
    """Numbers the server's responses 1, 2, 3, ... safely across threads."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return next(self._numbers)
