"""The mock as a standalone server (`python -m helpers.mock`), called by requests, the SDK and curl,
as a learner does from a terminal. Port 0 asks for a free port; the banner must say which one it got."""

from __future__ import annotations

import json
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
import requests

import helpers

CLI_KEY = "sk-cli-test-key-0123456789"
CHAT_MODEL = "gpt-4.1-mini"
MESSAGES = [{"role": "user", "content": "Hi from the terminal"}]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
CURL = shutil.which("curl") or "/usr/bin/curl"


class RunningCli:
    """The server process, its base URL (from the banner) and the lines it prints afterwards."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read_stdout, daemon=True).start()  # a full pipe would block the server
        self.banner = self.next_line()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/v1", self.banner)
        assert match, self.banner
        self.port = int(match.group(1))
        self.base_url = match.group(0)

    def _read_stdout(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self) -> str:
        return self.lines.get(timeout=10)


@pytest.fixture(scope="module")
def cli() -> Iterator[RunningCli]:
    command = [sys.executable, "-m", "helpers.mock", "--port", "0", "--tokens-per-second", "0",
               "--api-key", CLI_KEY]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    try:
        yield RunningCli(process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def auth(key: str = CLI_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_the_banner_names_the_port_the_server_really_got(cli):
    assert cli.port != 0
    assert CLI_KEY not in cli.banner  # a key given on the command line is never printed
    assert requests.get(f"{cli.base_url}/models", headers=auth(), timeout=10).status_code == 200


def test_each_request_is_logged_without_its_key(cli):
    requests.get(f"{cli.base_url}/models/{CHAT_MODEL}", headers=auth(), timeout=10)
    lines = [cli.next_line()]
    while f"/v1/models/{CHAT_MODEL}" not in lines[-1]:  # skip the lines of earlier tests' requests
        lines.append(cli.next_line())
    assert lines[-1] == f'127.0.0.1 "GET /v1/models/{CHAT_MODEL} HTTP/1.1" 200'
    assert not any(CLI_KEY in line for line in lines)


def test_only_the_key_given_on_the_command_line_is_accepted(cli):
    payload = {"model": CHAT_MODEL, "messages": MESSAGES}
    wrong = requests.post(f"{cli.base_url}/chat/completions", json=payload, headers=auth(helpers.MOCK_API_KEY),
                          timeout=10)
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
    right = requests.post(f"{cli.base_url}/chat/completions", json=payload, headers=auth(), timeout=10)
    assert right.status_code == 200


def test_requests_gets_a_plain_and_a_streamed_completion(cli):
    payload = {"model": CHAT_MODEL, "messages": MESSAGES}
    plain = requests.post(f"{cli.base_url}/chat/completions", json=payload, headers=auth(), timeout=10).json()
    with requests.post(f"{cli.base_url}/chat/completions", json={**payload, "stream": True}, headers=auth(),
                       stream=True, timeout=10) as response:
        events = [line.removeprefix("data: ") for line in response.iter_lines(decode_unicode=True) if line]
    assert events[-1] == "[DONE]"
    streamed = "".join(json.loads(e)["choices"][0]["delta"].get("content") or "" for e in events[:-1])
    assert streamed == plain["choices"][0]["message"]["content"]


def test_the_sdk_gets_a_plain_and_a_streamed_completion(cli):
    with openai.OpenAI(base_url=cli.base_url, api_key=CLI_KEY, max_retries=0) as client:
        plain = client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES)
        chunks = client.chat.completions.create(model=CHAT_MODEL, messages=MESSAGES, stream=True)
        streamed = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert streamed == plain.choices[0].message.content


def curl(cli: RunningCli, payload: dict) -> str:
    command = [CURL, "-sS", "-N", f"{cli.base_url}/chat/completions", "-H", f"Authorization: Bearer {CLI_KEY}",
               "-H", "Content-Type: application/json", "-d", json.dumps(payload)]
    return subprocess.run(command, capture_output=True, text=True, timeout=20, check=True).stdout


def test_curl_gets_a_plain_and_a_streamed_completion(cli):
    plain = json.loads(curl(cli, {"model": CHAT_MODEL, "messages": MESSAGES}))
    raw_stream = curl(cli, {"model": CHAT_MODEL, "messages": MESSAGES, "stream": True})
    events = raw_stream.split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    assert all(event.startswith("data: ") and "\n" not in event for event in events[:-1])
    streamed = "".join(json.loads(e.removeprefix("data: "))["choices"][0]["delta"].get("content") or ""
                       for e in events[:-2])
    assert streamed == plain["choices"][0]["message"]["content"]


@pytest.mark.parametrize("host, warned", [("0.0.0.0", True), ("127.0.0.1", False)])
def test_a_host_off_loopback_is_served_with_a_warning_that_other_machines_can_reach_it(host, warned):
    command = [sys.executable, "-m", "helpers.mock", "--host", host, "--port", "0", "--quiet", "--api-key", CLI_KEY]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = process.stdout.readline()  # printed once the server listens, after any warning
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert "Mock OpenAI server on" in banner
    assert ("reachable from other machines" in errors) is warned
    assert CLI_KEY not in errors
