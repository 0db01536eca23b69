"""The JSON shapes of OpenAI's Responses API: a response, its output items, usage, and its streamed events.
Pure functions from values to dicts, checked in the tests against the SDK's own types."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from .. import tokens
from .validation import ResponsesRequest


def message_item(item_id: str, text: str, status: str) -> dict[str, Any]:
    """The assistant's words: a `message` with one `output_text` part."""
    return {"id": item_id, "type": "message", "status": status, "content": [output_text(text)],
            "role": "assistant"}


def output_text(text: str) -> dict[str, Any]:
    return {"type": "output_text", "annotations": [], "logprobs": [], "text": text}


def function_call_item(item_id: str, call_id: str, name: str, arguments: str, status: str) -> dict[str, Any]:
    """A call the model asks the program to make; `arguments` is a JSON string, `call_id` pairs it with
    the `function_call_output` the program sends back."""
    return {"id": item_id, "type": "function_call", "status": status, "arguments": arguments,
            "call_id": call_id, "name": name}


def reasoning_item(item_id: str) -> dict[str, Any]:
    """What a reasoning model shows of its thinking when no summary is asked for: nothing but an id."""
    return {"id": item_id, "type": "reasoning", "summary": []}


def usage(input_tokens: int, output_tokens: int, cached_tokens: int = 0) -> dict[str, Any]:
    """What a response used; `cached_tokens` of the input came from the prompt cache (prompt_cache.py).
    `cache_write_tokens` stays 0: the mock does not imitate what the real service counts as written."""
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": cached_tokens, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


def _tool_usage() -> dict[str, Any]:
    """Counts for the built-in tools a response used; the mock has none, so all zero."""
    tokens_used = {"input_tokens": 0, "input_tokens_details": {"image_tokens": 0, "text_tokens": 0},
                   "output_tokens": 0, "output_tokens_details": {"image_tokens": 0, "text_tokens": 0},
                   "total_tokens": 0}
    return {"image_gen": tokens_used, "web_search": {"num_requests": 0}}


def response_object(
    response_id: str,
    created_at: int,
    request: ResponsesRequest,
    output: list[dict[str, Any]],
    response_usage: dict[str, Any],
    incomplete_reason: str | None = None,
) -> dict[str, Any]:
    """The finished response, its fields in the real service's order, every request field echoed."""
    echo = request.echo
    return {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": "incomplete" if incomplete_reason else "completed",
        "background": False,
        "completed_at": None if incomplete_reason else created_at,  # only a completed response has it
        **({"conversation": {"id": request.conversation}} if request.conversation else {}),
        "error": None,
        "incomplete_details": {"reason": incomplete_reason} if incomplete_reason else None,
        "instructions": echo["instructions"],
        "max_output_tokens": echo["max_output_tokens"],
        "max_tool_calls": echo["max_tool_calls"],
        "model": request.model,
        "moderation": None,
        "output": output,
        "parallel_tool_calls": echo["parallel_tool_calls"],
        "previous_response_id": echo["previous_response_id"],
        "prompt_cache_key": echo["prompt_cache_key"],
        "prompt_cache_retention": echo["prompt_cache_retention"],
        "reasoning": request.reasoning,
        "safety_identifier": echo["safety_identifier"],
        "service_tier": request.service_tier,  # the tier that served it ("auto" asks for the default)
        "store": echo["store"],
        "temperature": echo["temperature"],
        "text": {"format": request.text_format, "verbosity": request.verbosity},
        "tool_choice": echo["tool_choice"],
        "tool_usage": _tool_usage(),
        "tools": request.tools,
        "top_logprobs": echo["top_logprobs"],
        "top_p": echo["top_p"],
        "truncation": echo["truncation"],
        "usage": response_usage,
        "user": echo["user"],
        "metadata": echo["metadata"],
    }


def in_progress(response: dict[str, Any]) -> dict[str, Any]:
    """The response as the stream first shows it: nothing out yet, no usage, the tier still "auto"."""
    return {**response, "status": "in_progress", "completed_at": None, "incomplete_details": None,
            "output": [], "service_tier": "auto", "usage": None}


def stream_events(response: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The events of a streamed response, in the real service's order, numbered from 0:
    created, in_progress, each output item (added, its parts or arguments token by token, done),
    and last `response.completed` (or `response.incomplete` when a limit cut it short)."""
    started = in_progress(response)
    events: Iterator[dict[str, Any]] = iter([
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
        *(event for index, item in enumerate(response["output"]) for event in _item_events(index, item)),
        {"type": f"response.{response['status']}", "response": response},
    ])
    for number, event in enumerate(events):
        yield {"type": event.pop("type"), "sequence_number": number, **event}


def _item_events(index: int, item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    item_id, at = item["id"], {"output_index": index}
    if item["type"] == "message":
        part = item["content"][0]
        yield {"type": "response.output_item.added", **at,
               "item": {**item, "status": "in_progress", "content": []}}
        where = {"item_id": item_id, **at, "content_index": 0}
        yield {"type": "response.content_part.added", **where, "part": output_text("")}
        for piece in tokens.split_tokens(part["text"]):
            yield {"type": "response.output_text.delta", **where, "delta": piece, "logprobs": []}
        yield {"type": "response.output_text.done", **where, "text": part["text"], "logprobs": []}
        yield {"type": "response.content_part.done", **where, "part": part}
    elif item["type"] == "function_call":
        yield {"type": "response.output_item.added", **at,
               "item": {**item, "status": "in_progress", "arguments": ""}}
        for piece in tokens.split_tokens(item["arguments"]):
            yield {"type": "response.function_call_arguments.delta", "item_id": item_id, **at, "delta": piece}
        yield {"type": "response.function_call_arguments.done", "item_id": item_id, **at,
               "arguments": item["arguments"]}
    else:  # a reasoning item: added and done at once, when no summary is streamed
        yield {"type": "response.output_item.added", **at, "item": copy.deepcopy(item)}
    yield {"type": "response.output_item.done", **at, "item": item}


def failed(response: dict[str, Any], sent: list[dict[str, Any]], message: str) -> dict[str, Any]:
    """The response as `response.failed` shows it: status "failed", its `error` (a code the SDK's
    ResponseError lists, the mock's words), the output items finished before it failed, no usage."""
    done = [event["item"] for event in sent if event["type"] == "response.output_item.done"]
    return {**response, "status": "failed", "completed_at": None, "incomplete_details": None,
            "error": {"code": "server_error", "message": message}, "output": done, "usage": None}


def failure_events(response: dict[str, Any], fault: str, number: int) -> list[dict[str, Any]]:
    """What a stream sends when it fails after `number` events (faults.STREAM_FAULTS): an `error` event,
    flat as the SDK's ResponseErrorEvent types it, or nested under `error` as the live service was seen to
    send it (openai/openai-dotnet#881, Effect-TS/effect#7262; faults.py says more); a `response.failed`;
    or nothing at all (`stream-cut`)."""
    error = response.get("error") or {}
    if fault == "stream-error":
        return [{"type": "error", "sequence_number": number, "code": error.get("code"),
                 "message": error.get("message"), "param": None}]
    if fault == "stream-error-nested":
        return [{"type": "error", "sequence_number": number,
                 "error": {"type": "server_error", "code": error.get("code"), "message": error.get("message"),
                           "param": None}}]
    if fault == "stream-failed":
        return [{"type": "response.failed", "sequence_number": number, "response": response}]
    return []


def is_delta(event: dict[str, Any]) -> bool:
    """A delta carries one token: the stream pauses before it, as the model generates it."""
    return str(event["type"]).endswith(".delta")


def input_item_list(items: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": items, "first_id": items[0]["id"] if items else None,
            "last_id": items[-1]["id"] if items else None, "has_more": has_more}


def deleted(response_id: str) -> dict[str, Any]:
    return {"id": response_id, "object": "response", "deleted": True}
