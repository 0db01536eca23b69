"""Streams that fail after their 200 (faults.STREAM_FAULTS), on both APIs and for streamed tool calls:
what is on the wire (checked strictly against the SDK's types where the SDK types it), and what openai
3.57.0 does with each: raise APIError, hand over an event, or simply end."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletionChunk
from openai.types.responses import ResponseErrorEvent, ResponseFailedEvent, ResponseIncompleteEvent

from tests.mock.support import (
    CHAT_MODEL,
    ERROR_KEYS,
    PLAIN_MODEL,
    chat_body,
    openai_error,
    read_typed_events,
    responses_body,
    validate_event,
    validate_strictly,
)

CHAT_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
RESPONSES_TOOL = {"type": "function", "name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
    "additionalProperties": False}}
WEATHER = "What is the weather in Paris?"


def chat_events(server, payload: dict[str, Any], headers: dict[str, str] | None = None) -> list[str]:
    """The `data:` values of a chat stream, read by hand; the HTTP message must end properly."""
    request = urllib.request.Request(
        f"{server.base_url}/chat/completions", data=json.dumps({**payload, "stream": True}).encode(),
        headers={"Authorization": f"Bearer {server.api_key}", "Content-Type": "application/json",
                 **(headers or {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        lines = response.read().decode().split("\n\n")
    assert lines[-1] == ""
    return [line.removeprefix("data: ") for line in lines[:-1]]


# --- Chat Completions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fault", ["stream-error", "stream-failed", "stream-error-nested"])
def test_a_chat_stream_error_is_an_error_event_after_the_chunks_and_no_done(server, fault):
    server.inject_fault(fault, after_events=3)
    events = chat_events(server, chat_body())
    assert len(events) == 4 and "[DONE]" not in events
    for chunk in events[:3]:
        validate_strictly(ChatCompletionChunk, json.loads(chunk))
    error = json.loads(events[-1])
    assert list(error) == ["error"] and set(error["error"]) == ERROR_KEYS
    assert error["error"]["type"] == "server_error"


def test_the_sdk_raises_api_error_at_a_chat_stream_error_after_the_chunks_before_it(server, sdk):
    server.inject_fault("stream-error", after_events=3)
    seen = []
    with pytest.raises(openai.APIError) as raised:
        for chunk in sdk.chat.completions.create(model=CHAT_MODEL, messages=[{"role": "user", "content": "Hi"}],
                                                 stream=True):
            seen.append(chunk)
    assert len(seen) == 3  # the chunks before the error arrived as usual
    assert not isinstance(raised.value, openai.APIStatusError)  # the status was 200: there is none to give
    assert raised.value.message.startswith("The server had an error")


@pytest.mark.parametrize(("fault", "finish_reason"), [("stream-incomplete", "length"),
                                                      ("stream-content-filter", "content_filter")])
def test_a_chat_reply_cut_short_ends_with_its_finish_reason_and_done(server, wire, fault, finish_reason):
    whole = wire.post("/chat/completions", chat_body()).json()["choices"][0]["message"]["content"]
    server.inject_fault(fault)
    events = chat_events(server, chat_body())
    assert events[-1] == "[DONE]"
    chunks = [validate_strictly(ChatCompletionChunk, json.loads(event)) for event in events[:-1]]
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert whole.startswith(text) and len(text) < len(whole)
    assert chunks[-1].choices[0].finish_reason == finish_reason


def test_a_cut_chat_stream_ends_without_done_and_the_sdk_does_not_notice(server, sdk):
    server.inject_fault("stream-cut", after_events=4)
    events = chat_events(server, chat_body())
    assert len(events) == 4 and "[DONE]" not in events
    server.inject_fault("stream-cut", after_events=4)
    chunks = list(sdk.chat.completions.create(model=CHAT_MODEL, messages=[{"role": "user", "content": "Hi"}],
                                              stream=True))
    assert len(chunks) == 4 and all(chunk.choices[0].finish_reason is None for chunk in chunks)


def test_a_streamed_chat_tool_call_breaks_half_way_through_its_arguments(server):
    server.inject_fault("stream-error")
    events = chat_events(server, chat_body(WEATHER, tools=[CHAT_TOOL]))
    chunks = [validate_strictly(ChatCompletionChunk, json.loads(event)) for event in events[:-1]]
    assert chunks[0].choices[0].delta.tool_calls and "error" in json.loads(events[-1])
    assert all(chunk.choices[0].finish_reason is None for chunk in chunks)


def test_a_streamed_chat_tool_call_cut_by_a_limit_has_partial_arguments(server, wire):
    whole = wire.post("/chat/completions", chat_body(WEATHER, tools=[CHAT_TOOL])).json()
    arguments = whole["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    server.inject_fault("stream-incomplete")
    chunks = [json.loads(event) for event in chat_events(server, chat_body(WEATHER, tools=[CHAT_TOOL]))[:-1]]
    sent = "".join(call["function"]["arguments"] for chunk in chunks
                   for call in chunk["choices"][0]["delta"].get("tool_calls") or [])
    assert arguments.startswith(sent) and len(sent) < len(arguments)
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


# --- the Responses API --------------------------------------------------------------------------------

def typed_events(server, **parameters: Any) -> list[dict[str, Any]]:
    _, events = read_typed_events(server.base_url, server.api_key, responses_body(**parameters))
    return events


def test_a_responses_error_event_is_flat_as_the_sdk_types_it(server):
    server.inject_fault("stream-error", after_events=5)
    events = typed_events(server)
    assert len(events) == 6
    for event in events:
        validate_event(event)
    error = events[-1]
    assert isinstance(validate_event(error), ResponseErrorEvent)
    assert error["sequence_number"] == 5 and error["code"] == "server_error" and error["message"]


def test_the_sdk_hands_over_a_flat_error_event_and_raises_nothing(server, sdk):
    server.inject_fault("stream-error", after_events=5)
    events = list(sdk.responses.create(model=PLAIN_MODEL, input="Hi", stream=True))
    assert [event.type for event in events][-1] == "error" and isinstance(events[-1], ResponseErrorEvent)


def test_a_nested_error_event_has_openais_error_object_and_the_sdk_raises_api_error(server, sdk):
    server.inject_fault("stream-error-nested", after_events=5)
    error = typed_events(server)[-1]
    assert list(error) == ["type", "sequence_number", "error"] and error["sequence_number"] == 5
    assert set(error["error"]) == ERROR_KEYS and error["error"]["message"]
    with pytest.raises(ValueError):  # not a member of the SDK's ResponseStreamEvent: it lacks `message`
        validate_event(error)
    server.inject_fault("stream-error-nested", after_events=5)
    seen = []
    with pytest.raises(openai.APIError) as raised:
        for event in sdk.responses.create(model=PLAIN_MODEL, input="Hi", stream=True):
            seen.append(event)
    assert len(seen) == 5 and raised.value.message == error["error"]["message"]


def test_response_failed_ends_the_stream_with_a_failed_response_and_its_error(server, sdk, wire):
    server.inject_fault("stream-failed")
    events = typed_events(server, store=True)
    failed = validate_event(events[-1])
    assert isinstance(failed, ResponseFailedEvent)
    assert failed.response.status == "failed" and failed.response.error.code == "server_error"
    assert failed.response.usage is None and failed.response.output == []  # failed mid-message
    assert wire.get(f"/responses/{failed.response.id}").json()["status"] == "failed"
    server.inject_fault("stream-failed")
    last = list(sdk.responses.create(model=PLAIN_MODEL, input="Hi", stream=True))[-1]
    assert last.type == "response.failed"  # an event like any other: nothing is raised


@pytest.mark.parametrize(("fault", "reason"), [("stream-incomplete", "max_output_tokens"),
                                               ("stream-content-filter", "content_filter")])
def test_response_incomplete_names_its_reason(server, fault, reason):
    whole = typed_events(server)[-1]["response"]["output"][0]["content"][0]["text"]
    server.inject_fault(fault)
    events = typed_events(server)
    for event in events:
        validate_event(event)
    last = validate_event(events[-1])
    assert isinstance(last, ResponseIncompleteEvent)
    assert last.response.status == "incomplete" and last.response.incomplete_details.reason == reason
    text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert whole.startswith(text) and len(text) < len(whole)
    assert last.response.output[0].status == "incomplete"


def test_a_cut_responses_stream_has_no_terminal_event_and_the_stream_helper_says_so(server, sdk):
    server.inject_fault("stream-cut", after_events=6)
    events = typed_events(server)
    assert len(events) == 6 and not any(e["type"].startswith("response.completed") for e in events)
    server.inject_fault("stream-cut", after_events=6)
    assert len(list(sdk.responses.create(model=PLAIN_MODEL, input="Hi", stream=True))) == 6  # no error
    server.inject_fault("stream-cut", after_events=6)
    with sdk.responses.stream(model=PLAIN_MODEL, input="Hi") as stream, \
            pytest.raises(RuntimeError, match=r"response\.completed"):
        stream.get_final_response()


def test_a_streamed_function_call_fails_half_way_through_its_arguments(server):
    server.inject_fault("stream-failed")
    events = typed_events(server, input=WEATHER, tools=[RESPONSES_TOOL])
    for event in events:
        validate_event(event)
    types = [event["type"] for event in events]
    assert "response.function_call_arguments.delta" in types and "response.output_item.done" not in types
    assert types[-1] == "response.failed"


def test_a_streamed_function_call_cut_by_a_limit_is_incomplete_with_partial_arguments(server):
    server.inject_fault("stream-incomplete")
    events = typed_events(server, input=WEATHER, tools=[RESPONSES_TOOL])
    for event in events:
        validate_event(event)
    item = events[-1]["response"]["output"][0]
    assert item["type"] == "function_call" and item["status"] == "incomplete"
    with pytest.raises(ValueError):
        json.loads(item["arguments"])


# --- switching them on ---------------------------------------------------------------------------------

def test_a_stream_fault_on_a_request_that_does_not_stream_is_a_400_that_says_so(server, wire):
    server.inject_fault("stream-error")
    error = openai_error(wire.post("/responses", responses_body()), 400)
    assert "stream" in error["message"] and error["param"] == "stream"


def test_the_header_names_a_stream_fault_and_the_events_before_it(server):
    events = chat_events(server, chat_body(), headers={"X-Mock-Fault": "stream-cut:2"})
    assert len(events) == 2


@pytest.mark.parametrize("fault", ["stream-cut:x", "stream-cut:", "429:2", "stream-cut:99999"])
def test_a_malformed_stream_fault_is_refused(server, fault):
    with pytest.raises(ValueError):
        server.inject_fault(fault)
