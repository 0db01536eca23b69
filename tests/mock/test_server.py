"""MockServer's public face: the environment it sets for `OpenAI()`, whatever order servers start and stop in."""

from __future__ import annotations

import itertools
import os

import pytest

import helpers
from helpers import connection


@pytest.fixture
def clean_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "https://before.example/v1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def environment() -> tuple[str | None, str | None]:
    return os.environ.get("OPENAI_BASE_URL"), os.environ.get("OPENAI_API_KEY")


@pytest.mark.parametrize("stop_order", list(itertools.permutations(range(3))))
def test_any_order_of_stops_leaves_the_environment_pointing_at_a_running_server(clean_environment, stop_order):
    servers = [helpers.MockServer(tokens_per_second=0, api_key=f"sk-mock-{n}").start() for n in range(3)]
    running = list(servers)
    assert environment() == (servers[-1].base_url, "sk-mock-2")
    for index in stop_order:
        servers[index].stop()
        running.remove(servers[index])
        if running:
            assert environment() == (running[-1].base_url, running[-1].api_key)
    assert environment() == ("https://before.example/v1", None)


def test_a_server_that_does_not_set_the_environment_leaves_it_alone(clean_environment):
    with helpers.MockServer(set_environment=False):
        assert environment() == ("https://before.example/v1", None)
    assert environment() == ("https://before.example/v1", None)


def test_connects_shared_server_survives_another_server_stopping(clean_environment, monkeypatch):
    monkeypatch.setattr(connection, "_shared_mock", None)
    shared = helpers.connect()
    try:
        helpers.start_mock_server(tokens_per_second=0).stop()
        assert environment() == (shared.base_url, shared.api_key)
        assert helpers.connect().base_url == shared.base_url  # still the same running server
    finally:
        shared.mock.stop()
    assert environment() == ("https://before.example/v1", None)


def test_connect_starts_a_new_server_when_the_shared_one_was_stopped(clean_environment, monkeypatch):
    monkeypatch.setattr(connection, "_shared_mock", None)
    first = helpers.connect()
    first.mock.stop()
    second = helpers.connect()
    try:
        assert second.mock is not first.mock and second.mock.running
    finally:
        second.mock.stop()
