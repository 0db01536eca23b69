"""The profiles of other OpenAI-compatible servers (helpers/mock/profiles.py): what each documented
difference looks like to a client, so that lessons can be checked against them without leaving the machine."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import openai
import pytest
import requests

from helpers.mock import profiles
from tests.mock.support import CHAT_MODEL, WireClient, chat_body, wire_client_for
from tests.mock.test_cli import PROJECT_ROOT as ROOT
from tests.mock.test_cli import RunningCli

OPENAI_ONLY = ("x-request-id", "openai-", "x-ratelimit-")


@pytest.fixture
def minimal(start_server):
    return start_server(profile="minimal")


def _openai_only_headers(headers: dict[str, str]) -> list[str]:
    return [name for name in headers if name.startswith(OPENAI_ONLY)]


@pytest.mark.parametrize("key", [None, "sk-anything", "not-even-a-key"])
def test_any_key_or_none_is_accepted(minimal, key):
    assert wire_client_for(minimal, key).post("/chat/completions", chat_body()).status == 200


def test_a_completion_carries_no_openai_only_headers(minimal):
    reply = wire_client_for(minimal).post("/chat/completions", chat_body())
    assert reply.status == 200
    assert _openai_only_headers(reply.headers) == []
    assert reply.json()["choices"][0]["message"]["content"]


def test_the_default_profile_does_send_them(server):
    reply = wire_client_for(server).post("/chat/completions", chat_body())
    assert {"x-request-id", "openai-version", "x-ratelimit-limit-requests"} <= set(reply.headers)


def test_an_error_has_the_plainer_shape_with_the_status_as_code(minimal):
    reply = wire_client_for(minimal).post("/chat/completions", chat_body(temperature=9))
    assert reply.status == 400
    error = reply.json()["error"]
    assert set(error) == {"code", "message", "type"}
    assert (error["code"], error["type"]) == (400, "invalid_request_error")


def test_a_429_fault_has_retry_after_but_no_rate_limit_headers(minimal):
    minimal.inject_fault("429")
    reply = wire_client_for(minimal).post("/chat/completions", chat_body())
    assert reply.status == 429
    assert reply.headers["retry-after"] == "1"
    assert _openai_only_headers(reply.headers) == []
    assert reply.json()["error"]["code"] == 429


def test_unknown_models_temperatures_and_parameters_are_accepted(minimal):
    body = chat_body(model="llama3.2", temperature=0.2, top_k=40)
    reply = wire_client_for(minimal).post("/chat/completions", body)
    assert reply.status == 200
    assert reply.json()["model"] == "llama3.2"


@pytest.mark.parametrize("path", ["/responses", "/files", "/responses/input_tokens", "/conversations"])
def test_paths_beyond_chat_models_and_embeddings_are_404(minimal, path):
    reply = wire_client_for(minimal).post(path, {"model": "m", "input": "Hi"})
    assert reply.status == 404
    assert reply.json()["error"]["code"] == 404


def test_the_sdk_works_and_has_no_request_id(minimal):
    with openai.OpenAI(base_url=minimal.base_url, api_key="anything", max_retries=0) as client:
        completion = client.chat.completions.create(**chat_body())
    assert completion.choices[0].message.content
    assert completion._request_id is None


def test_the_sdk_still_raises_by_status_for_the_plainer_errors(minimal):
    client = openai.OpenAI(base_url=minimal.base_url, api_key="anything", max_retries=0)
    with client, pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(**chat_body(temperature=9))
    assert caught.value.status_code == 400
    assert (caught.value.code, caught.value.param) == ("400", None)  # the status, as text; no param


def test_an_unknown_profile_is_a_value_error(start_server):
    with pytest.raises(ValueError, match="unknown profile"):
        start_server(profile="lenient")


def test_the_command_line_serves_the_minimal_profile():
    command = [sys.executable, "-m", "helpers.mock", "--port", "0", "--profile", "minimal", "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        cli = RunningCli(process)
        assert "key: any" in cli.banner
        reply = requests.post(f"{cli.base_url}/chat/completions", json=chat_body(), timeout=10,
                              headers={"Authorization": "Bearer made-up"})
        assert reply.status_code == 200
        assert _openai_only_headers({name.lower(): value for name, value in reply.headers.items()}) == []
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_plain_server_reports_no_cached_tokens(minimal):
    long_prompt = "You answer questions about the solar system. " * 200
    body = {"model": "m", "messages": [{"role": "system", "content": long_prompt},
                                       {"role": "user", "content": "Hi"}]}
    wire = wire_client_for(minimal)
    wire.post("/chat/completions", body)
    assert wire.post("/chat/completions", body).json()["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
# --- the profiles of other servers: each documented difference, as a client sees it --------------------

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                          "required": ["city"], "additionalProperties": False}}}
EVENT_FORMAT = {"type": "json_schema", "json_schema": {"name": "event", "strict": True, "schema": {
    "type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"],
    "additionalProperties": False}}}


def _events(body: bytes) -> list[str]:
    """The lines of a stream that are not blank."""
    return [line for line in body.decode().split("\n") if line]


def _sse_data(body: bytes) -> list[dict]:
    return [json.loads(line[len("data: "):]) for line in _events(body)
            if line.startswith("data: ") and line != "data: [DONE]"]


@pytest.fixture
def serve(start_server):
    """A server playing the named profile, with a key of its own."""
    return lambda name: start_server(profile=name)


def test_local_ignores_include_usage(serve):
    reply = wire_client_for(serve("local")).post(
        "/chat/completions", chat_body(stream=True, stream_options={"include_usage": True}))
    chunks = _sse_data(reply.body)
    assert reply.status == 200 and chunks
    assert all("usage" not in chunk or chunk["usage"] is None for chunk in chunks)
    assert all(chunk["choices"] for chunk in chunks)  # no closing chunk with choices [] and usage


def test_openai_sends_the_usage_chunk_it_is_asked_for(server):
    reply = wire_client_for(server).post(
        "/chat/completions", chat_body(stream=True, stream_options={"include_usage": True}))
    assert _sse_data(reply.body)[-1]["usage"]["total_tokens"] > 0


def test_local_numbers_no_responses_event_and_names_the_response_resp_dash(serve):
    reply = wire_client_for(serve("local")).post("/responses", {"model": CHAT_MODEL, "input": "Hi",
                                                                "stream": True})
    events = _sse_data(reply.body)
    assert events and all("sequence_number" not in event for event in events)
    assert events[-1]["response"]["id"].startswith("resp-")


def test_local_keeps_no_responses_and_ignores_previous_response_id(serve):
    client = wire_client_for(serve("local"))
    first = client.post("/responses", {"model": CHAT_MODEL, "input": "Hi", "store": True}).json()
    assert client.get(f"/responses/{first['id']}").status == 404
    follow_up = {"model": CHAT_MODEL, "input": "And?", "previous_response_id": "resp_never_made"}
    assert client.post("/responses", follow_up).status == 200  # OpenAI: 400 previous_response_not_found


def test_local_model_answers_in_prose_whatever_tools_or_format_ask(serve):
    client = wire_client_for(serve("local"))
    called = client.post("/chat/completions", chat_body("What is the weather in Paris?",
                                                        tools=[WEATHER_TOOL], tool_choice="required"))
    message = called.json()["choices"][0]["message"]
    assert not message.get("tool_calls") and message["content"]
    formatted = client.post("/chat/completions", chat_body("Name an event.", response_format=EVENT_FORMAT))
    with pytest.raises(json.JSONDecodeError):
        json.loads(formatted.json()["choices"][0]["message"]["content"])


def test_openrouter_errors_carry_the_status_as_code_and_metadata(serve):
    reply = wire_client_for(serve("openrouter")).post("/chat/completions", {"model": "m", "messages": "x"})
    assert reply.status == 400
    assert reply.json() == {"error": {"code": 400, "message": reply.json()["error"]["message"],
                                      "metadata": {}}}


def test_openrouter_streams_open_with_a_comment_the_sdk_skips(serve):
    server = serve("openrouter")
    reply = wire_client_for(server).post("/chat/completions", chat_body(stream=True))
    assert _events(reply.body)[0] == ": OPENROUTER PROCESSING"
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client:
        text = "".join(chunk.choices[0].delta.content or "" for chunk in
                       client.chat.completions.create(**chat_body(stream=True)) if chunk.choices)
    assert text


@pytest.mark.parametrize("name", ["openrouter", "fastapi"])
def test_an_error_in_a_streamed_request_comes_inside_a_200_stream_then_done(serve, name):
    reply = wire_client_for(serve(name)).post("/chat/completions",
                                              {"model": "m", "messages": "x", "stream": True})
    assert reply.status == 200
    data = [line for line in _events(reply.body) if line.startswith("data: ")]
    assert data[-1] == "data: [DONE]"
    assert json.loads(data[0][len("data: "):])["error"]["message"]


def test_gemini_wraps_errors_in_an_array_and_has_no_responses(serve):
    client = wire_client_for(serve("gemini"))
    refused = client.post("/chat/completions", {"model": "m", "messages": "x"})
    assert refused.status == 400
    [wrapped] = refused.json()
    assert wrapped["error"]["code"] == 400 and wrapped["error"]["status"] == "INVALID_ARGUMENT"
    missing = client.post("/responses", {"model": CHAT_MODEL, "input": "Hi"})
    assert missing.status == 404 and missing.json()[0]["error"]["status"] == "NOT_FOUND"


def test_fastapi_answers_a_bad_body_with_422_detail_and_an_unknown_path_with_404_detail(serve):
    server = serve("fastapi")
    client = wire_client_for(server)
    refused = client.post("/chat/completions", {"model": "m", "messages": "x"})
    assert refused.status == 422
    [detail] = refused.json()["detail"]
    assert detail["loc"] == ["body", "messages"] and detail["msg"]
    assert client.post("/responses", {"model": CHAT_MODEL, "input": "Hi"}).json() == {"detail": "Not Found"}
    with openai.OpenAI(base_url=server.base_url, api_key="any", max_retries=0) as sdk, \
            pytest.raises(openai.UnprocessableEntityError):
        sdk.chat.completions.create(model="m", messages="x")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", [name for name in profiles.PROFILES if name != "openai"])
def test_no_profile_but_openai_speaks_openai_s_words(start_server, name):
    client = wire_client_for(start_server(profile=name))
    not_json = client.send("POST", "/chat/completions", b"{not json")
    unknown = client.post("/nothing/here", {})
    wrong_key = WireClient(client.base_url, "sk-wrong").post("/chat/completions", chat_body())
    for reply in (not_json, unknown, wrong_key):
        text = reply.body.decode()
        assert "openai" not in text.lower() and "Invalid URL" not in text, text
        assert "Incorrect API key" not in text, text


@pytest.mark.parametrize("name", [profile.name for profile in (*profiles.FAMILIES, *profiles.COMBINED)])
def test_no_other_server_upgrades_get_responses_to_a_websocket(start_server, name):
    from tests.mock.websocket_support import handshake_request

    server = start_server(profile=name)
    request, _ = handshake_request(server.port, Authorization=f"Bearer {server.api_key}")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        assert sock.recv(65_536).startswith(b"HTTP/1.1 404 ")  # as a path it does not have; OpenAI: 101
