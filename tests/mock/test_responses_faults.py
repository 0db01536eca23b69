"""Faults, many clients and hang-ups on /v1/responses, as on chat: 429, 500 and 503 in OpenAI's shape,
a stream cut half-way, a client that leaves mid-stream, and 24 clients at once each getting their own reply."""

from __future__ import annotations

import json
import socket
import threading

import openai
import pytest
import requests

from helpers.display import format_exchange
from tests.mock.support import PLAIN_MODEL, openai_error, responses_body, wait_for, wire_client_for


@pytest.mark.parametrize(("fault", "status", "error_type"), [
    ("429", 429, "requests"), ("500", 500, "server_error"), ("503", 503, "service_unavailable_error"),
])
def test_an_injected_fault_answers_a_response_in_openais_shape(server, wire, fault, status, error_type):
    server.inject_fault(fault)
    reply = wire.post("/responses", responses_body())
    assert openai_error(reply, status)["type"] == error_type
    assert wire.post("/responses", responses_body()).status == 200


def test_a_429_names_the_model_and_says_when_to_retry(server, wire):
    server.inject_fault("429")
    reply = wire.post("/responses", responses_body())
    assert reply.headers["retry-after"] == "1"
    assert f"Rate limit reached for {PLAIN_MODEL}" in openai_error(reply, 429)["message"]


def test_the_sdk_retries_a_503_and_gets_the_response(server):
    server.inject_fault("503")
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=1) as client:
        response = client.with_options(timeout=10).responses.create(model=PLAIN_MODEL, input="Say hello.")
    assert response.status == "completed"


def send_raw(server, payload: dict) -> socket.socket:
    body = json.dumps(payload).encode()
    head = (f"POST /v1/responses HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {server.api_key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    connection.sendall(head.encode() + body)
    return connection


def test_the_disconnect_fault_cuts_a_typed_stream_half_way(server):
    whole = requests.post(f"{server.base_url}/responses", json=responses_body(stream=True), timeout=10,
                          headers={"Authorization": f"Bearer {server.api_key}"}).text.count("event: ")
    server.inject_fault("disconnect")
    with send_raw(server, responses_body(stream=True)) as connection:
        received = b""
        while data := connection.recv(65536):
            received += data
    assert received.count(b"event: ") == whole // 2
    assert b"response.completed" not in received and not received.endswith(b"0\r\n\r\n")
    assert server.last_exchange.broken_off


def test_the_sdk_raises_when_a_typed_stream_is_cut(server):
    server.inject_fault("disconnect")
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client:
        stream = client.responses.create(model=PLAIN_MODEL, input="Say hello.", stream=True)
        seen = []
        with pytest.raises(openai.APIConnectionError):
            for event in stream:  # a loop, so the events before the cut are kept
                seen.append(event.type)
    assert seen[0] == "response.created" and "response.completed" not in seen


def test_a_client_hanging_up_mid_stream_leaves_the_server_serving(start_server):
    server = start_server(tokens_per_second=100)  # paced, so the stream is still going when the client leaves
    with send_raw(server, responses_body(stream=True)) as connection:
        assert connection.recv(100).startswith(b"HTTP/1.1 200 OK")
    assert wire_client_for(server).post("/responses", responses_body()).status == 200
    assert wait_for(lambda: any(exchange.broken_off for exchange in server.exchanges))
    [hung_up] = [exchange for exchange in server.exchanges if exchange.broken_off]
    assert not any("response.completed" in frame for frame in hung_up.frames)


def test_24_clients_at_once_each_get_their_own_response(server):
    """Half plain, half streamed, all released together: every reply must answer its own prompt."""
    count = 24
    start = threading.Barrier(count)
    answers: dict[int, tuple[str, str]] = {}

    def client(number: int) -> None:
        start.wait()
        response = requests.post(f"{server.base_url}/responses", timeout=30,
                                 json=responses_body(f"Question number {number}?", stream=number % 2 == 1),
                                 headers={"Authorization": f"Bearer {server.api_key}"})
        if number % 2:
            events = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith(b"data: ")]
            final = events[-1]["response"]
            text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
        else:
            final = response.json()
            text = final["output"][0]["content"][0]["text"]
        answers[number] = (final["id"], text)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == list(range(count))
    assert all(f"Question number {number}?" in text for number, (_, text) in answers.items())
    assert len({response_id for response_id, _ in answers.values()}) == count


def test_show_exchange_shows_event_and_data_lines_of_a_typed_stream(server):
    requests.post(f"{server.base_url}/responses", json=responses_body(stream=True), timeout=10,
                  headers={"Authorization": f"Bearer {server.api_key}"})
    shown = format_exchange(server.last_exchange)
    assert "POST /v1/responses" in shown
    assert "event: response.created\ndata: {" in shown
    assert shown.rstrip().splitlines()[-2:] == ["event: response.completed",
                                                shown.rstrip().splitlines()[-1]]
    assert server.api_key not in shown
