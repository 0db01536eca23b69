"""The responses the mock keeps (`store`, on unless a request says false): fetched, listed and deleted by id,
and continued with `previous_response_id`. Bounded in entries and bytes, oldest evicted first.

A stored response's size is counted from what went over the wire (the request's body and the response's
JSON) instead of encoding it again: that would cost more than the rest of a reply (`make bench`). Earlier
turns of a conversation are shared between the responses that continue it, so each adds only a reference."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

MAX_ENTRIES = 200
MAX_BYTES = 8 * 1024 * 1024  # 8 MiB of JSON, so a long-running server cannot grow without limit


@dataclass
class StoredResponse:
    response: dict[str, Any]  # the finished response, as GET /v1/responses/{id} returns it
    input_items: list[dict[str, Any]]  # this request's input, ids given, as input_items lists it
    conversation: list[dict[str, Any]]  # every turn so far, this one's output included (chat-shaped)
    size: int  # bytes: the request's body, the response's JSON, and a reference for each earlier turn


class ResponseStore:
    """Stored responses by id, oldest first; a new one evicts the oldest past either limit.
    A single response larger than `max_bytes` is not kept at all."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict[str, tuple[StoredResponse, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def add(self, response_id: str, stored: StoredResponse) -> None:
        size = stored.size
        if size > self.max_bytes:
            return
        with self._lock:
            self._entries[response_id] = (stored, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, evicted_size) = self._entries.popitem(last=False)
                self._bytes -= evicted_size

    def get(self, response_id: str) -> StoredResponse | None:
        with self._lock:
            entry = self._entries.get(response_id)
        return entry[0] if entry else None

    def delete(self, response_id: str) -> bool:
        with self._lock:
            entry = self._entries.pop(response_id, None)
            if entry is not None:
                self._bytes -= entry[1]
        return entry is not None

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def bytes(self) -> int:
        with self._lock:
            return self._bytes
