"""How the mock makes a reply: scripted answers for the lessons' prompts, a fixed fallback for anything else,
tool calls and JSON when asked for them, refusals, all cut short by `stop` and `max_tokens` as a real model is."""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import schemas, tokens
from .chat.validation import ChatRequest

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
    # 10_structured_outputs: the text answer to the prompt whose JSON is scripted below
    "Alice and Bob are going to a science fair on Friday.": (
        "The event is a science fair, on Friday, with Alice and Bob."
    ),
}

# Values the mock writes into JSON (a `json_schema` reply, a `json_object` reply, tool arguments) for a
# prompt, by property name; each is used only where it fits the property's schema.
SCRIPTED_VALUES: dict[str, dict[str, Any]] = {
    "Alice and Bob are going to a science fair on Friday.": {
        "name": "Science fair", "date": "Friday", "participants": ["Alice", "Bob"],
    },
    "Give me a quick recipe for pancakes.": {
        "title": "Pancakes", "minutes": 20, "ingredients": ["flour", "milk", "eggs", "butter"],
    },
}

# Prompts a model declines. With a `json_schema` format the refusal comes in `message.refusal` (and
# `content` is null), which is how Structured Outputs reports it; otherwise it is the reply's text.
REFUSALS: dict[str, str] = {
    "Explain how to pick the lock on my neighbour's front door.": "I'm sorry, but I can't help with that.",
}

# Words too common to show that a prompt asks for a tool ("what", "this" in a tool's description); words
# shorter than four letters ("get" in `get_weather`) never count.
_COMMON_WORDS = frozenset({
    "about", "after", "also", "back", "call", "does", "from", "give", "have", "here", "into", "just", "like",
    "list", "make", "more", "much", "name", "need", "next", "only", "over", "some", "than", "that", "them",
    "then", "there", "these", "this", "tool", "used", "uses", "using", "value", "what", "when", "where",
    "which", "will", "with", "would", "your",
})


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
    """One generated answer: text, a refusal or tool calls, why it ended, and its tokens."""

    index: int
    content: str | None
    finish_reason: str
    completion_tokens: int
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    refusal: str | None = None

    @property
    def pieces(self) -> list[str]:
        """The content (or the refusal) as the stream sends it, one token a chunk."""
        return tokens.split_tokens(self.content or self.refusal or "")


def last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message["role"] == "user":
            return tokens.message_text(message.get("content")).strip()
    return ""


def answer_text(messages: list[dict[str, Any]]) -> str:
    """The scripted answer to the conversation, an answer from the tools' results, or a fallback."""
    if messages[-1]["role"] == "tool":
        return _answer_from_tool_results(messages)
    prompt = last_user_text(messages)
    if prompt in SCRIPTED_ANSWERS:
        return SCRIPTED_ANSWERS[prompt]
    if prompt in REFUSALS:
        return REFUSALS[prompt]
    quoted = _quoted(prompt)
    return (
        f'You asked: "{quoted}". I am the offline mock model, so I cannot really think about it, '
        "but a real model's answer would reach you exactly like this one: as JSON, or token by token."
    )


def _quoted(text: str, limit: int = QUOTE_CHARACTERS) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _answer_from_tool_results(messages: list[dict[str, Any]]) -> str:
    """"get_weather answered: city Paris, temperature_c 18." for each result after the last tool call."""
    results: list[dict[str, Any]] = []
    for message in reversed(messages):
        if message["role"] != "tool":
            break
        results.insert(0, message)
    names = {call.get("id"): (call.get("function") or call.get("custom") or {}).get("name", "the tool")
             for message in messages if message["role"] == "assistant"
             for call in message.get("tool_calls") or [] if isinstance(call, dict)}
    sentences = []
    for result in results:
        name = names.get(result.get("tool_call_id"), "the tool")
        result_text = _quoted(tokens.message_text(result.get("content")), TOOL_RESULT_CHARACTERS)
        sentences.append(f"{name} answered: {_plain(result_text)}.")
    return " ".join(sentences)


def _plain(text: str) -> str:
    """A tool's JSON result as words ("city Paris, temperature_c 18"); any other text as it is."""
    try:
        value = json.loads(text)
    except ValueError:
        return text.strip().rstrip(".")
    if isinstance(value, dict):
        return ", ".join(f"{key} {json.dumps(item) if isinstance(item, (dict, list)) else item}"
                         for key, item in value.items())
    return text.strip()


CallId = Callable[[int, int], str]  # (choice index, call index) -> "call_..."


def make_choices(request: ChatRequest, text: str, call_id: CallId) -> list[Choice]:
    """`n` choices for the request; `text` is the answer to give, `call_id` names each tool call."""
    calls = planned_tool_calls(request)
    refusal = REFUSALS.get(last_user_text(request.messages)) if request.messages[-1]["role"] == "user" else None
    choices = []
    for index in range(request.n):
        if calls:
            choices.append(_tool_call_choice(index, calls, request, call_id))
        elif refusal and request.response_format["type"] == "json_schema":
            choices.append(_text_choice(index, refusal, request, is_refusal=True))
        else:
            variant = text if index == 0 else f"Take {index + 1}: {text}"
            choices.append(_text_choice(index, _shape_for_format(variant, request), request))
    return choices


def _text_choice(index: int, text: str, request: ChatRequest, is_refusal: bool = False) -> Choice:
    finish_reason = "stop"
    for stop in request.stop:
        if stop and stop in text:
            text = text[: text.index(stop)]
    pieces = tokens.split_tokens(text)
    limit = min(request.max_tokens or MAX_CHOICE_TOKENS, MAX_CHOICE_TOKENS)
    if len(pieces) > limit:
        pieces, finish_reason = pieces[:limit], "length"
    if is_refusal:
        return Choice(index, None, finish_reason, len(pieces), refusal="".join(pieces))
    return Choice(index, "".join(pieces), finish_reason, len(pieces))


def _shape_for_format(text: str, request: ChatRequest) -> str:
    """JSON modes answer with JSON: `json_object` with the scripted values (or the text, wrapped),
    `json_schema` with a value that fits the schema."""
    kind = request.response_format["type"]
    prompt = last_user_text(request.messages)
    if kind == "json_object":
        return json.dumps(SCRIPTED_VALUES.get(prompt) or {"answer": text})
    if kind == "json_schema":
        schema = request.response_format["json_schema"].get("schema", {})
        _, default_text = schemas.words_from(prompt)
        return json.dumps(schemas.fill(schema, SCRIPTED_VALUES.get(prompt, {}), default_text))
    return text


# --- tool calls ---------------------------------------------------------------------------------------

@dataclass
class PlannedCall:
    """One tool call the model will make, and the words its arguments are filled with."""

    tool: dict[str, Any]
    words: dict[str, Any]
    text: str


def planned_tool_calls(request: ChatRequest) -> list[PlannedCall]:
    """The calls the model makes, decided so that a learner can predict them:

    - `tool_choice` "none", or no tools: no call.
    - "auto": after a tool's result the model answers in text. Otherwise it calls each tool the prompt
      asks for: the prompt names it (`get_weather`, or "get weather"), or uses a word of four letters or
      more from its name or description (not a common word such as "what"). No such tool: a text answer.
    - "required": the tools the prompt asks for, else the first tool; a named function: that one.
      Both force a call even after a tool's result, as the real API does.
    - When a prompt names several things ("the weather in Paris and in Tokyo"), a tool is called once for
      each, one call per capitalised name, unless `parallel_tool_calls` is false (then only the first call).
    """
    choice, tools = request.tool_choice, _allowed_tools(request)
    if not tools or choice == "none":
        return []
    mode = choice.get("allowed_tools", {}).get("mode", "auto") if _is_allowed_tools(choice) else choice
    asked = [tool for tool in tools if _prompt_asks_for(last_user_text(request.messages), tool)]
    if isinstance(mode, dict):  # a named function or custom tool
        kind = mode["type"]
        asked = [tool for tool in tools if tool["type"] == kind and _name(tool) == mode[kind]["name"]]
    elif mode == "auto":
        if request.messages[-1]["role"] == "tool":
            return []
    else:  # "required"
        asked = asked or tools[:1]
    calls = [call for tool in asked for call in _calls_for(tool, request)]
    return calls[:1] if not request.parallel_tool_calls else calls


def _is_allowed_tools(choice: Any) -> bool:
    return isinstance(choice, dict) and choice.get("type") == "allowed_tools"


def _allowed_tools(request: ChatRequest) -> list[dict[str, Any]]:
    """The tools the model may call: all of them, or those an `allowed_tools` choice lists."""
    if not _is_allowed_tools(request.tool_choice):
        return request.tools
    listed = request.tool_choice.get("allowed_tools", {}).get("tools", [])
    names = {(item.get("type"), (item.get(item.get("type")) or {}).get("name"))
             for item in listed if isinstance(item, dict)}
    return [tool for tool in request.tools if (tool["type"], _name(tool)) in names]


def _name(tool: dict[str, Any]) -> str:
    name: str = tool[tool["type"]]["name"]
    return name


def _prompt_asks_for(prompt: str, tool: dict[str, Any]) -> bool:
    spec = tool[tool["type"]]
    name = spec["name"]
    words = set(re.findall(r"[a-z]+", prompt.lower()))
    if name.lower() in prompt.lower() or name.lower().replace("_", " ") in prompt.lower():
        return True
    description = spec.get("description") if isinstance(spec.get("description"), str) else ""
    tool_words = set(re.findall(r"[a-z]+", f"{name.replace('_', ' ')} {description}".lower()))
    return any(len(word) >= 4 and word not in _COMMON_WORDS for word in tool_words & words)


def _calls_for(tool: dict[str, Any], request: ChatRequest) -> list[PlannedCall]:
    """One call for each name the prompt mentions (at least one), each filled in with that name."""
    prompt = last_user_text(request.messages)
    names, _ = schemas.words_from(prompt)
    scripted = SCRIPTED_VALUES.get(prompt, {})
    return [PlannedCall(tool, scripted, name) for name in dict.fromkeys(names or ["example"])]


def _tool_call_choice(index: int, calls: list[PlannedCall], request: ChatRequest, call_id: CallId) -> Choice:
    made, used, finish_reason = [], 0, "tool_calls"
    for number, planned in enumerate(calls):
        spec, kind = planned.tool[planned.tool["type"]], planned.tool["type"]
        if kind == "function":
            arguments = json.dumps(schemas.fill(spec.get("parameters", {}), planned.words, planned.text))
        else:
            arguments = last_user_text(request.messages)
        pieces = tokens.split_tokens(arguments)
        if used + len(pieces) > MAX_CHOICE_TOKENS:  # cut off mid-call, as a model at its output limit is
            arguments, finish_reason = "".join(pieces[: max(MAX_CHOICE_TOKENS - used, 0)]), "length"
        if kind == "function":
            made.append({"id": call_id(index, number), "type": "function",
                         "function": {"name": spec["name"], "arguments": arguments}})
        else:
            made.append({"id": call_id(index, number), "type": "custom",
                         "custom": {"name": spec["name"], "input": arguments}})
        used += tokens.count_tokens(spec["name"]) + tokens.count_tokens(arguments)
        if finish_reason == "length":
            break
    return Choice(index, None, finish_reason, used, tool_calls=made)
