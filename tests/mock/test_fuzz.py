"""Whatever a client sends, the mock answers like OpenAI: a valid completion (plain or streamed), or a
well-formed error with status 400, 404 or 413. Never a 500, a hang or a dropped connection."""

from __future__ import annotations

import json
from typing import Any

import hypothesis.strategies as st
import requests
from hypothesis import HealthCheck, event, given, settings
from openai.types.chat import ChatCompletion, ChatCompletionChunk

import helpers
from helpers.mock.chat import validation
from tests.mock.support import validate_strictly

ERROR_STATUSES = {400, 404, 413}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def mostly(plausible: st.SearchStrategy, other: st.SearchStrategy) -> st.SearchStrategy:
    """`plausible` four times in five, else `other`: most requests then get past the first checks.
    (Hypothesis draws 0, the simplest value, more often than its share, so 0 must mean plausible.)"""
    return st.integers(0, 4).flatmap(lambda roll: other if roll == 4 else plausible)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-300, 300) | st.floats(-5, 5, allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
text_parts = st.lists(st.fixed_dictionaries({"type": st.sampled_from(["text", "image_url", "refusal"])},
                                           optional={"text": st.text(max_size=20) | json_values}), max_size=3)
contents = mostly(st.text(max_size=40) | text_parts, json_values)
messages = mostly(st.lists(mostly(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "system", "developer", "assistant"]), "content": contents})
    | st.fixed_dictionaries({"role": st.just("tool"), "tool_call_id": st.text(max_size=8), "content": contents}),
    st.dictionaries(st.sampled_from(["role", "content", "name", "tool_calls"]), json_values)),
    min_size=1, max_size=3), json_values)
schemas = st.recursive(
    st.fixed_dictionaries({"type": st.sampled_from(["string", "integer", "number", "boolean", "null"])})
    | st.fixed_dictionaries({"enum": st.lists(json_values, max_size=2)})
    | st.fixed_dictionaries({"type": st.lists(st.sampled_from(["string", "null"]), max_size=2)})
    | json_values,
    lambda inner: st.fixed_dictionaries({"type": st.just("object")}, optional={
        "properties": st.dictionaries(st.text(max_size=6), inner, max_size=3) | json_values})
    | st.fixed_dictionaries({"type": st.just("array")}, optional={"items": inner}),
    max_leaves=6,
)
tool_names = st.sampled_from(["get_weather", "get_time", "bad name!"])
tools = st.lists(
    st.fixed_dictionaries({"type": st.just("function"), "function": st.fixed_dictionaries(
        {"name": tool_names}, optional={"parameters": schemas})})
    | st.fixed_dictionaries({"type": st.just("custom"), "custom": st.fixed_dictionaries({"name": tool_names})}),
    min_size=1, max_size=2,
)
tool_choices = st.sampled_from(["none", "auto", "required", "sometimes"]) | st.fixed_dictionaries({
    "type": st.sampled_from(["function", "custom", "allowed_tools"]),
    "function": st.fixed_dictionaries({"name": tool_names}) | json_values,
    "custom": st.fixed_dictionaries({"name": tool_names}) | json_values,
}) | json_values
response_formats = st.fixed_dictionaries({"type": st.sampled_from(["text", "json_object", "json_schema", "yaml"])},
                                         optional={"json_schema": st.fixed_dictionaries(
                                             {"name": st.just("answer")}, optional={"schema": schemas})
                                             | json_values})
# Values that are usually right for the parameters that shape a reply, so requests reach the reply code.
PLAUSIBLE_VALUES = {
    "stream": mostly(st.booleans(), json_values),
    "stream_options": st.fixed_dictionaries({}, optional={"include_usage": json_values,
                                                          "include_obfuscation": json_values}),
    "n": mostly(st.integers(-1, 4), json_values),
    "max_tokens": mostly(st.integers(-1, 50), json_values),
    "max_completion_tokens": mostly(st.integers(-1, 50), json_values),
    "temperature": mostly(st.floats(-1, 3, allow_nan=False), json_values),
    "top_p": mostly(st.floats(-1, 2, allow_nan=False), json_values),
    "seed": mostly(st.integers(), json_values),
    "stop": mostly(st.text(max_size=3) | st.lists(st.text(max_size=3), max_size=5), json_values),
    "tools": mostly(tools, json_values),
    "tool_choice": tool_choices,
    "response_format": mostly(response_formats, json_values),
}
ANY_VALUES = {name: json_values for name in [*validation.PARAMETERS, "unknown_argument"]}


@st.composite
def chat_requests(draw: st.DrawFn) -> dict[str, Any]:
    """A model and messages, up to four parameters with plausible values, and now and then any parameter
    with any value; now and then, too, the model or the messages are left out."""
    models = st.sampled_from(["gpt-4.1-mini", "gpt-5.4-mini", "o3", "gpt-nonexistent"])
    request = {"model": draw(mostly(models, json_values)), "messages": draw(messages)}
    for name in draw(st.lists(st.sampled_from(sorted(PLAUSIBLE_VALUES)), max_size=4, unique=True)):
        request[name] = draw(PLAUSIBLE_VALUES[name])
    if draw(st.integers(0, 4)) == 4:
        name = draw(st.sampled_from(sorted(ANY_VALUES)))
        request[name] = draw(ANY_VALUES[name])
    if draw(st.integers(0, 9)) == 9:
        request.pop(draw(st.sampled_from(["model", "messages"])))
    return request


def check_answer(response: requests.Response) -> None:
    """A valid completion (plain or streamed), or OpenAI's error body with a 4xx status."""
    event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics
    if response.status_code in ERROR_STATUSES:
        assert set(response.json()["error"]) == {"message", "type", "param", "code"}
        return
    assert response.status_code == 200, response.text
    if not response.headers["content-type"].startswith("text/event-stream"):
        validate_strictly(ChatCompletion, response.json())
        return
    events = [line.removeprefix("data: ") for line in response.text.split("\n\n")]
    assert events[-2:] == ["[DONE]", ""]
    for data in events[:-2]:
        validate_strictly(ChatCompletionChunk, json.loads(data))


def post(session: requests.Session, server: helpers.MockServer, data: bytes) -> requests.Response:
    """A dropped connection or a hang raises here (requests' ConnectionError or Timeout), failing the test."""
    return session.post(f"{server.base_url}/chat/completions", data=data, timeout=10,
                        headers={"Content-Type": "application/json"})


@FUZZ
@given(payload=chat_requests())
def test_a_nearly_valid_request_gets_a_completion_or_an_openai_error(server, session, payload):
    check_answer(post(session, server, json.dumps(payload).encode()))


@FUZZ
@given(tools=tools, tool_choice=tool_choices, response_format=response_formats)
def test_any_tools_and_format_get_a_completion_or_an_openai_error(server, session, tools, tool_choice, response_format):
    """Tools, tool_choice and response_format reach deepest into the reply code: fuzz them together."""
    payload = {"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "Weather in Paris, as JSON?"}],
               "tools": tools, "tool_choice": tool_choice, "response_format": response_format}
    check_answer(post(session, server, json.dumps(payload).encode()))


@FUZZ
@given(payload=json_values)
def test_any_json_body_gets_a_completion_or_an_openai_error(server, session, payload):
    check_answer(post(session, server, json.dumps(payload).encode()))


@FUZZ
@given(data=st.binary(max_size=200))
def test_any_bytes_get_an_openai_error(server, session, data):
    response = post(session, server, data)
    assert response.status_code in ERROR_STATUSES
    check_answer(response)
