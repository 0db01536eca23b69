"""Record once, replay in class: the mock as a recording proxy to a stand-in provider (a second mock server,
since no real provider is reachable from the tests), and as a player of what it recorded."""

from __future__ import annotations

import gzip
import http.server
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
import requests

import helpers
from helpers.mock.recording import Upstream
from helpers.mock.recording.cassette import CassetteError, read_cassette
from tests.mock.support import chat_body, responses_body, wait_for

PLANTED_KEY = "sk-planted-upstream-secret-0123456789"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def provider(start_server, monkeypatch) -> helpers.MockServer:
    """The stand-in provider: a mock with a key of its own, which the recorder must read from OPENAI_API_KEY."""
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    return start_server(api_key=PLANTED_KEY)


@pytest.fixture
def cassette(tmp_path) -> Path:
    return tmp_path / "class.jsonl"


@pytest.fixture
def recorder(start_server, provider, cassette) -> helpers.MockServer:
    return start_server(record=cassette, upstream=provider.base_url)


def post(server: helpers.MockServer, path: str, body: dict, **headers: str) -> requests.Response:
    return requests.post(f"{server.base_url}{path}", json=body, timeout=10,
                         headers={"Authorization": f"Bearer {server.api_key}", **headers})


SESSION = [  # what a lesson sends: plain and streamed, both APIs, and an error
    ("/chat/completions", chat_body("Say hi.")),
    ("/chat/completions", chat_body("Stream a little.", stream=True)),
    ("/responses", responses_body("Say hello.")),
    ("/responses", responses_body("Stream a response.", stream=True)),
    ("/chat/completions", chat_body("Hi.", model="gpt-nonexistent")),
]


def openai_error(reply: requests.Response, status: int) -> dict:
    """The `error` object of an error reply in OpenAI's shape, after checking its status."""
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert list(body) == ["error"] and set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


def seen(reply: requests.Response) -> tuple[int, str, bytes]:
    return reply.status_code, reply.headers.get("content-type", ""), reply.content


def test_a_replayed_session_is_byte_for_byte_what_the_recording_passed_on(recorder, start_server, cassette):
    recorded = [seen(post(recorder, path, body)) for path, body in SESSION]
    player = start_server(replay=cassette)
    replayed = [seen(post(player, path, body)) for path, body in SESSION]
    assert replayed == recorded
    assert [status for status, _, _ in recorded] == [200, 200, 200, 200, 404]
    assert b"data: [DONE]" in recorded[1][2] and b"event: response.completed" in recorded[3][2]


def test_the_provider_answer_passes_through_with_its_own_request_id(recorder, provider):
    reply = post(recorder, "/chat/completions", chat_body())
    provider_headers = dict(provider.last_exchange.response_headers)
    assert reply.headers["x-request-id"] == provider_headers["x-request-id"]
    assert reply.headers["x-ratelimit-remaining-requests"] == provider_headers["x-ratelimit-remaining-requests"]
    assert reply.json()["object"] == "chat.completion"


def test_the_sdk_replays_unchanged(recorder, start_server, cassette):
    with openai.OpenAI(base_url=recorder.base_url, api_key=recorder.api_key, max_retries=0) as client:
        first = client.chat.completions.create(**chat_body("Say hi."))
        streamed = "".join(chunk.choices[0].delta.content or "" for chunk in
                           client.chat.completions.create(**chat_body("Stream.", stream=True)) if chunk.choices)
    # The SDK stops reading at `data: [DONE]` and closes; the recorder writes the stream to the cassette when
    # the provider's stream ends, a moment later (seen late in a long serial run: the player lacked it).
    assert wait_for(lambda: len(cassette.read_text().splitlines()) == 2)
    player = start_server(replay=cassette)
    with openai.OpenAI(base_url=player.base_url, api_key=player.api_key, max_retries=0) as client:
        again = client.chat.completions.create(**chat_body("Say hi."))
        restreamed = "".join(chunk.choices[0].delta.content or "" for chunk in
                             client.chat.completions.create(**chat_body("Stream.", stream=True)) if chunk.choices)
    assert again.model_dump() == first.model_dump() and restreamed == streamed != ""


def test_no_credential_reaches_the_cassette(recorder, cassette):
    post(recorder, "/chat/completions?api_key=sk-in-the-query-string-1234", chat_body(),
         **{"OpenAI-Organization": "org-planted-organisation", "OpenAI-Project": "proj_planted_project",
            "Cookie": "session=planted-cookie"})
    post(recorder, "/chat/completions", chat_body(stream=True))
    text = cassette.read_text()
    for secret in (PLANTED_KEY, recorder.api_key, "sk-in-the-query-string-1234", "org-planted-organisation",
                   "proj_planted_project", "planted-cookie"):
        assert secret not in text
    assert "api_key=[redacted]" in text


def test_the_recorder_uses_the_key_the_environment_had_before_a_mock_claimed_it(provider, cassette):
    with helpers.MockServer(tokens_per_second=0) as lesson_mock:  # points OPENAI_API_KEY at itself
        assert lesson_mock.api_key != PLANTED_KEY
        with helpers.MockServer(tokens_per_second=0, set_environment=False, record=cassette,
                                upstream=provider.base_url) as recorder:
            assert post(recorder, "/chat/completions", chat_body()).status_code == 200  # the provider took the key


def test_a_request_that_matches_nothing_names_the_nearest_and_the_field(recorder, start_server, cassette):
    post(recorder, "/chat/completions", chat_body("Say hi."))
    player = start_server(replay=cassette)
    reply = post(player, "/chat/completions", chat_body("Say hello."))
    error = openai_error(reply, 400)
    assert error["code"] == "no_recorded_answer" and error["param"] == "messages[0].content"
    assert "line 1" in error["message"]


def test_key_order_whitespace_and_ignored_fields_do_not_decide_a_match(recorder, start_server, cassette):
    post(recorder, "/chat/completions", chat_body("Say hi.", user="first-user"))
    player = start_server(replay=cassette)
    body = json.dumps(dict(reversed(list(chat_body("Say hi.", user="another-user").items()))), indent=3)
    reply = requests.post(f"{player.base_url}/chat/completions", data=body, timeout=10,
                          headers={"Authorization": f"Bearer {player.api_key}", "Content-Type": "application/json"})
    assert reply.status_code == 200


def test_identical_requests_replay_in_their_recorded_order(recorder, provider, start_server, cassette):
    for text in ("first", "second"):
        provider.script_reply(text)
        post(recorder, "/chat/completions", chat_body("Again?"))
    player = start_server(replay=cassette)
    answers = [post(player, "/chat/completions", chat_body("Again?")).json()["choices"][0]["message"]["content"]
               for _ in range(3)]
    assert answers == ["first", "second", "second"]  # then the last one again, as a finished job keeps answering


def test_a_fault_of_the_provider_is_recorded_and_replayed(recorder, provider, start_server, cassette):
    provider.inject_fault("500")
    assert post(recorder, "/chat/completions", chat_body()).status_code == 500
    player = start_server(replay=cassette)
    assert openai_error(post(player, "/chat/completions", chat_body()), 500)["type"] == "server_error"


def test_the_wire_record_and_faults_work_on_replayed_answers(recorder, start_server, cassette):
    post(recorder, "/chat/completions", chat_body())
    player = start_server(replay=cassette)
    player.inject_fault("503")
    assert post(player, "/chat/completions", chat_body()).status_code == 503
    assert post(player, "/chat/completions", chat_body()).status_code == 200
    assert player.last_exchange.status == 200


def test_a_stream_is_passed_on_as_it_arrives_not_after_it_ends(start_server, provider, cassette):
    provider.tokens_per_second = 40  # about 1.5 s for the whole answer
    recorder = start_server(record=cassette, upstream=provider.base_url)
    started = time.monotonic()
    with post_stream(recorder, chat_body("A paced stream.", stream=True)) as reply:
        lines = reply.iter_lines()
        next(line for line in lines if line.startswith(b"data: "))
        first = time.monotonic() - started
        for _ in lines:
            pass
    total = time.monotonic() - started
    assert first < total / 3, (first, total)
    offsets = [at for at, _ in read_cassette(cassette)[0].events]
    assert offsets == sorted(offsets) and offsets[-1] - offsets[0] > 500  # the timing is kept, in ms


def post_stream(server: helpers.MockServer, body: dict) -> requests.Response:
    return requests.post(f"{server.base_url}/chat/completions", json=body, timeout=10, stream=True,
                         headers={"Authorization": f"Bearer {server.api_key}"})


def test_each_exchange_is_on_disk_as_soon_as_it_ends(recorder, cassette):
    post(recorder, "/chat/completions", chat_body("one"))
    assert len(cassette.read_text().splitlines()) == 1
    post(recorder, "/chat/completions", chat_body("two", stream=True))
    assert len(cassette.read_text().splitlines()) == 2


def test_an_https_provider_is_recorded_when_its_certificate_is_trusted(start_server, monkeypatch, cassette):
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    tls_provider = start_server(api_key=PLANTED_KEY, tls=True)
    trusted = Upstream(tls_provider.base_url, cafile=tls_provider.certificate_path)
    recorder = start_server(record=cassette, upstream=trusted)
    assert post(recorder, "/chat/completions", chat_body()).status_code == 200
    untrusting = start_server(record=cassette, upstream=tls_provider.base_url)
    error = openai_error(post(untrusting, "/chat/completions", chat_body()), 502)
    assert error["type"] == "upstream_error" and "CERTIFICATE_VERIFY_FAILED" in error["message"]


class _GzipProvider(http.server.BaseHTTPRequestHandler):
    """A provider that compresses what it sends, chunked, as real ones do; its answers are fixed."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        streamed = self.path.startswith("/v1/stream/")  # the test's way to ask this provider for a stream
        body = (b'data: {"n": 1}\n\ndata: {"n": 2}\n\ndata: [DONE]\n\n' if streamed
                else b'{"object": "chat.completion", "id": "chatcmpl-gz"}')
        packed = gzip.compress(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream" if streamed else "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for start in range(0, len(packed), 7):  # small chunks, so a gzip member spans several of them
            part = packed[start:start + 7]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gzip_provider(monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _GzipProvider)
    server.protocol_version = "HTTP/1.1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_a_gzipped_chunked_provider_is_passed_on_and_recorded_decoded(start_server, gzip_provider, cassette):
    recorder = start_server(record=cassette, upstream=gzip_provider)
    assert post(recorder, "/chat/completions", chat_body()).json()["id"] == "chatcmpl-gz"
    reply = post(recorder, "/stream/chat/completions", chat_body(stream=True))
    assert reply.content == b'data: {"n": 1}\n\ndata: {"n": 2}\n\ndata: [DONE]\n\n'
    first, streamed = read_cassette(cassette)
    assert first.body == b'{"object": "chat.completion", "id": "chatcmpl-gz"}'
    assert [event for _, event in streamed.events or []] == [b'data: {"n": 1}\n\n', b'data: {"n": 2}\n\n',
                                                             b"data: [DONE]\n\n"]


def test_a_provider_that_is_down_is_a_502_in_openai_shape_and_recorded_as_such(start_server, monkeypatch,
                                                                                cassette):
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # closed again at once: nothing listens there
    recorder = start_server(record=cassette, upstream=f"http://127.0.0.1:{port}/v1")
    error = openai_error(post(recorder, "/chat/completions", chat_body()), 502)
    assert error["type"] == "upstream_error" and error["code"] == "bad_gateway"
    assert read_cassette(cassette)[0].status == 502


def test_a_slow_provider_is_a_504(start_server, provider, cassette):
    recorder = start_server(record=cassette, upstream=Upstream(provider.base_url, timeout=0.3))
    provider.inject_fault("timeout")  # the provider says nothing; the recorder gives up after 0.3 s
    started = time.monotonic()
    error = openai_error(post(recorder, "/chat/completions", chat_body()), 504)
    assert error["code"] == "gateway_timeout" and time.monotonic() - started < 5


def test_a_provider_that_answers_garbage_is_a_502(start_server, monkeypatch, cassette):
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_garbage() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"this is not HTTP at all\r\n\r\n")

    threading.Thread(target=answer_garbage, daemon=True).start()
    recorder = start_server(record=cassette, upstream=f"http://127.0.0.1:{listener.getsockname()[1]}/v1")
    error = openai_error(post(recorder, "/chat/completions", chat_body()), 502)
    assert "did not answer in HTTP" in error["message"]
    listener.close()


def test_websocket_upgrades_and_webhooks_are_refused_while_recording(recorder):
    upgrade = requests.get(f"{recorder.base_url}/responses", timeout=10, headers={
        "Authorization": f"Bearer {recorder.api_key}", "Connection": "Upgrade", "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert openai_error(upgrade, 400)["code"] == "not_recordable"
    webhook = post(recorder, "/webhook_endpoints", {"url": "http://127.0.0.1:9/hook"})
    assert "webhook" in openai_error(webhook, 400)["message"]


@pytest.mark.parametrize(("line", "problem"), [
    ('{"method": "POST", "path": "/v1/chat/completions", "status": 200, "body": "{}"', "not JSON"),
    ('["a", "list"]', "must be a JSON object"),
    ('{"method": "POST", "status": 200}', "no 'path' field"),
    ('{"method": "POST", "path": "/v1/x", "status": "200"}', "status a number"),
])
def test_a_bad_cassette_is_refused_naming_its_line(tmp_path, line, problem):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"method": "GET", "path": "/v1/models", "status": 200, "headers": {}, "body": "{}"}\n'
                    + line + "\n")
    with pytest.raises(CassetteError, match=f"line 2: .*{problem}"):
        helpers.MockServer(replay=path, set_environment=False)


def test_the_command_line_refuses_a_bad_cassette_with_its_line(tmp_path):
    path = tmp_path / "cut.jsonl"
    path.write_text('{"method": "GET", "path": "/v1/mod')
    result = subprocess.run([sys.executable, "-m", "helpers.mock", "--replay", str(path), "--port", "0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "line 1: not JSON" in result.stderr


def test_the_command_line_takes_no_key_for_recording(tmp_path):
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "helpers.mock", "--record", str(tmp_path / "c.jsonl"),
                             "--upstream", "https://api.openai.com/v1", "--port", "0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=30, env=environment)
    assert result.returncode == 2 and "OPENAI_API_KEY" in result.stderr


def test_bytes_that_are_not_text_travel_as_base64(tmp_path):
    from helpers.mock.recording.cassette import Recorded

    original = Recorded("GET", "/v1/files/file-1/content", None, 200, {"content-type": "image/png"},
                        b"\x89PNG\r\n\x1a\n\x00\xff")
    path = tmp_path / "binary.jsonl"
    path.write_text(original.to_line())
    assert "body_base64" in path.read_text()
    assert read_cassette(path)[0].body == original.body


def test_the_drift_check_finds_nothing_against_a_provider_that_answers_as_the_mock_does(provider, tmp_path):
    from helpers.mock.recording import drift

    found = drift.check(provider.base_url, "gpt-5.4-mini", cassette=tmp_path / "same.jsonl")
    assert found and all(lines == [] for lines in found.values()), found
    assert len(read_cassette(tmp_path / "same.jsonl")) == len(drift.session("gpt-5.4-mini"))


def test_the_drift_check_names_what_a_different_provider_does(start_server, monkeypatch, tmp_path):
    from helpers.mock.recording import drift

    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    plain = start_server(profile="minimal")  # no OpenAI headers, a plainer error, no /v1/responses
    found = drift.check(plain.base_url, "gpt-5.4-mini", cassette=tmp_path / "plain.jsonl")
    assert "header x-request-id: only the mock sends it" in found["chat, plain"]
    assert any(line.startswith("status: the real API 404") for line in found["responses, plain"])
    assert found["an error: an unknown model"] != []


def test_the_drift_check_refuses_to_run_without_a_key():
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "helpers.mock.recording.drift"], cwd=ROOT, capture_output=True,
                            text=True, timeout=30, env=environment)
    assert result.returncode == 2 and "OPENAI_API_KEY" in result.stderr


def test_shapes_compare_names_types_and_order_not_values():
    from helpers.mock.recording.drift import differences, shape

    real = shape({"id": "a", "usage": {"total": 3}, "note": None, "list": [1]})
    assert differences(real, shape({"id": "b", "usage": {"total": 9}, "note": "x", "list": [2]})) == []
    assert differences(real, shape({"usage": {"total": 1}, "id": "a", "note": None, "list": [1]})) == [
        "body: the fields come in another order"]
    assert differences(real, shape({"id": 1, "usage": {}, "note": None, "list": ["s"]})) == [
        "body.id: the real API sends string, the mock number", "body.usage.total: only the real API sends it",
        "body.list[0]: the real API sends number, the mock string"]



def test_a_replaying_mock_answers_a_websocket_with_its_own_and_a_recording_of_itself_keeps_none(start_server,
                                                                                               tmp_path):
    from tests.mock.websocket_support import handshake_request

    cassette = tmp_path / "own.jsonl"
    own = start_server(record=cassette)
    post(own, "/chat/completions", chat_body())
    request, _ = handshake_request(own.port, Authorization=f"Bearer {own.api_key}")
    with socket.create_connection(("127.0.0.1", own.port), timeout=10) as sock:
        sock.sendall(request)
        assert sock.recv(65_536).startswith(b"HTTP/1.1 101 ")
    own.stop()
    assert [entry.path for entry in read_cassette(cassette)] == ["/v1/chat/completions"]  # no 101 kept
    player = start_server(replay=cassette)
    request, _ = handshake_request(player.port, Authorization=f"Bearer {player.api_key}")
    with socket.create_connection(("127.0.0.1", player.port), timeout=10) as sock:
        sock.sendall(request)
        assert sock.recv(65_536).startswith(b"HTTP/1.1 101 ")  # the mock's own WebSocket, not a 400
