"""Server-sent events: how a streamed reply is framed on the wire, and how fast it goes out.
Everything a learner sees in a stream (`data:` lines, `data: [DONE]`, the pauses between tokens) comes from here.

One event is a few `field: value` lines and a blank line. OpenAI's Chat Completions stream uses only
`data:`, one JSON chunk each, and ends with the line `data: [DONE]`:

    data: {"id":"chatcmpl-...","object":"chat.completion.chunk","choices":[{"delta":{"content":"Hi"}...}]}

    data: [DONE]

The Responses API names each event on an `event:` line before its `data:` line (the same name as the
JSON's `type`), and sends no `[DONE]`: the stream ends when its last event has gone out.

    event: response.output_text.delta
    data: {"type":"response.output_text.delta","sequence_number":4,...,"delta":"Hi"}

The HTTP layer sends each event as one chunk of a chunked response the moment it is due.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import ids

DONE = b"data: [DONE]\n\n"  # the last event of a Chat Completions stream: there is no more


def event(data: dict[str, Any]) -> bytes:
    """One event: a `data:` line with the chunk as compact JSON (as the real service writes it), a blank line."""
    return b"data: " + json.dumps(data, separators=(",", ":")).encode() + b"\n\n"


def typed_event(data: dict[str, Any]) -> bytes:
    """One event of the Responses API: an `event:` line with the JSON's `type`, then the `data:` line."""
    return b"event: " + str(data["type"]).encode() + b"\n" + event(data)


@dataclass
class PacedEvents:
    """A stream's events and the pause before each, in seconds: iterating yields each event when it is due,
    as a model that generates one token at a time would send it. A server that stops wakes every pause."""

    events: list[bytes]
    pauses: list[float]
    stopping: threading.Event

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[bytes]:
        for event_bytes, pause in zip(self.events, self.pauses, strict=True):
            if pause:
                self.stopping.wait(pause)
            yield event_bytes


def token_pause(tokens_per_second: float) -> float:
    """The time between two tokens; 0 tokens per second means no pause at all."""
    return 1 / tokens_per_second if tokens_per_second else 0.0


def add_obfuscation(chunk: dict[str, Any], number: int) -> dict[str, Any]:
    """The real service pads each streamed chunk with an `obfuscation` field of random characters, so that
    the sizes of encrypted packets do not give away the tokens (a side channel); clients ignore it, and
    `stream_options: {"include_obfuscation": false}` turns it off. The mock pads with a reproducible
    string of varying length."""
    length = 2 + number * 7 % 11
    chunk["obfuscation"] = ids.make_id("", length, chunk.get("id", ""), number)
    return chunk
