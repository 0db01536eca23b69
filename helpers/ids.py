"""Ids shaped like the real service's (chatcmpl-..., req_..., call_...), unique per response, yet reproducible:
each is a hash of the server's seed and the response's number, so a fresh server repeats the same sequence."""

from __future__ import annotations

import hashlib
import itertools
import string
import threading

_ALPHANUMERIC = string.ascii_letters + string.digits


def make_id(prefix: str, length: int, *parts: object, alphabet: str = _ALPHANUMERIC) -> str:
    number = int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(alphabet))
        chars.append(alphabet[digit])
    return prefix + "".join(chars)


class ResponseCounter:
    """Numbers the server's responses 1, 2, 3, ... safely across threads."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return next(self._numbers)
