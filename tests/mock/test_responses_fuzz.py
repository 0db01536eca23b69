"""Whatever a client sends to /v1/responses, the mock answers like OpenAI: a valid response (whole or as
typed events) or a well-formed 4xx error. Never a 500, a hang or a dropped connection."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import hypothesis.strategies as st
import requests
from hypothesis import HealthCheck, event, given, settings

import helpers
from helpers.mock.responses import validation as responses_validation
from tests.mock.support import validate_event, validate_response
from tests.mock.test_fuzz import json_values, mostly, schemas

ERROR_STATUSES = {400, 404, 413, 414}  # 414: a request line over the HTTP layer's limit
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

parts = st.lists(st.fixed_dictionaries(
    {"type": st.sampled_from(["input_text", "output_text", "input_image", "refusal", "text"])},
    optional={"text": st.text(max_size=20) | json_values}), max_size=3)
contents = mostly(st.text(max_size=40) | parts, json_values)
items = st.lists(mostly(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "system", "developer", "assistant"]),
                           "content": contents}, optional={"type": st.just("message")})
    | st.fixed_dictionaries({"type": st.just("function_call"), "call_id": st.text(max_size=6),
                             "name": st.text(max_size=6), "arguments": st.text(max_size=10)})
    | st.fixed_dictionaries({"type": st.just("function_call_output"), "call_id": st.text(max_size=6),
                             "output": mostly(st.text(max_size=10), json_values)}),
    st.dictionaries(st.sampled_from(["type", "role", "content", "call_id", "output"]), json_values)),
    min_size=1, max_size=3)
tool_names = st.sampled_from(["get_weather", "get_time", "bad name!"])
tools = st.lists(st.fixed_dictionaries({"type": st.sampled_from(["function", "function", "web_search"]),
                                        "name": tool_names}, optional={"parameters": schemas,
                                                                       "strict": json_values}),
                 min_size=1, max_size=2)
tool_choices = st.sampled_from(["none", "auto", "required", "sometimes"]) | st.fixed_dictionaries(
    {"type": st.sampled_from(["function", "allowed_tools", "web_search"]), "name": tool_names}) | json_values
text_configs = st.fixed_dictionaries({}, optional={
    "format": mostly(st.fixed_dictionaries(
        {"type": st.sampled_from(["text", "json_object", "json_schema", "yaml"])},
        optional={"name": st.sampled_from(["answer", "bad name"]), "schema": schemas, "strict": st.booleans()}),
        json_values),
    "verbosity": mostly(st.sampled_from(["low", "medium", "high"]), json_values),
})
PLAUSIBLE_VALUES = {
    "stream": mostly(st.booleans(), json_values),
    "stream_options": st.fixed_dictionaries({}, optional={"include_obfuscation": json_values}),
    "max_output_tokens": mostly(st.integers(0, 60), json_values),
    "temperature": mostly(st.floats(-1, 3, allow_nan=False), json_values),
    "instructions": mostly(st.text(max_size=20), json_values),
    "store": mostly(st.booleans(), json_values),
    "previous_response_id": mostly(st.sampled_from(["resp_unknown"]), json_values),
    "metadata": mostly(st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=3), json_values),
    "reasoning": mostly(st.fixed_dictionaries({}, optional={"effort": st.sampled_from(["none", "low", "huge"])}),
                        json_values),
    "tools": mostly(tools, json_values),
    "tool_choice": tool_choices,
    "text": mostly(text_configs, json_values),
}
ANY_VALUES = {name: json_values for name in [*responses_validation.PARAMETERS, "unknown_argument"]}


@st.composite
def responses_requests(draw: st.DrawFn) -> dict[str, Any]:
    """A model and input, up to four parameters with plausible values, now and then any parameter with any
    value; now and then, too, the model or the input is left out."""
    models = st.sampled_from(["gpt-4.1-mini", "gpt-5.4-mini", "o3", "gpt-nonexistent"])
    request = {"model": draw(mostly(models, json_values)),
               "input": draw(mostly(st.text(max_size=40) | items, json_values))}
    for name in draw(st.lists(st.sampled_from(sorted(PLAUSIBLE_VALUES)), max_size=4, unique=True)):
        request[name] = draw(PLAUSIBLE_VALUES[name])
    if draw(st.integers(0, 4)) == 4:
        name = draw(st.sampled_from(sorted(ANY_VALUES)))
        request[name] = draw(ANY_VALUES[name])
    if draw(st.integers(0, 9)) == 9:
        request.pop(draw(st.sampled_from(["model", "input"])))
    return request


def check_answer(response: requests.Response) -> None:
    """A valid response (whole or streamed), or OpenAI's error body with a 4xx status."""
    event(f"status {response.status_code}")
    if response.status_code in ERROR_STATUSES:
        assert set(response.json()["error"]) == {"message", "type", "param", "code"}
        return
    assert response.status_code == 200, response.text
    if not response.headers["content-type"].startswith("text/event-stream"):
        validate_response(response.json())
        return
    frames = response.text.split("\n\n")
    assert frames[-1] == ""
    for frame in frames[:-1]:
        event_line, data_line = frame.split("\n")
        data = json.loads(data_line.removeprefix("data: "))
        assert event_line == f"event: {data['type']}"
        validate_event(data)


def post(session: requests.Session, server: helpers.MockServer, data: bytes) -> requests.Response:
    return session.post(f"{server.base_url}/responses", data=data, timeout=10,
                        headers={"Content-Type": "application/json"})


@FUZZ
@given(payload=responses_requests())
def test_a_nearly_valid_request_gets_a_response_or_an_openai_error(server, session, payload):
    check_answer(post(session, server, json.dumps(payload).encode()))


@FUZZ
@given(tools=tools, tool_choice=tool_choices, text=text_configs)
def test_any_tools_and_format_get_a_response_or_an_openai_error(server, session, tools, tool_choice, text):
    payload = {"model": "gpt-4.1-mini", "input": "Weather in Paris, as JSON?", "tools": tools,
               "tool_choice": tool_choice, "text": text}
    check_answer(post(session, server, json.dumps(payload).encode()))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=json_values)
def test_any_json_body_gets_a_response_or_an_openai_error(server, session, payload):
    check_answer(post(session, server, json.dumps(payload).encode()))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.lists(st.tuples(st.sampled_from(["limit", "order", "after", "include[]"]),
                                st.text(max_size=12) | st.integers().map(str) | st.just("9" * 5000)),
                      max_size=3).map(urllib.parse.urlencode) | st.text(max_size=30))
def test_any_input_items_query_gets_a_list_or_an_openai_error(server, session, query):
    created = post(session, server, json.dumps({"model": "gpt-4.1-mini", "input": "hi"}).encode()).json()
    response = session.get(f"{server.base_url}/responses/{created['id']}/input_items?{query}", timeout=10)
    event(f"status {response.status_code}")
    assert response.status_code in {200, *ERROR_STATUSES}, response.text
