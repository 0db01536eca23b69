"""The openai SDK against the mock: each error status becomes the SDK's exception class, the SDK retries
429s and 5xx by itself (and says so in a header), and `OpenAI()` finds the mock through the environment."""

from __future__ import annotations

import os

import openai
import pytest

import helpers

CHAT_MODEL = "gpt-4.1-mini"
MESSAGES = [{"role": "user", "content": "Hi"}]


def retry_counts(server: helpers.MockServer, last: int) -> list[tuple[int, str | None]]:
    """(status, x-stainless-retry-count) of the server's last `last` exchanges."""
    return [(exchange.status, dict(exchange.request_headers).get("x-stainless-retry-count"))
            for exchange in server.exchanges[-last:]]


def test_a_wrong_key_raises_authentication_error(server):
    client = openai.OpenAI(base_url=server.base_url, api_key="sk-wrong-key-for-this-test-0000", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert "sk-wrong-key-for-this-test-0000" not in str(caught.value)


def test_an_unrecognized_argument_raises_bad_request_error(sdk):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES, extra_body={"foo": 1})
    assert caught.value.body["message"] == "Unrecognized request argument supplied: foo"


def test_an_invalid_temperature_raises_bad_request_error_naming_it(sdk):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES, temperature=3)
    assert caught.value.param == "temperature"


def test_an_unknown_model_raises_not_found_error(sdk):
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.chat.completions.create(model="gpt-nonexistent", messages=MESSAGES)
    assert caught.value.code == "model_not_found"


@pytest.mark.parametrize(("fault", "exception"), [
    ("429", openai.RateLimitError),
    ("500", openai.InternalServerError),
    ("503", openai.InternalServerError),
])
def test_an_injected_fault_raises_its_exception_class(server, sdk, fault, exception):
    server.inject_fault(fault)
    with pytest.raises(exception) as caught:
        sdk.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)
    assert caught.value.status_code == int(fault)


def test_a_client_timeout_shorter_than_the_fault_raises_api_timeout_error(start_server):
    server = start_server(hang_seconds=5)
    server.inject_fault("timeout")
    client = openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0, timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)
    assert client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES).choices


def test_a_broken_stream_raises_api_connection_error(server, sdk):
    server.inject_fault("disconnect")
    with pytest.raises(openai.APIConnectionError):
        for _ in sdk.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES, stream=True):
            pass
    assert sdk.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES).choices


@pytest.mark.parametrize("fault", ["429", "500"])
def test_the_sdk_retries_once_after_a_fault_and_says_so(server, fault):
    server.inject_fault(fault, times=1)
    client = openai.OpenAI(base_url=server.base_url, api_key=server.api_key)  # the default: 2 retries
    completion = client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)
    assert completion.choices[0].message.content
    assert retry_counts(server, 2) == [(int(fault), "0"), (200, "1")]


def test_the_fault_header_fails_every_retry(server):
    client = openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=2)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES, extra_headers={"X-Mock-Fault": "429"})
    assert retry_counts(server, 3) == [(429, "0"), (429, "1"), (429, "2")]
    assert int(caught.value.response.headers["retry-after"]) > 0
    assert caught.value.response.headers["x-ratelimit-remaining-requests"] == "0"


@pytest.mark.anyio
async def test_async_sdk_raises_the_same_exception_classes(server):
    async with openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-wrong", max_retries=0) as client:
        with pytest.raises(openai.AuthenticationError):
            await client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)
    server.inject_fault("429")
    async with openai.AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client:
        with pytest.raises(openai.RateLimitError):
            await client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)


def test_openai_with_no_arguments_finds_a_started_mock_and_stop_puts_the_environment_back(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://before.invalid/v1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with helpers.start_mock_server(tokens_per_second=0) as server:
        with openai.OpenAI(max_retries=0) as client:
            client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)
        assert server.last_exchange.path == "/v1/chat/completions"
    assert os.environ["OPENAI_BASE_URL"] == "http://before.invalid/v1"
    assert "OPENAI_API_KEY" not in os.environ


@pytest.fixture
def lesson_connection(monkeypatch):
    """What a lesson's `helpers.connect()` gives, with the kernel-wide mock stopped afterwards."""
    monkeypatch.delenv("LLM_CALLS_TARGET", raising=False)
    monkeypatch.setattr(helpers.connection, "_shared_mock", None)
    api = helpers.connect()
    yield api
    api.mock.stop()


def test_connect_gives_the_lessons_model_and_one_shared_mock(lesson_connection):
    api = lesson_connection
    assert api.model == helpers.MODEL
    assert helpers.connect().mock is api.mock
    with openai.OpenAI(base_url=api.base_url, api_key=api.api_key, max_retries=0) as client:
        completion = client.chat.completions.create(model=api.model, messages=MESSAGES)
    assert api.last_exchange.status == 200
    assert completion.id in api.last_exchange.response_body
