"""Lesson 05's code: each way sends one streamed request and yields the reply's text piece by piece.
The same request three ways (urllib, requests, the openai SDK), to Chat Completions or to the Responses API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import openai
import requests

TIMEOUT_SECONDS = 20  # long enough for a slow model, short enough that the `timeout` fault ends in a message
STREAM_CUT_SHORT = "the stream ended before `data: [DONE]`, so the reply is incomplete"
RESPONSES_CUT_SHORT = "the stream ended before `response.completed`, so the reply is incomplete"


def request_body(model: str, messages: list[dict[str, str]], temperature: float, max_tokens: int) -> dict[str, Any]:
    """The JSON all three ways send. `max_completion_tokens` is the name every current OpenAI model accepts."""
    return {
        "model": model,
        "messages": messages,
        "temperature": temperature,
        "max_completion_tokens": max_tokens,
        "stream": True,
        "stream_options": {"include_usage": True},  # a last chunk with the token counts (lesson 07)
    }


def text_in_event(line: str) -> str | None:
    """The reply text carried by one line of a server-sent event stream: "" when the line carries none,
    None once the stream says `data: [DONE]`."""
    if not line.startswith("data:"):
        return ""  # the blank line between events (or an SSE comment)
    data = line.removeprefix("data:").strip()
    if data == "[DONE]":
        return None
    chunk = json.loads(data)
    return "".join(choice["delta"].get("content") or "" for choice in chunk["choices"])


def stream_with_urllib(base_url: str, api_key: str, body: dict[str, Any]) -> Iterator[str]:
    request = urllib.request.Request(
        f"{base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        for raw_line in response:  # http.client reads the chunked body line by line, as it arrives
            text = text_in_event(raw_line.decode("utf-8"))
            if text is None:
                return
            if text:
                yield text
    raise ConnectionError(STREAM_CUT_SHORT)  # http.client does not notice a stream cut between two lines


def stream_with_requests(base_url: str, api_key: str, body: dict[str, Any]) -> Iterator[str]:
    with requests.post(
        f"{base_url}/chat/completions",
        headers={"Authorization": f"Bearer {api_key}"},
        json=body,
        stream=True,  # without it, requests reads the whole body before returning
        timeout=TIMEOUT_SECONDS,
    ) as response:
        if not response.ok:
            _ = response.content  # read the error's JSON now: leaving `with` closes the connection
            response.raise_for_status()
        for line in response.iter_lines(decode_unicode=True):
            text = text_in_event(line)
            if text is None:
                return
            if text:
                yield text
    raise ConnectionError(STREAM_CUT_SHORT)


def stream_with_sdk(base_url: str, api_key: str, body: dict[str, Any]) -> Iterator[str]:
    # No retries here, so a fault shows in the page as it does for the other two ways (lesson 04 retries).
    with openai.OpenAI(base_url=base_url, api_key=api_key, timeout=TIMEOUT_SECONDS, max_retries=0) as client:
        stream = client.chat.completions.create(**body)  # the SDK reads the events and parses them for us
        for chunk in stream:
            for choice in chunk.choices:
                if choice.delta.content:
                    yield choice.delta.content


WAYS: dict[str, Callable[[str, str, dict[str, Any]], Iterator[str]]] = {
    "urllib": stream_with_urllib,
    "requests": stream_with_requests,
    "openai SDK": stream_with_sdk,
}


# --- the Responses API (lesson 08): typed events, and the conversation kept on the server -------------

@dataclass(frozen=True)
class Finished:
    """The last thing a Responses way yields: the response's id, which the next turn sends as
    `previous_response_id` so that the server, not the page, holds the conversation."""

    response_id: str


def responses_request_body(model: str, new_input: list[dict[str, str]], previous_response_id: str | None,
                           temperature: float, max_tokens: int) -> dict[str, Any]:
    """The JSON all three ways send to `/responses`: only what is new, and the id of the turn before it."""
    body: dict[str, Any] = {
        "model": model,
        "input": new_input,
        "max_output_tokens": max_tokens,  # Responses' name for the limit (Chat says max_completion_tokens)
        "stream": True,
    }
    if temperature != 1.0:  # 1 is the default: left out, as reasoning models may refuse the parameter itself
        body["temperature"] = temperature
    if previous_response_id is not None:
        body["previous_response_id"] = previous_response_id
    return body


def read_frames(lines: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The (event name, data) of each server-sent event: an `event:` line, a `data:` line, a blank line."""
    event, data = "", []
    for line in lines:
        line = line.rstrip("\r\n")
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data.append(line.removeprefix("data:").removeprefix(" "))
        elif not line and data:  # a blank line ends the event; `:` comment lines fall through
            yield event, json.loads("\n".join(data))
            event, data = "", []


def text_in_frames(frames: Iterable[tuple[str, dict[str, Any]]]) -> Iterator[str | Finished]:
    """The text deltas of a Responses stream, then Finished. No `[DONE]` ends this stream: a terminal event
    does (`response.incomplete` is a reply cut at the token limit, still a reply)."""
    for event, data in frames:
        if event == "response.output_text.delta":
            yield data["delta"]
        elif event in ("response.completed", "response.incomplete"):
            yield Finished(data["response"]["id"])
            return
        elif event in ("response.failed", "error"):
            error = data["response"]["error"] if event == "response.failed" else data.get("error", data)
            raise RuntimeError(f"the stream reported an error: {error['message']}")
    raise ConnectionError(RESPONSES_CUT_SHORT)


def stream_response_with_urllib(base_url: str, api_key: str, body: dict[str, Any]) -> Iterator[str | Finished]:
    request = urllib.request.Request(
        f"{base_url}/responses",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        yield from text_in_frames(read_frames(raw_line.decode("utf-8") for raw_line in response))


def stream_response_with_requests(base_url: str, api_key: str, body: dict[str, Any]) -> Iterator[str | Finished]:
    with requests.post(f"{base_url}/responses", headers={"Authorization": f"Bearer {api_key}"}, json=body,
                       stream=True, timeout=TIMEOUT_SECONDS) as response:
        if not response.ok:
            _ = response.content  # read the error's JSON now: leaving `with` closes the connection
            response.raise_for_status()
        yield from text_in_frames(read_frames(response.iter_lines(decode_unicode=True)))


def stream_response_with_sdk(base_url: str, api_key: str, body: dict[str, Any]) -> Iterator[str | Finished]:
    with openai.OpenAI(base_url=base_url, api_key=api_key, timeout=TIMEOUT_SECONDS, max_retries=0) as client:
        # The SDK parses each event into a typed object; it tells them apart by the `type` in their data.
        for event in client.responses.create(**body):
            if event.type == "response.output_text.delta":
                yield event.delta
            elif event.type in ("response.completed", "response.incomplete"):
                yield Finished(event.response.id)
                return
            elif event.type == "response.failed":
                message = event.response.error.message if event.response.error else "(no message)"
                raise RuntimeError(f"the stream reported an error: {message}")
    raise ConnectionError(RESPONSES_CUT_SHORT)


RESPONSES_WAYS: dict[str, Callable[[str, str, dict[str, Any]], Iterator[str | Finished]]] = {
    "urllib": stream_response_with_urllib,
    "requests": stream_response_with_requests,
    "openai SDK": stream_response_with_sdk,
}


def describe_error(error: Exception) -> str:
    """One line for the learner: the HTTP status and the service's own message when there is one."""
    status, body = None, None
    if isinstance(error, urllib.error.HTTPError):
        status, body = error.code, error.read().decode("utf-8", "replace")
    elif isinstance(error, requests.HTTPError) and error.response is not None:
        status, body = error.response.status_code, error.response.text
    elif isinstance(error, openai.APIStatusError):
        status, body = error.status_code, error.response.text
    if status is not None:
        try:
            message = json.loads(body or "")["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = (body or "").strip() or "(no message)"
        return f"HTTP {status}: {message}"
    return f"{type(error).__name__}: {error}"
