"""Checks a chat completion request the way the real API does, and raises the real API's 400s.
Every parameter the SDK can send is listed here; tests keep this table in step with the SDK's types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import catalogue, errors, parameters, prompt_cache, schemas, tokens

# Each parameter's JSON type, and whether `null` is allowed (as the SDK's `Optional[...]` says).
PARAMETERS: dict[str, tuple[str, bool]] = {
    "messages": ("array", False),
    "model": ("string", False),
    "audio": ("object", True),
    "frequency_penalty": ("decimal", True),
    "function_call": ("string or object", False),
    "functions": ("array", False),
    "logit_bias": ("object", True),
    "logprobs": ("boolean", True),
    "max_completion_tokens": ("integer", True),
    "max_tokens": ("integer", True),
    "metadata": ("object", True),
    "modalities": ("array", True),
    "moderation": ("object", True),
    "n": ("integer", True),
    "parallel_tool_calls": ("boolean", False),
    "prediction": ("object", True),
    "presence_penalty": ("decimal", True),
    "prompt_cache_key": ("string", True),
    "prompt_cache_options": ("object", False),
    "prompt_cache_retention": ("string", True),
    "reasoning_effort": ("string", True),
    "response_format": ("object", False),
    "safety_identifier": ("string", True),
    "seed": ("integer", True),
    "service_tier": ("string", True),
    "stop": ("string or array", True),
    "store": ("boolean", True),
    "stream": ("boolean", True),
    "stream_options": ("object", True),
    "temperature": ("decimal", True),
    "tool_choice": ("string or object", False),
    "tools": ("array", False),
    "top_logprobs": ("integer", True),
    "top_p": ("decimal", True),
    "user": ("string", False),
    "verbosity": ("string", True),
    "web_search_options": ("object", False),
}

RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0, 2),
    "top_p": (0, 1),
    "frequency_penalty": (-2, 2),
    "presence_penalty": (-2, 2),
    "n": (1, 128),
    "top_logprobs": (0, 20),
    "max_tokens": (1, 2**31 - 1),
    "max_completion_tokens": (1, 2**31 - 1),
    "seed": (-(2**63), 2**63 - 1),  # a 64-bit integer, as OpenAI's OpenAPI spec bounds it
}

CHOICES: dict[str, list[str]] = {
    "reasoning_effort": ["none", "minimal", "low", "medium", "high", "xhigh", "max"],
    "service_tier": ["auto", "default", "flex", "scale", "priority", "fast"],
    "verbosity": ["low", "medium", "high"],
    "prompt_cache_retention": ["in_memory", "24h"],
}

ROLES = ["system", "assistant", "user", "function", "tool", "developer"]
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_MAX_STOP_SEQUENCES = 4



@dataclass
class ChatRequest:
    """What the reply needs to know, taken from a request that passed every check."""

    model: str
    messages: list[dict[str, Any]]
    stream: bool
    include_usage: bool
    include_obfuscation: bool
    n: int
    max_tokens: int | None
    stop: list[str]
    tools: list[dict[str, Any]]
    tool_choice: Any
    parallel_tool_calls: bool
    response_format: dict[str, Any]
    prompt_tokens: int


def validate_chat_request(body: Any, strict: bool = True) -> ChatRequest:
    """Return the request's essentials, or raise the ApiError the real API would answer with.
    Not `strict` (a plain compatible server): unknown parameters are ignored, any model name is fine."""
    body = parameters.known_fields(body, PARAMETERS, ("model", "messages"), strict)
    parameters.check_ranges_and_choices(body, PARAMETERS, RANGES, CHOICES)
    _check_messages(body["messages"])
    _check_tool_turns(body["messages"])
    _check_stop(body.get("stop"))
    _check_tools(body)
    _check_stream_options(body)
    _check_response_format(body)
    prompt_cache.check_options(body.get("prompt_cache_options"), prompt_cache.CHAT_OPTIONS)
    if strict:
        _check_model(body)
    chat = _essentials(body)
    _check_context_window(chat)
    return chat


def _check_messages(messages: list[Any]) -> None:
    if not messages:
        raise errors.empty_array("messages")
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            raise errors.invalid_type(where, "an object", message)
        if "role" not in message:
            raise errors.missing_parameter(f"{where}.role")
        if message["role"] not in ROLES:
            raise errors.invalid_value(f"{where}.role", message["role"], ROLES)
        _check_content(where, message)
        if message["role"] == "tool" and not isinstance(message.get("tool_call_id"), str):
            raise errors.missing_parameter(f"{where}.tool_call_id")


def _check_content(where: str, message: dict[str, Any]) -> None:
    content = message.get("content")
    if content is None:
        # Only an assistant may leave its content out (when it called tools, or refused).
        if message["role"] != "assistant":
            raise errors.missing_parameter(f"{where}.content")
        return
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise errors.invalid_type(f"{where}.content", "one of a string or array of objects", content)
    for j, part in enumerate(content):
        if not isinstance(part, dict):
            raise errors.invalid_type(f"{where}.content[{j}]", "an object", part)
        if "type" not in part:
            raise errors.missing_parameter(f"{where}.content[{j}].type")
        if part["type"] == "text" and not isinstance(part.get("text"), str):
            raise errors.missing_parameter(f"{where}.content[{j}].text")


def _check_stop(stop: Any) -> None:
    if not isinstance(stop, list):
        return
    if len(stop) > _MAX_STOP_SEQUENCES:
        raise errors.array_too_long("stop", _MAX_STOP_SEQUENCES, len(stop))
    for i, item in enumerate(stop):
        if not isinstance(item, str):
            raise errors.invalid_type(f"stop[{i}]", "a string", item)


def _check_tools(body: dict[str, Any]) -> None:
    tools = body.get("tools")
    if "tool_choice" in body and not tools:
        raise errors.invalid_request(
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
            param="tool_choice",
        )
    if tools is None:
        return
    if not tools:
        raise errors.empty_array("tools")
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            raise errors.invalid_type(f"tools[{i}]", "an object", tool)
        kind = tool.get("type")
        if kind not in ("function", "custom"):
            raise errors.invalid_value(f"tools[{i}].type", kind, ["function", "custom"])
        spec = tool.get(kind)
        if not isinstance(spec, dict):
            raise errors.missing_parameter(f"tools[{i}].{kind}")
        name = spec.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            raise errors.invalid_request(
                f"Invalid 'tools[{i}].{kind}.name': string does not match pattern. Expected a string that "
                f"matches the pattern '^[a-zA-Z0-9_-]+$'.",
                param=f"tools[{i}].{kind}.name",
                code="invalid_value",
            )
        if kind == "function":
            _check_function_tool(f"tools[{i}].function", spec)
        else:
            _check_custom_format(f"tools[{i}].custom.format", spec.get("format"))
    _check_tool_choice(body.get("tool_choice"), tools)


def _check_function_tool(where: str, spec: dict[str, Any]) -> None:
    """A function's parameters are a JSON schema, bounded in size; in strict mode it keeps strict rules."""
    parameters = spec.get("parameters")
    if spec.get("strict") is not None and not isinstance(spec.get("strict"), bool):
        raise errors.invalid_type(f"{where}.strict", "a boolean", spec["strict"])
    if spec.get("description") is not None and not isinstance(spec.get("description"), str):
        raise errors.invalid_type(f"{where}.description", "a string", spec["description"])
    if "parameters" not in spec:
        return
    try:
        schemas.check_is_schema(parameters)
        problem = None
        if spec.get("strict") is True:  # Structured Outputs' limits and rules hold in strict mode only
            schemas.check_limits(parameters)
            problem = schemas.strict_problem(parameters)
    except schemas.SchemaProblem as refused:
        problem = str(refused)
    if problem:
        raise errors.invalid_request(
            f"Invalid schema for function '{spec['name']}': {problem}",
            param=f"{where}.parameters",
            code="invalid_function_parameters",
        )


def _check_custom_format(where: str, format_: Any) -> None:
    """A custom tool's input is free text, or follows a grammar (Lark or a regular expression)."""
    if format_ is None:
        return
    if not isinstance(format_, dict):
        raise errors.invalid_type(where, "an object", format_)
    if format_.get("type") not in ("text", "grammar"):
        raise errors.invalid_value(f"{where}.type", format_.get("type"), ["text", "grammar"])
    if format_["type"] == "grammar":
        grammar = format_.get("grammar")
        if not isinstance(grammar, dict):
            raise errors.missing_parameter(f"{where}.grammar")
        if not isinstance(grammar.get("definition"), str):
            raise errors.missing_parameter(f"{where}.grammar.definition")
        if grammar.get("syntax") not in ("lark", "regex"):
            raise errors.invalid_value(f"{where}.grammar.syntax", grammar.get("syntax"), ["lark", "regex"])


def _check_tool_choice(choice: Any, tools: list[dict[str, Any]]) -> None:
    if choice is None:
        return
    if isinstance(choice, str):
        if choice not in ("none", "auto", "required"):
            raise errors.invalid_value("tool_choice", choice, ["none", "auto", "required"])
        return
    kind = choice.get("type")
    if kind == "allowed_tools":
        _check_allowed_tools(choice.get("allowed_tools"))
        return
    spec = choice.get(kind) if kind in ("function", "custom") else None
    if kind in ("function", "custom") and not isinstance(spec, dict):
        raise errors.invalid_type(f"tool_choice.{kind}", "an object", spec)
    name = spec.get("name") if spec else None
    if name not in [tool[tool["type"]]["name"] for tool in tools]:
        raise errors.invalid_request(
            f"Invalid value for 'tool_choice': tool '{name}' not found in 'tools'.",
            param="tool_choice",
        )


def _check_allowed_tools(allowed: Any) -> None:
    if not isinstance(allowed, dict):
        raise errors.missing_parameter("tool_choice.allowed_tools")
    if allowed.get("mode") not in ("auto", "required"):
        raise errors.invalid_value("tool_choice.allowed_tools.mode", allowed.get("mode"), ["auto", "required"])
    if not isinstance(allowed.get("tools"), list):
        raise errors.missing_parameter("tool_choice.allowed_tools.tools")


def _check_tool_turns(messages: list[dict[str, Any]]) -> None:
    """A `tool` message answers a call of the assistant message before it, and every call is answered."""
    waiting: list[str] = []  # the ids of the last assistant message's calls not answered yet
    asker = 0
    for i, message in enumerate(messages):
        if message["role"] == "tool":
            if message.get("tool_call_id") not in waiting:
                raise errors.invalid_request(
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding "
                    "message with 'tool_calls'.",  # sic: the real message spells it so
                    param=f"messages.[{i}].role",
                )
            waiting.remove(message["tool_call_id"])
            continue
        if waiting:
            break
        calls = message.get("tool_calls") if message["role"] == "assistant" else None
        waiting = [str(c.get("id")) for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []
        asker = i
    if waiting:
        raise errors.invalid_request(
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
            f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(waiting)}",
            param=f"messages.[{asker}].role",
        )


def _check_stream_options(body: dict[str, Any]) -> None:
    if body.get("stream_options") is not None and not body.get("stream"):
        raise errors.invalid_request(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            param="stream_options",
        )


def _check_response_format(body: dict[str, Any]) -> None:
    if "response_format" not in body:
        return
    kind = body["response_format"].get("type")
    if kind is None:
        raise errors.missing_parameter("response_format.type")
    if kind not in ("text", "json_object", "json_schema"):
        raise errors.invalid_value("response_format.type", kind, ["text", "json_object", "json_schema"])
    if kind == "json_schema":
        _check_json_schema_format(body["response_format"].get("json_schema"))
    text = " ".join(tokens.message_text(m.get("content")) for m in body["messages"])
    if kind == "json_object" and "json" not in text.lower():
        raise errors.invalid_request(
            "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
            param="messages",
        )


def _check_json_schema_format(spec: Any) -> None:
    """`{"name", "schema", "strict"}`: a named schema, bounded in size, keeping strict mode's rules if asked."""
    where = "response_format.json_schema"
    if not isinstance(spec, dict):
        raise errors.missing_parameter(where)
    name = spec.get("name")
    if name is None:
        raise errors.missing_parameter(f"{where}.name")
    if not isinstance(name, str) or not _TOOL_NAME.match(name):
        raise errors.invalid_request(
            f"Invalid '{where}.name': string does not match pattern. Expected a string that matches the "
            "pattern '^[a-zA-Z0-9_-]+$'.",
            param=f"{where}.name",
            code="invalid_value",
        )
    if spec.get("strict") is not None and not isinstance(spec.get("strict"), bool):
        raise errors.invalid_type(f"{where}.strict", "a boolean", spec["strict"])
    try:
        if "schema" in spec:
            schemas.check_is_schema(spec["schema"])
        problem = None
        if spec.get("strict") is True:  # Structured Outputs' limits and rules hold in strict mode only
            schemas.check_limits(spec.get("schema"))
            problem = schemas.strict_problem(spec.get("schema", {}))
    except schemas.SchemaProblem as refused:
        problem = str(refused)
    if problem:
        raise errors.invalid_request(
            f"Invalid schema for response_format '{name}': {problem}", param="response_format"
        )


def _check_model(body: dict[str, Any]) -> None:
    """Checks that depend on the model: it exists, and it allows these parameters."""
    model = body["model"]
    if not catalogue.is_known(model):
        raise errors.model_not_found(model)
    if catalogue.is_reasoning_model(model):
        if body.get("max_tokens") is not None:
            raise errors.unsupported_parameter("max_tokens", "max_completion_tokens")
        _check_reasoning(model, body.get("reasoning_effort"), body)


def _check_reasoning(model: str, effort: str | None, body: dict[str, Any]) -> None:
    """A reasoning model takes sampling settings only while it does not reason: GPT-5.1 and later accept
    `temperature` and `top_p` with reasoning effort `none` (their default up to 5.4), older ones never
    ("only supported when using GPT-5.2 with reasoning effort set to none", OpenAI's GPT-5.2 guide)."""
    supported = catalogue.reasoning_efforts(model)
    if effort is not None and supported is not None and effort not in supported:
        raise errors.unsupported_choice("reasoning_effort", effort, list(supported))
    if catalogue.can_stop_reasoning(model) and (effort or catalogue.default_reasoning_effort(model)) == "none":
        return
    for name in ("temperature", "top_p"):
        if body.get(name) not in (None, 1):
            raise errors.unsupported_value(name, body[name], 1)


def _check_context_window(chat: ChatRequest) -> None:
    limit = catalogue.context_window(chat.model)
    if chat.prompt_tokens > limit:
        raise errors.context_length_exceeded(limit, chat.prompt_tokens)


def _essentials(body: dict[str, Any]) -> ChatRequest:
    stop = body.get("stop") or []
    stream_options = body.get("stream_options") or {}
    return ChatRequest(
        model=body["model"],
        messages=body["messages"],
        stream=bool(body.get("stream")),
        include_usage=bool(stream_options.get("include_usage")),
        include_obfuscation=stream_options.get("include_obfuscation", True) is not False,
        n=body.get("n") or 1,
        max_tokens=body.get("max_completion_tokens") or body.get("max_tokens"),
        stop=[stop] if isinstance(stop, str) else stop,
        tools=body.get("tools") or [],
        tool_choice=body.get("tool_choice", "auto" if body.get("tools") else "none"),
        parallel_tool_calls=body.get("parallel_tool_calls") is not False,
        response_format=body.get("response_format") or {"type": "text"},
        prompt_tokens=tokens.prompt_tokens(body["messages"], body.get("tools")),
    )
