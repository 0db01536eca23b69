"""The JSON shapes of OpenAI's Chat Completions API: a completion, its streamed chunks, usage.
Pure functions from values to dicts, checked in the tests against the SDK's own types."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from .. import errors, ids, tokens
from ..replies import Choice


def usage(prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> dict[str, Any]:
    """What a completion used; `cached_tokens` of the prompt came from the prompt cache (prompt_cache.py)."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": cached_tokens, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


@functools.cache
def system_fingerprint(model: str) -> str:
    """Identifies the backend configuration; the mock has one per model."""
    return ids.make_hex_id("fp_", 10, "fingerprint", model)


def chat_completion(
    completion_id: str, created: int, model: str, choices: list[Choice], prompt_tokens: int, cached_tokens: int = 0
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {"index": c.index, "message": _message(c), "logprobs": None, "finish_reason": c.finish_reason}
            for c in choices
        ],
        "usage": usage(prompt_tokens, sum(c.completion_tokens for c in choices), cached_tokens),
        "service_tier": "default",
        "system_fingerprint": system_fingerprint(model),
    }


def _message(choice: Choice) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant", "content": choice.content, "refusal": choice.refusal, "annotations": [],
    }
    if choice.tool_calls:
        message["tool_calls"] = choice.tool_calls
    return message


def stream_chunks(
    completion_id: str,
    created: int,
    model: str,
    choices: list[Choice],
    prompt_tokens: int,
    include_usage: bool,
    cached_tokens: int = 0,
) -> Iterator[dict[str, Any]]:
    """The chunks of a streamed completion, in the order the real service sends them: per choice,
    a first delta with the role, then one token a chunk, then an empty delta with the finish reason;
    last, if asked, a chunk with no choices and the usage. A refusal streams like content, in `refusal`;
    tool calls stream as `_tool_call_deltas` describes."""

    def chunk(index: int, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "service_tier": "default",
            "system_fingerprint": system_fingerprint(model),
            "choices": [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        }
        if include_usage:
            body["usage"] = None
        return body

    for choice in choices:
        if choice.tool_calls:
            yield from (chunk(choice.index, delta) for delta in _tool_call_deltas(choice.tool_calls))
        elif choice.refusal is not None:
            yield chunk(choice.index, {"role": "assistant", "content": None, "refusal": ""})
            yield from (chunk(choice.index, {"refusal": piece}) for piece in choice.pieces)
        else:
            yield chunk(choice.index, {"role": "assistant", "content": "", "refusal": None})
            yield from (chunk(choice.index, {"content": piece}) for piece in choice.pieces)
        yield chunk(choice.index, {}, choice.finish_reason)
    if include_usage:
        last = chunk(0, {})
        last["choices"] = []
        last["usage"] = usage(prompt_tokens, sum(c.completion_tokens for c in choices), cached_tokens)
        yield last


def _tool_call_deltas(tool_calls: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Tool calls stream one after another, each as its `index`, `id`, `type` and name with empty
    arguments first, then its arguments a few characters at a time, each piece with only the `index`.
    The first delta also carries the role, as the real service sends it.

    A custom tool's call streams the same way with `custom: {name, input}` in place of `function`:
    the shape reported for the real service (openai/openai-openapi#576), which the SDK's chunk types
    do not describe yet, so the SDK keeps `custom` as an extra field of the delta."""
    for index, call in enumerate(tool_calls):
        kind = call["type"]
        field_name = "arguments" if kind == "function" else "input"
        spec = call[kind]
        head = {"index": index, "id": call["id"], "type": kind, kind: {"name": spec["name"], field_name: ""}}
        first: dict[str, Any] = {"role": "assistant", "content": None} if index == 0 else {}
        yield {**first, "tool_calls": [head], **({"refusal": None} if index == 0 else {})}
        for piece in tokens.split_tokens(spec[field_name]):
            yield {"tool_calls": [{"index": index, kind: {field_name: piece}}]}


def stream_error() -> dict[str, Any]:
    """The event a Chat Completions stream sends when generation fails after the 200: OpenAI's error
    object under `error`, as an error answer's body has it (the mock's words: errors.server_error).
    openai 3.57.0 `_streaming.py` raises APIError on any event whose data has an `error` key."""
    return errors.server_error().body()


def empty_list() -> dict[str, Any]:
    """What `GET /v1/chat/completions` (stored completions) returns when nothing was stored."""
    return {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}
