"""POST /v1/chat/completions: check the request, make the reply, and send it whole as JSON or as a stream.
The path of one chat request: validation.py → ../replies.py → shapes.py → ../json_bodies.py or sse.py."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from .. import attachments, faults, ids, prompt_cache, replies, sse
from ..calls import Call
from ..http import Response
from ..json_bodies import json_response
from . import shapes
from .validation import ChatRequest, validate_chat_request


def create_completion(call: Call) -> Response:
    profile = call.settings.profile
    body = call.json()
    chat = validate_chat_request(body, strict=profile.strict)
    if not profile.follows_tools_and_formats:  # a model never trained for them answers in prose
        chat = replace(chat, tools=[], tool_choice="none", response_format={"type": "text"})
    if not profile.stream_usage:  # `stream_options.include_usage` ignored: no usage chunk
        chat = replace(chat, include_usage=False)
    cached = _cached_tokens(call, body, chat)
    seen = attachments.in_chat(chat.messages, call.files)  # images and files: checked, then measured
    text = call.scripted.take() or (attachments.reply(seen) if seen else replies.answer_text(chat.messages))
    seed, number = call.settings.seed, call.number
    completion_id = ids.make_id("chatcmpl-", 29, seed, number)
    choices = replies.make_choices(chat, text, lambda i, k: ids.make_id("call_", 24, seed, number, i, k))
    broken = faults.stream_fault(call.fault)  # a stream fault: the reply cut short, or the stream broken
    if broken is not None and broken.finish_reason is not None:
        choices = [faults.cut_short(choice, broken.finish_reason) for choice in choices]
    created = int(time.time())
    call.prompt_tokens = chat.prompt_tokens  # for the x-ratelimit-* headers (routes.py)
    if not chat.stream:
        completion = shapes.chat_completion(completion_id, created, chat.model, choices, chat.prompt_tokens, cached)
        return json_response(200, completion)
    chunks = shapes.stream_chunks(completion_id, created, chat.model, choices, chat.prompt_tokens,
                                  chat.include_usage, cached)
    events = _stream_events(list(chunks), chat, call, broken)
    return Response(200, [("content-type", "text/event-stream; charset=utf-8")], events=events)


def _cached_tokens(call: Call, body: dict[str, Any], chat: ChatRequest) -> int:
    """The prompt cache's part of the prompt; a plain compatible server (`minimal`) reports none."""
    if not call.settings.profile.strict:
        return 0
    return prompt_cache.cached_tokens(call.prompt_cache, chat.model, body.get("prompt_cache_key"),
                                      body.get("prompt_cache_retention"), body.get("prompt_cache_options"),
                                      chat.messages, body.get("tools"))


def list_stored_completions(call: Call) -> Response:
    """`GET /v1/chat/completions` lists completions stored with `store: true`; the mock stores none."""
    return json_response(200, shapes.empty_list())


def _stream_events(chunks: list[dict[str, Any]], chat: ChatRequest, call: Call,
                   broken: faults.StreamFault | None = None) -> sse.PacedEvents:
    """Each chunk as an event, then `data: [DONE]`; a pause before every chunk that carries a token,
    as a model sends each token the moment it has generated it. A stream fault that breaks the stream
    sends only the first chunks, then (`stream-cut` aside) an error event, and no `[DONE]`."""
    pause = sse.token_pause(call.settings.tokens_per_second)
    events, pauses = [], []
    for number, chunk in enumerate(chunks):
        if chat.include_obfuscation:
            sse.add_obfuscation(chunk, number)
        events.append(sse.event(chunk))
        pauses.append(pause if number > 0 and _carries_token(chunk) else 0.0)
    if broken is not None and broken.finish_reason is None:
        kept = broken.events_kept(len(events))
        events, pauses = events[:kept], pauses[:kept]
        if broken.name != "stream-cut":
            events.append(sse.event(shapes.stream_error()))
            pauses.append(0.0)
        return sse.PacedEvents(events, pauses, call.stopping)
    events.append(sse.DONE)
    pauses.append(0.0)
    return sse.PacedEvents(events, pauses, call.stopping)


def _carries_token(chunk: dict[str, Any]) -> bool:
    return any(c["delta"].get("content") or c["delta"].get("tool_calls") for c in chunk["choices"])

