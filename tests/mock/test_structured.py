"""Structured outputs: a `json_schema` reply fits its schema (checked with jsonschema, for nested objects,
arrays, enums, anyOf and $defs/$ref, and fuzzed), strict mode's refusals in the real API's words, limits on
size and depth, refusals by the model, and JSON cut short by max_tokens."""

from __future__ import annotations

import json
from typing import Any, Literal

import jsonschema
import openai
import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from helpers.mock import schemas
from tests.mock.support import chat_body, openai_error, validate_strictly

EVENT_PROMPT = "Alice and Bob are going to a science fair on Friday."
EVENT = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "date": {"type": "string"},
        "participants": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "date", "participants"],
    "additionalProperties": False,
}
RICH = {  # nested objects, arrays, an enum, anyOf with null, $defs and a recursive $ref
    "type": "object",
    "$defs": {
        "Step": {
            "type": "object",
            "properties": {
                "explanation": {"type": "string"},
                "kind": {"type": "string", "enum": ["add", "multiply"]},
                "substeps": {"type": "array", "items": {"$ref": "#/$defs/Step"}},
            },
            "required": ["explanation", "kind", "substeps"],
            "additionalProperties": False,
        },
    },
    "properties": {
        "steps": {"type": "array", "items": {"$ref": "#/$defs/Step"}},
        "final_answer": {"anyOf": [{"type": "number", "minimum": 3}, {"type": "null"}]},
        "unit": {"type": ["string", "null"]},
        "meta": {"type": "object", "properties": {"count": {"type": "integer", "exclusiveMinimum": 0}},
                 "required": ["count"], "additionalProperties": False},
    },
    "required": ["steps", "final_answer", "unit", "meta"],
    "additionalProperties": False,
}


def json_schema_format(schema: Any, name: str = "event", strict: bool = True) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": strict}}


def reply_content(wire: Any, schema: Any, prompt: str = EVENT_PROMPT, **parameters: Any) -> Any:
    reply = wire.post("/chat/completions", chat_body(prompt, response_format=json_schema_format(schema),
                                                     **parameters))
    assert reply.status == 200, reply.body
    return json.loads(validate_strictly(ChatCompletion, reply.json()).choices[0].message.content)


# --- replies that fit ---------------------------------------------------------------------------------

def test_a_json_schema_reply_fits_the_schema_and_uses_the_scripted_values(wire):
    event = reply_content(wire, EVENT)
    jsonschema.validate(event, EVENT)
    assert event == {"name": "Science fair", "date": "Friday", "participants": ["Alice", "Bob"]}


def test_nested_objects_enums_anyof_and_recursive_refs_fit(wire):
    jsonschema.validate(reply_content(wire, RICH, "Solve 8x + 7 = -23."), RICH)


def test_json_object_mode_answers_with_a_json_object(wire):
    reply = wire.post("/chat/completions", chat_body("Extract the event as JSON.",
                                                     response_format={"type": "json_object"}))
    assert isinstance(json.loads(reply.json()["choices"][0]["message"]["content"]), dict)


def test_the_sdk_parses_the_reply_into_a_pydantic_model(sdk):
    class Event(pydantic.BaseModel):
        name: str
        date: str
        participants: list[str]
        kind: Literal["fair", "concert"]

    completion = sdk.chat.completions.parse(model="gpt-4.1-mini", response_format=Event,
                                            messages=[{"role": "user", "content": EVENT_PROMPT}])
    assert completion.choices[0].message.parsed == Event(
        name="Science fair", date="Friday", participants=["Alice", "Bob"], kind="fair")


# A strict-mode schema, grown from leaves: the shapes Structured Outputs supports.
leaves = st.sampled_from([
    {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"},
    {"type": "string", "enum": ["a", "b"]}, {"type": ["string", "null"]}, {"type": "integer", "minimum": 5},
    {"type": "number", "maximum": -2}, {"type": "string", "format": "date"}, {"const": "fixed"},
    {"type": "array", "items": {"type": "string"}, "minItems": 2},
])
names = st.text("abcdefgh_", min_size=1, max_size=6)


def closed_object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


strict_schemas = st.recursive(leaves, lambda inner: st.one_of(
    st.dictionaries(names, inner, max_size=4).map(closed_object),
    inner.map(lambda item: {"type": "array", "items": item}),
    st.lists(inner, min_size=1, max_size=3).map(lambda options: {"anyOf": options}),
), max_leaves=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(properties=st.dictionaries(names, strict_schemas, min_size=1, max_size=4), definition=strict_schemas)
def test_any_strict_schema_gets_a_reply_that_fits_it(wire, properties, definition):
    schema = {**closed_object({**properties, "ref": {"$ref": "#/$defs/Shared"}}), "$defs": {"Shared": definition}}
    reply = wire.post("/chat/completions", chat_body("Fill it in.", response_format=json_schema_format(schema)))
    if reply.status == 400:  # only the nesting limit may refuse a valid strict schema
        assert "levels of nesting exceeds limit of 10" in openai_error(reply, 400)["message"]
        return
    assert reply.status == 200, reply.body
    jsonschema.validate(json.loads(reply.json()["choices"][0]["message"]["content"]), schema)


@settings(max_examples=40, deadline=None)
@given(schema=strict_schemas)
def test_fill_fits_any_schema_it_is_given(schema):
    jsonschema.validate(schemas.fill(schema, {}, "example"), schema)


# --- schemas strict mode refuses ---------------------------------------------------------------------------

def test_an_object_without_additional_properties_false_is_the_real_400(wire):
    schema = {key: value for key, value in EVENT.items() if key != "additionalProperties"}
    error = openai_error(wire.post("/chat/completions", chat_body(response_format=json_schema_format(schema))), 400)
    assert error["message"] == ("Invalid schema for response_format 'event': In context=(), 'additionalProperties' "
                                "is required to be supplied and to be false.")
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", "response_format", None)


def test_an_optional_field_is_the_real_400_naming_it(wire):
    schema = {**EVENT, "required": ["name", "date"]}
    error = openai_error(wire.post("/chat/completions", chat_body(response_format=json_schema_format(schema))), 400)
    assert error["message"] == (
        "Invalid schema for response_format 'event': In context=(), 'required' is required to be supplied and to "
        "be an array including every key in properties. Missing 'participants'.")


def test_a_nested_problem_is_placed_by_its_context(wire):
    schema = json.loads(json.dumps(RICH))
    del schema["$defs"]["Step"]["additionalProperties"]
    error = openai_error(wire.post("/chat/completions", chat_body(response_format=json_schema_format(schema))), 400)
    assert "In context=('$defs', 'Step'), 'additionalProperties' is required" in error["message"]


def test_an_array_without_items_is_the_real_400(wire):
    schema = closed_object({"tags": {"type": "array"}})
    error = openai_error(wire.post("/chat/completions", chat_body(response_format=json_schema_format(schema))), 400)
    assert error["message"].endswith("In context=('properties', 'tags'), array schema missing items.")


def test_a_root_that_is_not_an_object_is_a_400_in_strict_mode(wire):
    schema = {"type": "array", "items": {"type": "string"}}
    error = openai_error(wire.post("/chat/completions", chat_body(response_format=json_schema_format(schema))), 400)
    assert error["message"].endswith("""schema must be a JSON Schema of 'type: "object"', got 'type: "array"'.""")


def test_the_same_schemas_are_accepted_without_strict(wire):
    schema = {**EVENT, "required": ["name"]}
    del schema["additionalProperties"]
    format_ = json_schema_format(schema, strict=False)
    reply = wire.post("/chat/completions", chat_body(EVENT_PROMPT, response_format=format_))
    jsonschema.validate(json.loads(reply.json()["choices"][0]["message"]["content"]), schema)


def test_a_json_schema_without_a_name_is_a_400(wire):
    format_ = {"type": "json_schema", "json_schema": {"schema": EVENT}}
    error = openai_error(wire.post("/chat/completions", chat_body(response_format=format_)), 400)
    assert (error["param"], error["code"]) == ("response_format.json_schema.name", "missing_required_parameter")


def nested(depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = closed_object({"inner": schema})
    return schema


def test_eleven_levels_of_nesting_are_a_400_and_ten_are_not(wire):
    assert wire.post("/chat/completions", chat_body(response_format=json_schema_format(nested(10)))).status == 200
    error = openai_error(wire.post("/chat/completions", chat_body(response_format=json_schema_format(nested(11)))), 400)
    assert error["message"] == "Invalid schema for response_format 'event': 11 levels of nesting exceeds limit of 10."


@pytest.mark.parametrize("strict", [True, False])
def test_a_schema_nested_as_deep_as_json_allows_is_a_400_not_a_5xx(wire, strict):
    body = chat_body(response_format=json_schema_format(nested(400), strict=strict))
    openai_error(wire.post("/chat/completions", body), 400)


def test_a_schema_with_too_many_properties_is_a_400(wire):
    schema = closed_object({f"field_{i}": {"type": "string"} for i in range(5001)})
    error = openai_error(wire.post("/chat/completions", chat_body(response_format=json_schema_format(schema))), 400)
    assert error["message"].endswith("5001 object properties exceeds limit of 5000.")


# --- refusals and replies cut short ----------------------------------------------------------------------------

REFUSED = "Explain how to pick the lock on my neighbour's front door."


def test_a_refused_prompt_comes_back_in_refusal_with_no_content(wire):
    reply = wire.post("/chat/completions", chat_body(REFUSED, response_format=json_schema_format(EVENT)))
    message = validate_strictly(ChatCompletion, reply.json()).choices[0].message
    assert message.content is None and message.refusal == "I'm sorry, but I can't help with that."


def test_without_a_schema_the_refusal_is_plain_text(wire):
    message = wire.post("/chat/completions", chat_body(REFUSED)).json()["choices"][0]["message"]
    assert (message["content"], message["refusal"]) == ("I'm sorry, but I can't help with that.", None)


def test_a_streamed_refusal_arrives_in_refusal_deltas(wire):
    reply = wire.post("/chat/completions", chat_body(REFUSED, stream=True, response_format=json_schema_format(EVENT)))
    events = [e[len("data: "):] for e in reply.body.decode().split("\n\n") if e and e != "data: [DONE]"]
    chunks = [validate_strictly(ChatCompletionChunk, json.loads(event)) for event in events]
    assert "".join(chunk.choices[0].delta.refusal or "" for chunk in chunks) == "I'm sorry, but I can't help with that."
    assert all(chunk.choices[0].delta.content is None for chunk in chunks)


def test_the_sdk_gives_no_parsed_value_for_a_refusal(sdk):
    completion = sdk.chat.completions.parse(model="gpt-4.1-mini", response_format=json_schema_format(EVENT),
                                            messages=[{"role": "user", "content": REFUSED}])
    message = completion.choices[0].message
    assert message.parsed is None and message.refusal


def test_max_tokens_cuts_the_json_short_with_finish_reason_length(wire):
    reply = wire.post("/chat/completions", chat_body(EVENT_PROMPT, max_tokens=5,
                                                     response_format=json_schema_format(EVENT)))
    choice = reply.json()["choices"][0]
    assert choice["finish_reason"] == "length"
    with pytest.raises(json.JSONDecodeError):
        json.loads(choice["message"]["content"])


def test_the_sdk_raises_length_finish_reason_error_when_parsing_a_cut_reply(sdk):
    with pytest.raises(openai.LengthFinishReasonError):
        sdk.chat.completions.parse(model="gpt-4.1-mini", response_format=json_schema_format(EVENT), max_tokens=5,
                                   messages=[{"role": "user", "content": EVENT_PROMPT}])
