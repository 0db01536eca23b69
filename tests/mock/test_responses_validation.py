"""The Responses API's parameters as the real API checks them: the table kept in step with the SDK's
`ResponseCreateParams`, and each bad request answered with the real 400 or 404, before any stream starts."""

from __future__ import annotations

import typing

import pytest
from openai.types.responses import ResponseIncludable, response_create_params
from openai.types.shared import responses_model
from openai.types.shared_params import Reasoning

from helpers.mock import catalogue
from helpers.mock.responses import validation as responses_validation
from tests.mock.support import openai_error, responses_body
from tests.mock.test_shapes import allows_none, literal_values


def sdk_parameters() -> dict[str, typing.Any]:
    """Every parameter `client.responses.create` sends, with its annotation."""
    hints = typing.get_type_hints(response_create_params.ResponseCreateParamsBase)
    stream = typing.get_type_hints(response_create_params.ResponseCreateParamsNonStreaming)["stream"]
    return {**hints, "stream": stream}


def test_the_mock_knows_exactly_the_parameters_the_sdk_sends():
    assert set(responses_validation.PARAMETERS) == set(sdk_parameters())


@pytest.mark.parametrize("name", sorted(sdk_parameters()))
def test_a_parameter_is_nullable_exactly_when_the_sdk_says_optional(name):
    _, nullable = responses_validation.PARAMETERS[name]
    assert nullable == allows_none(sdk_parameters()[name])


def test_the_responses_only_models_are_the_sdks():
    sdk_only = [m for m in literal_values(responses_model.ResponsesModel) if not catalogue.is_known(m)]
    assert list(responses_validation.RESPONSES_ONLY_MODELS) == sdk_only


def test_the_choices_are_the_sdks():
    hints = sdk_parameters()
    for name, allowed in responses_validation.CHOICES.items():
        assert allowed == literal_values(typing.get_args(hints[name])[0]), name
    assert literal_values(ResponseIncludable) == responses_validation.INCLUDABLE


def error_for(wire, status=400, **parameters):
    return openai_error(wire.post("/responses", {**responses_body(), **parameters}), status)


@pytest.mark.parametrize(("parameters", "message", "param", "code"), [
    ({"system": "x"}, "Unknown parameter: 'system'.", "system", "unknown_parameter"),
    ({"max_tokens": 20}, "Unknown parameter: 'max_tokens'.", "max_tokens", "unknown_parameter"),
    ({"messages": []}, "Unknown parameter: 'messages'.", "messages", "unknown_parameter"),
    ({"temperature": "hot"}, "Invalid type for 'temperature': expected a decimal, but got a string instead.",
     "temperature", "invalid_type"),
    ({"max_output_tokens": "20"},
     "Invalid type for 'max_output_tokens': expected an integer, but got a string instead.",
     "max_output_tokens", "invalid_type"),
    ({"temperature": 3}, "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 "
     "instead.", "temperature", "decimal_above_max_value"),
    ({"temperature": -2.5}, "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got "
     "-2.5 instead.", "temperature", "decimal_below_min_value"),
    ({"max_output_tokens": 8}, "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, "
     "but got 8 instead.", "max_output_tokens", "integer_below_min_value"),
    ({"text": {"format": {"type": "json_schema", "schema": {}}}}, "Missing required parameter: 'text.format.name'.",
     "text.format.name", "missing_required_parameter"),
])
def test_a_bad_parameter_gets_the_real_400(wire, parameters, message, param, code):
    error = error_for(wire, **parameters)
    assert error == {"message": message, "type": "invalid_request_error", "param": param, "code": code}


def test_a_chat_parameter_that_moved_names_its_new_place(wire):
    error = error_for(wire, response_format={"type": "json_object"})
    assert error["message"].startswith("Unsupported parameter: 'response_format'. In the Responses API, this "
                                       "parameter has moved to 'text.format'.")
    assert (error["param"], error["code"]) == ("response_format", "unsupported_parameter")
    assert "'reasoning.effort'" in error_for(wire, reasoning_effort="low")["message"]


def test_an_unknown_model_is_the_real_404(wire):
    error = error_for(wire, 404, model="gpt-nope")
    assert error == {"message": "The model `gpt-nope` does not exist or you do not have access to it.",
                     "type": "invalid_request_error", "param": None, "code": "model_not_found"}


def test_a_responses_only_model_is_accepted(wire):
    assert wire.post("/responses", responses_body(model="o3-pro")).status == 200


@pytest.mark.parametrize("missing", ["model", "input"])
def test_a_missing_model_or_input_is_a_400(wire, missing):
    body = responses_body()
    del body[missing]
    error = openai_error(wire.post("/responses", body), 400)
    assert (error["param"], error["code"]) == (missing, "missing_required_parameter")


def test_json_object_needs_the_word_json_in_the_input_not_the_instructions(wire):
    error = error_for(wire, instructions="Answer in JSON.", text={"format": {"type": "json_object"}})
    assert error["message"] == ("Response input messages must contain the word 'json' in some form to use "
                                "'text.format' of type 'json_object'.")
    ok = wire.post("/responses", responses_body("Answer as JSON.", text={"format": {"type": "json_object"}}))
    assert ok.status == 200


def test_a_strict_schema_must_close_its_object(wire):
    text = {"format": {"type": "json_schema", "name": "answer", "strict": True,
                       "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}
    error = error_for(wire, text=text)
    assert (error["param"], error["code"]) == ("text.format.schema", "invalid_json_schema")


def test_a_reasoning_model_refuses_temperature(wire):
    error = error_for(wire, model="gpt-5.4-mini", temperature=0.2)
    assert error == {"message": "Unsupported parameter: 'temperature' is not supported with this model.",
                     "type": "invalid_request_error", "param": "temperature", "code": "unsupported_parameter"}


def test_gpt_5_4_takes_temperature_when_reasoning_effort_is_none(wire):
    reply = wire.post("/responses", responses_body(model="gpt-5.4-mini", temperature=0.2,
                                                   reasoning={"effort": "none"}))
    assert reply.status == 200
    error_for(wire, model="gpt-5-mini", temperature=0.2, reasoning={"effort": "none"})  # GPT-5 itself does not


def test_reasoning_effort_on_a_model_that_does_not_reason_is_a_400(wire):
    error = error_for(wire, reasoning={"effort": "low"})
    assert (error["param"], error["code"]) == ("reasoning.effort", "unsupported_parameter")


@pytest.mark.parametrize(("parameters", "param"), [
    ({"context_management": [{"type": "compaction"}]}, "context_management"),
    ({"tools": [{"type": "web_search"}]}, "tools[0].type"),
    ({"input": [{"type": "computer_call_output", "call_id": "c", "output": {}}]}, "input[0].type"),
])
def test_what_the_mock_cannot_do_is_a_400_that_says_so(wire, parameters, param):
    error = error_for(wire, **parameters)
    assert error["param"] == param
    assert "offline mock" in error["message"]


def test_a_validation_error_comes_as_json_even_for_a_stream(wire):
    reply = wire.post("/responses", responses_body(stream=True, temperature=9))
    openai_error(reply, 400)


@pytest.mark.parametrize(("item", "param"), [
    ({"role": "user"}, "input[0].content"),
    ({"content": "hi"}, "input[0].role"),
    ({"role": "tool", "content": "hi"}, "input[0].role"),
    ({"role": "user", "content": [{"type": "input_text"}]}, "input[0].content[0].text"),
    ({"role": "user", "content": 5}, "input[0].content"),
    ({"type": "function_call_output", "call_id": "call_1"}, "input[0].output"),
    ("just a string", "input[0]"),
])
def test_a_malformed_input_item_names_the_bad_field(wire, item, param):
    assert error_for(wire, input=[item])["param"] == param


def test_stream_options_without_stream_is_a_400(wire):
    assert error_for(wire, stream_options={"include_obfuscation": False})["param"] == "stream_options"


def test_more_than_16_metadata_pairs_is_a_400(wire):
    error = error_for(wire, metadata={f"k{n}": "v" for n in range(17)})
    assert (error["param"], error["code"]) == ("metadata", "object_above_max_properties")


@pytest.mark.parametrize(("parameters", "param", "code"), [
    ({"tools": [{"type": "function", "name": "f", "function": {}}]}, "tools[0].function", "unknown_parameter"),
    ({"tools": [{"type": "function", "name": "f", "strict": []}]}, "tools[0].strict", "invalid_type"),
    ({"text": {"format": {"type": "text", "name": "x"}}}, "text.format.name", "unknown_parameter"),
    ({"text": {"format": {"type": "json_schema", "name": "x", "schema": {}, "strict": "yes"}}},
     "text.format.strict", "invalid_type"),
    ({"text": {"colour": "blue"}}, "text.colour", "unknown_parameter"),
    ({"tools": [{"type": "function", "name": "f"}], "tool_choice": {"type": "allowed_tools", "mode": "maybe",
                                                                     "tools": []}},
     "tool_choice.mode", "invalid_value"),
])
def test_a_nested_object_is_checked_key_by_key(wire, parameters, param, code):
    error = error_for(wire, **parameters)
    assert (error["param"], error["code"]) == (param, code)


def test_the_reasoning_choices_are_the_sdks():
    hints = typing.get_type_hints(Reasoning)
    assert set(responses_validation.REASONING_CHOICES) == set(hints)
    for key, allowed in responses_validation.REASONING_CHOICES.items():
        if allowed is not None:
            assert allowed == literal_values(hints[key]), key


@pytest.mark.parametrize(("reasoning", "param"), [
    ({"effort": "huge"}, "reasoning.effort"), ({"summary": "long"}, "reasoning.summary"),
    ({"effort": 3}, "reasoning.effort"), ({"depth": "deep"}, "reasoning.depth"),
])
def test_a_bad_reasoning_object_is_a_400(wire, reasoning, param):
    assert error_for(wire, model="gpt-5.4-mini", reasoning=reasoning)["param"] == param


@pytest.mark.parametrize("depth", [150, 400])
def test_a_schema_nested_too_deep_is_a_400_not_a_crash(wire, depth):
    schema: dict = {}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    error = error_for(wire, text={"format": {"type": "json_schema", "name": "deep", "schema": schema}})
    assert "nested too deeply" in error["message"]  # json_bodies' one limit, for every body


def test_a_schema_nested_as_deep_as_allowed_is_answered(wire):
    schema: dict = {"type": "string"}
    for _ in range(45):  # two JSON levels a step: 90 levels, with the body's own
        schema = {"type": "object", "properties": {"a": schema}}
    body = responses_body(text={"format": {"type": "json_schema", "name": "deep", "schema": schema}})
    assert wire.post("/responses", body).status == 200
