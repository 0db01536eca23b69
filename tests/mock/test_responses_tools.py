"""Function tools and structured output in the Responses API: a `function_call` item (whole and streamed),
its `function_call_output` answered, `tool_choice`, and `text.format` JSON that the SDK's `parse` reads."""

from __future__ import annotations

import json

import openai
import pydantic
import pytest

from tests.mock.support import (
    PLAIN_MODEL,
    openai_error,
    read_typed_events,
    responses_body,
    validate_event,
    validate_response,
)

WEATHER = {"type": "function", "name": "get_weather", "description": "The weather in a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                          "additionalProperties": False}}
PROMPT = "What is the weather in Paris?"


def create(wire, **parameters):
    reply = wire.post("/responses", responses_body(PROMPT, **parameters))
    assert reply.status == 200, reply.body
    body = reply.json()
    validate_response(body)
    return body


def test_a_function_tool_is_called_with_arguments_from_the_schema(wire):
    body = create(wire, tools=[WEATHER])
    [call] = body["output"]
    assert call["type"] == "function_call" and call["status"] == "completed"
    assert call["name"] == "get_weather"
    assert json.loads(call["arguments"]) == {"city": "Paris"}
    assert call["call_id"].startswith("call_") and len(call["call_id"]) == 29
    assert call["id"].startswith("fc_")


def test_tools_are_echoed_with_strict_on_as_the_real_api_does(wire):
    body = create(wire, tools=[WEATHER])
    assert body["tools"] == [{**WEATHER, "strict": True}]


def test_a_function_call_output_is_answered_in_words(wire):
    first = create(wire, tools=[WEATHER])
    call_id = first["output"][0]["call_id"]
    follow_up = wire.post("/responses", {"model": PLAIN_MODEL, "tools": [WEATHER], "previous_response_id": first["id"],
                                         "input": [{"type": "function_call_output", "call_id": call_id,
                                                    "output": "18 degrees, sunny"}]}).json()
    [message] = follow_up["output"]
    assert message["content"][0]["text"] == "get_weather answered: 18 degrees, sunny."


def test_the_whole_exchange_can_be_sent_back_as_input_items(wire):
    first = create(wire, tools=[WEATHER])
    call = first["output"][0]
    items = [{"role": "user", "content": PROMPT}, {k: call[k] for k in ("type", "call_id", "name", "arguments")},
             {"type": "function_call_output", "call_id": call["call_id"], "output": "rain"}]
    body = wire.post("/responses", {"model": PLAIN_MODEL, "tools": [WEATHER], "input": items}).json()
    assert body["output"][0]["content"][0]["text"] == "get_weather answered: rain."
    listed = wire.get(f"/responses/{body['id']}/input_items?order=asc").json()["data"]
    assert [item["type"] for item in listed] == ["message", "function_call", "function_call_output"]


def test_tool_choice_none_answers_in_words(wire):
    body = create(wire, tools=[WEATHER], tool_choice="none")
    assert [item["type"] for item in body["output"]] == ["message"]


def test_tool_choice_naming_a_function_calls_it(wire):
    other = {**WEATHER, "name": "get_time"}
    body = create(wire, tools=[WEATHER, other], tool_choice={"type": "function", "name": "get_time"})
    assert body["output"][0]["name"] == "get_time"
    assert body["tool_choice"] == {"type": "function", "name": "get_time"}


def test_tool_choice_naming_an_absent_function_is_a_400(wire):
    reply = wire.post("/responses", responses_body(tools=[WEATHER], tool_choice={"type": "function", "name": "nope"}))
    assert openai_error(reply, 400)["param"] == "tool_choice"


def test_a_streamed_function_call_sends_its_arguments_token_by_token(server, wire):
    _, events = read_typed_events(server.base_url, server.api_key, responses_body(PROMPT, tools=[WEATHER]))
    types = [e["type"] for e in events]
    deltas = [e for e in events if e["type"] == "response.function_call_arguments.delta"]
    assert types == ["response.created", "response.in_progress", "response.output_item.added",
                     *["response.function_call_arguments.delta"] * len(deltas),
                     "response.function_call_arguments.done", "response.output_item.done", "response.completed"]
    for event in events:
        validate_event(event)
    added, done = events[2]["item"], events[-2]["item"]
    assert added["arguments"] == "" and added["status"] == "in_progress" and added["call_id"] == done["call_id"]
    assert "".join(e["delta"] for e in deltas) == done["arguments"] == events[-3]["arguments"]


def test_sdk_stream_helper_assembles_a_function_call(sdk):
    with sdk.responses.stream(model=PLAIN_MODEL, input=PROMPT, tools=[WEATHER]) as stream:
        final = stream.get_final_response()
    [call] = final.output
    assert call.type == "function_call" and json.loads(call.arguments) == {"city": "Paris"}


def test_json_object_format_answers_with_a_json_object(wire):
    body = wire.post("/responses", responses_body("Answer in JSON, please.",
                                                  text={"format": {"type": "json_object"}})).json()
    assert isinstance(json.loads(body["output"][0]["content"][0]["text"]), dict)
    assert body["text"]["format"] == {"type": "json_object"}


def test_json_schema_format_answers_with_json_that_fits(wire):
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "rain": {"type": "boolean"}},
              "required": ["city", "rain"], "additionalProperties": False}
    text_format = {"type": "json_schema", "name": "forecast", "schema": schema, "strict": True}
    body = create(wire, text={"format": text_format})
    assert json.loads(body["output"][0]["content"][0]["text"]) == {"city": "Paris", "rain": True}
    assert body["text"] == {"format": text_format, "verbosity": "medium"}


class Forecast(pydantic.BaseModel):
    city: str
    degrees: int


def test_sdk_parse_fills_in_a_pydantic_model(sdk):
    parsed = sdk.responses.parse(model=PLAIN_MODEL, input=PROMPT, text_format=Forecast)
    assert parsed.output_parsed == Forecast(city="Paris", degrees=1)


@pytest.mark.anyio
async def test_async_sdk_parse_fills_in_the_same_model(server):
    async with openai.AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client:
        parsed = await client.responses.parse(model=PLAIN_MODEL, input=PROMPT, text_format=Forecast)
    assert parsed.output_parsed == Forecast(city="Paris", degrees=1)
