"""The JSON shapes of the Conversations API: a conversation, its deletion, a list of its items.
Pure functions from values to dicts, checked in the tests against the SDK's own types."""

from __future__ import annotations

from typing import Any


def conversation(conversation_id: str, created_at: int, metadata: dict[str, str]) -> dict[str, Any]:
    return {"id": conversation_id, "object": "conversation", "created_at": created_at, "metadata": metadata}


def deleted(conversation_id: str) -> dict[str, Any]:
    return {"id": conversation_id, "object": "conversation.deleted", "deleted": True}


def item_list(items: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    """A page of items. An empty page has no first or last id: null, as the stored-responses lists
    write it (the SDK's `ConversationItemList` types them as strings; its pages read them as optional)."""
    return {"object": "list", "data": items, "first_id": items[0]["id"] if items else None,
            "last_id": items[-1]["id"] if items else None, "has_more": has_more}
