"""Claims the suite keeps true: where a lesson's text states a rule or a number of the openai SDK (which
statuses it retries, how often, its back-off and jitter, the two-minute cap on Retry-After, its default
timeouts and connection limits, the x-stainless-* headers it sends), the figure is read from the text and
compared with the installed SDK: its constants, or what it does against the mock. An SDK upgrade that
changes one fails here, naming the notebook to update."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx2
import openai
import pytest
from openai import _base_client, _constants

import helpers

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def prose() -> Iterator[tuple[str, str]]:
    """(notebook, text) for every markdown cell, its lines joined so that a sentence is on one line."""
    for path in sorted(NOTEBOOKS.rglob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                text = re.sub(r"\s+", " ", "".join(cell["source"]))
                yield path.relative_to(NOTEBOOKS).as_posix(), text


def claims(pattern: str) -> list[tuple[str, re.Match[str]]]:
    found = [(name, match) for name, text in prose() for match in re.finditer(pattern, text)]
    assert found, f"no lesson states {pattern!r} any more: update or remove this check"
    return found


@pytest.fixture(scope="module")
def client() -> Iterator[openai.OpenAI]:
    with openai.OpenAI(api_key="sk-unused", base_url="http://127.0.0.1:9/v1") as sdk:
        yield sdk


def retried_statuses(client: openai.OpenAI) -> set[int]:
    """What the SDK does, not what its source says: every status from 400 to 599 put to `_should_retry`."""
    request = httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    return {status for status in range(400, 600)
            if client._should_retry(httpx2.Response(status, request=request))}


def test_the_statuses_the_lessons_say_the_sdk_retries_are_the_ones_it_retries(client):
    retried = retried_statuses(client)
    assert retried == {408, 409, 429, *range(500, 600)}, "the SDK changed: read every claim below again"
    for notebook, match in claims(r"(?:\b\d{3},? (?:and |or )?)+5xx"):  # any list of statuses up to 5xx
        named = {int(status) for status in re.findall(r"\d{3}", match.group(0))} | set(range(500, 600))
        assert named == retried, f"{notebook}: {match.group(0)!r}, the SDK retries 408, 409, 429 and 5xx"


def test_twice_by_default_is_the_sdks_default_number_of_retries():
    for notebook, match in claims(r"(?:retries|retried|retry) (?:them )?twice|by default \(`max_retries=(\d+)`\)"):
        said = int(match.group(1)) if match.group(1) else 2
        assert said == _constants.DEFAULT_MAX_RETRIES == openai.OpenAI(api_key="x").max_retries, (
            f"{notebook}: {match.group(0)!r}, the SDK's default is {_constants.DEFAULT_MAX_RETRIES}")


def test_the_default_timeouts_the_lessons_state_are_the_sdks():
    timeout = openai.OpenAI(api_key="x").timeout
    assert isinstance(timeout, httpx2.Timeout)
    for notebook, match in claims(r"(\d+) s to connect,? (?:and )?(\d+) s to read"):
        assert (float(match.group(1)), float(match.group(2))) == (timeout.connect, timeout.read), (
            f"{notebook}: {match.group(0)!r}, the SDK: connect {timeout.connect} s, read {timeout.read} s")
    for notebook, match in claims(r"default timeout is (\d+) minutes"):
        assert int(match.group(1)) * 60 == timeout.read, f"{notebook}: {match.group(0)!r}"


def test_the_constants_quoted_from_the_sdk_have_the_values_quoted():
    for notebook, match in claims(r"`([A-Z_]+) = ([0-9][0-9. *]*)`"):
        name, value = match.groups()
        assert eval(value) == getattr(_constants, name), (  # a product like `2 * 60`, as the source has it
            f"{notebook}: {match.group(0)!r}, openai/_constants.py now has {getattr(_constants, name)!r}")
    for notebook, match in claims(r"`max_connections=(\d+)`, `max_keepalive_connections=(\d+)`"):
        limits = _constants.DEFAULT_CONNECTION_LIMITS
        assert (int(match.group(1)), int(match.group(2))) == (
            limits.max_connections, limits.max_keepalive_connections), f"{notebook}: {match.group(0)!r}"


def backoff(client: openai.OpenAI, retries_taken: int, random_value: float,
            monkeypatch: pytest.MonkeyPatch, headers: dict[str, str] | None = None) -> float:
    """The SDK's wait before retry number `retries_taken + 1`, with its random draw fixed."""
    monkeypatch.setattr(_base_client, "random", lambda: random_value)
    options = openai._models.FinalRequestOptions.construct(method="post", url="/x", max_retries=10)
    return client._calculate_retry_timeout(10 - retries_taken, options,
                                           httpx2.Headers(headers) if headers else None)


def test_the_back_off_the_lessons_describe_is_the_sdks(client, monkeypatch):
    waits = [backoff(client, n, 0.0, monkeypatch) for n in range(6)]
    for notebook, match in claims(r"([\d.]+) s, 1 s, 2 s, \.\.\.,? (?:up to|at most) ([\d.]+) s"):
        first, cap = float(match.group(1)), float(match.group(2))
        assert waits == [min(first * 2**n, cap) for n in range(6)], f"{notebook}: {match.group(0)!r}: {waits}"
    for notebook, match in claims(r"([\d.]+) s \(`INITIAL_RETRY_DELAY`\)"):
        assert float(match.group(1)) == waits[0], f"{notebook}: {match.group(0)!r}"


def test_the_jitter_the_lessons_describe_is_the_sdks(client, monkeypatch):
    shortest = backoff(client, 0, 1.0, monkeypatch) / backoff(client, 0, 0.0, monkeypatch)
    for notebook, match in claims(r"shortened by up to (\d+) ?%"):
        assert shortest == pytest.approx(1 - int(match.group(1)) / 100), (
            f"{notebook}: {match.group(0)!r}, the SDK's shortest wait is {shortest:.0%} of the back-off")


def test_the_retry_after_cap_the_lessons_state_is_the_sdks(client, monkeypatch):
    cap = _constants.MAX_RETRY_AFTER_DELAY
    request = httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    for seconds, retried in ((cap, True), (cap + 1, False)):
        answer = httpx2.Response(429, headers={"retry-after": str(seconds)}, request=request)
        assert client._should_retry(answer) is retried
    assert backoff(client, 0, 0.0, monkeypatch, {"retry-after": str(cap)}) == cap
    for notebook, match in claims(r"`Retry-After` (?:of more than 0 and at most|over) (\d+) seconds"):
        assert int(match.group(1)) == cap, f"{notebook}: {match.group(0)!r}, the SDK's cap is {cap} s"


def test_the_x_stainless_headers_the_lessons_name_are_sent_by_the_sdk():
    with helpers.MockServer(tokens_per_second=0, set_environment=False) as server, \
            openai.OpenAI(base_url=server.base_url, api_key=server.api_key) as sdk:
        sdk.models.list()
        sent = {name.lower() for name, _ in server.last_exchange.request_headers}
    for notebook, match in claims(r"`(x-stainless-[a-z-]+)`"):
        assert match.group(1).lower() in sent, f"{notebook}: {match.group(1)} is not sent; sent: {sorted(sent)}"
