"""Faults a lesson switches on (429, 500, 503, a server too slow, a broken stream), clients that hang up,
and many clients at once. After each, the server must keep serving."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import urllib.request

import pytest
import requests

from tests.mock.support import chat_body, openai_error, wait_for, wire_client_for


def test_an_injected_429_carries_retry_after_and_rate_limit_headers(server, wire):
    server.inject_fault("429")
    reply = wire.post("/chat/completions", chat_body())
    error = openai_error(reply, 429)
    assert error["code"] == "rate_limit_exceeded"
    assert int(reply.headers["retry-after"]) > 0
    assert reply.headers["x-ratelimit-remaining-requests"] == "0"
    for name in ("limit-requests", "reset-requests", "limit-tokens", "remaining-tokens", "reset-tokens"):
        assert reply.headers[f"x-ratelimit-{name}"]


def test_the_429_and_the_200s_report_the_same_limits(server, wire):
    ok = wire.post("/chat/completions", chat_body())
    server.inject_fault("429")
    refused = wire.post("/chat/completions", chat_body())
    for name in ("limit-requests", "limit-tokens"):
        assert refused.headers[f"x-ratelimit-{name}"] == ok.headers[f"x-ratelimit-{name}"]
    limit = ok.headers["x-ratelimit-limit-requests"]
    assert f"Limit {limit}, Used {limit}, Requested 1" in refused.json()["error"]["message"]
    assert int(ok.headers["x-ratelimit-remaining-requests"]) == int(limit) - 1


def test_an_injected_fault_answers_only_the_next_requests(server, wire):
    server.inject_fault("503", times=2)
    statuses = [wire.post("/chat/completions", chat_body()).status for _ in range(3)]
    assert statuses == [503, 503, 200]


@pytest.mark.parametrize(("fault", "status", "error_type"), [
    ("500", 500, "server_error"),
    ("503", 503, "service_unavailable_error"),
])
def test_an_injected_server_error_has_openais_shape(server, wire, fault, status, error_type):
    server.inject_fault(fault)
    assert openai_error(wire.post("/chat/completions", chat_body()), status)["type"] == error_type


def test_faults_apply_to_the_models_endpoint_too(server, wire):
    server.inject_fault("500")
    openai_error(wire.get("/models"), 500)


def test_the_fault_header_fails_only_its_own_request(wire):
    openai_error(wire.post("/chat/completions", chat_body(), headers={"X-Mock-Fault": "503"}), 503)
    assert wire.post("/chat/completions", chat_body()).status == 200


def test_an_unknown_fault_header_is_a_400(wire):
    error = openai_error(wire.post("/chat/completions", chat_body(), headers={"X-Mock-Fault": "teapot"}), 400)
    assert "teapot" in error["message"]


def test_injecting_an_unknown_fault_from_python_is_a_value_error_listing_the_faults(server):
    with pytest.raises(ValueError, match="429, 500, 503, timeout, disconnect"):
        server.inject_fault("418")


def test_a_stream_broken_off_mid_way_is_an_error_for_the_client(server, wire):
    server.inject_fault("disconnect")
    received = []
    with (pytest.raises(requests.exceptions.ChunkedEncodingError),
          requests.post(f"{server.base_url}/chat/completions", json=chat_body(stream=True), stream=True, timeout=10,
                        headers={"Authorization": f"Bearer {server.api_key}"}) as response):
        assert response.status_code == 200
        for line in response.iter_lines():  # a loop, so the lines before the break are kept
            received.append(line)
    assert any(line.startswith(b"data: {") for line in received)
    assert b"data: [DONE]" not in received
    assert wire.post("/chat/completions", chat_body()).status == 200  # the next request is served


def test_a_plain_reply_broken_off_mid_way_is_an_incomplete_read(server, wire):
    server.inject_fault("disconnect")
    request = urllib.request.Request(f"{server.base_url}/chat/completions", data=json.dumps(chat_body()).encode(),
                                     headers={"Authorization": f"Bearer {server.api_key}"})
    with pytest.raises(http.client.IncompleteRead), urllib.request.urlopen(request, timeout=10) as response:
        response.read()
    assert wire.post("/chat/completions", chat_body()).status == 200


def test_the_timeout_fault_outlasts_a_client_timeout(start_server):
    server = start_server(hang_seconds=5)
    server.inject_fault("timeout")
    with pytest.raises(TimeoutError):
        wire_client_for(server).send("POST", "/chat/completions", json.dumps(chat_body()).encode(), timeout=0.3)
    assert wire_client_for(server).post("/chat/completions", chat_body()).status == 200


def test_a_patient_client_gets_its_answer_after_the_timeout_fault(start_server):
    server = start_server(hang_seconds=0.2)
    server.inject_fault("timeout")
    reply = wire_client_for(server).post("/chat/completions", chat_body())
    assert reply.status == 200 and reply.json()["choices"][0]["message"]["content"]


def test_a_client_hanging_up_mid_stream_leaves_the_server_serving(start_server):
    server = start_server(tokens_per_second=100)  # paced, so the stream is still going when the client leaves
    payload = json.dumps(chat_body(stream=True)).encode()
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {server.api_key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(head.encode() + payload)
        assert connection.recv(100).startswith(b"HTTP/1.1 200 OK")
    assert wire_client_for(server).post("/chat/completions", chat_body()).status == 200
    assert wait_for(lambda: any(exchange.broken_off for exchange in server.exchanges))
    [hung_up] = [exchange for exchange in server.exchanges if exchange.broken_off]
    assert "data: [DONE]" not in hung_up.frames


def test_48_clients_at_once_each_get_their_own_reply(server):
    """Half plain, half streamed, all released together: every reply must answer its own prompt."""
    count = 48
    start = threading.Barrier(count)
    answers: dict[int, tuple[str, str]] = {}

    def client(number: int) -> None:
        prompt = f"Question number {number}?"
        start.wait()
        response = requests.post(f"{server.base_url}/chat/completions", json=chat_body(prompt, stream=number % 2 == 1),
                                 headers={"Authorization": f"Bearer {server.api_key}"}, timeout=30)
        if number % 2:
            chunks = [json.loads(line[6:]) for line in response.iter_lines() if line and line != b"data: [DONE]"]
            answers[number] = (chunks[0]["id"], "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks))
        else:
            reply = response.json()
            answers[number] = (reply["id"], reply["choices"][0]["message"]["content"])

    threads = [threading.Thread(target=client, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == list(range(count))
    assert all(f"Question number {number}?" in text for number, (_, text) in answers.items())
    assert len({completion_id for completion_id, _ in answers.values()}) == count


def _send_raw(server, payload: bytes) -> socket.socket:
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {server.api_key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n")
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    connection.sendall(head.encode() + payload)
    return connection


def test_the_disconnect_fault_sends_the_first_event_before_the_rest_is_generated(start_server):
    """At one token a second the whole stream takes half a minute; the first event must not wait for it."""
    server = start_server(tokens_per_second=1)
    server.inject_fault("disconnect")
    with _send_raw(server, json.dumps(chat_body(stream=True)).encode()) as connection:
        connection.settimeout(3)  # a bound on waiting, not a speed test: a buffered stream needs 30 s
        received = b""
        while b"data: " not in received:
            received += connection.recv(65536)
    assert received.startswith(b"HTTP/1.1 200 OK")


def test_the_disconnect_fault_cuts_a_stream_half_way_through_its_events(server):
    whole = requests.post(f"{server.base_url}/chat/completions", json=chat_body(stream=True), timeout=10,
                          headers={"Authorization": f"Bearer {server.api_key}"}).text.count("data: ")
    server.inject_fault("disconnect")
    with _send_raw(server, json.dumps(chat_body(stream=True)).encode()) as connection:
        received = b""
        while data := connection.recv(65536):
            received += data
    assert received.count(b"data: ") == whole // 2
    assert b"data: [DONE]" not in received and not received.endswith(b"0\r\n\r\n")
    assert server.last_exchange.broken_off


def test_the_buffered_fault_sends_nothing_until_the_whole_stream_is_ready(start_server):
    """At one token a second, a held-back stream shows no event after a second; the whole reply comes later."""
    server = start_server(tokens_per_second=1)
    server.inject_fault("buffered")
    with _send_raw(server, json.dumps(chat_body(stream=True)).encode()) as connection:
        connection.settimeout(1)  # a bound on waiting: a live stream sends its first event at once
        received = b""
        with pytest.raises(TimeoutError):
            while b"data: " not in received:
                received += connection.recv(65536)
    assert b"data: " not in received


def test_a_buffered_stream_is_complete_when_it_comes(server):
    server.inject_fault("buffered")
    reply = requests.post(f"{server.base_url}/chat/completions", json=chat_body(stream=True), timeout=10,
                          headers={"Authorization": f"Bearer {server.api_key}"})
    assert reply.status_code == 200 and reply.text.rstrip().endswith("data: [DONE]")


def test_the_html_fault_answers_200_with_a_page_instead_of_json(server, wire):
    server.inject_fault("html")
    reply = wire.post("/chat/completions", chat_body())
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    assert reply.body.startswith(b"<!DOCTYPE html>")
    with pytest.raises(ValueError):
        json.loads(reply.body)
