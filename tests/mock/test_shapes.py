"""The mock kept in step with the installed SDK (its parameters, its model list, its types), and the pure
functions under the server: token splitting, key masking, and redaction in the wire record and its display."""

from __future__ import annotations

import string
import types
import typing

import hypothesis.strategies as st
import openai.types
import pytest
import requests
from hypothesis import given
from openai.types import Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk, completion_create_params

import helpers
from helpers.mock import catalogue, errors, sse, tokens, wire_record
from helpers.mock.chat import shapes as chat_shapes
from helpers.mock.chat import validation
from helpers.mock.models import shapes as model_shapes
from helpers.mock.replies import Choice
from tests.mock.support import validate_strictly

KEY_ALPHABET = string.ascii_letters + string.digits + "-_"


def sdk_parameters() -> dict[str, typing.Any]:
    """Every parameter `client.chat.completions.create` sends, with its annotation."""
    hints = typing.get_type_hints(completion_create_params.CompletionCreateParamsBase)
    stream = typing.get_type_hints(completion_create_params.CompletionCreateParamsNonStreaming)["stream"]
    return {**hints, "stream": stream}


def allows_none(annotation: typing.Any) -> bool:
    """True for Optional[...] (a Union with None in it), looking through Required[...] and the like."""
    while typing.get_origin(annotation) in (typing.Required, typing.NotRequired, typing.Annotated):
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(allows_none(arg) for arg in typing.get_args(annotation))
    return annotation is type(None)


def literal_values(annotation: typing.Any) -> list[str]:
    """The values of a Literal, flattening Literals nested in Literals or Unions."""
    if typing.get_origin(annotation) is typing.Literal or typing.get_origin(annotation) is typing.Union:
        return [value for arg in typing.get_args(annotation) for value in literal_values(arg)]
    return [annotation] if isinstance(annotation, str) else []


def test_the_mock_knows_exactly_the_parameters_the_sdk_sends():
    assert set(validation.PARAMETERS) == set(sdk_parameters())


@pytest.mark.parametrize("name", sorted(sdk_parameters()))
def test_a_parameter_is_nullable_exactly_when_the_sdk_says_optional(name):
    _, nullable = validation.PARAMETERS[name]
    assert nullable == allows_none(sdk_parameters()[name])


def test_the_model_catalogue_is_the_sdks_chat_model_list():
    assert catalogue.chat_model_ids() == tuple(literal_values(openai.types.ChatModel))


def test_literal_values_flattens_nested_literals():
    nested = typing.Literal["a", "b", "c"]
    assert literal_values(nested | typing.Literal["d"]) == ["a", "b", "c", "d"]


def test_strict_validation_rejects_a_coercible_value():
    """Why the tests validate with strict=True: a lax parse would let "1" pass as the integer 1."""
    model = model_shapes.model_object("gpt-4.1-mini")
    Model.model_validate({**model, "created": str(model["created"])})
    with pytest.raises(ValueError):
        Model.model_validate({**model, "created": str(model["created"])}, strict=True)


def test_unknown_keys_are_caught_although_the_sdk_allows_them():
    model = model_shapes.model_object("gpt-4.1-mini")
    Model.model_validate({**model, "surprise": 1}, strict=True)  # the SDK itself lets it through
    with pytest.raises(AssertionError):
        validate_strictly(Model, {**model, "surprise": 1})


TEXT = Choice(index=0, content="Hello there.", finish_reason="stop", completion_tokens=4)
CALL = Choice(index=1, content=None, finish_reason="tool_calls", completion_tokens=6, tool_calls=[
    {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}])


def test_a_completion_matches_the_sdks_type_strictly():
    payload = chat_shapes.chat_completion("chatcmpl-1", 1, "gpt-4.1-mini", [TEXT, CALL], 9)
    completion = validate_strictly(ChatCompletion, payload)
    assert completion.usage.total_tokens == 9 + 4 + 6
    assert completion.choices[1].message.tool_calls[0].function.name == "get_weather"


@pytest.mark.parametrize("include_usage", [False, True])
def test_every_chunk_matches_the_sdks_type_strictly(include_usage):
    chunks = list(chat_shapes.stream_chunks("chatcmpl-1", 1, "gpt-4.1-mini", [TEXT, CALL], 9, include_usage))
    parsed = [validate_strictly(ChatCompletionChunk, sse.add_obfuscation(chunk, n)) for n, chunk in enumerate(chunks)]
    assert (parsed[-1].usage is not None) == include_usage


def test_a_model_and_the_model_list_match_the_sdks_type_strictly():
    listing = model_shapes.model_list(("gpt-4.1-mini", "gpt-4o-2024-08-06"))
    assert [validate_strictly(Model, entry).id for entry in listing["data"]] == ["gpt-4.1-mini", "gpt-4o-2024-08-06"]


@given(st.text())
def test_split_tokens_gives_back_the_text_exactly(text):
    pieces = tokens.split_tokens(text)
    assert "".join(pieces) == text
    assert all(pieces)


def test_split_tokens_cuts_long_words_and_keeps_punctuation_apart():
    assert tokens.split_tokens("Hello, extraordinary world!") == ["Hello", ",", " extrao", "rdinar", "y", " world", "!"]


@given(st.text(KEY_ALPHABET, min_size=1, max_size=200))
def test_mask_key_never_shows_a_whole_key(key):
    masked = errors.mask_key(key)
    assert key not in masked
    assert len(masked) == len(key)


@given(st.text(KEY_ALPHABET, min_size=17, max_size=200))
def test_mask_key_shows_the_start_and_end_of_a_long_key_as_the_real_401_does(key):
    masked = errors.mask_key(key)
    assert masked[:8] == key[:8] and masked[-4:] == key[-4:]
    assert set(masked[8:-4]) == {"*"}


def test_credential_headers_are_redacted_keeping_the_scheme():
    redacted = wire_record.redact_headers([("Authorization", "Bearer sk-secret"), ("api-key", "sk-secret"),
                                           ("Content-Type", "application/json")])
    assert redacted == [("Authorization", "Bearer [redacted]"), ("api-key", "[redacted]"),
                        ("Content-Type", "application/json")]


@pytest.fixture
def recorded(start_server):
    """A server with a secret key, and what it recorded of one plain and one streamed request."""
    server = start_server(api_key="sk-test-a-secret-that-must-not-leak")
    headers = {"Authorization": f"Bearer {server.api_key}"}
    payload = {"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "Hi"}]}
    requests.post(f"{server.base_url}/chat/completions", json=payload, headers=headers, timeout=10)
    requests.post(f"{server.base_url}/chat/completions", json={**payload, "stream": True}, headers=headers,
                  timeout=10)
    return server


def test_the_wire_record_never_holds_the_key(recorded):
    plain, streamed = recorded.exchanges
    assert ("Authorization", "Bearer [redacted]") in plain.request_headers
    assert all(recorded.api_key not in repr(exchange) for exchange in (plain, streamed))
    assert streamed.frames[-1] == "data: [DONE]"


def test_format_exchange_shows_the_exchange_without_the_key(recorded):
    plain, streamed = recorded.exchanges
    for exchange in (plain, streamed):
        shown = helpers.format_exchange(exchange)
        assert recorded.api_key not in shown
        assert shown.startswith("POST /v1/chat/completions HTTP/1.1\n")
        assert "Authorization: Bearer [redacted]" in shown and "HTTP/1.1 200 OK" in shown


def test_format_exchange_trims_a_long_stream_but_keeps_its_end(recorded):
    shown = helpers.format_exchange(recorded.exchanges[1], max_frames=5)
    assert "more events" in shown
    assert shown.rstrip().endswith("data: [DONE]")


def test_show_exchange_prints_the_formatted_exchange_or_steps_aside(recorded, capsys):
    helpers.show_exchange(recorded.exchanges[0])
    assert capsys.readouterr().out == helpers.format_exchange(recorded.exchanges[0])
    helpers.show_exchange(None)
    assert "No wire record" in capsys.readouterr().out
