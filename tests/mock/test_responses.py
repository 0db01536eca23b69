"""POST /v1/responses, whole and streamed: with urllib, requests and the SDK (sync and async, the stream
helper), every reply and every event checked strictly against the SDK's types, streams adding up to the reply."""

from __future__ import annotations

import json
import re
import threading

import openai
import pytest
import requests

from helpers.mock import replies, tokens
from helpers.mock.calls import Call, Settings
from helpers.mock.http import Request
from helpers.mock.responses import api as responses_api
from tests.mock.support import (
    PLAIN_MODEL,
    REQUEST_ID,
    read_typed_events,
    responses_body,
    validate_event,
    validate_response,
)

TEXT_ORDER = [
    "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
    "response.output_text.delta", "response.output_text.done", "response.content_part.done",
    "response.output_item.done", "response.completed",
]


def collapsed(types: list[str]) -> list[str]:
    """The event types with each run of deltas written once."""
    return [t for n, t in enumerate(types) if n == 0 or t != types[n - 1]]


@pytest.fixture
def typed_stream(server):
    def read(payload):
        return read_typed_events(server.base_url, server.api_key, payload)

    return read


def test_urllib_gets_a_response_with_one_message(wire):
    reply = wire.post("/responses", responses_body())
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    assert REQUEST_ID.fullmatch(reply.headers["x-request-id"])
    body = reply.json()
    validate_response(body)
    assert body["object"] == "response" and body["status"] == "completed"
    [message] = body["output"]
    assert message["type"] == "message" and message["role"] == "assistant" and message["status"] == "completed"
    [part] = message["content"]
    assert part == {"type": "output_text", "annotations": [], "logprobs": [], "text": part["text"]}
    assert part["text"].startswith('You asked: "Say hello."')


def test_ids_have_the_real_layout_and_items_share_the_responses_prefix(wire):
    body = wire.post("/responses", responses_body()).json()
    assert re.fullmatch(r"resp_[0-9a-f]{50}", body["id"])
    assert re.fullmatch(r"msg_[0-9a-f]{50}", body["output"][0]["id"])
    assert body["output"][0]["id"][4:20] == body["id"][5:21]


def test_a_reply_echoes_the_real_services_defaults(wire):
    body = wire.post("/responses", responses_body()).json()
    expected = {
        "background": False, "error": None, "incomplete_details": None, "instructions": None,
        "max_output_tokens": None, "max_tool_calls": None, "metadata": {}, "parallel_tool_calls": True,
        "previous_response_id": None, "prompt_cache_key": None, "reasoning": {"effort": None, "summary": None},
        "safety_identifier": None, "service_tier": "default", "store": True, "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"}, "tool_choice": "auto", "tools": [],
        "top_logprobs": 0, "top_p": 1.0, "truncation": "disabled", "user": None, "model": PLAIN_MODEL,
    }
    assert {name: body[name] for name in expected} == expected
    assert body["completed_at"] == body["created_at"]


def test_usage_counts_input_and_output_tokens(wire):
    body = wire.post("/responses", responses_body()).json()
    usage = body["usage"]
    assert usage["output_tokens"] == tokens.count_tokens(body["output"][0]["content"][0]["text"])
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 0}
    assert usage["output_tokens_details"] == {"reasoning_tokens": 0}


def test_sent_fields_are_echoed(wire):
    sent = {"instructions": "Be brief.", "temperature": 0.2, "top_p": 0.5, "metadata": {"lesson": "08"},
            "max_output_tokens": 500, "store": False, "user": "learner", "safety_identifier": "abc"}
    body = wire.post("/responses", responses_body(**sent)).json()
    assert {name: body[name] for name in sent} == sent


@pytest.mark.parametrize(("asked", "served"), [("auto", "default"), ("flex", "flex"), ("fast", "priority")])
def test_the_reply_reports_the_tier_that_served_it(wire, asked, served):
    assert wire.post("/responses", responses_body(service_tier=asked)).json()["service_tier"] == served


@pytest.mark.parametrize(("model", "effort"), [("gpt-5.5", None), ("gpt-5.4-mini", "low")])
def test_a_reasoning_model_that_thinks_answers_after_an_empty_reasoning_item(wire, model, effort):
    asked = {"reasoning": {"effort": effort}} if effort else {}
    body = wire.post("/responses", responses_body(model=model, **asked)).json()
    validate_response(body)
    reasoning, message = body["output"]
    assert reasoning["type"] == "reasoning" and reasoning["summary"] == []
    assert re.fullmatch(r"rs_[0-9a-f]{50}", reasoning["id"])
    assert message["type"] == "message"
    assert body["reasoning"] == {"effort": effort or "medium", "summary": None}


@pytest.mark.parametrize("asked", [{}, {"reasoning": {"effort": "none"}}])
def test_gpt_5_4_mini_thinks_only_when_asked_so_no_reasoning_item_by_default(wire, asked):
    """Its default effort is "none" (catalogue.default_reasoning_effort), as in Chat Completions."""
    body = wire.post("/responses", responses_body(model="gpt-5.4-mini", **asked)).json()
    assert [item["type"] for item in body["output"]] == ["message"]
    assert body["reasoning"]["effort"] == "none"


def test_the_lessons_prompts_get_their_scripted_answers(wire):
    prompt = "Explain what a token is, in two sentences."
    body = wire.post("/responses", responses_body(prompt)).json()
    assert body["output"][0]["content"][0]["text"].startswith("A token is a small piece of text")


def test_a_scripted_reply_answers_the_next_response(server, wire):
    server.script_reply("Scripted for Responses.")
    first = wire.post("/responses", responses_body()).json()
    second = wire.post("/responses", responses_body()).json()
    assert first["output"][0]["content"][0]["text"] == "Scripted for Responses."
    assert second["output"][0]["content"][0]["text"] != "Scripted for Responses."


def test_input_items_with_every_role_are_read_like_a_conversation(wire):
    items = [
        {"role": "system", "content": "You are terse."},
        {"role": "developer", "content": [{"type": "input_text", "text": "Answer in English."}]},
        {"type": "message", "role": "user", "content": "Give me three tips for writing a good prompt."},
        {"role": "assistant", "content": "1. ...\n2. ...\n3. ..."},
        {"role": "user", "content": [{"type": "input_text", "text": "Now make the second tip shorter."}]},
    ]
    body = wire.post("/responses", {"model": PLAIN_MODEL, "input": items}).json()
    assert body["output"][0]["content"][0]["text"] == "2. Show an example."


def test_max_output_tokens_cuts_the_reply_and_marks_it_incomplete(wire):
    body = wire.post("/responses", responses_body(max_output_tokens=16)).json()
    validate_response(body)
    assert body["status"] == "incomplete"
    assert body["incomplete_details"] == {"reason": "max_output_tokens"}
    assert body["completed_at"] is None
    assert body["output"][0]["status"] == "incomplete"
    assert body["usage"]["output_tokens"] == 16


def test_requests_gets_the_answer_urllib_gets(server, wire):
    reply = requests.post(f"{server.base_url}/responses", json=responses_body(), timeout=10,
                          headers={"Authorization": f"Bearer {server.api_key}"})
    assert reply.status_code == 200
    plain = wire.post("/responses", responses_body()).json()
    assert reply.json()["output"][0]["content"][0]["text"] == plain["output"][0]["content"][0]["text"]


def test_sdk_returns_a_response_and_its_output_text(sdk, wire):
    response = sdk.responses.create(model=PLAIN_MODEL, input="Say hello.")
    plain = wire.post("/responses", responses_body()).json()
    assert response.output_text == plain["output"][0]["content"][0]["text"]
    assert response.usage is not None and response.usage.total_tokens > 0


def test_sdk_reports_the_request_id_the_server_sent(server, sdk):
    raw = sdk.responses.with_raw_response.create(model=PLAIN_MODEL, input="Say hello.")
    assert raw.headers["x-request-id"] == server.last_exchange.response_headers[-3][1]
    assert raw.parse().object == "response"


@pytest.mark.anyio
async def test_async_sdk_returns_the_same_text(server, wire):
    async with openai.AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client:
        response = await client.responses.create(model=PLAIN_MODEL, input="Say hello.")
        events = [event async for event in await client.responses.create(
            model=PLAIN_MODEL, input="Say hello.", stream=True)]
    plain = wire.post("/responses", responses_body()).json()
    assert response.output_text == plain["output"][0]["content"][0]["text"]
    assert events[-1].type == "response.completed"
    assert events[-1].response.output_text == response.output_text


# --- streaming -------------------------------------------------------------------------------------------

def test_a_stream_frames_each_event_with_its_type_and_ends_without_done(typed_stream):
    content_type, events = typed_stream(responses_body())  # the reader checks `event:` == `data.type`
    assert content_type == "text/event-stream; charset=utf-8"
    assert collapsed([e["type"] for e in events]) == TEXT_ORDER


def test_sequence_numbers_count_from_0_one_by_one(typed_stream):
    _, events = typed_stream(responses_body())
    assert [e["sequence_number"] for e in events] == list(range(len(events)))


def test_every_event_matches_the_sdks_types_strictly(typed_stream):
    for model in (PLAIN_MODEL, "gpt-5.4-mini"):
        _, events = typed_stream(responses_body(model=model))
        for event in events:
            validate_event(event)


def test_the_deltas_add_up_to_the_final_text_one_token_each(typed_stream, wire):
    _, events = typed_stream(responses_body())
    deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    final = events[-1]["response"]
    text = final["output"][0]["content"][0]["text"]
    assert "".join(deltas) == text == next(e["text"] for e in events if e["type"] == "response.output_text.done")
    assert len(deltas) == final["usage"]["output_tokens"]
    assert text == wire.post("/responses", responses_body()).json()["output"][0]["content"][0]["text"]


def test_the_stream_opens_in_progress_and_closes_with_the_whole_response(typed_stream):
    _, events = typed_stream(responses_body())
    created, final = events[0]["response"], events[-1]["response"]
    assert created["status"] == "in_progress" and created["output"] == [] and created["usage"] is None
    assert created["service_tier"] == "auto" and final["service_tier"] == "default"
    assert created["id"] == final["id"] and final["status"] == "completed"
    added = next(e for e in events if e["type"] == "response.output_item.added")["item"]
    assert added["status"] == "in_progress" and added["content"] == [] and added["id"] == final["output"][0]["id"]


def test_a_reasoning_models_message_streams_at_output_index_1(typed_stream):
    _, events = typed_stream(responses_body(model="gpt-5.4-mini", reasoning={"effort": "low"}))
    types = [e["type"] for e in events[2:4]]
    assert types == ["response.output_item.added", "response.output_item.done"]
    assert events[2]["item"]["type"] == "reasoning"
    assert {e["output_index"] for e in events if e["type"] == "response.output_text.delta"} == {1}


def test_a_token_limit_ends_the_stream_with_response_incomplete(typed_stream):
    _, events = typed_stream(responses_body(max_output_tokens=16))
    assert events[-1]["type"] == "response.incomplete"
    assert "response.completed" not in [e["type"] for e in events]
    assert events[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert len([e for e in events if e["type"] == "response.output_text.delta"]) == 16


def test_deltas_carry_obfuscation_unless_switched_off(typed_stream):
    _, padded = typed_stream(responses_body())
    _, plain = typed_stream(responses_body(stream_options={"include_obfuscation": False}))
    assert all("obfuscation" in e for e in padded if e["type"].endswith(".delta"))
    assert not any("obfuscation" in e for e in padded if not e["type"].endswith(".delta"))
    assert not any("obfuscation" in e for e in plain)


def test_requests_reads_the_typed_stream_line_by_line(server):
    with requests.post(f"{server.base_url}/responses", json=responses_body(stream=True), stream=True, timeout=10,
                       headers={"Authorization": f"Bearer {server.api_key}"}) as reply:
        lines = [line for line in reply.iter_lines(decode_unicode=True) if line]
    assert lines[0] == "event: response.created"
    assert json.loads(lines[-1].removeprefix("data: "))["type"] == "response.completed"
    assert lines[-2] == "event: response.completed"


def test_sdk_streams_typed_events_that_add_up_to_the_reply(sdk):
    events = list(sdk.responses.create(model=PLAIN_MODEL, input="Say hello.", stream=True))
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert events[0].type == "response.created"
    assert events[-1].type == "response.completed" and events[-1].response.output_text == text


def test_sdk_stream_helper_gives_the_final_response(sdk):
    with sdk.responses.stream(model=PLAIN_MODEL, input="Say hello.") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert final.output_text == "".join(deltas)
    assert final.status == "completed"


def test_the_wire_record_keeps_each_typed_event_as_sent(server, typed_stream):
    _, events = typed_stream(responses_body())
    frames = server.last_exchange.frames
    assert len(frames) == len(events)
    assert frames[0].startswith("event: response.created\ndata: {")
    assert frames[-1].startswith("event: response.completed\ndata: {")


def test_two_fresh_servers_give_the_same_ids(start_server):
    first, second = start_server(), start_server()
    for payload in (responses_body(), responses_body(stream=True)):
        replies = [requests.post(f"{s.base_url}/responses", json=payload, timeout=10,
                                 headers={"Authorization": f"Bearer {s.api_key}"}) for s in (first, second)]
        ids = [re.findall(r"(?:resp|msg)_[0-9a-f]{50}", r.text) for r in replies]
        assert ids[0] == ids[1] and ids[0]


@pytest.mark.anyio
async def test_async_sdk_stream_helper_gives_the_final_response(server):
    async with (openai.AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client,
                client.responses.stream(model=PLAIN_MODEL, input="Say hello.") as stream):
        deltas = [e.delta async for e in stream if e.type == "response.output_text.delta"]
        final = await stream.get_final_response()
    assert final.output_text == "".join(deltas) and final.status == "completed"


def test_a_paced_stream_pauses_before_each_delta_only():
    """The pacing setting chat uses: one token's time before each delta, nothing before the other events."""
    body = json.dumps(responses_body(stream=True)).encode()
    call = Call(Request("POST", "/v1/responses", {}, body), {}, 1, Settings("k", 50, 1), replies.ScriptedReplies(),
                threading.Event())
    paced = responses_api.create_response(call).events
    types = [frame.split(b"\n", 1)[0].decode() for frame in paced.events]
    assert paced.pauses == [0.02 if t.endswith(".delta") else 0.0 for t in types]
    assert sum(t.endswith(".delta") for t in types) > 10
