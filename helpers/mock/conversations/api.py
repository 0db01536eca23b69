"""The Conversations API: `POST /v1/conversations` starts one (with items, metadata), it is fetched,
its metadata replaced and it is deleted by id; its items are listed a page at a time, added, fetched
and deleted. `conversation` on `POST /v1/responses` reads and extends the same store (`continued`, `extend`).
The path of one request: validation.py → store.py → shapes.py → json_bodies.py."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

from .. import errors, ids
from ..calls import Call
from ..http import Response
from ..json_bodies import json_response, parse_request_body
from ..responses.api import _limit as checked_limit  # the same 1-to-100 check as input_items
from . import shapes, validation
from .store import Conversation

_ITEM_PREFIXES = {"message": "msg_", "function_call": "fc_", "function_call_output": "fco_",
                  "reasoning": "rs_"}


def create_conversation(call: Call) -> Response:
    items, metadata = validation.create_body(parse_request_body(call.request.body))
    seed, number = call.settings.seed, call.number
    conversation = Conversation(ids.make_hex_id("conv_", 48, seed, number), int(time.time()), metadata,
                                with_ids(items, seed, number))
    call.conversations.create(conversation)
    return json_response(200, _shape(conversation))


def retrieve_conversation(call: Call) -> Response:
    return json_response(200, _shape(_stored(call)))


def update_conversation(call: Call) -> Response:
    metadata = validation.update_body(parse_request_body(call.request.body))
    conversation = call.conversations.set_metadata(_stored(call).id, metadata)
    if conversation is None:  # deleted meanwhile
        raise errors.conversation_not_found(call.params["conversation_id"])
    return json_response(200, _shape(conversation))


def delete_conversation(call: Call) -> Response:
    conversation_id = call.params["conversation_id"]
    if not call.conversations.delete(conversation_id):
        raise errors.conversation_not_found(conversation_id)
    return json_response(200, shapes.deleted(conversation_id))


def list_items(call: Call) -> Response:
    """One page of the items: newest first unless `order=asc`, `limit` of them (20 unless told, 1 to
    100), starting after the item `after` names."""
    query = _query(call)
    validation.include(query)
    items = _items(call)
    order = query.get("order", ["desc"])[0]
    if order not in ("asc", "desc"):
        raise errors.invalid_value("order", order, ["asc", "desc"])
    limit = checked_limit(query.get("limit", ["20"])[0])
    ordered = items if order == "asc" else items[::-1]
    after = query.get("after", [None])[0]
    if after is not None:
        position = next((n for n, item in enumerate(ordered) if item["id"] == after), None)
        if position is None:
            raise errors.invalid_request(f"Invalid 'after': no item with id '{after}'.", param="after")
        ordered = ordered[position + 1:]
    return json_response(200, shapes.item_list(ordered[:limit], len(ordered) > limit))


def create_items(call: Call) -> Response:
    """Adds up to 20 items at the end; answers with the items as stored (ids given)."""
    validation.include(_query(call))
    conversation = _stored(call)
    items = with_ids(validation.add_items_body(parse_request_body(call.request.body)),
                     call.settings.seed, call.number)
    if not call.conversations.add_items(conversation.id, items):
        raise errors.conversation_not_found(conversation.id)
    return json_response(200, shapes.item_list(items, False))


def retrieve_item(call: Call) -> Response:
    validation.include(_query(call))
    item_id = call.params["item_id"]
    item = next((item for item in _items(call) if item["id"] == item_id), None)
    if item is None:
        raise errors.conversation_item_not_found(item_id)
    return json_response(200, item)


def delete_item(call: Call) -> Response:
    """Deletes one item; answers with the conversation (as the SDK's `items.delete` types it)."""
    conversation = _stored(call)
    if not call.conversations.delete_item(conversation.id, call.params["item_id"]):
        raise errors.conversation_item_not_found(call.params["item_id"])
    return json_response(200, _shape(conversation))


def with_ids(items: list[dict[str, Any]], seed: str, number: int) -> list[dict[str, Any]]:
    """Items as a conversation keeps them: each with a reproducible id first."""
    return [{"id": ids.make_hex_id(_ITEM_PREFIXES[item["type"]], 50, seed, number, "item", n), **item}
            for n, item in enumerate(items)]


def _shape(conversation: Conversation) -> dict[str, Any]:
    return shapes.conversation(conversation.id, conversation.created_at, conversation.metadata)


def _stored(call: Call) -> Conversation:
    conversation_id = call.params["conversation_id"]
    conversation = call.conversations.get(conversation_id)
    if conversation is None:
        raise errors.conversation_not_found(conversation_id)
    return conversation


def _items(call: Call) -> list[dict[str, Any]]:
    items = call.conversations.items(call.params["conversation_id"])
    if items is None:
        raise errors.conversation_not_found(call.params["conversation_id"])
    return items


def _query(call: Call) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(call.request.path).query)
