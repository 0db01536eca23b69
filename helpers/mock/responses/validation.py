"""Checks a `POST /v1/responses` request the way the real API does, and raises the real API's 400s.
Every parameter the SDK can send is listed here; tests keep this table in step with the SDK's types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import catalogue, errors, parameters, prompt_cache
from ..parameters import TYPE_CHECKS

# Each parameter's JSON type, and whether `null` is allowed (as the SDK's `Optional[...]` says).
PARAMETERS: dict[str, tuple[str, bool]] = {
    "access_programs": ("object", False),
    "background": ("boolean", True),
    "background_options": ("object", False),
    "context_management": ("array", True),
    "conversation": ("string or object", True),
    "image": ("object", False),
    "include": ("array", True),
    "input": ("string or array", False),
    "instructions": ("string", True),
    "max_output_tokens": ("integer", True),
    "max_tool_calls": ("integer", True),
    "metadata": ("object", True),
    "model": ("string", False),
    "moderation": ("object", True),
    "parallel_tool_calls": ("boolean", True),
    "previous_response_id": ("string", True),
    "prompt": ("object", True),
    "prompt_cache_key": ("string", True),
    "prompt_cache_options": ("object", False),
    "prompt_cache_retention": ("string", True),
    "reasoning": ("object", True),
    "safety_identifier": ("string", True),
    "service_tier": ("string", True),
    "store": ("boolean", True),
    "stream": ("boolean", True),
    "stream_options": ("object", True),
    "temperature": ("decimal", True),
    "text": ("object", False),
    "tool_choice": ("string or object", False),
    "tools": ("array", False),
    "top_logprobs": ("integer", True),
    "top_p": ("decimal", True),
    "truncation": ("string", True),
    "user": ("string", False),
}

# Chat Completions parameters whose place the real API names when they are sent here.
MOVED = {"response_format": "text.format", "reasoning_effort": "reasoning.effort"}

RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0, 2),
    "top_p": (0, 1),
    "top_logprobs": (0, 20),
    "max_output_tokens": (16, 2**31 - 1),  # the spec's minimum: 16
}

CHOICES: dict[str, list[str]] = {
    "service_tier": ["auto", "default", "flex", "scale", "priority", "fast", "ultrafast"],
    "truncation": ["auto", "disabled"],
    "prompt_cache_retention": ["in_memory", "24h"],
}
INCLUDABLE = [
    "file_search_call.results", "web_search_call.results", "web_search_call.action.sources",
    "message.input_image.image_url", "computer_call_output.output.image_url", "code_interpreter_call.outputs",
    "reasoning.encrypted_content", "message.output_text.logprobs",
]
EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh", "max"]
# `reasoning`'s keys and the values each allows (None: any string); tests compare them with the SDK's.
REASONING_CHOICES: dict[str, list[str] | None] = {
    "context": ["auto", "current_turn", "all_turns"],
    "effort": EFFORTS,
    "generate_summary": ["auto", "concise", "detailed"],
    "mode": None,
    "summary": ["auto", "concise", "detailed"],
}
VERBOSITIES = ["low", "medium", "high"]
FORMATS = ["text", "json_object", "json_schema"]
ROLES = ["user", "system", "developer", "assistant"]
TEXT_PARTS = ("input_text", "output_text")  # parts whose `text` is read as the message's words
OTHER_PARTS = ("input_image", "input_file", "input_audio", "refusal")
ITEM_TYPES = ["message", "function_call", "function_call_output"]  # the items this mock understands

# Models only the Responses API serves (the SDK's `ResponsesModel` beyond `ChatModel`).
RESPONSES_ONLY_MODELS = (
    "o1-pro", "o1-pro-2025-03-19", "o3-pro", "o3-pro-2025-06-10", "o3-deep-research",
    "o3-deep-research-2025-06-26", "o4-mini-deep-research", "o4-mini-deep-research-2025-06-26",
    "computer-use-preview", "computer-use-preview-2025-03-11", "gpt-5.5-pro", "gpt-5.5-pro-2026-04-23",
    "gpt-5-codex", "gpt-5-pro", "gpt-5-pro-2025-10-06", "gpt-5.1-codex-max", "gpt-daybreak-blue-latest",
    "gpt-daybreak-red-latest", "gpt-5.6-cyber", "gpt-6-cyber", "gpt-rosalind-research", "gpt-6-rosalind",
    "gpt-6.2-astra-law",
)

# What a reply echoes for each request field it repeats, when the request leaves the field out.
ECHO_DEFAULTS: dict[str, Any] = {
    "instructions": None,
    "max_output_tokens": None,
    "max_tool_calls": None,
    "parallel_tool_calls": True,
    "previous_response_id": None,
    "prompt_cache_key": None,
    "prompt_cache_retention": "in_memory",
    "safety_identifier": None,
    "store": True,
    "temperature": 1.0,
    "tool_choice": "auto",
    "top_logprobs": 0,
    "top_p": 1.0,
    "truncation": "disabled",
    "user": None,
    "metadata": {},
}

# The keys each nested object may have (anything else is an unknown parameter, as at the top level).
TOOL_KEYS = ("type", "name", "description", "parameters", "strict", "async", "allowed_callers", "defer_loading",
             "output_schema")
FORMAT_KEYS = {"text": ("type",), "json_object": ("type",),
               "json_schema": ("type", "name", "schema", "description", "strict")}
TEXT_KEYS = ("format", "verbosity")

# The tier a finished response reports: the one asked for ("fast" is served as "priority"), else "default".
_SERVING_TIERS = {"flex": "flex", "scale": "scale", "priority": "priority", "fast": "priority"}

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_MAX_METADATA = 16
# The mock's own limits, said in its own words: what a real key could do that an offline mock cannot.
_MOCK_CANNOT = {
    "context_management": "compact a conversation",
    "prompt": "use stored prompts",
}


@dataclass
class ResponsesRequest:
    """What the reply needs to know, taken from a request that passed every check."""

    model: str
    input_items: list[dict[str, Any]]  # the request's own input, as the store lists it (ids still to come)
    instructions: str | None
    stream: bool
    include_obfuscation: bool
    store: bool
    previous_response_id: str | None
    max_output_tokens: int | None
    tools: list[dict[str, Any]]  # function tools, as the reply echoes them
    tool_choice: Any
    text_format: dict[str, Any]
    reasoning: dict[str, Any]  # as the reply echoes it
    echo: dict[str, Any]  # every other field the reply repeats, defaults filled in
    verbosity: str
    service_tier: str  # the tier that serves it, as the finished response reports it
    conversation: str | None  # the id of the conversation it continues and joins
    truncation: str  # "disabled" (a 400 past the context window) or "auto" (oldest items dropped)
    prompt_cache_options: dict[str, Any] | None
    background: bool = False  # answered at once, queued, and run on the mock's clock (background.py)


def validate_responses_request(body: Any) -> ResponsesRequest:
    """Return the request's essentials, or raise the ApiError the real API would answer with."""
    if not isinstance(body, dict):
        raise errors.invalid_type("body", "an object", body)
    for name in body:
        if name in MOVED:
            raise errors.moved_parameter(name, MOVED[name])
        if name not in PARAMETERS:
            raise errors.unknown_parameter(name)
    for name in ("model", "input"):
        if name not in body:
            raise errors.missing_parameter(name)
    for name, value in body.items():
        parameters.check_type(PARAMETERS, name, value)
    parameters.check_ranges_and_choices(body, PARAMETERS, RANGES, CHOICES)
    _check_what_the_mock_cannot_do(body)
    _check_background(body)
    items = _input_items(body["input"])
    conversation = _conversation_id(body)
    prompt_cache.check_options(body.get("prompt_cache_options"), prompt_cache.RESPONSES_OPTIONS)
    check_metadata(body.get("metadata"))
    _check_include(body.get("include"))
    _check_stream_options(body)
    tools = _function_tools(body.get("tools"))
    _check_tool_choice(body.get("tool_choice"), tools)
    text_format, verbosity = _text_config(body.get("text"), items)
    _check_model(body)
    return _essentials(body, items, tools, text_format, verbosity, conversation)


def is_known_model(model: str) -> bool:
    return catalogue.is_known(model) or model in RESPONSES_ONLY_MODELS


def _check_what_the_mock_cannot_do(body: dict[str, Any]) -> None:
    for name, what in _MOCK_CANNOT.items():
        if body.get(name) not in (None, False):
            raise errors.invalid_request(
                f"The offline mock cannot {what}: leave out '{name}'.", param=name, code="unsupported_parameter"
            )


def _check_background(body: dict[str, Any]) -> None:
    """A background response must be stored: the real service refuses stateless ones (its guide, "Background
    mode", Limits). Its wording for that 400 is not published; these words are the mock's own."""
    if body.get("background") is True and body.get("store") is False:
        raise errors.invalid_request(
            "The mock refuses 'background': true with 'store': false, as the real service does: a background "
            "response is stored so that it can be polled. Leave out 'store' or set it to true.", param="store")


def _input_items(value: str | list[Any]) -> list[dict[str, Any]]:
    """The input as a list of items: a string is one user message of one `input_text` part."""
    if isinstance(value, str):
        return [_message_item("user", [{"type": "input_text", "text": value}])]
    if not value:
        raise errors.empty_array("input")
    return input_items_of("input", value)


def input_items_of(name: str, value: list[Any]) -> list[dict[str, Any]]:
    """Items as `input` takes them (also a conversation's items), each checked where it stands."""
    return [_input_item(f"{name}[{i}]", item) for i, item in enumerate(value)]


def _conversation_id(body: dict[str, Any]) -> str | None:
    """`conversation`: an id, or `{"id": ...}`. With `previous_response_id` it is refused: the reference
    says each "Cannot be used in conjunction with" the other (openai 3.57.0, ResponseCreateParams); no
    capture of the real message was found, so the words are the mock's."""
    value = body.get("conversation")
    if value is None:
        return None
    if isinstance(value, dict):
        _check_keys(value, "conversation", ("id",))
        value = _required_string(value, "conversation", "id")
    if body.get("previous_response_id") is not None:
        raise errors.invalid_request(
            "'previous_response_id' cannot be used in conjunction with 'conversation' (the API reference's "
            "rule, in the offline mock's words): send only one of them.",
            param="conversation", code="invalid_value",
        )
    return str(value)


def _input_item(where: str, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise errors.invalid_type(where, "an object", item)
    kind = item.get("type", "message")  # a message may leave its type out (an "easy input message")
    if kind not in ITEM_TYPES:
        raise errors.invalid_request(
            f"Invalid '{where}.type': the offline mock understands input items of type 'message', "
            f"'function_call' and 'function_call_output', not {kind!r}.",
            param=f"{where}.type", code="invalid_value",
        )
    if kind == "message":
        role = _required(item, where, "role")
        if role not in ROLES:
            raise errors.invalid_value(f"{where}.role", role, ROLES)
        return _message_item(role, _content_parts(where, role, _required(item, where, "content")))
    if kind == "function_call":
        call_id, name, arguments = (_required_string(item, where, key) for key in ("call_id", "name", "arguments"))
        return {"type": "function_call", "call_id": call_id, "name": name, "arguments": arguments,
                "status": "completed"}
    call_id, output = (_required_string(item, where, key) for key in ("call_id", "output"))
    return {"type": "function_call_output", "call_id": call_id, "output": output, "status": "completed"}


def _message_item(role: str, content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "message", "role": role, "content": content, "status": "completed"}


def _content_parts(where: str, role: str, content: Any) -> list[dict[str, Any]]:
    """A message's content as parts: a string is one text part (`output_text` for the assistant's own words)."""
    text_type = "output_text" if role == "assistant" else "input_text"
    if isinstance(content, str):
        return [_text_part(text_type, content)]
    if not isinstance(content, list):
        raise errors.invalid_type(f"{where}.content", "one of a string or array of objects", content)
    parts = []
    for j, part in enumerate(content):
        at = f"{where}.content[{j}]"
        if not isinstance(part, dict):
            raise errors.invalid_type(at, "an object", part)
        kind = _required(part, at, "type")
        if kind in TEXT_PARTS:
            parts.append(_text_part(kind, _required_string(part, at, "text")))
        elif kind in OTHER_PARTS:
            parts.append(part)
        else:
            raise errors.invalid_value(f"{at}.type", kind, [*TEXT_PARTS, *OTHER_PARTS])
    return parts


def _text_part(kind: str, text: str) -> dict[str, Any]:
    if kind == "output_text":
        return {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
    return {"type": "input_text", "text": text}


def _check_keys(value: dict[str, Any], where: str, allowed: tuple[str, ...]) -> None:
    for key in value:
        if key not in allowed:
            raise errors.unknown_parameter(f"{where}.{key}")


def _required(item: dict[str, Any], where: str, key: str) -> Any:
    if key not in item:
        raise errors.missing_parameter(f"{where}.{key}")
    return item[key]


def _required_string(item: dict[str, Any], where: str, key: str) -> str:
    value = _required(item, where, key)
    if not isinstance(value, str):
        raise errors.invalid_type(f"{where}.{key}", "a string", value)
    return value


def check_metadata(metadata: dict[str, Any] | None) -> None:
    """Up to 16 pairs of strings, keys up to 64 characters and values up to 512."""
    if metadata is None:
        return
    if len(metadata) > _MAX_METADATA:
        raise errors.invalid_request(
            f"Invalid 'metadata': too many properties. Expected an object with at most {_MAX_METADATA} "
            f"properties, but got an object with {len(metadata)} properties instead.",
            param="metadata", code="object_above_max_properties",
        )
    for key, value in metadata.items():
        if not isinstance(value, str):
            raise errors.invalid_type(f"metadata.{key}", "a string", value)
        if len(key) > 64 or len(value) > 512:
            raise errors.invalid_request(
                f"Invalid 'metadata.{key[:64]}': keys can be at most 64 characters and values at most 512.",
                param="metadata", code="invalid_value",
            )


def _check_include(include: list[Any] | None) -> None:
    for i, value in enumerate(include or []):
        if value not in INCLUDABLE:
            raise errors.invalid_value(f"include[{i}]", value, INCLUDABLE)


def _check_stream_options(body: dict[str, Any]) -> None:
    if body.get("stream_options") is not None and not body.get("stream"):
        raise errors.invalid_request(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param="stream_options"
        )


def _function_tools(tools: list[Any] | None) -> list[dict[str, Any]]:
    """The tools as the reply echoes them; the mock calls function tools only."""
    echoed = []
    for i, tool in enumerate(tools or []):
        where = f"tools[{i}]"
        if not isinstance(tool, dict):
            raise errors.invalid_type(where, "an object", tool)
        kind = _required(tool, where, "type")
        if kind != "function":
            raise errors.invalid_request(
                f"Invalid '{where}.type': the offline mock can call only tools of type 'function', "
                f"not {kind!r} (built-in tools run on OpenAI's servers).",
                param=f"{where}.type", code="invalid_value",
            )
        name = _required(tool, where, "name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise errors.invalid_request(
                f"Invalid '{where}.name': string does not match pattern. Expected a string that matches "
                "the pattern '^[a-zA-Z0-9_-]+$'.",
                param=f"{where}.name", code="invalid_value",
            )
        _check_keys(tool, where, TOOL_KEYS)
        for key, kind in (("parameters", "object"), ("strict", "boolean"), ("description", "string")):
            if tool.get(key) is not None and not TYPE_CHECKS[kind](tool[key]):
                raise errors.invalid_type(f"{where}.{key}", f"{'an' if kind == 'object' else 'a'} {kind}", tool[key])
        strict = tool.get("strict")
        echoed.append({"type": "function", "description": tool.get("description"), "name": name,
                       "parameters": tool.get("parameters"),
                       "strict": True if strict is None else strict})  # the real API echoes an unset `strict` as true
    return echoed


def _check_tool_choice(choice: Any, tools: list[dict[str, Any]]) -> None:
    if choice is None:
        return
    if isinstance(choice, str):
        if choice not in ("none", "auto", "required"):
            raise errors.invalid_value("tool_choice", choice, ["none", "auto", "required"])
        return
    kind = _required(choice, "tool_choice", "type")
    if kind == "allowed_tools":
        _check_allowed_tools(choice)
        return
    if kind != "function":
        raise errors.invalid_request(
            f"Invalid 'tool_choice.type': the offline mock can choose only tools of type 'function', not {kind!r}.",
            param="tool_choice.type", code="invalid_value",
        )
    _check_keys(choice, "tool_choice", ("type", "name"))
    name = _required_string(choice, "tool_choice", "name")
    if name not in [tool["name"] for tool in tools]:
        raise errors.invalid_request(
            f"Invalid value for 'tool_choice': tool '{name}' not found in 'tools'.", param="tool_choice"
        )


def _check_allowed_tools(choice: dict[str, Any]) -> None:
    """`{"type": "allowed_tools", "mode": "auto" or "required", "tools": [...]}`: a subset to choose from."""
    _check_keys(choice, "tool_choice", ("type", "mode", "tools"))
    mode = _required(choice, "tool_choice", "mode")
    if mode not in ("auto", "required"):
        raise errors.invalid_value("tool_choice.mode", mode, ["auto", "required"])
    allowed = _required(choice, "tool_choice", "tools")
    if not isinstance(allowed, list) or not all(isinstance(tool, dict) for tool in allowed):
        raise errors.invalid_type("tool_choice.tools", "an array of objects", allowed)


def _text_config(text: dict[str, Any] | None, items: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """`text.format` (flat, unlike chat's nested `response_format`) and `text.verbosity`."""
    text = text or {}
    _check_keys(text, "text", TEXT_KEYS)
    verbosity = text.get("verbosity", "medium")
    if verbosity not in VERBOSITIES:
        raise errors.invalid_value("text.verbosity", verbosity, VERBOSITIES)
    text_format = text.get("format", {"type": "text"})
    if not isinstance(text_format, dict):
        raise errors.invalid_type("text.format", "an object", text_format)
    kind = text_format.get("type")
    if kind is None:
        raise errors.missing_parameter("text.format.type")
    if kind not in FORMATS:
        raise errors.invalid_value("text.format.type", kind, FORMATS)
    _check_keys(text_format, "text.format", FORMAT_KEYS[kind])
    if kind == "json_schema":
        _check_json_schema(text_format)
    if kind == "json_object" and "json" not in _input_words(items).lower():
        raise errors.invalid_request(
            "Response input messages must contain the word 'json' in some form to use 'text.format' of type "
            "'json_object'.",
            param="input",
        )
    return text_format, verbosity


def _check_json_schema(text_format: dict[str, Any]) -> None:
    for key in ("name", "schema"):
        if key not in text_format:
            raise errors.missing_parameter(f"text.format.{key}")
    name, schema = text_format["name"], text_format["schema"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise errors.invalid_request(
            "Invalid 'text.format.name': string does not match pattern. Expected a string that matches the "
            "pattern '^[a-zA-Z0-9_-]+$'.",
            param="text.format.name", code="invalid_value",
        )
    if not isinstance(schema, dict):
        raise errors.invalid_type("text.format.schema", "an object", schema)
    for key, kind in (("strict", "boolean"), ("description", "string")):
        if text_format.get(key) is not None and not TYPE_CHECKS[kind](text_format[key]):
            raise errors.invalid_type(f"text.format.{key}", f"a {kind}", text_format[key])
    if text_format.get("strict") and schema.get("type", "object") == "object" \
            and schema.get("additionalProperties") is not False:
        raise errors.invalid_request(
            f"Invalid schema for response_format '{name}': In context=(), 'additionalProperties' is required "
            "to be supplied and to be false.",
            param="text.format.schema", code="invalid_json_schema",
        )


def _input_words(items: list[dict[str, Any]]) -> str:
    """The words of the input's messages (the `json` check reads these, not `instructions`)."""
    return " ".join(part.get("text", "") for item in items if item["type"] == "message"
                    for part in item["content"] if part["type"] in TEXT_PARTS)


def _check_model(body: dict[str, Any]) -> None:
    """Checks that depend on the model: it exists, and it allows these parameters."""
    model = body["model"]
    if not is_known_model(model):
        raise errors.model_not_found(model)
    reasoning = body.get("reasoning") or {}
    _check_reasoning(reasoning)
    effort = reasoning.get("effort")
    if not catalogue.is_reasoning_model(model):
        if effort is not None:
            raise errors.invalid_request(
                "Unsupported parameter: 'reasoning.effort' is not supported with this model.",
                param="reasoning.effort", code="unsupported_parameter",
            )
        return
    if effort == "none" and samples_without_reasoning(model):
        return  # GPT-5.1 and later, not reasoning, take temperature and top_p
    for name in ("temperature", "top_p"):
        if body.get(name) not in (None, 1):
            raise errors.invalid_request(
                f"Unsupported parameter: '{name}' is not supported with this model.",
                param=name, code="unsupported_parameter",
            )


def _check_reasoning(reasoning: dict[str, Any]) -> None:
    _check_keys(reasoning, "reasoning", tuple(REASONING_CHOICES))
    for key, allowed in REASONING_CHOICES.items():
        value = reasoning.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise errors.invalid_type(f"reasoning.{key}", "a string", value)
        if allowed is not None and value not in allowed:
            raise errors.invalid_value(f"reasoning.{key}", value, allowed)


def samples_without_reasoning(model: str) -> bool:
    """GPT-5.1 and later models accept reasoning effort "none", and then temperature and top_p as well
    (OpenAI's GPT-5.x parameter-compatibility guide); GPT-5, its mini and nano, and o-series do not."""
    return bool(re.match(r"gpt-(5\.[1-9]|[6-9])", model))


def _essentials(body: dict[str, Any], items: list[dict[str, Any]], tools: list[dict[str, Any]],
                text_format: dict[str, Any], verbosity: str, conversation: str | None) -> ResponsesRequest:
    echo = {name: body[name] if body.get(name) is not None else default for name, default in ECHO_DEFAULTS.items()}
    for name in ("temperature", "top_p"):
        echo[name] = float(echo[name])  # the real reply writes them as decimals: 1.0, not 1
    stream_options = body.get("stream_options") or {}
    return ResponsesRequest(
        model=body["model"],
        input_items=items,
        instructions=body.get("instructions"),
        stream=bool(body.get("stream")),
        include_obfuscation=stream_options.get("include_obfuscation", True) is not False,
        store=body.get("store") is not False,
        previous_response_id=body.get("previous_response_id"),
        max_output_tokens=body.get("max_output_tokens"),
        tools=tools,
        tool_choice=echo["tool_choice"],
        text_format=text_format,
        reasoning=_reasoning_echo(body["model"], body.get("reasoning") or {}),
        echo=echo,
        verbosity=verbosity,
        service_tier=_SERVING_TIERS.get(body.get("service_tier") or "auto", "default"),
        background=body.get("background") is True,
        conversation=conversation,
        truncation=body.get("truncation") or "disabled",
        prompt_cache_options=body.get("prompt_cache_options"),
    )


def _reasoning_echo(model: str, reasoning: dict[str, Any]) -> dict[str, Any]:
    """A reasoning model thinks with its default effort unless told otherwise (catalogue.py: "none" for
    GPT-5.1 to 5.4, so gpt-5.4-mini does not think unless asked); another model not at all."""
    default_effort = catalogue.default_reasoning_effort(model) if catalogue.is_reasoning_model(model) else None
    return {"effort": reasoning.get("effort", default_effort), "summary": reasoning.get("summary")}
