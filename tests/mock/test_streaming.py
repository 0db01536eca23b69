"""Streamed chat completions: server-sent events read by hand with urllib, line by line with requests,
and as typed chunks by the SDK, sync and async. A stream must add up to the plain reply for the same request."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import openai
import pytest
import requests
from openai.types.chat import ChatCompletionChunk

from tests.mock.support import chat_body, validate_strictly

CHAT_MODEL = "gpt-4.1-mini"
WEATHER_TOOL = {
    "type": "function",
    "function": {"name": "get_weather",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}


def read_events(base_url: str, api_key: str, payload: dict[str, Any]) -> tuple[str, list[str]]:
    """POST with urllib and read the stream the way a hand-written client must: a line at a time,
    each event being one `data:` line followed by a blank line. Returns the content type and the data."""
    request = urllib.request.Request(f"{base_url}/chat/completions", data=json.dumps(payload).encode(),
                                     headers={"Authorization": f"Bearer {api_key}",
                                              "Content-Type": "application/json"})
    events = []
    with urllib.request.urlopen(request, timeout=10) as response:
        content_type = response.headers["Content-Type"]
        while line := response.readline():
            assert line.startswith(b"data: ") and line.endswith(b"\n"), line
            assert response.readline() == b"\n"  # the blank line that ends the event
            events.append(line.removeprefix(b"data: ").decode().rstrip("\n"))
    return content_type, events


def joined_content(chunks: list[dict[str, Any]], index: int = 0) -> str:
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks
                   if c["choices"] and c["choices"][0]["index"] == index)


@pytest.fixture
def stream(server):
    """Read one streamed completion by hand: (content type, chunks as dicts); `[DONE]` is checked and dropped."""
    def read(payload: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        content_type, events = read_events(server.base_url, server.api_key, {**payload, "stream": True})
        assert events[-1] == "[DONE]"
        assert "[DONE]" not in events[:-1]
        return content_type, [json.loads(event) for event in events[:-1]]

    return read


def test_a_stream_is_server_sent_events_ending_with_done(stream):
    content_type, chunks = stream(chat_body())
    assert content_type.startswith("text/event-stream")
    for chunk in chunks:
        validate_strictly(ChatCompletionChunk, chunk)
    assert len({chunk["id"] for chunk in chunks}) == 1  # every chunk belongs to one completion


def test_the_first_delta_has_the_role_and_the_last_the_finish_reason(stream):
    _, chunks = stream(chat_body())
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all("role" not in chunk["choices"][0]["delta"] for chunk in chunks[1:])
    assert [chunk["choices"][0]["finish_reason"] for chunk in chunks] == [None] * (len(chunks) - 1) + ["stop"]


def test_the_deltas_add_up_to_the_plain_reply(stream, wire):
    plain = wire.post("/chat/completions", chat_body("Explain what a token is, in two sentences.")).json()
    _, chunks = stream(chat_body("Explain what a token is, in two sentences."))
    assert joined_content(chunks) == plain["choices"][0]["message"]["content"]


def test_usage_comes_last_in_a_chunk_with_no_choices_when_asked_for(stream, wire):
    plain = wire.post("/chat/completions", chat_body()).json()
    _, chunks = stream(chat_body(stream_options={"include_usage": True}))
    *choice_chunks, last = chunks
    assert last["choices"] == []
    usage = validate_strictly(ChatCompletionChunk, last).usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens == plain["usage"]["prompt_tokens"]
    assert usage.completion_tokens == plain["usage"]["completion_tokens"]
    assert all(chunk["usage"] is None for chunk in choice_chunks)


def test_without_include_usage_no_chunk_carries_usage(stream):
    _, chunks = stream(chat_body())
    assert all(chunk["choices"] and "usage" not in chunk for chunk in chunks)


def test_each_content_chunk_is_one_completion_token(stream, wire):
    plain = wire.post("/chat/completions", chat_body()).json()
    _, chunks = stream(chat_body())
    tokens = [chunk for chunk in chunks if chunk["choices"][0]["delta"].get("content")]
    assert len(tokens) == plain["usage"]["completion_tokens"]


def test_a_token_limit_ends_the_stream_with_finish_reason_length(stream):
    _, chunks = stream(chat_body(max_tokens=4))
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert sum(1 for chunk in chunks if chunk["choices"][0]["delta"].get("content")) == 4


def test_n_streams_each_choice_to_its_own_finish(stream, wire):
    plain = wire.post("/chat/completions", chat_body(n=2)).json()
    _, chunks = stream(chat_body(n=2))
    for choice in plain["choices"]:
        index = choice["index"]
        own = [chunk for chunk in chunks if chunk["choices"][0]["index"] == index]
        assert own[0]["choices"][0]["delta"]["role"] == "assistant"
        assert [c["choices"][0]["finish_reason"] for c in own].count("stop") == 1
        assert own[-1]["choices"][0]["finish_reason"] == "stop"
        assert joined_content(chunks, index) == choice["message"]["content"]


def test_a_streamed_tool_call_adds_up_to_the_plain_one(stream, wire):
    request = chat_body("Weather in Madrid?", tools=[WEATHER_TOOL])
    [plain_call] = wire.post("/chat/completions", request).json()["choices"][0]["message"]["tool_calls"]
    _, chunks = stream(request)
    calls = [call for chunk in chunks for call in chunk["choices"][0]["delta"].get("tool_calls") or []]
    head, rest = calls[0], calls[1:]
    assert head["id"].startswith("call_") and head["type"] == "function"
    assert head["function"]["name"] == plain_call["function"]["name"]
    assert all("id" not in call and call["index"] == 0 for call in rest)
    arguments = "".join(call["function"]["arguments"] for call in calls)
    assert arguments == plain_call["function"]["arguments"]
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_requests_reads_the_stream_line_by_line(server, wire):
    plain = wire.post("/chat/completions", chat_body()).json()
    with requests.post(f"{server.base_url}/chat/completions", json=chat_body(stream=True), stream=True, timeout=10,
                       headers={"Authorization": f"Bearer {server.api_key}"}) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        lines = list(response.iter_lines(decode_unicode=True))
    data = [line.removeprefix("data: ") for line in lines if line]
    assert all(line == "" or line.startswith("data: ") for line in lines)
    assert data[-1] == "[DONE]"
    assert joined_content([json.loads(event) for event in data[:-1]]) == plain["choices"][0]["message"]["content"]


def test_sdk_streams_typed_chunks_that_add_up_to_the_plain_reply(sdk, wire):
    plain = wire.post("/chat/completions", chat_body()).json()
    chunks = list(sdk.chat.completions.create(model=CHAT_MODEL, messages=chat_body()["messages"], stream=True,
                                              stream_options={"include_usage": True}))
    assert all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == plain["choices"][0]["message"]["content"]
    assert chunks[-1].usage.completion_tokens == plain["usage"]["completion_tokens"]


def test_sdk_stream_helper_assembles_the_final_completion(sdk, wire):
    plain = wire.post("/chat/completions", chat_body("Weather in Lima?", tools=[WEATHER_TOOL])).json()
    with sdk.chat.completions.stream(model=CHAT_MODEL, messages=chat_body("Weather in Lima?")["messages"],
                                     tools=[WEATHER_TOOL]) as events:
        final = events.get_final_completion()
    plain_call = plain["choices"][0]["message"]["tool_calls"][0]
    assert final.choices[0].message.tool_calls[0].function.arguments == plain_call["function"]["arguments"]
    assert final.choices[0].finish_reason == "tool_calls"


@pytest.mark.anyio
async def test_async_sdk_streams_the_same_text(server, wire):
    plain = wire.post("/chat/completions", chat_body()).json()
    async with openai.AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client:
        stream = await client.chat.completions.create(model=CHAT_MODEL, messages=chat_body()["messages"], stream=True)
        pieces = [chunk.choices[0].delta.content or "" async for chunk in stream]
    assert "".join(pieces) == plain["choices"][0]["message"]["content"]


def test_obfuscation_padding_can_be_switched_off(stream):
    _, padded = stream(chat_body())
    _, plain = stream(chat_body(stream_options={"include_obfuscation": False}))
    assert all("obfuscation" in chunk for chunk in padded)
    assert all("obfuscation" not in chunk for chunk in plain)
    assert joined_content(padded) == joined_content(plain)
