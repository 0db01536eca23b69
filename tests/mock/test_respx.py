"""respx mocks the `httpx` package. The openai SDK sends with `httpx2` by default, so respx sees nothing
until the client is built on an `httpx.Client`; these tests pin both halves of that surprise."""

from __future__ import annotations

import httpx
import openai
import pytest
import respx

CHAT_MODEL = "gpt-4.1-mini"
MESSAGES = [{"role": "user", "content": "Hi"}]
CANNED_TEXT = "Canned by respx."


def canned_completion() -> dict:
    return {
        "id": "chatcmpl-respx", "object": "chat.completion", "created": 1, "model": CHAT_MODEL,
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                     "message": {"role": "assistant", "content": CANNED_TEXT}}],
    }


@pytest.fixture
def server(start_server):
    """A server of its own, so its record holds only these tests' requests."""
    return start_server()


@pytest.fixture
def mocked(server):
    """respx routes for the chat endpoint of the running mock server and of a port where nothing listens."""
    with respx.mock(assert_all_called=False) as router:
        yield {
            "server": router.post(f"{server.base_url}/chat/completions").respond(200, json=canned_completion()),
            "nowhere": router.post("http://127.0.0.1:9/v1/chat/completions").respond(200, json=canned_completion()),
        }


def test_respx_does_not_see_the_default_sdk_client(server, mocked):
    before = len(server.exchanges)
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client:
        completion = client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)
    assert completion.choices[0].message.content != CANNED_TEXT  # the real mock server answered
    assert not mocked["server"].called
    assert len(server.exchanges) == before + 1


def test_without_a_server_the_default_client_fails_to_connect_despite_respx(mocked):
    with (openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="sk-any", max_retries=0) as client,
          pytest.raises(openai.APIConnectionError)):
        client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)
    assert not mocked["nowhere"].called


def test_respx_intercepts_a_client_built_on_httpx(server, mocked):
    before = len(server.exchanges)
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0,
                       http_client=httpx.Client()) as client:
        completion = client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)
    assert completion.choices[0].message.content == CANNED_TEXT
    assert mocked["server"].call_count == 1
    assert mocked["server"].calls.last.request.headers["authorization"] == f"Bearer {server.api_key}"
    assert len(server.exchanges) == before  # nothing reached the mock server
