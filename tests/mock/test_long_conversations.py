"""A conversation that grows: the context window on Responses (`truncation` disabled and auto), the
input-token count (`POST /v1/responses/input_tokens`), and the prompt cache's `cached_tokens` on both
APIs, by the rules prompt_cache.py cites (1,024 tokens at least, 128 at a time, a lifetime)."""

from __future__ import annotations

import typing

import pytest
from openai.types.chat import completion_create_params
from openai.types.responses import InputTokenCountResponse, response_create_params

from helpers.mock import prompt_cache, tokens
from helpers.mock.prompt_cache import PromptCache
from tests.mock.support import chat_body, openai_error, responses_body, validate_response, validate_strictly
from tests.mock.test_shapes import literal_values

SMALL_WINDOW_MODEL = "gpt-4"  # 8,192 tokens in the mock's catalogue: quick to fill
PAGE = "word " * 3_000  # about 3,000 tokens


def grown_input(pages: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"Page {n}: {PAGE}"} for n in range(pages)]


def test_past_the_window_truncation_disabled_is_the_real_400(wire):
    error = openai_error(wire.post("/responses", responses_body(grown_input(3), model=SMALL_WINDOW_MODEL)), 400)
    assert error == {"message": "Your input exceeds the context window of this model. Please adjust your input "
                     "and try again.", "type": "invalid_request_error", "param": "input",
                     "code": "context_length_exceeded"}


def test_truncation_auto_drops_the_oldest_items_and_keeps_the_instructions(wire):
    body = responses_body(grown_input(3), model=SMALL_WINDOW_MODEL, truncation="auto", instructions="Be brief.")
    reply = wire.post("/responses", body)
    assert reply.status == 200, reply.body
    response = validate_response(reply.json())
    assert response.truncation == "auto"
    assert 6_000 < response.usage.input_tokens <= 8_192  # two pages of three, and the instructions
    counted = wire.post("/responses/input_tokens", body).json()
    assert counted["input_tokens"] == response.usage.input_tokens


def test_input_tokens_counts_what_a_response_would_be_given(wire):
    body = responses_body("Count me, please.", instructions="Be brief.")
    counted = validate_strictly(InputTokenCountResponse, wire.post("/responses/input_tokens", body).json())
    made = wire.post("/responses", body).json()
    assert counted.input_tokens == made["usage"]["input_tokens"]
    assert counted.object == "response.input_tokens"


def test_input_tokens_refuses_what_it_cannot_count(wire):
    error = openai_error(wire.post("/responses/input_tokens", {"input": "x"}), 400)
    assert "offline mock" in error["message"] and error["param"] == "model"
    assert openai_error(wire.post("/responses/input_tokens", {**responses_body(), "store": True}), 400)[
        "message"] == "Unknown parameter: 'store'."


def long_system() -> str:
    return "You answer questions about the solar system. " * 200  # some 1,600 tokens


def test_a_repeated_prefix_is_cached_in_steps_of_128_tokens_on_chat(wire):
    messages = [{"role": "system", "content": long_system()}, {"role": "user", "content": "Hello"}]
    first = wire.post("/chat/completions", chat_body(messages=messages, prompt_cache_key="t1")).json()["usage"]
    second = wire.post("/chat/completions", chat_body(messages=messages, prompt_cache_key="t1")).json()["usage"]
    assert first["prompt_tokens_details"]["cached_tokens"] == 0
    cached = second["prompt_tokens_details"]["cached_tokens"]
    assert cached % 128 == 0 and 1024 <= cached <= second["prompt_tokens"] < cached + 128


def test_a_different_cache_key_or_a_changed_start_misses(wire):
    messages = [{"role": "system", "content": long_system()}, {"role": "user", "content": "Hello"}]
    wire.post("/chat/completions", chat_body(messages=messages, prompt_cache_key="t2"))
    other_key = wire.post("/chat/completions", chat_body(messages=messages, prompt_cache_key="t3")).json()
    changed = [{"role": "system", "content": "Today is Monday. " + long_system()}, messages[1]]
    other_start = wire.post("/chat/completions", chat_body(messages=changed, prompt_cache_key="t2")).json()
    assert other_key["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    assert other_start["usage"]["prompt_tokens_details"]["cached_tokens"] == 0


def test_a_conversation_continued_by_id_is_cached_on_responses(wire):
    first = wire.post("/responses", responses_body("Hello", instructions=long_system(), prompt_cache_key="t4"))
    second = wire.post("/responses", responses_body("More", instructions=long_system(), prompt_cache_key="t4",
                                                    previous_response_id=first.json()["id"])).json()
    details = validate_response(second).usage.input_tokens_details
    assert details.cached_tokens >= 1024 and details.cached_tokens % 128 == 0


def test_explicit_mode_without_breakpoints_uses_no_cache(wire):
    messages = [{"role": "system", "content": long_system()}, {"role": "user", "content": "Hello"}]
    body = chat_body(messages=messages, prompt_cache_key="t5", prompt_cache_options={"mode": "explicit"})
    wire.post("/chat/completions", body)
    assert wire.post("/chat/completions", body).json()["usage"]["prompt_tokens_details"]["cached_tokens"] == 0


def test_a_cached_prefix_expires_after_its_lifetime_on_the_mocks_clock():
    now = [0.0]
    cache = PromptCache(clock=lambda: now[0])
    prompt = tokens.prompt_as_tokens([{"role": "user", "content": long_system()}])
    lifetime = prompt_cache.lifetime(None, None)
    assert cache.use("m", None, prompt, lifetime) == 0
    now[0] += lifetime - 1
    assert cache.use("m", None, prompt, lifetime) > 0  # used again: kept another lifetime
    now[0] += lifetime + 1
    assert cache.use("m", None, prompt, lifetime) == 0
    assert prompt_cache.lifetime("24h", None) == 24 * 3600
    assert prompt_cache.lifetime(None, {"ttl": "12h"}) == 12 * 3600


def test_the_cache_stays_within_its_bound():
    cache = PromptCache(max_prefixes=10)
    for n in range(5):
        cache.use("m", str(n), tokens.prompt_as_tokens([{"role": "user", "content": long_system()}]), 60)
    assert len(cache) == 10


def test_the_prompt_as_tokens_is_as_long_as_the_count():
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello, there!"},
                {"role": "assistant", "content": None, "tool_calls": [{"id": "c", "function": {"name": "f"}}]}]
    tools = [{"type": "function", "function": {"name": "f"}}]
    assert len(tokens.prompt_as_tokens(messages, tools)) == tokens.prompt_tokens(messages, tools)


@pytest.mark.parametrize(("params", "allowed"), [
    (completion_create_params.PromptCacheOptions, prompt_cache.CHAT_OPTIONS),
    (response_create_params.PromptCacheOptions, prompt_cache.RESPONSES_OPTIONS),
])
def test_the_cache_options_are_the_sdks(params, allowed):
    hints = typing.get_type_hints(params)
    assert set(allowed) == set(hints)
    for key, values in allowed.items():
        assert (values or []) == literal_values(hints[key]), key


def test_prewarm_is_refused_in_the_mocks_words(wire):
    error = openai_error(wire.post("/responses", responses_body(prompt_cache_options={"prewarm": True})), 400)
    assert error["message"].startswith("The offline mock cannot prewarm")
    error = openai_error(wire.post("/chat/completions", chat_body(prompt_cache_options={"ttl": "12h"})), 400)
    assert error["param"] == "prompt_cache_options.ttl"
