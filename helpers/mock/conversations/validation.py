"""Checks the Conversations API's requests as the real API checks them: each body against its parameter
table (kept in step with the SDK's params types by the tests), the items as /v1/responses checks input."""

from __future__ import annotations

from typing import Any

from .. import errors, parameters
from ..responses import validation as responses_validation

# Each body's parameters: JSON type, and whether `null` is allowed (the SDK's `Optional[...]`).
CREATE: parameters.Table = {"items": ("array", True), "metadata": ("object", True)}
UPDATE: parameters.Table = {"metadata": ("object", True)}
ADD_ITEMS: parameters.Table = {"items": ("array", False)}
# The query parameters each listing or fetching reads (`include` travels in the query, as the SDK sends it).
LIST_QUERY = ("after", "include", "limit", "order")
ITEM_QUERY = ("include",)
MAX_ITEMS_AT_ONCE = 20  # "You may add up to 20 items at a time." (ConversationCreateParams, openai 3.57.0)


def create_body(body: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The initial items and metadata of `POST /v1/conversations`."""
    body = parameters.checked_body(body, CREATE, required=())
    return _items(body.get("items") or []), _metadata(body.get("metadata"))


def update_body(body: Any) -> dict[str, str]:
    """The new metadata of `POST /v1/conversations/{id}` (required, as `ConversationUpdateParams` says)."""
    return _metadata(parameters.checked_body(body, UPDATE, required=("metadata",))["metadata"])


def add_items_body(body: Any) -> list[dict[str, Any]]:
    """The items of `POST /v1/conversations/{id}/items`: at least one, at most 20."""
    items = parameters.checked_body(body, ADD_ITEMS, required=("items",))["items"]
    if not items:
        raise errors.empty_array("items")
    return _items(items)


def include(query: dict[str, list[str]]) -> list[str]:
    """`include` (sent by the SDK as `include[]=...`): each value one the real API lists."""
    values = query.get("include", []) + query.get("include[]", [])
    for i, value in enumerate(values):
        if value not in responses_validation.INCLUDABLE:
            raise errors.invalid_value(f"include[{i}]", value, responses_validation.INCLUDABLE)
    return values


def _items(items: list[Any]) -> list[dict[str, Any]]:
    if len(items) > MAX_ITEMS_AT_ONCE:
        raise errors.array_too_long("items", MAX_ITEMS_AT_ONCE, len(items))
    return responses_validation.input_items_of("items", items)


def _metadata(metadata: dict[str, Any] | None) -> dict[str, str]:
    responses_validation.check_metadata(metadata)
    return dict(metadata or {})
