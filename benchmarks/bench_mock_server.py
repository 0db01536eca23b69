"""How fast is the mock server? Measures it on loopback next to a raw-socket floor (the least any HTTP
server can cost, see floor_server.py) and prints each figure as a ratio to that floor. `make bench`.

Each server runs in a subprocess of its own, so the client and the server never share a GIL, and the two
take turns round by round, so that other work on the machine weighs on both alike. Every loop is bounded
in count and in time; the script stops by itself and never fails on a figure (it only prints them).
"""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import openai
import requests

from helpers import MOCK_API_KEY as API_KEY
from helpers import MODEL

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = Path(__file__).resolve().parent
PROMPT = "In one sentence, what happens when a program calls a large language model?"
EMBEDDING_MODEL = "text-embedding-3-small"
LONG_REPLY = " word" * 200  # 200 tokens for the mock's tokenizer (one short word a token)

WARM_UP = 200
SEQUENTIAL_REQUESTS = 2000
THREADS = 8
REQUESTS_PER_THREAD = 400
STREAMS = 30
STARTS = 5
ROUNDS = 4
TIME_LIMIT = 30.0  # seconds, for any one measuring loop


# --- the servers under test, each in its own process -------------------------------------------------------

@dataclass
class Server:
    name: str
    process: subprocess.Popen[str]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script_reply(self, text: str) -> None:
        """Only the mock runner listens: it scripts the line as its next reply and says "ok"."""
        if self.name == "mock":
            self.process.stdin.write(text + "\n")  # type: ignore[union-attr]
            self.process.stdin.flush()  # type: ignore[union-attr]
            self.process.stdout.readline()  # type: ignore[union-attr]


@contextmanager
def running(name: str, script: str) -> Iterator[Server]:
    """Start a server script that prints its port first; stop it however the block ends."""
    process = subprocess.Popen([sys.executable, str(BENCHMARKS / script)], cwd=ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        yield Server(name, process, int(process.stdout.readline()))  # type: ignore[union-attr]
    finally:
        stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- what one client call looks like -------------------------------------------------------------------------

def requests_call(session: requests.Session, server: Server, api: str = "chat") -> Callable[[], None]:
    """One plain call of `api`: "chat" (Chat Completions) or "responses" (the Responses API)."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    if api == "responses":
        url, payload = server.base_url + "/responses", {"model": MODEL, "input": PROMPT}
    elif api == "embeddings":  # floats, the API's default: the larger reply, and the mock's costlier one
        url, payload = server.base_url + "/embeddings", {"model": EMBEDDING_MODEL, "input": PROMPT}
    else:
        url = server.base_url + "/chat/completions"
        payload = {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}]}

    def call() -> None:
        response = session.post(url, headers=headers, json=payload)
        if response.status_code != 200:  # a figure for a failing server would mean nothing
            raise RuntimeError(f"{server.name} answered {response.status_code}: {response.text[:200]}")

    return call


def sdk_call(server: Server, api: str = "chat") -> Callable[[], None]:
    client = openai.OpenAI(base_url=server.base_url, api_key=API_KEY, max_retries=0)

    def call() -> None:
        if api == "responses":
            client.responses.create(model=MODEL, input=PROMPT)
        elif api == "embeddings":  # the SDK asks for base64 and decodes it (openai/lib/_parsing/_embeddings.py)
            client.embeddings.create(model=EMBEDDING_MODEL, input=PROMPT)
        else:
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": PROMPT}])

    return call


# --- the measurements, taking turns between the servers ------------------------------------------------------

def timed(call: Callable[[], None], count: int) -> list[float]:
    """Seconds per call, one after another on one keep-alive connection."""
    times: list[float] = []
    deadline = time.perf_counter() + TIME_LIMIT
    while len(times) < count and time.perf_counter() < deadline:
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def latencies(calls: dict[str, Callable[[], None]]) -> dict[str, list[float]]:
    """Per server, SEQUENTIAL_REQUESTS timed calls after a warm-up, the servers taking turns in ROUNDS."""
    for call in calls.values():
        timed(call, WARM_UP)
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(ROUNDS):
        for name, call in calls.items():
            times[name] += timed(call, SEQUENTIAL_REQUESTS // ROUNDS)
    return times


def p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[98]


def burst(calls: list[Callable[[], None]], per_thread: int) -> tuple[int, float]:
    """Requests done and seconds taken by one thread per call, each making `per_thread` calls."""
    done = [0] * len(calls)
    deadline = time.perf_counter() + TIME_LIMIT

    def work(index: int) -> None:
        while done[index] < per_thread and time.perf_counter() < deadline:
            calls[index]()
            done[index] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done), time.perf_counter() - started


def throughput(servers: list[Server], api: str = "chat") -> dict[str, float]:
    """Requests a second with THREADS threads, each with its own keep-alive Session."""
    calls = {s.name: [requests_call(requests.Session(), s, api) for _ in range(THREADS)] for s in servers}
    for call in (c for server_calls in calls.values() for c in server_calls):
        call()  # open every connection before the clock starts
    done = dict.fromkeys(calls, 0)
    seconds = dict.fromkeys(calls, 0.0)
    for _ in range(ROUNDS):
        for name, server_calls in calls.items():
            count, elapsed = burst(server_calls, REQUESTS_PER_THREAD // ROUNDS)
            done[name] += count
            seconds[name] += elapsed
    return {name: done[name] / seconds[name] for name in calls}


def stream_once(client: openai.OpenAI, server: Server) -> tuple[float, float]:
    """Seconds to the first content chunk and to the end of one 200-token stream."""
    server.script_reply(LONG_REPLY)
    started = time.perf_counter()
    stream = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": PROMPT}],
                                            stream=True)
    tokens, first = 0, 0.0
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            tokens += 1
            first = first or time.perf_counter() - started
    if tokens != 200:
        raise RuntimeError(f"{server.name} streamed {tokens} tokens, not 200")
    return first, time.perf_counter() - started


def responses_stream_once(client: openai.OpenAI, server: Server) -> tuple[float, float]:
    """Seconds to the first text delta and to the end of one 200-token Responses stream."""
    server.script_reply(LONG_REPLY)
    started = time.perf_counter()
    tokens, first = 0, 0.0
    for event in client.responses.create(model=MODEL, input=PROMPT, stream=True):
        if event.type == "response.output_text.delta":
            tokens += 1
            first = first or time.perf_counter() - started
    if tokens != 200:
        raise RuntimeError(f"{server.name} streamed {tokens} Responses deltas, not 200")
    return first, time.perf_counter() - started


def stream_times(servers: list[Server], api: str = "chat") -> dict[str, tuple[float, float]]:
    """Per server, the median seconds to the first chunk and to the end, over STREAMS streams (SDK)."""
    clients = {s.name: openai.OpenAI(base_url=s.base_url, api_key=API_KEY, max_retries=0) for s in servers}
    runs: dict[str, list[tuple[float, float]]] = {s.name: [] for s in servers}
    once = responses_stream_once if api == "responses" else stream_once
    deadline = time.perf_counter() + TIME_LIMIT
    for number in range(STREAMS + 3):  # the first three warm up
        for server in servers:
            if time.perf_counter() < deadline:
                run = once(clients[server.name], server)
                runs[server.name] += [run] if number >= 3 else []
    return {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
            for name, rs in runs.items()}


# --- start-up, in fresh interpreters -----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def first_answer_seconds(argv: list[str], port: int) -> float:
    """From starting the process to its first answered request (polling every millisecond)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 10:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/v1/models",
                                        headers={"Authorization": f"Bearer {API_KEY}"}, timeout=2)
                if response.ok:
                    return time.perf_counter() - started
            except requests.ConnectionError:
                time.sleep(0.001)
        raise RuntimeError(f"{argv} did not answer within 10 s")
    finally:
        stop(process)


# Run in a fresh interpreter: time the import and the start, print milliseconds.
MOCK_START = """
import time; started = time.perf_counter()
import helpers
server = helpers.start_mock_server(tokens_per_second=0, set_environment=False)
print((time.perf_counter() - started) * 1000)
"""
FLOOR_START = """
import time; started = time.perf_counter()
import socket, threading
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(128)
threading.Thread(target=listener.accept, daemon=True).start()
print((time.perf_counter() - started) * 1000)
"""


def in_interpreter_ms(code: str) -> float:
    runs = [float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                 timeout=30, check=True).stdout) for _ in range(STARTS)]
    return statistics.median(runs)


def fresh_interpreter_ms(kind: str) -> float:
    runs = []
    for _ in range(STARTS):
        port = free_port()
        argv = ([sys.executable, "-m", "helpers.mock", "--port", str(port), "--tokens-per-second", "0",
                 "--quiet"] if kind == "mock" else [sys.executable, str(BENCHMARKS / "floor_server.py"), str(port)])
        runs.append(first_answer_seconds(argv, port) * 1000)
    return statistics.median(runs)


# --- all together ------------------------------------------------------------------------------------------

def measure(servers: list[Server]) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {s.name: {} for s in servers}

    def record(figure: str, values: dict[str, float]) -> None:
        for name, value in values.items():
            figures[name][figure] = value

    for client, make_call in (("requests.Session", lambda s: requests_call(requests.Session(), s)),
                              ("openai SDK", sdk_call)):
        progress(f"latency through {client}")
        times = latencies({s.name: make_call(s) for s in servers})
        record(f"median latency, {client} (ms)", {n: statistics.median(t) * 1000 for n, t in times.items()})
        record(f"p99 latency, {client} (ms)", {n: p99(t) * 1000 for n, t in times.items()})
    progress("throughput")
    record(f"throughput, {THREADS} threads (requests/s)", throughput(servers))
    progress("streams")
    streams = stream_times(servers)
    record("200-token stream: first chunk (ms)", {n: first * 1000 for n, (first, _) in streams.items()})
    record("200-token stream: total (ms)", {n: total * 1000 for n, (_, total) in streams.items()})
    progress("Responses API: latency, throughput, streams")
    for client, make_call in (("requests.Session", lambda s: requests_call(requests.Session(), s, "responses")),
                              ("openai SDK", lambda s: sdk_call(s, "responses"))):
        times = latencies({s.name: make_call(s) for s in servers})
        record(f"Responses: median latency, {client} (ms)",
               {n: statistics.median(t) * 1000 for n, t in times.items()})
    record(f"Responses: throughput, {THREADS} threads (requests/s)", throughput(servers, "responses"))
    streams = stream_times(servers, "responses")
    record("Responses: 200-token stream: first delta (ms)", {n: first * 1000 for n, (first, _) in streams.items()})
    record("Responses: 200-token stream: total (ms)", {n: total * 1000 for n, (_, total) in streams.items()})
    progress("embeddings: latency, throughput")
    for client, make_call in (("requests.Session", lambda s: requests_call(requests.Session(), s, "embeddings")),
                              ("openai SDK", lambda s: sdk_call(s, "embeddings"))):
        times = latencies({s.name: make_call(s) for s in servers})
        record(f"Embeddings: median latency, {client} (ms)",
               {n: statistics.median(t) * 1000 for n, t in times.items()})
    record(f"Embeddings: throughput, {THREADS} threads (requests/s)", throughput(servers, "embeddings"))
    progress("start-up")
    record("start-up, fresh interpreter to first answer (ms)",
           {s.name: fresh_interpreter_ms(s.name) for s in servers})
    record("start-up, import helpers + start() (ms)",
           {"floor": in_interpreter_ms(FLOOR_START), "mock": in_interpreter_ms(MOCK_START)})
    return figures


def progress(what: str) -> None:
    print(f"  measuring {what} ...", file=sys.stderr, flush=True)


# figure -> (target, passes(ratio, mock value)); figures without a target are shown for information
TARGETS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "median latency, requests.Session (ms)": ("<= 1.3x", lambda ratio, mock: ratio <= 1.3),
    "median latency, openai SDK (ms)": ("<= 1.3x", lambda ratio, mock: ratio <= 1.3),
    f"throughput, {THREADS} threads (requests/s)": (">= 0.8x", lambda ratio, mock: ratio >= 0.8),
    "start-up, import helpers + start() (ms)": ("< 100 ms", lambda ratio, mock: mock < 100),
    "Responses: median latency, requests.Session (ms)": ("<= 1.3x", lambda ratio, mock: ratio <= 1.3),
    "Responses: median latency, openai SDK (ms)": ("<= 1.3x", lambda ratio, mock: ratio <= 1.3),
    f"Responses: throughput, {THREADS} threads (requests/s)": (">= 0.8x", lambda ratio, mock: ratio >= 0.8),
    "Embeddings: median latency, requests.Session (ms)": ("<= 1.3x", lambda ratio, mock: ratio <= 1.3),
    "Embeddings: median latency, openai SDK (ms)": ("<= 1.3x", lambda ratio, mock: ratio <= 1.3),
    f"Embeddings: throughput, {THREADS} threads (requests/s)": (">= 0.8x", lambda ratio, mock: ratio >= 0.8),
}


def print_table(floor: dict[str, float], mock: dict[str, float]) -> None:
    width = max(map(len, floor))
    print(f"{'figure':<{width}}  {'floor':>9}  {'mock':>9}  {'ratio':>7}  {'target':>9}  result")
    for name, floor_value in floor.items():
        mock_value = mock[name]
        ratio = mock_value / floor_value
        target, passes = TARGETS.get(name, ("-", None))
        result = "-" if passes is None else ("pass" if passes(ratio, mock_value) else "FAIL")
        print(f"{name:<{width}}  {floor_value:>9.2f}  {mock_value:>9.2f}  {ratio:>6.2f}x  {target:>9}  {result}")


def main() -> None:
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f}), "
          f"requests {requests.__version__}, openai {openai.__version__}, loopback only.")
    print("Client and each server run in separate processes (no shared GIL); the two servers take turns in "
          f"{ROUNDS} rounds,\nso a busy machine's changing load falls on both alike. Latency: "
          f"{SEQUENTIAL_REQUESTS} sequential requests after {WARM_UP} warm-up;\nthroughput: {THREADS} threads x "
          f"{REQUESTS_PER_THREAD} requests; stream: median of {STREAMS}; start-up: median of {STARTS}.", flush=True)
    with running("floor", "floor_server.py") as floor, running("mock", "mock_runner.py") as mock:
        figures = measure([floor, mock])
    load = os.getloadavg()[0]
    busy = " (more than the cores: other work slowed every figure)" if load > (os.cpu_count() or 1) else ""
    print(f"\nload average at the end: {load:.1f}{busy}")
    print_table(figures["floor"], figures["mock"])
    print("\nfloor: a raw-socket keep-alive server answering canned bytes (benchmarks/floor_server.py); for the"
          "\nin-interpreter start-up, import socket + threading, bind and start a thread.")


if __name__ == "__main__":
    main()
