"""The compatible-server profile (`profile="minimal"`): what a plain OpenAI-compatible server does,
so that lessons can be checked against one without leaving the machine."""

from __future__ import annotations

import subprocess
import sys

import openai
import pytest
import requests

from tests.mock.support import chat_body, wire_client_for
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
