"""`POST /v1/responses/input_tokens` (the SDK's `client.responses.input_tokens.count`): its parameters,
checked against the SDK's `InputTokenCountParams` by the tests, and its answer, `InputTokenCountResponse`.
The request is checked as `POST /v1/responses` checks the same fields; `personality` (a style preset)
is checked as a string of at most 64 characters and not counted: the mock cannot know its tokens."""

from __future__ import annotations

from typing import Any

from .. import errors, parameters

# Each parameter's JSON type, and whether `null` is allowed (the SDK's `Optional[...]`).
PARAMETERS: parameters.Table = {
    "conversation": ("string or object", True),
    "input": ("string or array", True),
    "instructions": ("string", True),
    "model": ("string", True),
    "parallel_tool_calls": ("boolean", True),
    "personality": ("string", False),
    "previous_response_id": ("string", True),
    "reasoning": ("object", True),
    "text": ("object", True),
    "tool_choice": ("string or object", True),
    "tools": ("array", True),
    "truncation": ("string", False),
}
_PLACEHOLDER = " "  # the input when a request has none: checked, then left out of the count


def as_response_body(body: Any) -> tuple[dict[str, Any], bool]:
    """The request as a `POST /v1/responses` body, for the same checks, and whether it had input
    of its own (a placeholder stands in otherwise, not counted)."""
    if not isinstance(body, dict):
        raise errors.invalid_type("body", "an object", body)
    for name in body:
        if name not in PARAMETERS:
            raise errors.unknown_parameter(name)
        parameters.check_type(PARAMETERS, name, body[name])
    personality = body.get("personality")
    if personality is not None and len(personality) > 64:
        raise errors.invalid_request(
            "Invalid 'personality': values can be at most 64 characters (the SDK's docstring; the mock's words).",
            param="personality", code="invalid_value",
        )
    if body.get("model") is None:
        raise errors.invalid_request(
            "The offline mock counts tokens only for a named model: send 'model'.",
            param="model", code="unsupported_parameter",
        )
    checked = {name: value for name, value in body.items() if name != "personality" and value is not None}
    return {**checked, "input": body.get("input") or _PLACEHOLDER}, bool(body.get("input"))


def count(input_tokens: int) -> dict[str, Any]:
    return {"object": "response.input_tokens", "input_tokens": input_tokens}
