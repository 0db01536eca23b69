"""The mock's HTTP layer against a hostile client, over raw sockets on loopback: framing read strictly
(no request smuggling), limits answered with the right status, and deadlines on every wait."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.mock import MOCK_API_KEY, Limits

AUTH = f"Authorization: Bearer {MOCK_API_KEY}\r\n".encode()
CONTENT_LENGTH = re.compile(rb"^content-length: (\d+)", re.MULTILINE | re.IGNORECASE)


class RawClient:
    """Writes bytes exactly as given, reads what comes back; every read has a deadline."""

    def __init__(self, port: int, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def send(self, data: bytes) -> RawClient:
        self.sock.sendall(data)
        return self

    def read_until_closed(self) -> bytes:
        """Everything the server sends until it closes the connection (socket.timeout if it never does)."""
        received = b""
        while chunk := self.sock.recv(65_536):
            received += chunk
        return received

    def read_some(self) -> bytes:
        return self.sock.recv(65_536)

    def close(self) -> None:
        self.sock.close()


def statuses(data: bytes) -> list[int]:
    """The status of every response in what a connection received, each read past by its framing."""
    found = []
    while data.startswith(b"HTTP/1.1 "):
        head, _, data = data.partition(b"\r\n\r\n")
        found.append(int(head.split(b" ", 2)[1]))
        length = CONTENT_LENGTH.search(head)
        if length:
            data = data[int(length.group(1)):]
        elif b"transfer-encoding: chunked" in head.lower():
            data = data.partition(b"\r\n0\r\n\r\n")[2]
    return found


def error_message(data: bytes) -> str:
    """The OpenAI error message of the one response in `data`."""
    return str(json.loads(data.split(b"\r\n\r\n", 1)[1])["error"]["message"])


def post(body: bytes, *headers: bytes, target: bytes = b"/v1/chat/completions") -> bytes:
    return b"POST " + target + b" HTTP/1.1\r\nHost: mock\r\n" + AUTH + b"".join(headers) + b"\r\n" + body


MODELS = b"GET /v1/models HTTP/1.1\r\nHost: mock\r\n" + AUTH + b"\r\n"


# --- framing: where a body ends is never in doubt --------------------------------------------------------

def test_content_length_with_transfer_encoding_is_400_and_hides_no_second_request(server):
    smuggled = post(b"0\r\n\r\n", b"Content-Length: 5\r\n", b"Transfer-Encoding: chunked\r\n") + MODELS
    received = RawClient(server.port).send(smuggled).read_until_closed()
    assert statuses(received) == [400]


def test_two_different_content_lengths_are_400_and_close(server):
    request = post(b"{}", b"Content-Length: 2\r\n", b"Content-Length: 40\r\n") + MODELS
    assert statuses(RawClient(server.port).send(request).read_until_closed()) == [400]


@pytest.mark.parametrize("length", [b"+2", b"2 2", b"0x2", b"\xb2", b"-0"])
def test_a_content_length_that_is_not_only_digits_is_400(server, length):
    request = post(b"{}", b"Content-Length: " + length + b"\r\n") + MODELS
    assert statuses(RawClient(server.port).send(request).read_until_closed()) == [400]


@pytest.mark.parametrize("size", [b"0x2", b"2_0", b"-2", b" 2", b"g"])
def test_a_chunk_size_that_is_not_hex_digits_is_400(server, size):
    request = post(size + b"\r\n{}\r\n0\r\n\r\n", b"Transfer-Encoding: chunked\r\n")
    assert statuses(RawClient(server.port).send(request).read_until_closed()) == [400]


def test_chunk_data_not_followed_by_crlf_is_400(server):
    request = post(b"2\r\n{}XX0\r\n\r\n", b"Transfer-Encoding: chunked\r\n") + MODELS
    assert statuses(RawClient(server.port).send(request).read_until_closed()) == [400]


@pytest.mark.parametrize("coding, status", [(b"gzip, chunked", 501), (b"chunked, gzip", 501),
                                            (b"identity", 501), (b"chunked, chunked", 400)])
def test_transfer_encoding_is_read_as_a_list_with_chunked_alone(server, coding, status):
    request = post(b"0\r\n\r\n", b"Transfer-Encoding: " + coding + b"\r\n") + MODELS
    assert statuses(RawClient(server.port).send(request).read_until_closed()) == [status]


def test_trailer_lines_are_read_whole_and_the_next_request_is_answered_in_step(server):
    body = json.dumps({"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "Hi"}]}).encode()
    chunked = b"%x\r\n%s\r\n0\r\nX-One: 1\r\nX-Two: 2\r\n\r\n" % (len(body), body)
    closing = b"GET /v1/models HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n" + AUTH + b"\r\n"
    request = post(chunked, b"Transfer-Encoding: chunked\r\n", b"Content-Type: application/json\r\n") + closing
    assert statuses(RawClient(server.port).send(request).read_until_closed()) == [200, 200]


def test_a_head_cut_short_is_never_answered_as_complete(server):
    client = RawClient(server.port).send(b"GET /v1/models HTTP/1.1\r\nHost: mock\r\n" + AUTH)
    client.sock.shutdown(socket.SHUT_WR)  # the blank line that ends the head never comes
    received = client.read_until_closed()
    assert statuses(received) == [400]
    assert "ended before it was complete" in error_message(received)


def test_a_body_shorter_than_its_length_is_never_answered_as_complete(server):
    client = RawClient(server.port).send(post(b'{"model": ', b"Content-Length: 100\r\n"))
    client.sock.shutdown(socket.SHUT_WR)
    received = client.read_until_closed()
    assert statuses(received) == [400]
    assert "ended before it was complete" in error_message(received)


# --- limits: the right status for each ---------------------------------------------------------------

def test_a_request_line_over_the_limit_is_414(server):
    request = b"GET /v1/models?" + b"a" * 9_000 + b" HTTP/1.1\r\nHost: mock\r\n\r\n"
    assert statuses(RawClient(server.port).send(request).read_until_closed()) == [414]


def test_a_header_line_over_the_limit_is_431(server):
    request = b"GET /v1/models HTTP/1.1\r\nHost: mock\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n"
    assert statuses(RawClient(server.port).send(request).read_until_closed()) == [431]


def test_a_head_over_the_total_limit_is_431(server):
    fields = b"".join(b"X-Field-%d: %s\r\n" % (i, b"a" * 1_000) for i in range(80))  # 80 KB, 80 fields
    request = b"GET /v1/models HTTP/1.1\r\nHost: mock\r\n" + fields + b"\r\n"
    assert statuses(RawClient(server.port).send(request).read_until_closed()) == [431]


def test_no_100_continue_before_a_413(start_server):
    server = start_server(limits=Limits(max_body_bytes=1024))
    request = post(b"", b"Content-Length: 5000\r\n", b"Expect: 100-continue\r\n")
    received = RawClient(server.port).send(request).read_until_closed()
    assert statuses(received) == [413]
    assert not received.startswith(b"HTTP/1.1 100")


def test_no_100_continue_to_an_http_1_0_client(server):
    body = json.dumps({"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "Hi"}]}).encode()
    head = b"POST /v1/chat/completions HTTP/1.0\r\n" + AUTH + b"Expect: 100-continue\r\n"
    request = head + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    received = RawClient(server.port).send(request).read_until_closed()
    assert statuses(received) == [200]
    assert not received.startswith(b"HTTP/1.1 100")


def test_a_request_without_the_key_gets_its_401_without_100_continue(server):
    request = b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nContent-Length: 5000\r\n"
    received = RawClient(server.port).send(request + b"Expect: 100-continue\r\n\r\n").read_until_closed()
    assert statuses(received) == [401]


def test_an_absolute_form_target_is_answered_like_its_path(server):
    request = b"GET http://127.0.0.1:%d/v1/models HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n" % server.port
    received = RawClient(server.port).send(request + AUTH + b"\r\n").read_until_closed()
    assert statuses(received) == [200]
    assert server.last_exchange.path == "/v1/models"


def test_an_http_1_1_request_without_host_is_400(server):
    request = b"GET /v1/models HTTP/1.1\r\n" + AUTH + b"\r\n"
    assert statuses(RawClient(server.port).send(request).read_until_closed()) == [400]


# --- deadlines: a client that stalls costs seconds, not a thread for ever -------------------------------

def test_a_half_sent_head_is_answered_408_and_closed_after_the_head_timeout(start_server):
    server = start_server(limits=Limits(head_timeout=0.2))
    received = RawClient(server.port).send(b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\n")
    assert statuses(received.read_until_closed()) == [408]


def test_an_idle_kept_alive_connection_is_closed_after_the_idle_timeout(start_server):
    server = start_server(limits=Limits(idle_timeout=0.2))
    client = RawClient(server.port).send(MODELS)
    assert statuses(client.read_until_closed()) == [200]  # answered, then closed once idle


def test_a_body_that_stalls_after_100_continue_is_answered_408_and_closed(start_server):
    server = start_server(limits=Limits(body_timeout=0.2))
    client = RawClient(server.port).send(post(b"", b"Content-Length: 50\r\n", b"Expect: 100-continue\r\n"))
    received = client.read_until_closed()
    assert received.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    assert statuses(received) == [100, 408]


def test_a_stream_whose_client_stops_reading_is_dropped_after_the_write_timeout(start_server):
    server = start_server(limits=Limits(write_timeout=0.2))
    server.script_reply("word " * 1_000)  # about 1,000 events, each several hundred bytes, in each choice
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a client that takes in little and reads none
    sock.settimeout(5)
    sock.connect(("127.0.0.1", server.port))
    body = json.dumps({"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "Hi"}],
                       "stream": True, "n": 16}).encode()
    sock.sendall(post(body, b"Content-Length: %d\r\n" % len(body)))
    deadline = time.monotonic() + 10
    while not (server.last_exchange and server.last_exchange.broken_off) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.last_exchange.broken_off  # the server let the connection go, though the stream was not done
    sock.close()


def test_a_hang_up_during_the_timeout_fault_frees_the_server_at_once(start_server):
    server = start_server(hang_seconds=30)
    body = b'{"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "Hi"}]}'
    request = post(body, b"X-Mock-Fault: timeout\r\n", b"Content-Length: %d\r\n" % len(body))
    client = RawClient(server.port).send(request)
    time.sleep(0.1)
    client.close()
    deadline = time.monotonic() + 5  # a liveness bound; the hang-up is noticed within about 50 ms
    while server.last_exchange is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.last_exchange is not None


# --- connections: a cap that queues, without spinning, and recovers ---------------------------------------

def hanging_request() -> bytes:
    """A chat completion that the `timeout` fault keeps unanswered until its client hangs up."""
    body = b'{"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "Hi"}]}'
    return post(body, b"X-Mock-Fault: timeout\r\n", b"Content-Length: %d\r\n" % len(body))


def test_requests_beyond_the_cap_wait_their_turn_without_spinning(start_server):
    server = start_server(limits=Limits(max_connections=2), hang_seconds=30)
    holders = [RawClient(server.port).send(hanging_request()) for _ in range(2)]
    time.sleep(0.2)  # both requests in progress, each holding a worker
    waiting = RawClient(server.port, timeout=0.5).send(MODELS)
    cpu_before = time.process_time()
    with pytest.raises(TimeoutError):
        waiting.read_some()  # every worker busy: no answer yet
    assert time.process_time() - cpu_before < 0.3  # half a second of waiting did not burn a core
    holders[0].close()  # its hang ends within about 50 ms, and its worker is free
    waiting.sock.settimeout(5)
    assert statuses(waiting.read_some()) == [200]
    holders[1].close()


def test_idle_connections_do_not_count_against_the_cap(start_server):
    server = start_server(limits=Limits(max_connections=2))
    idle = [RawClient(server.port) for _ in range(20)]
    answered = [RawClient(server.port) for _ in range(2)]
    for _ in range(2):  # twice on each connection, parked in between
        assert [statuses(client.send(MODELS).read_some()) for client in answered] == [[200], [200]]
    for client in idle + answered:
        client.close()


def test_open_connections_beyond_their_cap_wait_in_the_kernel_queue_without_spinning(start_server):
    server = start_server(limits=Limits(max_open_connections=2))
    holders = [RawClient(server.port), RawClient(server.port)]
    time.sleep(0.1)  # both accepted and parked, idle
    waiting = RawClient(server.port, timeout=0.5).send(MODELS)
    cpu_before = time.process_time()
    with pytest.raises(TimeoutError):
        waiting.read_some()  # not accepted while two sockets are open
    assert time.process_time() - cpu_before < 0.3
    holders[0].close()
    waiting.sock.settimeout(5)
    assert statuses(waiting.read_some()) == [200]  # a socket closed: the waiting client is accepted
    holders[1].close()


def raise_descriptor_limit(wanted: int) -> None:
    """Each idle client costs this process two descriptors (its socket and the server's); skip if not allowed."""
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"needs {wanted} file descriptors, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def test_a_chat_completion_is_answered_within_2_seconds_with_1000_idle_connections_open(start_server):
    raise_descriptor_limit(2_300)
    server = start_server()
    idle = [RawClient(server.port) for _ in range(1_000)]
    for client in idle[::100]:
        client.send(MODELS)  # some have been used once: kept alive, then idle
        assert statuses(client.read_some()) == [200]
    body = b'{"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "Hi"}]}'
    started = time.monotonic()
    client = RawClient(server.port, timeout=2).send(post(body, b"Content-Length: %d\r\n" % len(body)))
    assert statuses(client.read_some()) == [200]
    assert time.monotonic() - started < 2
    for sock in [*idle, client]:
        sock.close()


FD_STARVED_SERVER = """
import resource, threading
resource.setrlimit(resource.RLIMIT_NOFILE, (40, 40))  # room for about 25 connections
from helpers.mock import Limits, MockServer
server = MockServer(set_environment=False, limits=Limits(max_connections=1_000)).start()
print(server.port, flush=True)
threading.Event().wait()
"""


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_out_of_file_descriptors_the_server_waits_instead_of_spinning_and_recovers():
    process = subprocess.Popen([sys.executable, "-c", FD_STARVED_SERVER], cwd=Path(__file__).parents[2],
                               stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline())
        clients = [RawClient(port) for _ in range(50)]  # more than the process has descriptors for
        time.sleep(0.2)
        cpu_before = _cpu_seconds(process.pid)
        time.sleep(0.5)
        assert _cpu_seconds(process.pid) - cpu_before < 0.25  # a spinning accept loop burns the whole 0.5 s
        for client in clients:
            client.close()
        request = MODELS.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
        assert statuses(RawClient(port).send(request).read_until_closed()) == [200]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_command_line_sets_the_limits():
    command = [sys.executable, "-m", "helpers.mock", "--port", "0", "--quiet", "--head-timeout", "0.2"]
    process = subprocess.Popen(command, cwd=Path(__file__).parents[2], stdout=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r":(\d+)/v1", process.stdout.readline()).group(1))
        half_sent = RawClient(port).send(b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\n")
        assert statuses(half_sent.read_until_closed()) == [408]  # after 0.2 s, not the default 10 s
    finally:
        process.terminate()
        process.wait(timeout=10)
