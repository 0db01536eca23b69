"""Tool calls: when the mock calls a tool and with what arguments, the loop back with a `tool` message, how
tool calls stream, custom tools, and the 400s of tool schemas and tool turns. Replies are checked against the
SDK's own types, strictly; arguments against the tool's schema, with jsonschema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import openai
import pytest
from hypothesis import HealthCheck, given, settings
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from tests.mock.support import chat_body, openai_error, validate_strictly
from tests.mock.test_structured import closed_object, nested, strict_schemas

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}
TIME = {"type": "function", "function": {"name": "get_time", "description": "The local time in a city.",
                                          "parameters": {"type": "object", "properties": {}}}}
CUSTOM = {"type": "custom", "custom": {"name": "run_sql", "description": "Run a SQL query."}}


def completion_of(wire: Any, prompt: str, **parameters: Any) -> ChatCompletion:
    reply = wire.post("/chat/completions", chat_body(prompt, **parameters))
    assert reply.status == 200, reply.body
    return validate_strictly(ChatCompletion, reply.json())


def streamed_chunks(wire: Any, prompt: str, **parameters: Any) -> list[dict[str, Any]]:
    reply = wire.post("/chat/completions", chat_body(prompt, stream=True, **parameters))
    assert reply.status == 200, reply.body
    events = [line[len("data: "):] for line in reply.body.decode().split("\n\n") if line]
    assert events[-1] == "[DONE]"
    return [json.loads(event) for event in events[:-1]]


# --- when the model calls a tool ----------------------------------------------------------------------

def test_a_prompt_that_asks_for_the_weather_calls_the_weather_tool_with_fitting_arguments(wire):
    choice = completion_of(wire, "What is the weather in Paris?", tools=[WEATHER, TIME]).choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    [call] = choice.message.tool_calls
    assert call.function.name == "get_weather"
    arguments = json.loads(call.function.arguments)
    jsonschema.validate(arguments, WEATHER["function"]["parameters"])
    assert arguments["city"] == "Paris"


def test_a_prompt_that_names_the_tool_calls_it(wire):
    choice = completion_of(wire, "Please use get_time.", tools=[WEATHER, TIME]).choices[0]
    assert [call.function.name for call in choice.message.tool_calls] == ["get_time"]


def test_a_prompt_that_asks_for_no_tool_is_answered_in_text_under_auto(wire):
    choice = completion_of(wire, "Write a haiku about packets crossing the network.", tools=[WEATHER]).choices[0]
    assert choice.finish_reason == "stop" and choice.message.tool_calls is None
    assert choice.message.content.startswith("Small packets")


def test_two_places_in_one_prompt_get_two_calls_in_one_turn(wire):
    choice = completion_of(wire, "What is the weather in Paris and in Tokyo?", tools=[WEATHER]).choices[0]
    calls = choice.message.tool_calls
    assert [json.loads(call.function.arguments)["city"] for call in calls] == ["Paris", "Tokyo"]
    assert len({call.id for call in calls}) == 2


def test_parallel_tool_calls_false_makes_one_call_a_turn(wire):
    choice = completion_of(wire, "What is the weather in Paris and in Tokyo?", tools=[WEATHER],
                           parallel_tool_calls=False).choices[0]
    assert [json.loads(call.function.arguments)["city"] for call in choice.message.tool_calls] == ["Paris"]


def test_tool_choice_none_answers_in_text_even_when_a_tool_fits(wire):
    choice = completion_of(wire, "What is the weather in Paris?", tools=[WEATHER], tool_choice="none").choices[0]
    assert choice.finish_reason == "stop" and choice.message.tool_calls is None


def test_tool_choice_required_forces_a_call_for_any_prompt(wire):
    choice = completion_of(wire, "Say hello.", tools=[WEATHER], tool_choice="required").choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.tool_calls[0].function.name == "get_weather"


def test_a_named_tool_choice_calls_that_tool_whatever_the_prompt(wire):
    named = {"type": "function", "function": {"name": "get_time"}}
    choice = completion_of(wire, "What is the weather in Paris?", tools=[WEATHER, TIME], tool_choice=named).choices[0]
    assert [call.function.name for call in choice.message.tool_calls] == ["get_time"]


def test_allowed_tools_limits_the_tools_the_model_may_call(wire):
    allowed = {"type": "allowed_tools", "allowed_tools": {
        "mode": "required", "tools": [{"type": "function", "function": {"name": "get_time"}}]}}
    choice = completion_of(wire, "What is the weather in Paris?", tools=[WEATHER, TIME], tool_choice=allowed).choices[0]
    assert [call.function.name for call in choice.message.tool_calls] == ["get_time"]


# --- the loop: a tool's result goes back ---------------------------------------------------------------

def conversation_with_result(result: str) -> list[dict[str, Any]]:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
    return [{"role": "user", "content": "What is the weather in Paris?"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "content": result}]


def test_after_the_tools_result_the_model_answers_from_it(wire):
    messages = conversation_with_result('{"temperature_c": 18, "conditions": "sunny"}')
    choice = completion_of(wire, "", messages=messages, tools=[WEATHER]).choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.content == "get_weather answered: temperature_c 18, conditions sunny."


def test_a_tool_message_without_a_call_before_it_is_the_real_400(wire):
    messages = conversation_with_result("sunny")
    del messages[1]
    error = openai_error(wire.post("/chat/completions", chat_body(messages=messages, tools=[WEATHER])), 400)
    assert error["message"] == ("Invalid parameter: messages with role 'tool' must be a response to a preceeding "
                                "message with 'tool_calls'.")
    assert (error["param"], error["code"]) == ("messages.[1].role", None)


def test_a_call_left_without_its_result_is_the_real_400(wire):
    messages = [*conversation_with_result("sunny")[:2], {"role": "user", "content": "And?"}]
    error = openai_error(wire.post("/chat/completions", chat_body(messages=messages, tools=[WEATHER])), 400)
    assert error["message"] == (
        "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
        "'tool_call_id'. The following tool_call_ids did not have response messages: call_1")
    assert error["param"] == "messages.[1].role"


def test_the_sdk_runs_the_whole_loop(sdk):
    messages: list[Any] = [{"role": "user", "content": "What is the weather in Oslo?"}]
    first = sdk.chat.completions.create(model="gpt-4.1-mini", messages=messages, tools=[WEATHER])
    call = first.choices[0].message.tool_calls[0]
    messages += [first.choices[0].message, {"role": "tool", "tool_call_id": call.id, "content": "Snow, -3 C"}]
    final = sdk.chat.completions.create(model="gpt-4.1-mini", messages=messages, tools=[WEATHER])
    assert final.choices[0].message.content == "get_weather answered: Snow, -3 C."


# --- streamed tool calls --------------------------------------------------------------------------------

def test_a_streamed_call_opens_with_role_index_id_type_name_and_empty_arguments(wire):
    chunks = streamed_chunks(wire, "What is the weather in Paris?", tools=[WEATHER])
    first = chunks[0]["choices"][0]["delta"]
    assert first["role"] == "assistant" and first["content"] is None
    [head] = first["tool_calls"]
    assert set(head) == {"index", "id", "type", "function"}
    assert (head["index"], head["type"], head["function"]) == (0, "function", {"name": "get_weather", "arguments": ""})
    pieces = [chunk["choices"][0]["delta"] for chunk in chunks[1:-1]]
    assert all(list(delta) == ["tool_calls"] and list(delta["tool_calls"][0]) == ["index", "function"]
               for delta in pieces)
    assert chunks[-1]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "tool_calls"}
    for chunk in chunks:
        validate_strictly(ChatCompletionChunk, chunk)


def test_two_streamed_calls_come_one_after_the_other_by_index_and_add_up_to_the_plain_ones(wire):
    prompt, tools = "What is the weather in Paris and in Tokyo?", [WEATHER]
    plain = completion_of(wire, prompt, tools=tools).choices[0].message.tool_calls
    calls: dict[int, dict[str, str]] = {}
    for chunk in streamed_chunks(wire, prompt, tools=tools):
        for piece in chunk["choices"][0]["delta"].get("tool_calls") or []:
            call = calls.setdefault(piece["index"], {"name": "", "arguments": ""})
            call["name"] += piece["function"].get("name", "")
            call["arguments"] += piece["function"]["arguments"]
    assert list(calls) == [0, 1]
    assert [calls[i]["arguments"] for i in calls] == [call.function.arguments for call in plain]


def test_a_custom_tool_call_is_a_custom_call_the_sdk_reads(wire):
    choice = completion_of(wire, "Run a SQL query for the users.", tools=[CUSTOM]).choices[0]
    [call] = choice.message.tool_calls
    assert call.type == "custom" and call.custom.name == "run_sql"
    assert call.custom.input == "Run a SQL query for the users."


def test_a_streamed_custom_tool_call_is_a_whole_stream_whose_input_adds_up(wire):
    chunks = streamed_chunks(wire, "Run a SQL query for the users.", tools=[CUSTOM])
    deltas = [call for chunk in chunks for call in chunk["choices"][0]["delta"].get("tool_calls") or []]
    assert deltas[0]["type"] == "custom" and deltas[0]["custom"] == {"name": "run_sql", "input": ""}
    assert "".join(delta["custom"]["input"] for delta in deltas) == "Run a SQL query for the users."
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_the_sdk_reads_a_streamed_custom_tool_call_to_the_end(sdk):
    stream = sdk.chat.completions.create(model="gpt-4.1-mini", stream=True, tools=[CUSTOM],
                                         messages=[{"role": "user", "content": "Run a SQL query."}])
    assert [chunk.choices[0].finish_reason for chunk in stream][-1] == "tool_calls"


# --- tool definitions the real API refuses ---------------------------------------------------------------

def strict_weather(**changes: Any) -> dict[str, Any]:
    parameters = {**WEATHER["function"]["parameters"], **changes}
    return {"type": "function", "function": {**WEATHER["function"], "parameters": parameters}}


def test_a_strict_function_without_additional_properties_false_is_the_real_400(wire):
    tool = strict_weather()
    del tool["function"]["parameters"]["additionalProperties"]
    error = openai_error(wire.post("/chat/completions", chat_body(tools=[tool])), 400)
    assert error["message"] == ("Invalid schema for function 'get_weather': In context=(), 'additionalProperties' "
                                "is required to be supplied and to be false.")
    assert (error["param"], error["code"]) == ("tools[0].function.parameters", "invalid_function_parameters")


def test_a_strict_function_with_an_optional_parameter_is_the_real_400(wire):
    error = openai_error(wire.post("/chat/completions", chat_body(tools=[strict_weather(required=["city"])])), 400)
    assert error["message"] == (
        "Invalid schema for function 'get_weather': In context=(), 'required' is required to be supplied and to "
        "be an array including every key in properties. Missing 'unit'.")


def test_the_same_schema_is_accepted_when_not_strict(wire):
    tool = strict_weather(required=["city"])
    tool["function"]["strict"] = False
    assert wire.post("/chat/completions", chat_body("Weather in Rome?", tools=[tool])).status == 200


@pytest.mark.parametrize(("format_", "param"), [
    ({"type": "yaml"}, "tools[0].custom.format.type"),
    ({"type": "grammar", "grammar": {"definition": "x", "syntax": "ebnf"}}, "tools[0].custom.format.grammar.syntax"),
    ({"type": "grammar"}, "tools[0].custom.format.grammar"),
])
def test_a_custom_tool_with_an_unknown_format_is_a_400(wire, format_, param):
    tool = {"type": "custom", "custom": {"name": "run_sql", "format": format_}}
    assert openai_error(wire.post("/chat/completions", chat_body(tools=[tool])), 400)["param"] == param


def test_a_custom_tool_with_a_grammar_is_accepted(wire):
    grammar = {"type": "grammar", "grammar": {"definition": "start: /SELECT .*/", "syntax": "lark"}}
    tool = {"type": "custom", "custom": {"name": "run_sql", "format": grammar}}
    assert wire.post("/chat/completions", chat_body(tools=[tool])).status == 200


def test_the_sdk_raises_bad_request_for_a_refused_tool_schema(sdk):
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.chat.completions.create(model="gpt-4.1-mini", messages=[{"role": "user", "content": "Hi"}],
                                    tools=[strict_weather(required=["city"])])
    assert raised.value.code == "invalid_function_parameters"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parameters=strict_schemas.map(lambda schema: closed_object({"value": schema})))
def test_the_arguments_of_any_strict_tool_fit_its_parameters(wire, parameters):
    tool = {"type": "function", "function": {"name": "fill_in", "parameters": parameters, "strict": True}}
    reply = wire.post("/chat/completions", chat_body("Please fill_in.", tools=[tool]))
    if reply.status == 400:  # only the nesting limit may refuse a valid strict schema
        assert "levels of nesting exceeds limit of 10" in openai_error(reply, 400)["message"]
        return
    [call] = reply.json()["choices"][0]["message"]["tool_calls"]
    jsonschema.validate(json.loads(call["function"]["arguments"]), parameters)


def test_strict_tool_parameters_nested_past_the_limit_are_the_real_400(wire):
    tool = {"type": "function", "function": {"name": "deep", "parameters": nested(40), "strict": True}}
    error = openai_error(wire.post("/chat/completions", chat_body(tools=[tool])), 400)
    assert error["message"] == "Invalid schema for function 'deep': 40 levels of nesting exceeds limit of 10."


def test_tool_parameters_nested_as_deep_as_json_allows_are_a_400_not_a_5xx(wire):
    tool = {"type": "function", "function": {"name": "deep", "parameters": nested(400)}}
    error = openai_error(wire.post("/chat/completions", chat_body(tools=[tool])), 400)
    assert "nested too deeply" in error["message"]


def test_allowed_tools_limit_the_calls_on_the_responses_api_too(wire):
    flat = [{"type": "function", **tool["function"]} for tool in (WEATHER, TIME)]
    choice = {"type": "allowed_tools", "mode": "required", "tools": [{"type": "function", "name": "get_time"}]}
    reply = wire.post("/responses", {"model": "gpt-4.1-mini", "input": "What is the weather in Paris?",
                                     "tools": flat, "tool_choice": choice})
    assert reply.status == 200, reply.body
    assert [item["name"] for item in reply.json()["output"] if item["type"] == "function_call"] == ["get_time"]
