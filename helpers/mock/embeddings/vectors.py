"""The mock's embedding vectors: made from the words of the text, not from its meaning. Honest about it.

A real embedding model maps text to a point whose direction carries meaning: "a cat sat" lands near "a
kitten rested". The mock cannot do that. Instead each word (lower-cased) switches on the same few dozen
positions of the vector every time it appears (a "hashing trick"), and a faint pattern drawn from the whole
text fills the rest, so the vector looks dense. Texts that share words therefore point the same way and have
a high cosine similarity; texts that share none are nearly orthogonal, whatever they mean.

Vectors are unit length, rounded to float32 (what the service sends, 4 bytes a number in base64), and the
same for the same text on every run. `dimensions` keeps the first numbers and scales them back to unit
length, as the embeddings guide says the service does for the text-embedding-3 models."""

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
    values = [(byte - 127.5) / 127.5 * TEXTURE for byte in noise]
    for word in _WORD.findall(text.lower()):
        for position, sign in _word_features(word, size):
            values[position] += sign
    return values


def shortened(values: list[float], dimensions: int) -> list[float]:
    """The first `dimensions` numbers, scaled to unit length, rounded to float32."""
    kept = values[:dimensions]
    norm = math.sqrt(sum(v * v for v in kept)) or 1.0
    return as_float32([v / norm for v in kept])


def as_float32(values: list[float]) -> list[float]:
    """Each number rounded to the nearest float32, written with the 9 significant digits that identify it."""
    return [float(f"{v:.9g}") for v in array.array("f", values)]


def base64_bytes(values: list[float]) -> bytes:
    """Little-endian float32, 4 bytes a number: what `encoding_format="base64"` encodes."""
    packed = array.array("f", values)
    if struct.pack("=I", 1) != struct.pack("<I", 1):  # a big-endian machine: swap to little-endian
        packed.byteswap()
    return packed.tobytes()
