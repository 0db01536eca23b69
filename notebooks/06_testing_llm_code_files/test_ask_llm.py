"""Tests for ask_llm.py that call no real model: each one talks to the mock server of the `llm_server` fixture."""

import json
import urllib.error

import pytest
import requests
from openai import OpenAI

import helpers
from ask_llm import ask_with_requests, ask_with_sdk, ask_with_urllib

PROMPT = "What is the capital of France?"


def ask(way: str, server: helpers.MockServer, prompt: str = PROMPT) -> str:
    if way == "sdk":
        client = OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0)
        return ask_with_sdk(client, helpers.MODEL, prompt)
    ask_function = {"urllib": ask_with_urllib, "requests": ask_with_requests}[way]
    return ask_function(server.base_url, server.api_key, helpers.MODEL, prompt)


@pytest.mark.parametrize("way", ["urllib", "requests", "sdk"])
def test_returns_the_text_of_the_answer(llm_server, way):
    llm_server.script_reply("Paris.")
    assert ask(way, llm_server) == "Paris."


@pytest.mark.parametrize("way", ["urllib", "requests", "sdk"])
def test_sends_the_prompt_as_one_user_message(llm_server, way):
    ask(way, llm_server)
    exchange = llm_server.last_exchange
    assert (exchange.method, exchange.path) == ("POST", "/v1/chat/completions")
    body = json.loads(exchange.request_body)
    assert body["model"] == helpers.MODEL
    assert body["messages"] == [{"role": "user", "content": PROMPT}]


def test_sends_the_key_as_a_bearer_token(llm_server):
    ask("requests", llm_server)
    headers = {name.lower(): value for name, value in llm_server.last_exchange.request_headers}
    assert headers["authorization"] == "Bearer [redacted]"  # the record never keeps the key itself


def test_a_rate_limit_reaches_the_caller_as_an_http_error(llm_server):
    llm_server.inject_fault("429")
    with pytest.raises(requests.HTTPError) as raised:
        ask("requests", llm_server)
    assert raised.value.response.status_code == 429


def test_a_server_error_reaches_the_caller_as_an_http_error(llm_server):
    llm_server.inject_fault("500")
    with pytest.raises(urllib.error.HTTPError) as raised:
        ask("urllib", llm_server)
    assert raised.value.code == 500
