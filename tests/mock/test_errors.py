"""The errors a client meets, in OpenAI's words and shape: {"error": {"message", "type", "param", "code"}}.
Bad parameters, keys, JSON, models and paths; prompts too long; bodies too large."""

from __future__ import annotations

import json
import re
import socket

import pytest
import requests

import helpers
from helpers.mock import Limits
from tests.mock.support import chat_body, openai_error, wire_client_for

REASONING_MODEL = helpers.MODEL  # refuses max_tokens; takes a temperature only while it does not reason
USER = {"role": "user", "content": "Hi"}

# (the request's parameters, the `param` the error names), all answered 400 by the real API.
BAD_PARAMETERS = [
    ({"temperature": "hot"}, "temperature"),
    ({"temperature": 2.5}, "temperature"),
    ({"temperature": -0.1}, "temperature"),
    ({"top_p": 1.5}, "top_p"),
    ({"n": 0}, "n"),
    ({"max_tokens": "ten"}, "max_tokens"),
    ({"max_tokens": 0}, "max_tokens"),
    ({"seed": 1.5}, "seed"),
    ({"stream": "yes"}, "stream"),
    ({"user": None}, "user"),
    ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
    ({"messages": []}, "messages"),
    ({"messages": "Hi"}, "messages"),
    ({"messages": [{"role": "robot", "content": "Hi"}]}, "messages[0].role"),
    ({"messages": [{"content": "Hi"}]}, "messages[0].role"),
    ({"messages": [{"role": "user"}]}, "messages[0].content"),
    ({"messages": [{"role": "user", "content": 42}]}, "messages[0].content"),
    ({"messages": [{"role": "tool", "content": "sunny"}]}, "messages[0].tool_call_id"),
    ({"tool_choice": "auto"}, "tool_choice"),
    ({"stream_options": {"include_usage": True}}, "stream_options"),
    ({"response_format": {"type": "json_object"}}, "messages"),  # the messages never say "JSON"
    ({"response_format": {"type": "xml"}}, "response_format.type"),
    ({"model": REASONING_MODEL, "max_tokens": 10}, "max_tokens"),
    ({"model": REASONING_MODEL, "reasoning_effort": "low", "temperature": 0.5}, "temperature"),
    ({"model": REASONING_MODEL, "reasoning_effort": "minimal"}, "reasoning_effort"),
    ({"model": "gpt-5.5", "temperature": 0.5}, "temperature"),  # reasons (medium) by default
    ({"model": "gpt-5-mini", "temperature": 0.5}, "temperature"),  # cannot stop reasoning
    ({"model": "o3", "top_p": 0.5}, "top_p"),
]


@pytest.mark.parametrize(("parameters", "param"), BAD_PARAMETERS, ids=[repr(p) for p, _ in BAD_PARAMETERS])
def test_a_bad_parameter_is_a_400_naming_it(wire, parameters, param):
    error = openai_error(wire.post("/chat/completions", chat_body(**parameters)), 400)
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param


@pytest.mark.parametrize("parameters", [
    {"model": REASONING_MODEL, "temperature": 0.2},  # gpt-5.4-mini's default effort is "none"
    {"model": REASONING_MODEL, "reasoning_effort": "none", "top_p": 0.5},
    {"model": "gpt-5.5", "reasoning_effort": "none", "temperature": 0.2},
    {"model": "gpt-5-mini", "temperature": 1},
], ids=repr)
def test_a_reasoning_model_that_is_not_reasoning_takes_a_temperature(wire, parameters):
    assert wire.post("/chat/completions", chat_body(**parameters)).status == 200


def test_a_temperature_refused_by_a_reasoning_model_is_unsupported_value(wire):
    body = chat_body(model="gpt-5.5", temperature=0.2)
    error = openai_error(wire.post("/chat/completions", body), 400)
    assert error["code"] == "unsupported_value"
    assert error["message"] == ("Unsupported value: 'temperature' does not support 0.2 with this model. "
                                "Only the default (1) value is supported.")


def test_minimal_effort_is_refused_by_gpt_5_4_mini_listing_what_it_takes(wire):
    error = openai_error(wire.post("/chat/completions", chat_body(model=REASONING_MODEL,
                                                                 reasoning_effort="minimal")), 400)
    assert error["message"] == ("Unsupported value: 'reasoning_effort' does not support 'minimal' with this "
                                "model. Supported values are: 'none', 'low', 'medium', 'high', and 'xhigh'.")


def test_a_temperature_above_2_says_what_the_maximum_is(wire):
    error = openai_error(wire.post("/chat/completions", chat_body(temperature=2.5)), 400)
    assert error["code"] == "decimal_above_max_value"
    assert "2.5" in error["message"] and "<= 2" in error["message"]


def test_a_wrong_type_is_named_in_the_message(wire):
    error = openai_error(wire.post("/chat/completions", chat_body(max_tokens="ten")), 400)
    assert error["code"] == "invalid_type"
    assert error["message"] == "Invalid type for 'max_tokens': expected an integer, but got a string instead."


@pytest.mark.parametrize("missing", ["model", "messages"])
def test_a_missing_required_parameter_is_a_400(wire, missing):
    request = chat_body()
    del request[missing]
    error = openai_error(wire.post("/chat/completions", request), 400)
    assert (error["param"], error["code"]) == (missing, "missing_required_parameter")


def test_an_unrecognized_argument_is_a_400(wire):
    error = openai_error(wire.post("/chat/completions", chat_body(foo=1)), 400)
    assert error["message"] == "Unrecognized request argument supplied: foo"


def test_several_unrecognized_arguments_are_named_together(wire):
    error = openai_error(wire.post("/chat/completions", chat_body(foo=1, bar=2)), 400)
    assert error["message"] == "Unrecognized request arguments supplied: foo, bar"


@pytest.mark.parametrize("raw", [b'{"model": "gpt-4.1-mini", "messages": [', b"", b"\xff\xfe\x00garbage",
                                 b"[" * 100_000 + b"]" * 100_000])
def test_a_body_that_is_not_json_is_a_400(wire, raw):
    error = openai_error(wire.send("POST", "/chat/completions", raw), 400)
    assert "could not parse the JSON body" in error["message"]


def test_a_json_body_that_is_not_an_object_is_a_400(wire):
    assert openai_error(wire.post("/chat/completions", [USER]), 400)["type"] == "invalid_request_error"


def test_no_key_is_a_401(server):
    error = openai_error(wire_client_for(server).send("GET", "/models", None, {"Authorization": ""}), 401)
    assert "You didn't provide an API key" in error["message"]


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Bearer ", "sk-mock-llm-calls"])
def test_a_key_not_sent_as_bearer_is_a_401(wire, authorization):
    openai_error(wire.send("GET", "/models", None, {"Authorization": authorization}), 401)


def test_a_wrong_key_is_a_401_that_never_repeats_the_key(server):
    wrong_key = "sk-wrong-key-that-must-stay-secret-1234"
    reply = wire_client_for(server, api_key=wrong_key).post("/chat/completions", chat_body())
    error = openai_error(reply, 401)
    assert error["code"] == "invalid_api_key"
    assert error["message"].startswith("Incorrect API key provided: sk-wrong")
    assert wrong_key.encode() not in reply.body
    assert all(wrong_key not in value for value in reply.headers.values())


def test_the_key_is_checked_before_the_body(server):
    reply = wire_client_for(server, api_key="sk-wrong").send("POST", "/chat/completions", b"not json")
    openai_error(reply, 401)


def test_an_unknown_model_is_404_model_not_found(wire):
    error = openai_error(wire.post("/chat/completions", chat_body(model="gpt-nonexistent")), 404)
    assert error["code"] == "model_not_found"
    assert "gpt-nonexistent" in error["message"]


def test_retrieving_an_unknown_model_is_404_model_not_found(wire):
    assert openai_error(wire.get("/models/gpt-nonexistent"), 404)["code"] == "model_not_found"


@pytest.mark.parametrize(("method", "path", "shown"), [
    ("GET", "/nothing", "GET /v1/nothing"),
    ("POST", "/completion", "POST /v1/completion"),
    ("DELETE", "/models", "DELETE /v1/models"),
    ("GET", "/nothing?page=2", "GET /v1/nothing"),
])
def test_an_unknown_path_is_404_invalid_url(wire, method, path, shown):
    error = openai_error(wire.send(method, path, b"{}" if method == "POST" else None), 404)
    assert error["message"] == f"Invalid URL ({shown})"


def test_a_prompt_longer_than_the_context_window_is_a_400(wire):
    long_prompt = "word " * 10_000  # well over gpt-4's 8,192 tokens, well within gpt-4.1's million
    assert wire.post("/chat/completions", chat_body(long_prompt, model="gpt-4.1")).status == 200
    error = openai_error(wire.post("/chat/completions", chat_body(long_prompt, model="gpt-4")), 400)
    assert (error["code"], error["param"]) == ("context_length_exceeded", "messages")


@pytest.fixture
def small_server(start_server):
    return start_server(limits=Limits(max_body_bytes=1024))


def read_until_closed(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def test_a_body_over_the_limit_is_refused_before_it_is_read(small_server):
    """The client announces a megabyte and sends only a few bytes of it: a server that read the whole
    body would wait forever; this one answers 413 at once and closes the connection."""
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {small_server.api_key}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
    with socket.create_connection(("127.0.0.1", small_server.port), timeout=5) as connection:
        connection.sendall(head.encode() + b'{"model": "gpt-4.1-mini", "messages": [')
        answer = read_until_closed(connection)  # returns only because the server closed the connection
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    assert b"\r\nconnection: close\r\n" in rest.lower()
    assert re.search(rb"\r\nx-request-id: req_[0-9a-f]{32}\r\n", rest)
    assert wire_client_for(small_server).get("/models").status == 200  # and it keeps serving


def test_requests_gets_a_413_for_a_body_over_the_limit(small_server):
    reply = requests.post(f"{small_server.base_url}/chat/completions", data=b"x" * 2048, timeout=10,
                          headers={"Authorization": f"Bearer {small_server.api_key}"})
    assert reply.status_code == 413
    assert set(reply.json()["error"]) == {"message", "type", "param", "code"}


def test_a_chunked_body_over_the_limit_is_a_413(small_server):
    pieces = (b"x" * 512 for _ in range(4))  # a generator makes requests send it chunked
    reply = requests.post(f"{small_server.base_url}/chat/completions", data=pieces, timeout=10,
                          headers={"Authorization": f"Bearer {small_server.api_key}"})
    assert reply.status_code == 413


@pytest.mark.parametrize("request_bytes", [
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nContent-Length: many\r\n\r\n",
    b"NONSENSE\r\n\r\n",
])
def test_a_broken_http_request_still_gets_an_openai_error(server, wire, request_bytes):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(request_bytes)
        answer = read_until_closed(connection)
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert re.search(rb"\r\nx-request-id: req_[0-9a-f]{32}\r\n", head)  # like every other answer
    assert set(json.loads(payload)["error"]) == {"message", "type", "param", "code"}
    assert wire.get("/models").status == 200


# Requests that once made the mock fail with a 500 (found by the fuzz tests); each now gets a proper answer.

def test_a_content_part_whose_text_is_not_a_string_is_ignored(wire):
    # (an image_url part is checked by attachments.py now: an audio part is not, so it carries this test)
    parts = [{"type": "input_audio", "text": 5}, {"type": "text", "text": "What is TCP?"}]
    reply = wire.post("/chat/completions", chat_body(messages=[{"role": "user", "content": parts}]))
    assert reply.status == 200
    assert "What is TCP?" in reply.json()["choices"][0]["message"]["content"]


def test_a_named_tool_choice_that_is_not_an_object_is_a_400(wire):
    tools = [{"type": "function", "function": {"name": "get_weather"}}]
    reply = wire.post("/chat/completions", chat_body(tools=tools, tool_choice={"type": "function", "function": "x"}))
    assert openai_error(reply, 400)["param"] == "tool_choice.function"


@pytest.mark.parametrize("schema", [{"enum": []}, {"type": []}, {"type": "object", "properties": [1]}])
def test_an_unreadable_json_schema_still_gets_json(wire, schema):
    response_format = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}
    reply = wire.post("/chat/completions", chat_body(response_format=response_format))
    assert reply.status == 200
    json.loads(reply.json()["choices"][0]["message"]["content"])


def test_tool_parameters_that_are_not_a_schema_are_a_400_in_the_real_words(wire):
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": "not a schema"}}]
    error = openai_error(wire.post("/chat/completions", chat_body(tools=tools)), 400)
    assert error["message"] == (
        "Invalid schema for function 'get_weather': 'not a schema' is not of type 'object', 'boolean'.")
    assert (error["param"], error["code"]) == ("tools[0].function.parameters", "invalid_function_parameters")


def test_a_json_schema_that_is_not_a_schema_is_a_400_in_the_real_words(wire):
    response_format = {"type": "json_schema", "json_schema": {"name": "answer", "schema": "not a schema"}}
    error = openai_error(wire.post("/chat/completions", chat_body(response_format=response_format)), 400)
    assert error["message"] == (
        "Invalid schema for response_format 'answer': 'not a schema' is not of type 'object', 'boolean'.")
    assert (error["param"], error["code"]) == ("response_format", None)
