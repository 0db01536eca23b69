"""Bad input never gets a 5xx, and credentials never reach the record or the log: bodies that are not
JSON as the real service reads it, any nesting depth, every tool type streamed, keys in odd places."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.display import format_exchange
from helpers.mock.__main__ import is_loopback
from tests.mock.support import chat_body, openai_error
from tests.mock.test_hardening_http import RawClient, statuses

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VALID = json.dumps(chat_body())


@pytest.mark.parametrize("raw", [
    VALID[:-1].encode() + b', "temperature": NaN}',
    VALID[:-1].encode() + b', "temperature": Infinity}',
    VALID[:-1].encode() + b', "temperature": -Infinity}',
    VALID[:-1].encode() + b', "temperature": 1e400}',  # too large for a double
    b"\xef\xbb\xbf" + VALID.encode(),  # a UTF-8 byte order mark
    VALID.encode("utf-16"),
    VALID.encode("utf-32"),
], ids=["NaN", "Infinity", "-Infinity", "1e400", "BOM", "UTF-16", "UTF-32"])
def test_what_is_not_json_to_the_real_service_is_a_400(wire, raw):
    error = openai_error(wire.send("POST", "/chat/completions", raw), 400)
    assert error["message"].startswith("We could not parse the JSON body of your request.")


@pytest.mark.parametrize("seed, code", [(10**4000, "integer_above_max_value"), (2**63, "integer_above_max_value"),
                                        (-(2**63) - 1, "integer_below_min_value")])
def test_a_seed_beyond_64_bits_is_a_400(wire, seed, code):
    error = openai_error(wire.post("/chat/completions", chat_body(seed=seed)), 400)
    assert (error["param"], error["code"]) == ("seed", code)


def test_a_seed_at_the_64_bit_limit_is_accepted(wire):
    assert wire.post("/chat/completions", chat_body(seed=2**63 - 1)).status == 200


def _nested_parameters(depth: int) -> bytes:
    return b'{"type": "object", "properties": {"a": ' * depth + b'{"type": "string"}' + b"}}" * depth


@pytest.mark.parametrize("depth", [100, 975, 5_000, 100_000])
@pytest.mark.parametrize("fault", [None, "429", "disconnect"])
def test_any_nesting_depth_gets_a_4xx_never_a_5xx(wire, depth, fault):
    tool = b'{"type": "function", "function": {"name": "f", "parameters": ' + _nested_parameters(depth) + b"}}"
    raw = VALID[:-1].encode() + b', "tools": [' + tool + b"]}"
    reply = wire.send("POST", "/chat/completions", raw, {"X-Mock-Fault": fault} if fault else {})
    assert 400 <= reply.status < 500, reply.body[:200]
    openai_error(reply, reply.status)


def test_a_schema_nested_as_deep_as_real_ones_is_still_answered(wire):
    raw = VALID[:-1].encode() + b', "tools": [{"type": "function", "function": {"name": "f", "parameters": '
    raw += _nested_parameters(30) + b"}}]}"
    assert wire.send("POST", "/chat/completions", raw).status == 200


@pytest.mark.parametrize("fault", [None, "disconnect"])
def test_a_streamed_request_with_a_custom_tool_is_a_valid_stream_or_a_clean_cut(wire, fault):
    body = chat_body("Run the shell.", stream=True, tools=[{"type": "custom", "custom": {"name": "shell"}}])
    try:
        received = wire.post("/chat/completions", body, {"X-Mock-Fault": fault} if fault else {}).body
    except http.client.IncompleteRead as cut:  # the disconnect fault: what came before the cut
        assert fault == "disconnect"
        received = cut.partial
    events = [line for line in received.decode().split("\n") if line.startswith("data: ")]
    assert len(events) > 2  # more than the role chunk: the call itself streams
    assert (events[-1] == "data: [DONE]") == (fault is None)


def test_a_custom_tool_without_streaming_is_still_called(wire):
    body = chat_body("Run the shell.", tools=[{"type": "custom", "custom": {"name": "shell"}}])
    reply = wire.post("/chat/completions", body).json()
    assert reply["choices"][0]["message"]["tool_calls"][0]["type"] == "custom"


# --- secrets and the log ----------------------------------------------------------------------------------

def test_a_key_in_the_query_string_is_redacted_in_the_record(server):
    request = b"GET /v1/models?api_key=sk-leaked-1234&limit=2 HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n"
    RawClient(server.port).send(request).read_until_closed()
    line = server.last_exchange.request_line
    assert "sk-leaked" not in line
    assert line == "GET /v1/models?api_key=[redacted]&limit=2 HTTP/1.1"


@pytest.mark.parametrize("name", ["Cookie", "Proxy-Authorization", "X-Auth-Token", "X-Goog-Api-Key"])
def test_credential_headers_are_redacted_in_the_record(server, name):
    request = f"GET /v1/models HTTP/1.1\r\nHost: mock\r\n{name}: sk-leaked-1234\r\nConnection: close\r\n\r\n"
    RawClient(server.port).send(request.encode()).read_until_closed()
    assert "sk-leaked" not in format_exchange(server.last_exchange)


def test_the_verbose_log_redacts_query_keys_and_escapes_control_characters(start_server, capsys):
    server = start_server(verbose=True)
    request = b"GET /v1/models?key=sk-leaked\x1b[2J\r HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n"
    RawClient(server.port).send(request).read_until_closed()
    logged = capsys.readouterr().out
    assert "sk-leaked" not in logged
    assert "\x1b" not in logged and "\r" not in logged
    assert "key=[redacted]" in logged


def test_control_characters_in_the_target_are_escaped_in_the_log(start_server, capsys):
    server = start_server(verbose=True)
    request = b"GET /v1/models\x1b[31mFAKE\x07 HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n"
    received = RawClient(server.port).send(request).read_until_closed()
    assert statuses(received) == [404]
    logged = capsys.readouterr().out
    assert "\\x1b[31mFAKE\\x07" in logged and "\x1b" not in logged


def test_a_host_off_loopback_with_the_public_key_is_refused():
    command = [sys.executable, "-m", "helpers.mock", "--host", "0.0.0.0", "--port", "0"]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=20)
    assert result.returncode == 2
    assert "--api-key" in result.stderr and "sk-mock-llm-calls" in result.stderr


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                            ("localhost", True), ("0.0.0.0", False), ("::", False),
                                            ("192.168.1.10", False)])
def test_only_loopback_hosts_count_as_loopback(host, loopback):
    assert is_loopback(host) is loopback
