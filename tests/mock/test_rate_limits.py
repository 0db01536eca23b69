"""The switchable rate limiter, the latency setting and the connection count, as a client sees them:
429s in the real service's words, `Retry-After`, and `x-ratelimit-*` headers that tell one story.
The limiter's clock is a fake one that the tests move on, so no test sleeps."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request

import openai
import pytest
import requests

import helpers
from helpers.mock import __main__ as mock_cli
from helpers.mock import calls
from helpers.mock.rate_limits import duration, model_and_tokens
from tests.mock.support import CHAT_MODEL, chat_body, openai_error, wire_client_for

DOCS = "Visit https://platform.openai.com/account/rate-limits to learn more."


class FakeClock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def limited(start_server, clock: FakeClock, rpm: int = 5000, tpm: int = 2_000_000) -> helpers.MockServer:
    limit = helpers.RateLimit(requests_per_minute=rpm, tokens_per_minute=tpm, clock=clock)
    return start_server(rate_limit=limit)


def test_requests_over_the_rpm_limit_get_429_in_the_real_words(start_server, clock):
    wire = wire_client_for(limited(start_server, clock, rpm=3))
    assert [wire.post("/chat/completions", chat_body()).status for _ in range(3)] == [200, 200, 200]
    refused = wire.post("/chat/completions", chat_body())
    error = openai_error(refused, 429)
    assert error == {
        "message": f"Rate limit reached for {CHAT_MODEL} in organization org-mock on requests per min (RPM): "
                   f"Limit 3, Used 3, Requested 1. Please try again in 20s. {DOCS}",
        "type": "requests", "param": None, "code": "rate_limit_exceeded",
    }
    assert refused.headers["retry-after"] == "20"
    assert refused.headers["x-ratelimit-limit-requests"] == "3"
    assert refused.headers["x-ratelimit-remaining-requests"] == "0"
    assert refused.headers["x-ratelimit-reset-requests"] == "1m0s"


def test_each_200_counts_down_the_remaining_requests_and_tokens(start_server, clock):
    wire = wire_client_for(limited(start_server, clock, rpm=5, tpm=1000))
    cost = model_and_tokens({"messages": [{"content": "Say hello."}]})[1]
    seen = []
    for _ in range(3):
        headers = wire.post("/chat/completions", chat_body()).headers
        seen.append((headers["x-ratelimit-remaining-requests"], headers["x-ratelimit-reset-requests"],
                     headers["x-ratelimit-remaining-tokens"], headers["x-ratelimit-limit-tokens"]))
    # 5 requests a minute come back one every 12 s; each used token comes back in 60 ms
    assert seen == [(str(5 - n), duration(12 * n), str(1000 - n * cost), "1000") for n in (1, 2, 3)]
    assert duration(12 * 3) == "36s"


def test_a_200_and_a_429_tell_the_same_story(start_server, clock):
    wire = wire_client_for(limited(start_server, clock, rpm=2, tpm=1000))
    wire.post("/chat/completions", chat_body())
    last_ok = wire.post("/chat/completions", chat_body()).headers
    refused = wire.post("/chat/completions", chat_body()).headers
    names = [f"x-ratelimit-{part}-{kind}" for part in ("limit", "remaining", "reset")
             for kind in ("requests", "tokens")]
    assert {name: refused[name] for name in names} == {name: last_ok[name] for name in names}


def test_after_the_retry_after_wait_requests_pass_again(start_server, clock):
    wire = wire_client_for(limited(start_server, clock, rpm=3))
    for _ in range(3):
        wire.post("/chat/completions", chat_body())
    refused = wire.post("/chat/completions", chat_body())
    clock.advance(int(refused.headers["retry-after"]) - 0.5)
    assert wire.post("/chat/completions", chat_body()).status == 429  # not yet
    clock.advance(0.5)
    passed = wire.post("/chat/completions", chat_body())
    assert passed.status == 200
    assert passed.headers["x-ratelimit-remaining-requests"] == "0"


def test_tokens_over_the_tpm_limit_get_429_of_type_tokens(start_server, clock):
    wire = wire_client_for(limited(start_server, clock, tpm=100))
    body = chat_body(max_completion_tokens=60)
    cost = model_and_tokens(body)[1]
    assert wire.post("/chat/completions", body).status == 200
    refused = wire.post("/chat/completions", body)
    error = openai_error(refused, 429)
    wait = duration((cost - (100 - cost)) * 60 / 100)
    assert error["message"] == (
        f"Rate limit reached for {CHAT_MODEL} in organization org-mock on tokens per min (TPM): Limit 100, "
        f"Used {cost}, Requested {cost}. Please try again in {wait}. {DOCS}")
    assert (error["type"], error["code"]) == ("tokens", "rate_limit_exceeded")
    assert refused.headers["x-ratelimit-remaining-tokens"] == str(100 - cost)


def test_a_request_larger_than_a_minute_of_tokens_is_too_large_without_retry_after(start_server, clock):
    wire = wire_client_for(limited(start_server, clock, tpm=50))
    refused = wire.post("/chat/completions", chat_body(max_completion_tokens=100))
    error = openai_error(refused, 429)
    assert error["message"].startswith(f"Request too large for {CHAT_MODEL} in organization org-mock on "
                                       "tokens per min (TPM): Limit 50, Requested ")
    assert error["type"] == "tokens"
    assert "retry-after" not in refused.headers


def test_listing_models_does_not_count_against_the_limit(start_server, clock):
    wire = wire_client_for(limited(start_server, clock, rpm=1))
    wire.post("/chat/completions", chat_body())
    assert wire.get("/models").status == 200
    assert wire.post("/chat/completions", chat_body()).status == 429


def test_a_wrong_key_is_401_before_the_limiter_counts_it(start_server, clock):
    server = limited(start_server, clock, rpm=1)
    assert wire_client_for(server, api_key="sk-wrong-key-000000000000").post(
        "/chat/completions", chat_body()).status == 401
    assert wire_client_for(server).post("/chat/completions", chat_body()).status == 200


def test_the_sdk_retries_a_429_after_its_retry_after(start_server, clock, monkeypatch):
    server = limited(start_server, clock, rpm=1)
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # the SDK's wait moves the limiter's clock on instead
        slept.append(seconds)
        clock.advance(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=1) as client:
        client.chat.completions.create(model=CHAT_MODEL, messages=[{"role": "user", "content": "Hi"}])
        client.chat.completions.create(model=CHAT_MODEL, messages=[{"role": "user", "content": "Hi"}])
    assert slept == [60.0]
    assert [exchange.status for exchange in server.exchanges] == [200, 429, 200]


def test_no_rate_limit_means_the_generous_fixed_headers(server, wire):
    headers = wire.post("/chat/completions", chat_body()).headers
    assert (headers["x-ratelimit-limit-requests"], headers["x-ratelimit-remaining-requests"]) == ("5000", "4999")


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (0.012, "12ms"), (1, "1s"), (8.64, "8.64s"), (360, "6m0s"), (90.5, "1m30.5s"),
    (3723, "1h2m3s"),
])
def test_durations_are_written_as_the_real_headers_write_them(seconds, text):
    assert duration(seconds) == text


def test_a_rate_limit_below_one_is_a_value_error():
    with pytest.raises(ValueError, match="at least 1"):
        helpers.RateLimit(requests_per_minute=0)


# --- latency -------------------------------------------------------------------------------------

def test_latency_keeps_the_answer_waiting_at_least_that_long(start_server):
    wire = wire_client_for(start_server(latency_seconds=0.2))
    started = time.perf_counter()
    assert wire.post("/chat/completions", chat_body()).status == 200
    assert time.perf_counter() - started >= 0.2  # a lower bound, which no machine can beat


def test_stop_cuts_a_long_latency_short(start_server):
    server = start_server(latency_seconds=60)
    wire = wire_client_for(server)
    answered = threading.Event()

    def ask() -> None:
        try:
            wire.send("GET", "/models", None)
        except OSError:  # the connection closed by the stop (RemoteDisconnected): expected, not the thread's error
            pass
        finally:  # an answer or a closed connection: either way, the client is no longer kept waiting
            answered.set()

    threading.Thread(target=ask, daemon=True).start()
    while not server.exchanges and server.connections_opened == 0:
        time.sleep(0.01)  # until the request has reached the server
    server.stop()
    assert answered.wait(timeout=10)  # a liveness bound: far less than the 60 s latency


def test_negative_latency_is_a_value_error():
    with pytest.raises(ValueError, match="latency_seconds"):
        helpers.MockServer(latency_seconds=-1, set_environment=False)


# --- connections ---------------------------------------------------------------------------------

def test_a_session_reuses_one_connection_where_urllib_opens_one_per_request(start_server):
    server = start_server()
    headers = {"Authorization": f"Bearer {server.api_key}"}
    with requests.Session() as session:
        for _ in range(3):
            session.get(server.base_url + "/models", headers=headers).raise_for_status()
    assert server.connections_opened == 1
    for _ in range(3):
        request = urllib.request.Request(server.base_url + "/models", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    assert server.connections_opened == 4


@pytest.mark.parametrize("body", [
    b"", b"[]", b"not json", b"\xff\xfe", b'{"messages": 5}', b'{"messages": [1, "x", null]}',
    b'{"model": 7, "input": "hi", "max_output_tokens": true}', b'[' * 5000 + b']' * 5000,
])
def test_unreadable_bodies_are_still_4xx_with_the_limiter_on(start_server, clock, body):
    wire = wire_client_for(limited(start_server, clock, rpm=100))
    reply = wire.send("POST", "/chat/completions", body)
    assert 400 <= reply.status < 500, reply.body


# --- the command line ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["--latency", "-1"], ["--rpm", "0"], ["--tpm", "-5"]])
def test_the_command_line_refuses_a_negative_latency_or_a_limit_below_one(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        mock_cli.main(argv)
    assert stopped.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_rpm_alone_keeps_the_generous_tokens_per_minute():
    limit = mock_cli._rate_limit(30, None)
    assert (limit.requests_per_minute, limit.tokens_per_minute) == (30, helpers.RateLimit().tokens_per_minute)
    assert mock_cli._rate_limit(None, None) is None


@pytest.mark.parametrize("fault", [None, "429"])
def test_a_body_is_parsed_as_json_once_though_the_limiter_a_fault_and_the_handler_all_read_it(
        start_server, clock, monkeypatch, fault):
    parsed: list[bytes] = []
    parse = calls.parse_request_body
    monkeypatch.setattr(calls, "parse_request_body", lambda body: parsed.append(body) or parse(body))
    wire = wire_client_for(limited(start_server, clock))
    headers = {"X-Mock-Fault": fault} if fault else {}
    reply = wire.post("/chat/completions", chat_body(), headers=headers)
    assert reply.status == (429 if fault else 200)
    assert len(parsed) == 1


@pytest.mark.parametrize("path, body", [("/v1/chat/completions", chat_body()),
                                        ("/v1/responses", {"model": CHAT_MODEL, "input": "Hi"})])
def test_each_x_ratelimit_header_is_sent_once_with_or_without_a_limiter(start_server, clock, server, path, body):
    for answering in (server, limited(start_server, clock, rpm=7)):
        connection = http.client.HTTPConnection("127.0.0.1", answering.port, timeout=10)
        connection.request("POST", path, json.dumps(body), {"Authorization": f"Bearer {answering.api_key}"})
        reply = connection.getresponse()
        names = [name for name, _ in reply.getheaders() if name.startswith("x-ratelimit-")]
        assert reply.status == 200
        assert sorted(names) == sorted({f"x-ratelimit-{w}-{k}" for w in ("limit", "remaining", "reset")
                                        for k in ("requests", "tokens")})
        connection.close()
    assert reply.getheader("x-ratelimit-limit-requests") == "7"  # the limiter's count, not the generous one
