"""`make check-real`: does the mock still answer as the real API does? A maintainer with a key records a short
session against the real API, sends the same requests to the mock, and reads the differences: field names,
JSON types and their order, headers, and a stream's events in order. Values are never compared (a real
model's words and ids differ every time); a field that is null on one side matches any type on the other.

    OPENAI_API_KEY=sk-... python -m helpers.mock.recording.drift [--upstream URL] [--model MODEL]

Exit status: 0 when nothing differs, 1 when something does (each difference on a line), 2 without a key.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..server import MockServer
from .proxy import Upstream

REAL_API = "https://api.openai.com/v1"
# Headers whose presence tells a client something (ids, rate limits, versions); their values are not compared.
WATCHED_HEADERS = ("content-type", "x-request-id", "openai-processing-ms", "openai-version")
WATCHED_PREFIXES = ("x-ratelimit-",)


def session(model: str) -> list[tuple[str, str, dict[str, Any]]]:
    """The short session: plain and streamed on both APIs, and an error. (name, path, body)"""
    messages = [{"role": "user", "content": "Say hello in five words."}]
    return [
        ("chat, plain", "/chat/completions", {"model": model, "messages": messages}),
        ("chat, streamed", "/chat/completions",
         {"model": model, "messages": messages, "stream": True, "stream_options": {"include_usage": True}}),
        ("responses, plain", "/responses", {"model": model, "input": "Say hello in five words."}),
        ("responses, streamed", "/responses", {"model": model, "input": "Say hello in five words.", "stream": True}),
        ("an error: an unknown model", "/chat/completions",
         {"model": "gpt-no-such-model-for-drift", "messages": messages}),
    ]


@dataclass
class Observed:
    """What a client saw of one answer, reduced to what the comparison looks at."""

    status: int
    headers: list[str]
    body: Any = None  # the JSON shape of a whole body
    events: list[tuple[str, Any]] = field(default_factory=list)  # (the event's type, its JSON shape)


def shape(value: Any) -> Any:
    """A JSON value's structure without its values: objects keep their keys in order, arrays their first item."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def observe(base_url: str, api_key: str, path: str, body: dict[str, Any]) -> Observed:
    request = urllib.request.Request(f"{base_url}{path}", json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {api_key}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            status, headers, data = answer.status, answer.headers.items(), answer.read()
    except urllib.error.HTTPError as error:
        status, headers, data = error.code, error.headers.items(), error.read()
    names = sorted({name.lower() for name, _ in headers
                    if name.lower() in WATCHED_HEADERS or name.lower().startswith(WATCHED_PREFIXES)})
    if dict((name.lower(), value) for name, value in headers).get("content-type", "").startswith("text/event-stream"):
        return Observed(status, names, events=_events(data))
    try:
        return Observed(status, names, body=shape(json.loads(data)))
    except ValueError:
        return Observed(status, names, body=f"not JSON: {data[:60]!r}")


def _events(data: bytes) -> list[tuple[str, Any]]:
    """Each event's type and shape, in order; a run of events of one type (the deltas) counts once."""
    events: list[tuple[str, Any]] = []
    for block in data.decode("utf-8", "replace").replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        name = next((line[6:].strip() for line in lines if line.startswith("event:")), "")
        payload = "\n".join(line[5:].strip() for line in lines if line.startswith("data:"))
        if not payload:
            continue
        try:
            value = json.loads(payload)
        except ValueError:
            kind, value_shape = (name or payload), None  # `[DONE]`
        else:
            kind = name or (value.get("type") if isinstance(value, dict) else None) or _chat_kind(value)
            value_shape = shape(value)
        if not events or events[-1][0] != kind:
            events.append((kind, value_shape))
    return events


def _chat_kind(value: Any) -> str:
    """Chat chunks carry no type: name them by what they hold (a delta, the finish, the usage, an error)."""
    if not isinstance(value, dict):
        return "value"
    if "error" in value:
        return "error"
    choices = value.get("choices") or []
    if not choices:
        return "chunk with usage" if value.get("usage") else "chunk without choices"
    return "chunk with finish_reason" if choices[0].get("finish_reason") else "chunk"


def differences(real: Any, mock: Any, where: str = "body") -> list[str]:
    """Every place the mock's shape differs from the real one: a missing or extra field, another type, order."""
    if real == "null" or mock == "null":
        return []
    if isinstance(real, dict) and isinstance(mock, dict):
        found = [f"{where}.{key}: only the real API sends it" for key in real if key not in mock]
        found += [f"{where}.{key}: only the mock sends it" for key in mock if key not in real]
        common_real = [key for key in real if key in mock]
        if common_real != [key for key in mock if key in real]:
            found.append(f"{where}: the fields come in another order")
        for key in common_real:
            found += differences(real[key], mock[key], f"{where}.{key}")
        return found
    if isinstance(real, list) and isinstance(mock, list):
        return differences(real[0], mock[0], f"{where}[0]") if real and mock else []
    if type(real) is not type(mock) or (isinstance(real, str) and real != mock):
        return [f"{where}: the real API sends {_kind(real)}, the mock {_kind(mock)}"]
    return []


def _kind(value: Any) -> str:
    return "an object" if isinstance(value, dict) else "an array" if isinstance(value, list) else str(value)


def compare(real: Observed, mock: Observed) -> list[str]:
    found = [] if real.status == mock.status else [f"status: the real API {real.status}, the mock {mock.status}"]
    found += [f"header {name}: only the real API sends it" for name in real.headers if name not in mock.headers]
    found += [f"header {name}: only the mock sends it" for name in mock.headers if name not in real.headers]
    if real.events or mock.events:
        real_kinds, mock_kinds = [kind for kind, _ in real.events], [kind for kind, _ in mock.events]
        if real_kinds == mock_kinds:  # the same events in the same order: compare each with its twin
            pairs = [(kind, real_shape, mock_shape)
                     for (kind, real_shape), (_, mock_shape) in zip(real.events, mock.events, strict=True)]
        else:  # else each kind's first event with the other side's first of that kind
            found.append(f"events: the real API sends {real_kinds}, the mock {mock_kinds}")
            firsts = {kind: event_shape for kind, event_shape in reversed(mock.events)}
            pairs = [(kind, real_shape, firsts[kind]) for kind, real_shape in real.events if kind in firsts]
        for kind, real_shape, mock_shape in pairs:
            found += differences(real_shape, mock_shape, f"event {kind}")
    else:
        found += differences(real.body, mock.body)
    return found


def check(upstream: str, model: str, cafile: str | None = None, cassette: Path | None = None) -> dict[str, list[str]]:
    """Record the session against `upstream` (through the recording proxy, which takes the key from
    OPENAI_API_KEY, and keeps the cassette), send it to a fresh mock, and return the differences, step by step."""
    cassette = cassette or Path(tempfile.mkdtemp()) / "check-real.jsonl"
    found: dict[str, list[str]] = {}
    with (MockServer(tokens_per_second=0, set_environment=False, record=cassette,
                     upstream=Upstream(upstream, cafile=cafile)) as recorder,
          MockServer(tokens_per_second=0, set_environment=False) as mock):
        for name, path, body in session(model):
            real = observe(recorder.base_url, recorder.api_key, path, body)
            found[name] = compare(real, observe(mock.base_url, mock.api_key, path, body))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.mock.recording.drift",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--upstream", default=REAL_API, help="the API to compare with (default: %(default)s)")
    parser.add_argument("--model", default="gpt-5.4-mini", help="the model both are asked (default: %(default)s)")
    parser.add_argument("--cafile", help="a certificate to trust, for a stand-in upstream on https://localhost")
    parser.add_argument("--cassette", type=Path, help="keep the recorded session in this file")
    args = parser.parse_args(argv)
    if not os.environ.get("OPENAI_API_KEY"):
        print("make check-real needs a key of the real API in OPENAI_API_KEY; nothing was sent.", file=sys.stderr)
        return 2
    found = check(args.upstream, args.model, args.cafile, args.cassette)
    for name, lines in found.items():
        print(f"{name}: {'the same shape' if not lines else f'{len(lines)} difference(s)'}")
        for line in lines:
            print(f"    {line}")
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
