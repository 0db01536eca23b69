"""How the mock makes a reply: scripted answers for the lessons' prompts, a fixed fallback for anything else,
tool calls and JSON when asked for them, cut short by `stop` and `max_tokens` as a real model is."""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from . import tokens
from .validation import ChatRequest

# The mock model's output limit: no choice is longer than this, so no reply can be much larger than
# n x 1,024 tokens, whatever a request echoes back (a model that reaches its limit stops with "length").
MAX_CHOICE_TOKENS = 1_024
QUOTE_CHARACTERS = 60  # how much of a prompt the fallback answer repeats
TOOL_RESULT_CHARACTERS = 1_000  # how much of a tool's result the answer after it repeats

# The lessons' prompts and the answers the mock gives them, keyed by the last user message.
SCRIPTED_ANSWERS: dict[str, str] = {
    "In one sentence, what happens when a program calls a large language model?": (
        "The program packs the prompt into JSON, sends it in an HTTP POST to the provider's API, "
        "the provider runs the model on it, and the reply comes back as JSON."
    ),
    "Write a haiku about packets crossing the network.": (
        "Small packets set out,\nhopping router to router:\nthe reply comes home."
    ),
    "Explain what a token is, in two sentences.": (
        "A token is a small piece of text, often a word or part of a word, that a language model reads "
        "and writes one at a time. Prices, limits and speed are all counted in tokens."
    ),
    # 04_errors_and_retries
    "In one sentence, why do programs retry some failed API calls?": (
        "Because many failures are only temporary, like a rate limit or a busy server, "
        "so the same request often succeeds a moment later."
    ),
    # 05_playground: a question and a follow-up that only makes sense with the conversation kept.
    "Give me three tips for writing a good prompt.": (
        "1. Say who the answer is for and what it is for.\n"
        "2. Show an example of the output you want.\n"
        "3. Ask for one thing at a time."
    ),
    "Now make the second tip shorter.": "2. Show an example.",
}


class ScriptedReplies:
    """Answers a lesson has queued with `MockServer.script_reply`: each is the next reply, first in, first out."""

    def __init__(self) -> None:
        self._waiting: deque[str] = deque()
        self._lock = threading.Lock()

    def add(self, text: str) -> None:
        with self._lock:
            self._waiting.append(text)

    def take(self) -> str | None:
        with self._lock:
            return self._waiting.popleft() if self._waiting else None


@dataclass
class Choice:
    """One generated answer: text or tool calls, why it ended, and its tokens."""

    index: int
    content: str | None
    finish_reason: str
    completion_tokens: int
    tool_calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pieces(self) -> list[str]:
        """The content as the stream sends it, one token a chunk."""
        return tokens.split_tokens(self.content or "")


def last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message["role"] == "user":
            return tokens.message_text(message.get("content")).strip()
    return ""


def answer_text(messages: list[dict[str, Any]]) -> str:
    """The scripted answer to the conversation, or a fallback that says what it is."""
    last = messages[-1]
    if last["role"] == "tool":
        return f"The tool answered: {_quoted(tokens.message_text(last.get('content')), TOOL_RESULT_CHARACTERS)}"
    prompt = last_user_text(messages)
    if prompt in SCRIPTED_ANSWERS:
        return SCRIPTED_ANSWERS[prompt]
    quoted = _quoted(prompt)
    return (
        f'You asked: "{quoted}". I am the offline mock model, so I cannot really think about it, '
        "but a real model's answer would reach you exactly like this one: as JSON, or token by token."
    )


def _quoted(text: str, limit: int = QUOTE_CHARACTERS) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def make_choices(request: ChatRequest, text: str, call_id: Any) -> list[Choice]:
    """`n` choices for the request; `text` is the answer to give, `call_id(i)` names tool call i."""
    tool = _tool_to_call(request)
    choices = []
    for index in range(request.n):
        if tool is not None:
            choices.append(_tool_call_choice(index, tool, request.messages, call_id(index)))
        else:
            variant = text if index == 0 else f"Take {index + 1}: {text}"
            choices.append(_text_choice(index, _shape_for_format(variant, request), request))
    return choices


def _text_choice(index: int, text: str, request: ChatRequest) -> Choice:
    finish_reason = "stop"
    for stop in request.stop:
        if stop and stop in text:
            text = text[: text.index(stop)]
    pieces = tokens.split_tokens(text)
    limit = min(request.max_tokens or MAX_CHOICE_TOKENS, MAX_CHOICE_TOKENS)
    if len(pieces) > limit:
        pieces, finish_reason = pieces[:limit], "length"
    return Choice(index, "".join(pieces), finish_reason, len(pieces))


def _shape_for_format(text: str, request: ChatRequest) -> str:
    """JSON modes answer with JSON: `json_object` wraps the text, `json_schema` fills in the schema."""
    kind = request.response_format["type"]
    if kind == "json_object":
        return json.dumps({"answer": text})
    if kind == "json_schema":
        schema = request.response_format["json_schema"].get("schema", {})
        return json.dumps(example_from_schema(schema, last_user_text(request.messages)))
    return text


def _tool_to_call(request: ChatRequest) -> dict[str, Any] | None:
    """The tool the model calls: the one named, else the first, when the choice allows a call.
    With "auto", the model calls a tool once, then answers from the tool's result."""
    choice = request.tool_choice
    if not request.tools or choice == "none":
        return None
    if choice == "auto" and request.messages[-1]["role"] == "tool":
        return None
    if isinstance(choice, dict) and choice.get("type") in ("function", "custom"):
        name = choice[choice["type"]]["name"]
        return next(t for t in request.tools if t[t["type"]]["name"] == name)
    return request.tools[0]


def _tool_call_choice(index: int, tool: dict[str, Any], messages: list[dict[str, Any]], call_id: str) -> Choice:
    spec = tool[tool["type"]]
    prompt = last_user_text(messages)
    if tool["type"] == "function":
        arguments = json.dumps(example_from_schema(spec.get("parameters", {}), prompt))
    else:
        arguments = prompt
    pieces, finish_reason = tokens.split_tokens(arguments), "tool_calls"
    if len(pieces) > MAX_CHOICE_TOKENS:  # cut off mid-call, as a model at its output limit is
        arguments, finish_reason = "".join(pieces[:MAX_CHOICE_TOKENS]), "length"
    if tool["type"] == "function":
        call = {"id": call_id, "type": "function", "function": {"name": spec["name"], "arguments": arguments}}
    else:
        call = {"id": call_id, "type": "custom", "custom": {"name": spec["name"], "input": arguments}}
    used = tokens.count_tokens(spec["name"]) + tokens.count_tokens(arguments)
    return Choice(index, None, finish_reason, used, tool_calls=[call])


def example_from_schema(schema: dict[str, Any], prompt: str) -> Any:
    """A value that fits a JSON schema, with strings taken from the prompt where that reads naturally."""
    if not isinstance(schema, dict):
        return None  # not a schema at all: answer with null rather than fail
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    kind = (kind[0] if kind else "null") if isinstance(kind, list) else kind
    if kind == "object":
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        return {name: example_from_schema(sub, prompt) for name, sub in properties.items()}
    if kind == "array":
        return [example_from_schema(schema.get("items", {"type": "string"}), prompt)]
    if kind == "string":
        return _topic(prompt)
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    return None


def _topic(prompt: str) -> str:
    """The prompt's last capitalised word after the first ("Paris" in "Weather in Paris?"), else "example"."""
    names = re.findall(r"(?<!^)\b[A-Z][a-z]+", prompt)
    return names[-1] if names else "example"
