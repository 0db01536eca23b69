"""How fast the mock streams (LLM_CALLS_TOKENS_PER_SECOND, or a lesson setting it per cell) and when the wire
record says each request arrived and was answered: what lesson 03's and 04's pictures are drawn from."""

from __future__ import annotations

import time

import pytest

import helpers
from helpers.mock.server import DEFAULT_TOKENS_PER_SECOND, PACE_VARIABLE
from tests.mock.support import chat_body, wire_client_for


def test_pace_variable_is_the_default_pace_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PACE_VARIABLE, "250")
    assert helpers.MockServer(set_environment=False).tokens_per_second == 250
    assert helpers.MockServer(set_environment=False, tokens_per_second=0).tokens_per_second == 0


def test_without_the_pace_variable_the_default_pace_is_a_fast_hosted_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PACE_VARIABLE, raising=False)
    assert helpers.MockServer(set_environment=False).tokens_per_second == DEFAULT_TOKENS_PER_SECOND


@pytest.mark.parametrize("value", ["fast", "-1", "nan"])
def test_a_pace_variable_that_is_not_a_pace_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(PACE_VARIABLE, value)
    with pytest.raises(ValueError, match=PACE_VARIABLE):
        helpers.MockServer(set_environment=False)


def test_a_new_pace_applies_to_the_next_stream() -> None:
    with helpers.MockServer(set_environment=False, tokens_per_second=0) as server:
        server.tokens_per_second = 1000.0
        reply = wire_client_for(server).post("/chat/completions", chat_body(stream=True))
        assert reply.status == 200 and reply.body.endswith(b"data: [DONE]\n\n")
        assert server.tokens_per_second == 1000.0


def test_wire_record_times_each_request_from_arrival_to_answer_in_order() -> None:
    with helpers.MockServer(set_environment=False, tokens_per_second=0) as server:
        client = wire_client_for(server)
        sent = time.monotonic()
        server.inject_fault("500")
        statuses = [client.post("/chat/completions", chat_body()).status for _ in range(2)]
        received = time.monotonic()
        first, second = server.exchanges
    assert statuses == [500, 200]
    assert sent <= first.started <= first.answered <= second.started <= second.answered <= received
