"""Stored responses: fetched, listed as input items (limit, order, after), deleted, and continued with
`previous_response_id`; an unknown id gets the real API's error, and the store stays within its bounds."""

from __future__ import annotations

import json
import threading

import openai
import pytest
from openai.types.responses import ResponseItemList

from helpers.mock import replies
from helpers.mock.calls import Call, Settings
from helpers.mock.http import Request
from helpers.mock.responses import api as responses_api
from helpers.mock.responses.store import MAX_ENTRIES, ResponseStore, StoredResponse
from tests.mock.support import (
    PLAIN_MODEL,
    openai_error,
    responses_body,
    validate_response,
    validate_strictly,
    wire_client_for,
)


def create(wire, **parameters):
    reply = wire.post("/responses", responses_body(**parameters))
    assert reply.status == 200, reply.body
    return reply.json()


def text_of(response):
    return next(item for item in response["output"] if item["type"] == "message")["content"][0]["text"]


def test_a_stored_response_is_fetched_as_it_was_created(wire):
    created = create(wire)
    fetched = wire.get(f"/responses/{created['id']}")
    assert fetched.status == 200
    assert fetched.json() == created
    validate_response(fetched.json())


def test_store_false_keeps_nothing(wire):
    created = create(wire, store=False)
    assert created["store"] is False
    error = openai_error(wire.get(f"/responses/{created['id']}"), 404)
    assert error["message"] == f"Response with id '{created['id']}' not found."


def test_an_unknown_id_is_a_404_for_every_state_route(wire):
    for method, path in [("GET", "/responses/resp_nope"), ("DELETE", "/responses/resp_nope"),
                         ("GET", "/responses/resp_nope/input_items"), ("POST", "/responses/resp_nope/cancel")]:
        error = openai_error(wire.send(method, path, None), 404)
        assert error == {"message": "Response with id 'resp_nope' not found.", "type": "invalid_request_error",
                         "param": None, "code": None}


def test_delete_answers_deleted_and_the_response_is_gone(wire):
    created = create(wire)
    reply = wire.send("DELETE", f"/responses/{created['id']}", None)
    assert reply.status == 200
    assert reply.json() == {"id": created["id"], "object": "response", "deleted": True}
    openai_error(wire.get(f"/responses/{created['id']}"), 404)


def test_a_finished_response_cannot_be_cancelled(wire):
    created = create(wire)
    error = openai_error(wire.send("POST", f"/responses/{created['id']}/cancel", b"{}"), 400)
    assert "background" in error["message"]


def test_input_items_list_a_string_input_as_one_user_message(wire):
    created = create(wire)
    listed = wire.get(f"/responses/{created['id']}/input_items").json()
    validate_strictly(ResponseItemList, listed)
    [item] = listed["data"]
    assert item["type"] == "message" and item["role"] == "user" and item["status"] == "completed"
    assert item["content"] == [{"type": "input_text", "text": "Say hello."}]
    assert item["id"].startswith("msg_")
    assert listed["first_id"] == listed["last_id"] == item["id"] and listed["has_more"] is False


def conversation_input():
    return [{"role": "user", "content": f"Question {n}"} for n in range(5)]


def test_input_items_come_newest_first_unless_asc(wire):
    created = create(wire, input=conversation_input())
    newest_first = wire.get(f"/responses/{created['id']}/input_items").json()["data"]
    oldest_first = wire.get(f"/responses/{created['id']}/input_items?order=asc").json()["data"]
    assert [i["content"][0]["text"] for i in oldest_first] == [f"Question {n}" for n in range(5)]
    assert newest_first == oldest_first[::-1]


def test_input_items_page_with_limit_and_after(wire):
    created = create(wire, input=conversation_input())
    base = f"/responses/{created['id']}/input_items?order=asc&limit=2"
    first = wire.get(base).json()
    second = wire.get(f"{base}&after={first['last_id']}").json()
    third = wire.get(f"{base}&after={second['last_id']}").json()
    assert [len(page["data"]) for page in (first, second, third)] == [2, 2, 1]
    assert [first["has_more"], second["has_more"], third["has_more"]] == [True, True, False]


def test_sdk_pages_through_input_items(sdk, wire):
    created = create(wire, input=conversation_input())
    items = list(sdk.responses.input_items.list(created["id"], limit=2, order="asc"))
    assert [item.content[0].text for item in items] == [f"Question {n}" for n in range(5)]


@pytest.mark.parametrize(("query", "param", "code"), [
    ("limit=0", "limit", "integer_below_min_value"),
    ("limit=101", "limit", "integer_above_max_value"),
    ("limit=ten", "limit", "invalid_type"),
    ("limit=%C2%B2", "limit", "invalid_type"),
    ("limit=" + "9" * 5000, "limit", "integer_above_max_value"),
    ("order=sideways", "order", "invalid_value"),
    ("after=msg_nope", "after", None),
])
def test_a_bad_input_items_query_is_a_400(wire, query, param, code):
    created = create(wire)
    error = openai_error(wire.get(f"/responses/{created['id']}/input_items?{query}"), 400)
    assert (error["param"], error["code"]) == (param, code)


def test_previous_response_id_continues_the_conversation(wire):
    first = create(wire, input="Give me three tips for writing a good prompt.")
    follow_up = create(wire, input="Now make the second tip shorter.", previous_response_id=first["id"])
    assert follow_up["previous_response_id"] == first["id"]
    assert text_of(follow_up) == "2. Show an example."
    alone = create(wire, input="Now make the second tip shorter.")
    assert follow_up["usage"]["input_tokens"] > alone["usage"]["input_tokens"]  # the earlier turn is context


def test_a_chain_of_three_carries_every_earlier_turn(wire):
    first = create(wire, input="one two three")
    second = create(wire, input="four", previous_response_id=first["id"])
    third = create(wire, input="five", previous_response_id=second["id"])
    assert third["usage"]["input_tokens"] > second["usage"]["input_tokens"] > first["usage"]["input_tokens"]


def test_instructions_are_not_carried_over(wire):
    long_instructions = "Answer briefly and kindly, " * 20
    first = create(wire, instructions=long_instructions)
    with_previous = create(wire, input="Again.", previous_response_id=first["id"])
    with_instructions = create(wire, input="Again.", previous_response_id=first["id"],
                               instructions=long_instructions)
    assert with_previous["instructions"] is None
    assert with_instructions["usage"]["input_tokens"] > with_previous["usage"]["input_tokens"]


def test_an_unknown_previous_response_id_is_the_real_400(wire):
    error = openai_error(wire.post("/responses", responses_body(previous_response_id="resp_gone")), 400)
    assert error == {"message": "Previous response with id 'resp_gone' not found.",
                     "type": "invalid_request_error", "param": "previous_response_id",
                     "code": "previous_response_not_found"}


def test_sdk_retrieves_deletes_and_then_gets_not_found(sdk):
    created = sdk.responses.create(model=PLAIN_MODEL, input="Say hello.")
    assert sdk.responses.retrieve(created.id).output_text == created.output_text
    assert sdk.responses.delete(created.id) is None
    with pytest.raises(openai.NotFoundError) as raised:
        sdk.responses.retrieve(created.id)
    assert raised.value.status_code == 404


def test_retrieving_as_a_stream_is_refused_with_a_400(wire):
    created = create(wire)
    error = openai_error(wire.get(f"/responses/{created['id']}?stream=true"), 400)
    assert error["param"] == "stream"


# --- the store's bounds ---------------------------------------------------------------------------------

def stored(size: int) -> StoredResponse:
    return StoredResponse({"id": "resp_x"}, [], [], size)


def test_the_store_evicts_the_oldest_past_its_entry_limit():
    store = ResponseStore(max_entries=3)
    for n in range(5):
        store.add(f"resp_{n}", stored(10))
    assert len(store) == 3
    assert store.get("resp_0") is None and store.get("resp_1") is None
    assert store.get("resp_4") is not None


def test_the_store_evicts_the_oldest_past_its_byte_limit():
    store = ResponseStore(max_bytes=1000)
    for n in range(10):
        store.add(f"resp_{n}", stored(300))
    assert store.bytes <= 1000
    assert store.get("resp_9") is not None and store.get("resp_0") is None


def test_the_store_keeps_nothing_larger_than_its_byte_limit():
    store = ResponseStore(max_bytes=1000)
    store.add("resp_small", stored(10))
    store.add("resp_huge", stored(5000))
    assert store.get("resp_huge") is None and store.get("resp_small") is not None


def test_deleting_frees_the_bytes():
    store = ResponseStore()
    store.add("resp_a", stored(100))
    assert store.bytes == 100
    assert store.delete("resp_a") and store.bytes == 0
    assert not store.delete("resp_a")


def test_a_server_forgets_its_oldest_response_past_200(start_server):
    wire = wire_client_for(start_server())
    ids = [create(wire, input="x")["id"] for _ in range(MAX_ENTRIES + 1)]
    openai_error(wire.get(f"/responses/{ids[0]}"), 404)
    assert wire.get(f"/responses/{ids[1]}").status == 200
    assert wire.get(f"/responses/{ids[-1]}").status == 200


def test_a_stored_response_counts_its_json_and_its_request_against_the_limit():
    store = ResponseStore()
    request_body = json.dumps(responses_body("x" * 5000)).encode()
    call = Call(Request("POST", "/v1/responses", {}, request_body), {}, 1, Settings("k", 0, 1),
                replies.ScriptedReplies(), threading.Event(), store)
    reply = responses_api.create_response(call)
    assert store.bytes >= len(reply.body) + len(request_body)
