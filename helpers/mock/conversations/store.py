"""The conversations the mock keeps: each an id, metadata and its items in order. Bounded in count and
bytes like responses/store.py, oldest conversation evicted first; a conversation is also capped in items.

A conversation's size is counted as the JSON of its items and metadata, once, when they are added."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

MAX_CONVERSATIONS = 100
MAX_BYTES = 8 * 1024 * 1024  # 8 MiB of JSON in all, so a long-running server cannot grow without limit
MAX_ITEMS = 2_000  # a conversation's items; past it (or past MAX_BYTES alone) its oldest are dropped


@dataclass
class Conversation:
    id: str
    created_at: int
    metadata: dict[str, str]
    items: list[dict[str, Any]] = field(default_factory=list)  # oldest first, each with its id
    size: int = 0


def json_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")))


class ConversationStore:
    """Conversations by id, oldest first. Every method takes the lock, so threads see whole changes."""

    def __init__(self, max_conversations: int = MAX_CONVERSATIONS, max_bytes: int = MAX_BYTES,
                 max_items: int = MAX_ITEMS) -> None:
        self.max_conversations, self.max_bytes, self.max_items = max_conversations, max_bytes, max_items
        self._entries: OrderedDict[str, Conversation] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def create(self, conversation: Conversation) -> None:
        conversation.size = json_size(conversation.metadata)
        with self._lock:
            self._entries[conversation.id] = conversation
            self._bytes += conversation.size
            self._evict(keep=conversation.id)
        self.add_items(conversation.id, list(conversation.items), replace=True)

    def get(self, conversation_id: str) -> Conversation | None:
        with self._lock:
            return self._entries.get(conversation_id)

    def items(self, conversation_id: str) -> list[dict[str, Any]] | None:
        """A copy of the items, oldest first (None for an unknown conversation)."""
        with self._lock:
            entry = self._entries.get(conversation_id)
            return list(entry.items) if entry else None

    def add_items(self, conversation_id: str, items: list[dict[str, Any]], replace: bool = False) -> bool:
        with self._lock:
            entry = self._entries.get(conversation_id)
            if entry is None:
                return False
            if replace:
                entry.items = []
            added = sum(json_size(item) for item in items)
            entry.items.extend(items)
            entry.size += added
            self._bytes += added
            while entry.items and (len(entry.items) > self.max_items or entry.size > self.max_bytes):
                dropped = json_size(entry.items.pop(0))
                entry.size -= dropped
                self._bytes -= dropped
            self._evict(keep=conversation_id)
            return True

    def set_metadata(self, conversation_id: str, metadata: dict[str, str]) -> Conversation | None:
        with self._lock:
            entry = self._entries.get(conversation_id)
            if entry is not None:
                change = json_size(metadata) - json_size(entry.metadata)
                entry.metadata, entry.size = metadata, entry.size + change
                self._bytes += change
                self._evict(keep=conversation_id)
            return entry

    def delete_item(self, conversation_id: str, item_id: str) -> bool:
        with self._lock:
            entry = self._entries.get(conversation_id)
            position = next((n for n, item in enumerate(entry.items) if item["id"] == item_id), None) \
                if entry else None
            if entry is None or position is None:
                return False
            dropped = json_size(entry.items.pop(position))
            entry.size -= dropped
            self._bytes -= dropped
            return True

    def delete(self, conversation_id: str) -> bool:
        with self._lock:
            entry = self._entries.pop(conversation_id, None)
            if entry is not None:
                self._bytes -= entry.size
            return entry is not None

    def _evict(self, keep: str) -> None:
        """The one just changed counts as the newest; then the oldest go, past either limit."""
        self._entries.move_to_end(keep)
        while len(self._entries) > self.max_conversations or self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def bytes(self) -> int:
        with self._lock:
            return self._bytes
