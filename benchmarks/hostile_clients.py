"""What hostile clients cost the mock server: resident memory after large unauthenticated bodies, after large
and malformed multipart uploads, how long a half-sent request holds a connection, what happens at the
connection cap, and how long a chat completion waits while a crowd of idle keep-alive connections is open.
Linux (reads /proc).

    .venv/bin/python benchmarks/hostile_clients.py [--bodies 100] [--megabytes 15] [--idle 1000]

The server runs with its defaults (`python -m helpers.mock --port 0 --quiet`) in a process of its own.
Every wait is bounded; the script prints its figures and never fails on one.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "sk-mock-llm-calls"
MODELS = f"GET /v1/models HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {API_KEY}\r\n\r\n".encode()


def start_server(*options: str) -> tuple[subprocess.Popen[str], int]:
    command = [sys.executable, "-m", "helpers.mock", "--port", "0", "--quiet", *options]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    match = re.search(r":(\d+)/v1", process.stdout.readline())
    assert match, "the server printed no banner"
    return process, int(match.group(1))


def rss_mb(pid: int) -> float:
    match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) / 1024 if match else float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    try:
        while chunk := sock.recv(65_536):
            received += chunk
    except (TimeoutError, ConnectionError):
        pass
    return received


def memory_after_unauthenticated_bodies(port: int, pid: int, bodies: int, megabytes: int) -> None:
    body = b"\xff" * (megabytes * 1024 * 1024)  # the costliest bytes to keep as text
    head = b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
    before = rss_mb(pid)
    started = time.perf_counter()
    for _ in range(bodies):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            with contextlib.suppress(ConnectionError):  # answered and closed before the whole body
                sock.sendall(head % len(body) + body)
            read_until_closed(sock)
    elapsed = time.perf_counter() - started
    print(f"RSS before: {before:.0f} MB; after {bodies} unauthenticated bodies of {megabytes} MiB: "
          f"{rss_mb(pid):.0f} MB ({elapsed:.1f} s)")


def multipart_head(length: int, boundary: str = "hostile") -> bytes:
    return (f"POST /v1/files HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {API_KEY}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n").encode()


def upload_body(size: int) -> bytes:
    """A well-formed upload of `size` bytes of file content (purpose user_data)."""
    return (b'--hostile\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n'
            b'--hostile\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n\r\n'
            + b"\xff" * size + b"\r\n--hostile--\r\n")


def send_one(port: int, request: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        with contextlib.suppress(ConnectionError):
            sock.sendall(request)
        answer = read_until_closed(sock) if b"Connection: close" in request else sock.recv(65_536)
    return answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/1.1 ") else "nothing"


def memory_after_multipart_uploads(port: int, pid: int, megabytes: int) -> None:
    """Large valid uploads until the store is full, then large malformed bodies: every answer a 200 or a
    400, never a 5xx, and the server's memory bounded by the store's byte cap and one body."""
    size = megabytes * 1024 * 1024
    bodies = {
        "valid, 7 MiB each (until the store's 32 MiB are used)": upload_body(7 * 1024 * 1024),
        f"a {megabytes} MiB file (over the 8 MiB file limit)": upload_body(size),
        f"{megabytes} MiB with no closing boundary": upload_body(size)[:-12],
        f"{megabytes} MiB of parts of one byte each": b"--hostile\r\n\r\nx\r\n" * (size // 16) + b"--hostile--",
        f"{megabytes} MiB, boundary never found": b"\x00" * size,
    }
    before = rss_mb(pid)
    for label, body in bodies.items():
        statuses: dict[str, int] = {}
        for _ in range(6):
            status = send_one(port, multipart_head(len(body)) + body)
            statuses[status] = statuses.get(status, 0) + 1
        print(f"Uploads {label}: {statuses}; RSS {rss_mb(pid):.0f} MB")
    print(f"RSS before the uploads: {before:.0f} MB; after: {rss_mb(pid):.0f} MB")


def time_to_close_half_sent_request(port: int, limit: float) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=limit) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\n")  # and then nothing
        started = time.perf_counter()
        answer = read_until_closed(sock)
        elapsed = time.perf_counter() - started
    status = answer.split(b" ", 2)[1].decode() if answer else "nothing"
    closed = f"closed after {elapsed:.2f} s" if elapsed < limit else f"still open after {limit:.0f} s"
    print(f"Idle half-sent request: answered {status}, {closed}")


def behaviour_at_the_cap(port: int, pid: int, cap: int) -> None:
    holders = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(cap)]
    time.sleep(0.3)
    waiting = socket.create_connection(("127.0.0.1", port), timeout=1)
    waiting.sendall(MODELS)
    cpu = cpu_seconds(pid)
    try:
        waiting.recv(100)
        print(f"Connection {cap + 1} (over the cap of {cap}): answered at once")
    except TimeoutError:
        used = cpu_seconds(pid) - cpu
        holders.pop().close()
        started = time.perf_counter()
        waiting.settimeout(10)
        first = waiting.recv(100)
        print(f"Connection {cap + 1} (over the cap of {cap}): waited in the queue ({used:.2f} s of server CPU "
              f"in 1 s); served {time.perf_counter() - started:.3f} s after one client left: "
              f"{first.split(b' ', 2)[1].decode()}")
    for sock in [*holders, waiting]:
        sock.close()


CHAT = b'{"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "Hi"}]}'


def answer_beside_an_idle_crowd(port: int, pid: int, idle: int, limit: float) -> None:
    """Open `idle` keep-alive connections that send nothing, then time one chat completion on a new one."""
    crowd = [socket.socket() for _ in range(idle)]
    for sock in crowd:  # connecting without waiting: a server that stops accepting must not stall the crowd
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
    time.sleep(0.5)  # every one accepted (or queued, or retrying), as an idle crowd would be
    request = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer %s\r\n"
               b"Content-Length: %d\r\n\r\n%s" % (API_KEY.encode(), len(CHAT), CHAT))
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=limit) as sock:
            sock.sendall(request)
            first = sock.recv(100)
            answer = f"answered {first.split(b' ', 2)[1].decode()} in {time.perf_counter() - started:.3f} s"
    except TimeoutError:
        answer = f"no answer within {limit:.0f} s"
    print(f"A chat completion with {idle} idle keep-alive connections open: {answer} "
          f"(server RSS {rss_mb(pid):.0f} MB)")
    for sock in crowd:
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=100)
    parser.add_argument("--megabytes", type=int, default=15)
    parser.add_argument("--head-wait", type=float, default=30.0, help="longest wait for a half-sent request")
    parser.add_argument("--idle", type=int, default=1_000, help="idle keep-alive connections held open")
    parser.add_argument("--idle-wait", type=float, default=10.0, help="longest wait for the answer beside them")
    args = parser.parse_args()
    process, port = start_server()
    try:
        memory_after_unauthenticated_bodies(port, process.pid, args.bodies, args.megabytes)
        memory_after_multipart_uploads(port, process.pid, args.megabytes)
        time_to_close_half_sent_request(port, args.head_wait)
        behaviour_at_the_cap(port, process.pid, cap=64)
        answer_beside_an_idle_crowd(port, process.pid, args.idle, args.idle_wait)
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
