"""The Conversations API: conversations created, fetched, updated and deleted; their items listed a page
at a time, added, fetched and deleted; `conversation` on /v1/responses reading and extending them. Every
shape strictly as the SDK's types; every parameter table compared with the SDK's params types."""

from __future__ import annotations

import typing

import openai
import pytest
from openai.types.conversations import (
    Conversation,
    ConversationDeletedResource,
    ConversationItemList,
    Message,
    conversation_create_params,
    conversation_update_params,
    item_create_params,
    item_list_params,
)

from helpers.mock.conversations import validation
from helpers.mock.conversations.store import Conversation as StoredConversation
from helpers.mock.conversations.store import ConversationStore
from helpers.mock.responses import input_tokens
from tests.mock.support import openai_error, responses_body, validate_response, validate_strictly
from tests.mock.test_shapes import allows_none


@pytest.mark.parametrize(("table", "params"), [
    (validation.CREATE, conversation_create_params.ConversationCreateParams),
    (validation.UPDATE, conversation_update_params.ConversationUpdateParams),
    (validation.ADD_ITEMS, item_create_params.ItemCreateParams),
])
def test_each_body_table_is_the_sdks_params_type(table, params):
    hints = typing.get_type_hints(params, include_extras=True)
    body_names = set(hints) - {"include"}  # `include` goes in the query (the SDK's items.create)
    assert set(table) == body_names
    for name in body_names:
        assert table[name][1] == allows_none(hints[name]), name


def test_the_list_query_is_the_sdks_params_type():
    assert set(validation.LIST_QUERY) == set(typing.get_type_hints(item_list_params.ItemListParams))


def test_the_input_tokens_table_is_the_sdks_params_type():
    from openai.types.responses import input_token_count_params
    hints = typing.get_type_hints(input_token_count_params.InputTokenCountParams, include_extras=True)
    assert set(input_tokens.PARAMETERS) == set(hints)
    for name, (_, nullable) in input_tokens.PARAMETERS.items():
        assert nullable == allows_none(hints[name]), name


def new_conversation(wire, **body):
    reply = wire.post("/conversations", body)
    assert reply.status == 200, reply.body
    return validate_strictly(Conversation, reply.json())


def test_a_conversation_is_created_fetched_updated_and_deleted(wire):
    created = new_conversation(wire, metadata={"topic": "demo"})
    assert created.id.startswith("conv_") and len(created.id) == 53
    assert wire.get(f"/conversations/{created.id}").json() == created.model_dump()
    updated = wire.post(f"/conversations/{created.id}", {"metadata": {"topic": "other"}})
    assert validate_strictly(Conversation, updated.json()).metadata == {"topic": "other"}
    deleted = wire.send("DELETE", f"/conversations/{created.id}", None)
    assert validate_strictly(ConversationDeletedResource, deleted.json()).deleted is True
    error = openai_error(wire.get(f"/conversations/{created.id}"), 404)
    assert error["message"] == f"Conversation with id '{created.id}' not found."


def test_items_are_listed_newest_first_a_page_at_a_time(wire):
    items = [{"role": "user", "content": f"Message {n}"} for n in range(5)]
    conversation = new_conversation(wire, items=items)
    page = wire.get(f"/conversations/{conversation.id}/items?limit=2")
    listed = validate_strictly(ConversationItemList, page.json())
    assert [item.content[0].text for item in listed.data] == ["Message 4", "Message 3"]
    assert listed.has_more is True
    rest = wire.get(f"/conversations/{conversation.id}/items?limit=10&after={listed.last_id}").json()
    assert [item["content"][0]["text"] for item in rest["data"]] == ["Message 2", "Message 1", "Message 0"]
    assert rest["has_more"] is False


def test_items_are_added_fetched_and_deleted(wire):
    conversation = new_conversation(wire)
    added = wire.post(f"/conversations/{conversation.id}/items?include[]=reasoning.encrypted_content",
                      {"items": [{"type": "message", "role": "user", "content": "Hello"}]})
    item = validate_strictly(ConversationItemList, added.json()).data[0]
    fetched = wire.get(f"/conversations/{conversation.id}/items/{item.id}")
    assert validate_strictly(Message, fetched.json()).content[0].text == "Hello"
    after_delete = wire.send("DELETE", f"/conversations/{conversation.id}/items/{item.id}", None)
    assert validate_strictly(Conversation, after_delete.json()).id == conversation.id
    assert wire.get(f"/conversations/{conversation.id}/items").json()["data"] == []
    assert openai_error(wire.get(f"/conversations/{conversation.id}/items/{item.id}"), 404)["message"] == \
        f"Item with id '{item.id}' not found."


@pytest.mark.parametrize(("body", "message"), [
    ({"items": [{"role": "user", "content": "x"}] * 21},
     "Invalid 'items': array too long. Expected an array with maximum length 20, but got an array with "
     "length 21 instead."),
    ({"title": "x"}, "Unknown parameter: 'title'."),
    ({"metadata": {"k": 1}}, "Invalid type for 'metadata.k': expected a string, but got an integer instead."),
])
def test_a_bad_conversation_gets_the_real_400(wire, body, message):
    assert openai_error(wire.post("/conversations", body), 400)["message"] == message


def test_a_response_in_a_conversation_reads_and_extends_it(wire):
    conversation = new_conversation(wire, items=[{"role": "user", "content": "My name is Ada."}])
    first = wire.post("/responses", responses_body("Hello.", conversation=conversation.id)).json()
    assert validate_response(first).conversation.id == conversation.id
    second = wire.post("/responses", responses_body("Again.", conversation={"id": conversation.id})).json()
    assert second["usage"]["input_tokens"] > first["usage"]["input_tokens"]  # the first turn is read back
    listed = wire.get(f"/conversations/{conversation.id}/items?order=asc").json()["data"]
    assert [(item["type"], item["role"]) for item in listed] == [("message", "user")] + \
        [("message", "user"), ("message", "assistant")] * 2


def test_conversation_and_previous_response_id_together_are_refused(wire):
    conversation = new_conversation(wire)
    first = wire.post("/responses", responses_body()).json()
    error = openai_error(wire.post("/responses", responses_body(conversation=conversation.id,
                                                                previous_response_id=first["id"])), 400)
    assert (error["param"], error["code"]) == ("conversation", "invalid_value")
    assert "'previous_response_id' cannot be used in conjunction with 'conversation'" in error["message"]


def test_an_unknown_conversation_on_a_response_is_a_404(wire):
    error = openai_error(wire.post("/responses", responses_body(conversation="conv_nope")), 404)
    assert (error["message"], error["param"]) == ("Conversation with id 'conv_nope' not found.", "conversation")


def test_the_sdk_runs_a_conversation_to_its_deletion(sdk):
    conversation = sdk.conversations.create(items=[{"role": "user", "content": "Hi"}])
    sdk.responses.create(model="gpt-4.1-mini", input="Hello", conversation=conversation.id)
    assert len(list(sdk.conversations.items.list(conversation.id, limit=1))) == 3  # pages followed
    assert sdk.conversations.delete(conversation.id).deleted
    with pytest.raises(openai.NotFoundError):
        sdk.conversations.retrieve(conversation.id)


def test_the_store_stays_within_its_bounds():
    store = ConversationStore(max_conversations=3, max_bytes=2_000, max_items=5)
    for n in range(5):
        store.create(StoredConversation(f"conv_{n}", 0, {}))
    assert len(store) == 3 and store.get("conv_0") is None
    item = {"id": "msg_1", "type": "message", "role": "user", "content": [{"type": "input_text", "text": "x" * 100}]}
    store.add_items("conv_4", [item] * 8)
    assert len(store.items("conv_4") or []) == 5
    store.add_items("conv_3", [item] * 5)
    assert store.bytes <= 2_000
    store.add_items("conv_2", [{**item, "content": [{"type": "input_text", "text": "y" * 5_000}]}])
    assert store.bytes <= 2_000
