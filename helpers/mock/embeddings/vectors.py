"""The mock's embedding vectors: made from the words of the text, not from its meaning. Honest about it.

A real embedding model maps text to a point whose direction carries meaning: "a cat sat" lands near "a
kitten rested". The mock cannot do that. Instead each word (lower-cased) switches on the same few dozen
positions of the vector every time it appears (a "hashing trick"), and a faint pattern drawn from the whole
text fills the rest, so the vector looks dense. Texts that share words therefore point the same way and have
a high cosine similarity; texts that share none are nearly orthogonal, whatever they mean.

Vectors are unit length, written to 10 decimal places in JSON (base64 carries the nearest float32 to each
number, 4 bytes a number), and the same for the same text on every run. `dimensions` keeps the first
numbers and scales them back to unit length, as the API reference says the service does for the
text-embedding-3 models."""

from __future__ import annotations

import array
import functools
import hashlib
import math
import re
import struct

FEATURES_PER_WORD = 32  # positions each word switches on
TEXTURE = 0.02  # the faint pattern's size beside a word's 1.0
_WORD = re.compile(r"\w+", re.UNICODE)


@functools.lru_cache(maxsize=4096)  # the same words come back often; bounded, as texts come from clients
def _word_features(word: str, size: int) -> tuple[tuple[int, float], ...]:
    digest = hashlib.shake_256(word.encode()).digest(4 * FEATURES_PER_WORD)
    numbers = struct.unpack(f"<{FEATURES_PER_WORD}I", digest)
    return tuple((n % size, 1.0 if n & 0x8000_0000 else -1.0) for n in numbers)


def vector(text: str, size: int) -> list[float]:
    """A unit vector of `size` numbers for `text`, from its words (see the module's docstring)."""
    noise = hashlib.shake_256(b"texture:" + text.encode()).digest(size)
    step = TEXTURE / 127.5
    values = [(byte - 127.5) * step for byte in noise]
    for word in _WORD.findall(text.lower()):
        for position, sign in _word_features(word, size):
            values[position] += sign
    return values


def shortened(values: list[float], dimensions: int) -> list[float]:
    """The first `dimensions` numbers, scaled to unit length."""
    kept = values[:dimensions]
    scale = 1.0 / (math.hypot(*kept) or 1.0)  # the vector's length, in C
    return [v * scale for v in kept]


@functools.lru_cache(maxsize=16)
def _template(count: int, margin: str) -> str:
    return "[\n" + ",\n".join([margin + "  %.10f"] * count) + "\n" + margin + "]"


def as_json(values: list[float], margin: str) -> str:
    """A vector as an indented JSON array, each number to 10 decimal places, in one formatting call:
    writing 1536 numbers one by one costs milliseconds a vector (measured by `make bench`, embeddings)."""
    return _template(len(values), margin) % tuple(values)


def base64_bytes(values: list[float]) -> bytes:
    """Little-endian float32, 4 bytes a number: what `encoding_format="base64"` encodes."""
    packed = array.array("f", values)
    if struct.pack("=I", 1) != struct.pack("<I", 1):  # a big-endian machine: swap to little-endian
        packed.byteswap()
    return packed.tobytes()
