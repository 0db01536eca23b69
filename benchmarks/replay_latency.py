"""How fast is a replayed answer next to the mock's own? Records a session from the mock itself, then times the
same requests against the mock and against a player of that cassette, taking turns round by round so that other
work on the machine weighs on both alike. Prints medians and their ratio; it never fails on a figure.

    python benchmarks/replay_latency.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import requests

from helpers import MODEL
from helpers.mock import MockServer

ROUNDS = 300
BODIES = {
    "chat, plain": ("/chat/completions", {"model": MODEL, "messages": [{"role": "user", "content": "Hello?"}]}),
    "chat, streamed": ("/chat/completions", {"model": MODEL, "stream": True,
                                             "messages": [{"role": "user", "content": "Stream, please."}]}),
    "responses, plain": ("/responses", {"model": MODEL, "input": "Hello?"}),
}


def timed(session: requests.Session, server: MockServer, path: str, body: dict[str, object]) -> float:
    started = time.perf_counter()
    reply = session.post(f"{server.base_url}{path}", json=body, timeout=30)
    _ = reply.content  # the whole body, a stream's last event included
    seconds = time.perf_counter() - started
    assert reply.status_code == 200, reply.text
    return seconds


def main() -> None:
    cassette = Path(tempfile.mkdtemp()) / "bench.jsonl"
    with MockServer(tokens_per_second=0, set_environment=False, record=cassette) as recorder, requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {recorder.api_key}"
        for path, body in BODIES.values():
            timed(s, recorder, path, body)
    with (MockServer(tokens_per_second=0, set_environment=False) as mock,
          MockServer(tokens_per_second=0, set_environment=False, replay=cassette) as player,
          requests.Session() as session):
        session.headers["Authorization"] = f"Bearer {mock.api_key}"
        print(f"{ROUNDS} rounds each, requests.Session on one keep-alive connection per server, 0 tokens/s")
        for name, (path, body) in BODIES.items():
            mock_times, replay_times = [], []
            for _ in range(ROUNDS):
                mock_times.append(timed(session, mock, path, body))
                replay_times.append(timed(session, player, path, body))
            mock_ms, replay_ms = statistics.median(mock_times) * 1000, statistics.median(replay_times) * 1000
            print(f"  {name:<17} mock {mock_ms:.2f} ms, replayed {replay_ms:.2f} ms "
                  f"(replayed / mock = {replay_ms / mock_ms:.2f}x)")


if __name__ == "__main__":
    main()
