"""The Responses API: `POST /v1/responses` makes a response (whole, or streamed as typed events), and the
stored ones are fetched, listed as input items and deleted by id.
The path of one request: validation.py → replies.py → shapes.py → json_bodies.py or sse.py."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from dataclasses import replace
from typing import Any

from .. import attachments, errors, faults, ids, replies, sse, tokens
from .. import prompt_cache as cache
from ..calls import Call
from ..chat.validation import ChatRequest
from ..http import Response
from ..json_bodies import json_response
from . import background, input_tokens, shapes, window
from .store import StoredResponse
from .validation import ResponsesRequest, validate_responses_request

_INTEGER = re.compile(r"-?[0-9]+")  # ASCII digits only: int() would also read "²" and fail on it
_INCOMPLETE_REASONS = {"length": "max_output_tokens", "content_filter": "content_filter"}
_ITEM_PREFIXES = {"message": "msg_", "function_call": "fc_", "function_call_output": "fco_",
                  "reasoning": "rs_"}


def create_response(call: Call) -> Response:
    profile = call.settings.profile
    request = validate_responses_request(call.json())
    # A stateless server ignores `previous_response_id` and `store`: it keeps nothing to look up.
    earlier = _earlier_turns(call, request) if profile.stores_responses else []
    turn = chat_messages(request.input_items)
    history = window.fit(request.model, request.truncation, _instructions(request.instructions), [*earlier, *turn],
                         _as_chat_request(request, []).tools or None)  # a 400, or the oldest dropped
    messages = [*_instructions(request.instructions), *history]
    chat = _as_chat_request(request, messages)
    if not profile.follows_tools_and_formats:  # a model never trained for them answers in prose
        chat = replace(chat, tools=[], tool_choice="none", response_format={"type": "text"})
    new_id = _id_maker(call)
    seen = attachments.in_responses(request.input_items, call.files)  # images and files: checked, measured
    text = call.scripted.take() or (attachments.reply(seen) if seen else replies.answer_text(messages))
    choice = replies.make_choices(chat, text, lambda i, k: ids.make_id("call_", 24, call.settings.seed,
                                                                       call.number, i, k))[0]
    broken = faults.stream_fault(call.fault)  # a stream fault: the reply cut short, or the stream broken
    if broken is not None and broken.finish_reason is not None:
        choice = faults.cut_short(choice, broken.finish_reason)
    output = _output_items(request, choice, new_id)
    incomplete = _INCOMPLETE_REASONS.get(choice.finish_reason)
    cached = cache.cached_tokens(call.prompt_cache, request.model, request.echo["prompt_cache_key"],
                                 request.echo["prompt_cache_retention"], request.prompt_cache_options,
                                 messages, chat.tools or None)
    response = shapes.response_object(
        new_id(profile.response_id_prefix, "response"), int(time.time()), request, output,
        shapes.usage(chat.prompt_tokens, choice.completion_tokens, cached), incomplete,
    )
    call.prompt_tokens = chat.prompt_tokens  # for the x-ratelimit-* headers (routes.py)
    if request.background:
        response, reply, size = _start_in_background(call, response, request.stream)
    elif request.stream:
        event_list = list(shapes.stream_events(response))
        if broken is not None and broken.finish_reason is None:
            kept = event_list[:broken.events_kept(len(event_list))]
            if broken.name != "stream-cut":  # an error or `response.failed`: stored as failed
                response = shapes.failed(response, kept, errors.server_error().message)
            event_list = [*kept, *shapes.failure_events(response, broken.name, len(kept))]
        events = _paced_events(event_list, request, call)
        reply = Response(200, [("content-type", "text/event-stream; charset=utf-8")], events=events)
        size = len(json.dumps(response))  # what the store keeps: the response as it ended
    else:
        reply = json_response(200, response)
        size = len(reply.body)
    input_items = [{"id": new_id(_ITEM_PREFIXES[item["type"]], "input", n), **item}
                   for n, item in enumerate(request.input_items)]
    if request.conversation is not None:  # this turn's input and output join the conversation
        call.conversations.add_items(request.conversation, [*input_items, *output])
    if request.store and profile.stores_responses:
        conversation = [*earlier, *turn, *chat_messages(output)]
        size += len(call.request.body) + 8 * len(conversation)
        call.responses.add(response["id"], StoredResponse(response, input_items, conversation, size))
    return reply


def count_input_tokens(call: Call) -> Response:
    """`POST /v1/responses/input_tokens`: the input a response would be given, counted as
    `usage.input_tokens` would count it (after `truncation`), without making the response."""
    body, has_input = input_tokens.as_response_body(call.json())
    request = validate_responses_request(body)
    turn = chat_messages(request.input_items) if has_input else []
    history = window.fit(request.model, request.truncation, _instructions(request.instructions),
                         [*_earlier_turns(call, request), *turn], _as_chat_request(request, []).tools or None)
    chat = _as_chat_request(request, [*_instructions(request.instructions), *history])
    return json_response(200, input_tokens.count(chat.prompt_tokens))


def retrieve_response(call: Call) -> Response:
    stored = _stored(call)
    job = call.background.get(call.params["response_id"])
    query = _query(call)
    if query.get("stream", ["false"])[0] == "true":
        return _replay(call, job, query)
    return json_response(200, job.current() if job is not None else stored.response)


def delete_response(call: Call) -> Response:
    response_id = call.params["response_id"]
    if not call.responses.delete(response_id):
        raise errors.response_not_found(response_id)
    return json_response(200, shapes.deleted(response_id))


def cancel_response(call: Call) -> Response:
    """Only a background response can be cancelled (the SDK's `cancel` docstring says so), while it runs."""
    _stored(call)
    job = call.background.get(call.params["response_id"])
    if job is None:
        raise errors.invalid_request("Only responses created with background=true can be cancelled.",
                                     param="response_id")
    was = job.status()
    response = background.cancel(job)
    if was != "cancelled":
        call.webhooks.emit("response.cancelled", response["id"])
    return json_response(200, response)


# --- Background responses (background.py keeps their clock) ---------------------------------------------

def _start_in_background(call: Call, response: dict[str, Any], stream: bool) -> tuple[dict[str, Any], Response, int]:
    """Answer at once with the response queued (or its stream from the first event); the finished
    response is what the store keeps, and a webhook is sent when it finishes."""
    job = background.start(response, stream, call.settings.job_seconds)
    size = call.background.add(response["id"], job)
    finished = f"response.{job.final['status']}"
    call.webhooks.emit(finished, response["id"], job.finishes_after, lambda: job.status() == job.final["status"])
    if stream:
        reply = Response(200, [("content-type", "text/event-stream; charset=utf-8")],
                         events=background.replay(job, None, call.stopping))
    else:
        reply = json_response(200, job.current())
    return job.final, reply, size


def _replay(call: Call, job: background.BackgroundJob | None, query: dict[str, list[str]]) -> Response:
    """`GET /v1/responses/{id}?stream=true`: a streamed background response's events again, from
    `starting_after` + 1. The real service streams only those (its background guide, "Limits")."""
    if job is None or not job.streamed:
        raise errors.invalid_request(
            "The mock streams again only a response created with 'background': true and 'stream': true, "
            "as the real service does: leave out 'stream' to fetch this one.", param="stream")
    after = query.get("starting_after", [None])[0]
    starting_after = None
    if after is not None:
        if not _INTEGER.fullmatch(after) or len(after) > 9:
            raise errors.invalid_type("starting_after", "an integer", after[:20])
        starting_after = int(after)
    events = background.replay(job, starting_after, call.stopping)
    return Response(200, [("content-type", "text/event-stream; charset=utf-8")], events=events)


def list_input_items(call: Call) -> Response:
    """One page of the input a stored response was given: newest first unless `order=asc`,
    `limit` items (20 unless told, 1 to 100), starting after the item `after` names."""
    items = _stored(call).input_items
    query = _query(call)
    order = query.get("order", ["desc"])[0]
    if order not in ("asc", "desc"):
        raise errors.invalid_value("order", order, ["asc", "desc"])
    limit = _limit(query.get("limit", ["20"])[0])
    ordered = items if order == "asc" else items[::-1]
    after = query.get("after", [None])[0]
    if after is not None:
        position = next((n for n, item in enumerate(ordered) if item["id"] == after), None)
        if position is None:
            raise errors.invalid_request(f"Invalid 'after': no input item with id '{after}'.", param="after")
        ordered = ordered[position + 1:]
    return json_response(200, shapes.input_item_list(ordered[:limit], len(ordered) > limit))


def _query(call: Call) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(call.request.path).query)


def _limit(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise errors.invalid_type("limit", "an integer", text)
    digits = len(text.lstrip("-"))
    if digits > 9:  # far out of range whatever its value; too long to repeat in the message
        raise errors.invalid_request(
            f"Invalid 'limit': integer {'below minimum' if text.startswith('-') else 'above maximum'} value. "
            f"Expected a value from 1 to 100, but got an integer of {digits} digits instead.",
            param="limit", code=f"integer_{'below_min' if text.startswith('-') else 'above_max'}_value",
        )
    limit = int(text)
    if limit > 100:
        raise errors.out_of_range("limit", limit, 100, above=True, kind="integer")
    if limit < 1:
        raise errors.out_of_range("limit", limit, 1, above=False, kind="integer")
    return limit


def _stored(call: Call) -> StoredResponse:
    response_id = call.params["response_id"]
    stored = call.responses.get(response_id)
    if stored is None:
        raise errors.response_not_found(response_id)
    return stored


def _earlier_turns(call: Call, request: ResponsesRequest) -> list[dict[str, Any]]:
    """The conversation `previous_response_id` continues (its instructions are not carried over),
    or the items of the `conversation` it joins."""
    if request.conversation is not None:
        items = call.conversations.items(request.conversation)
        if items is None:
            raise errors.conversation_not_found(request.conversation, param="conversation")
        return chat_messages(items)
    previous_response_id = request.previous_response_id
    if previous_response_id is None:
        return []
    stored = call.responses.get(previous_response_id)
    if stored is None:
        raise errors.previous_response_not_found(previous_response_id)
    return stored.conversation


def _id_maker(call: Call) -> Any:
    """Ids shaped like the real ones (`resp_` and 50 hex digits), the response and its items sharing
    the first 16; reproducible, as every id of the mock is."""
    seed, number = call.settings.seed, call.number
    shared = ids.make_hex_id("", 16, seed, number, "shared by its items")

    def new_id(prefix: str, *parts: object) -> str:
        return prefix + shared + ids.make_hex_id("", 34, seed, number, *parts)

    return new_id


# --- Responses items as chat messages, so replies.py answers both APIs the same way ---------------------

def chat_messages(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Input or output items as Chat Completions messages (a reasoning item says nothing)."""
    messages: list[dict[str, Any]] = []
    for item in items:
        if item["type"] == "message":
            messages.append({"role": item["role"], "content": tokens.message_text(item["content"])})
        elif item["type"] == "function_call":
            messages.append({"role": "assistant", "content": None, "tool_calls": [
                {"id": item["call_id"], "type": "function",
                 "function": {"name": item["name"], "arguments": item["arguments"]}}]})
        elif item["type"] == "function_call_output":
            messages.append({"role": "tool", "tool_call_id": item["call_id"], "content": item["output"]})
    return messages


def _instructions(instructions: str | None) -> list[dict[str, Any]]:
    return [{"role": "developer", "content": instructions}] if instructions else []


def _as_chat_request(request: ResponsesRequest, messages: list[dict[str, Any]]) -> ChatRequest:
    """The same request in Chat Completions' terms: flat tools and formats nested as chat nests them."""
    tools = [{"type": "function", "function": {"name": t["name"], "parameters": t["parameters"] or {},
                                               "description": t.get("description") or ""}}
             for t in request.tools]
    choice = request.tool_choice
    if isinstance(choice, dict) and choice.get("type") == "function":
        choice = {"type": "function", "function": {"name": choice["name"]}}
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        listed = [{"type": "function", "function": {"name": tool.get("name")}}
                  for tool in choice["tools"] if isinstance(tool, dict)]
        choice = {"type": "allowed_tools", "allowed_tools": {"mode": choice["mode"], "tools": listed}}
    text_format = request.text_format
    if text_format["type"] == "json_schema":
        text_format = {"type": "json_schema", "json_schema": text_format}
    return ChatRequest(
        model=request.model, messages=messages, stream=request.stream, include_usage=False,
        include_obfuscation=request.include_obfuscation, n=1, max_tokens=request.max_output_tokens, stop=[],
        tools=tools, tool_choice=choice, parallel_tool_calls=request.echo["parallel_tool_calls"] is not False,
        response_format=text_format,
        prompt_tokens=tokens.prompt_tokens(messages, tools or None),
    )


def _output_items(request: ResponsesRequest, choice: replies.Choice, new_id: Any) -> list[dict[str, Any]]:
    """A reasoning model's (empty) reasoning first, then the words or the tool calls."""
    status = "incomplete" if choice.finish_reason in _INCOMPLETE_REASONS else "completed"
    output = []
    if request.reasoning["effort"] not in (None, "none"):
        output.append(shapes.reasoning_item(new_id("rs_", "output", 0)))
    for call in choice.tool_calls:
        function = call["function"]
        output.append(shapes.function_call_item(
            new_id("fc_", "output", len(output)), call["id"], function["name"], function["arguments"], status))
    if not choice.tool_calls:
        output.append(shapes.message_item(new_id("msg_", "output", len(output)), choice.content or "",
                                                    status))
    return output


def _paced_events(stream: list[dict[str, Any]], request: ResponsesRequest, call: Call) -> sse.PacedEvents:
    """Each event framed with its `event:` line; a pause before every delta (one token each), and no
    `[DONE]`: the real stream ends with its last event."""
    pause = sse.token_pause(call.settings.tokens_per_second)
    events, pauses = [], []
    for event in stream:
        delta = shapes.is_delta(event)
        if delta and request.include_obfuscation:
            sse.add_obfuscation(event, event["sequence_number"])
        if not call.settings.profile.sequence_numbers:  # some servers number no event
            del event["sequence_number"]
        events.append(sse.typed_event(event))
        pauses.append(pause if delta else 0.0)
    return sse.PacedEvents(events, pauses, call.stopping)
