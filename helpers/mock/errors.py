"""OpenAI's error replies: a status code and the body every client expects,
{"error": {"message", "type", "param", "code"}}. Each function below builds one error the real service sends."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

_DOCS = "https://platform.openai.com/account/api-keys"


@dataclass
class ApiError(Exception):
    """An error the server answers with instead of a completion."""

    status: int
    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def json_type_name(value: Any) -> str:
    """How the real API names a JSON value's type in its messages ("a string", "an array", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


# --- 401: who are you? ---------------------------------------------------------------------------

def missing_api_key() -> ApiError:
    return ApiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header "
        "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank "
        "username) if you're accessing the API from your browser and are prompted for a username and "
        f"password. You can obtain an API key from {_DOCS}.",
    )


def mask_key(key: str) -> str:
    """Show the first 8 and last 4 characters, a star for each one between, as the real 401 does.
    A key too short for that is starred out whole, so no message ever repeats a whole key."""
    if len(key) <= 16:
        return "*" * len(key)
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


def invalid_api_key(key: str) -> ApiError:
    return ApiError(
        401,
        f"Incorrect API key provided: {mask_key(key)}. You can find your API key at {_DOCS}.",
        code="invalid_api_key",
    )


# --- 404: no such thing ----------------------------------------------------------------------------

def invalid_url(method: str, path: str) -> ApiError:
    return ApiError(404, f"Invalid URL ({method} {path})")


def model_not_found(model: str) -> ApiError:
    return ApiError(
        404,
        f"The model `{model}` does not exist or you do not have access to it.",
        param=None,
        code="model_not_found",
    )


# --- 400: the request itself is wrong ------------------------------------------------------------

def invalid_json() -> ApiError:
    return ApiError(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
        "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid "
        "JSON. If you have trouble figuring out how to fix this, please contact us through our help "
        "center at help.openai.com.)",
    )


def unrecognized_arguments(names: list[str]) -> ApiError:
    if len(names) == 1:
        return ApiError(400, f"Unrecognized request argument supplied: {names[0]}")
    return ApiError(400, f"Unrecognized request arguments supplied: {', '.join(names)}")


def missing_parameter(param: str) -> ApiError:
    return ApiError(400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter")


def invalid_type(param: str, expected: str, value: Any) -> ApiError:
    return ApiError(
        400,
        f"Invalid type for '{param}': expected {expected}, but got {json_type_name(value)} instead.",
        param=param,
        code="invalid_type",
    )


def out_of_range(param: str, value: float, bound: float, *, above: bool, kind: str = "decimal") -> ApiError:
    side, op = ("above maximum", "<=") if above else ("below minimum", ">=")
    return ApiError(
        400,
        f"Invalid '{param}': {kind} {side} value. Expected a value {op} {bound:g}, "
        f"but got {json.dumps(value)} instead.",
        param=param,
        code=f"{kind}_{'above_max' if above else 'below_min'}_value",
    )


def empty_array(param: str) -> ApiError:
    return ApiError(
        400,
        f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        param=param,
        code="empty_array",
    )


def array_too_long(param: str, maximum: int, length: int) -> ApiError:
    return ApiError(
        400,
        f"Invalid '{param}': array too long. Expected an array with maximum length {maximum}, "
        f"but got an array with length {length} instead.",
        param=param,
        code="array_above_max_length",
    )


def _listed(options: list[str]) -> str:
    """"'a', 'b', and 'c'", as the real messages list the supported values."""
    quoted = [f"'{option}'" for option in options]
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def invalid_value(param: str, value: Any, allowed: list[str]) -> ApiError:
    return ApiError(
        400,
        f"Invalid value: '{value}'. Supported values are: {_listed(allowed)}.",
        param=param,
        code="invalid_value",
    )


def invalid_request(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    """A 400 whose wording is specific to one rule (the caller passes the real service's text)."""
    return ApiError(400, message, param=param, code=code)


def unsupported_parameter(param: str, instead: str) -> ApiError:
    return ApiError(
        400,
        f"Unsupported parameter: '{param}' is not supported with this model. Use '{instead}' instead.",
        param=param,
        code="unsupported_parameter",
    )


def unsupported_value(param: str, value: Any, default: Any) -> ApiError:
    return ApiError(
        400,
        f"Unsupported value: '{param}' does not support {json.dumps(value)} with this model. "
        f"Only the default ({default}) value is supported.",
        param=param,
        code="unsupported_value",
    )


def unsupported_choice(param: str, value: Any, supported: list[str]) -> ApiError:
    options = _listed(supported)
    return ApiError(
        400,
        f"Unsupported value: '{param}' does not support '{value}' with this model. "
        f"Supported values are: {options}.",
        param=param,
        code="unsupported_value",
    )


def context_length_exceeded(limit: int, used: int) -> ApiError:
    return ApiError(
        400,
        f"This model's maximum context length is {limit} tokens. However, your messages resulted in "
        f"{used} tokens. Please reduce the length of the messages.",
        param="messages",
        code="context_length_exceeded",
    )


def unreadable_request(status: int, message: str) -> ApiError:
    """A request the HTTP layer could not read: a bad request line or header (400), a body over the
    size limit (413), a header line too long (431). The HTTP layer words the message."""
    return ApiError(status, message, code="request_too_large" if status == 413 else None)


# --- 429 and 5xx: try again later ----------------------------------------------------------------

def rate_limited(model: str, limit: int, retry_after: int) -> ApiError:
    """The `429` fault: every request of the minute used, try again in `retry_after` seconds."""
    return rate_limit_reached(model, "requests", limit, limit, 1, f"{retry_after}s")


_LIMIT_NAMES = {"requests": "requests per min (RPM)", "tokens": "tokens per min (TPM)"}
_RATE_LIMITS_DOCS = "Visit https://platform.openai.com/account/rate-limits to learn more."


def rate_limit_reached(model: str, kind: str, limit: int, used: int, requested: int, wait: str) -> ApiError:
    """A limit used up for now; `kind` is "requests" or "tokens", `wait` a duration like "20s"."""
    return ApiError(
        429,
        f"Rate limit reached for {model} in organization org-mock on {_LIMIT_NAMES[kind]}: Limit {limit}, "
        f"Used {used}, Requested {requested}. Please try again in {wait}. {_RATE_LIMITS_DOCS}",
        type=kind,
        code="rate_limit_exceeded",
    )


def request_too_large(model: str, limit: int, requested: int) -> ApiError:
    """One request that asks for more tokens than a whole minute allows: waiting will not help."""
    return ApiError(
        429,
        f"Request too large for {model} in organization org-mock on tokens per min (TPM): Limit {limit}, "
        f"Requested {requested}. The input or output tokens must be reduced in order to run successfully. "
        f"{_RATE_LIMITS_DOCS}",
        type="tokens",
        code="rate_limit_exceeded",
    )


def server_error() -> ApiError:
    return ApiError(
        500,
        "The server had an error while processing your request. Sorry about that!",
        type="server_error",
    )


def overloaded() -> ApiError:
    return ApiError(
        503,
        "The server is currently overloaded with other requests. Sorry about that! You can retry your request.",
        type="service_unavailable_error",
        code="server_is_overloaded",
    )


# --- the Responses API's own wording ---------------------------------------------------------------

def unknown_parameter(name: str) -> ApiError:
    """The Responses API names one unknown parameter (Chat Completions lists them all, in other words)."""
    return ApiError(400, f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")


def moved_parameter(name: str, new_place: str) -> ApiError:
    """A Chat Completions parameter sent to the Responses API, where it lives under another name."""
    return ApiError(
        400,
        f"Unsupported parameter: '{name}'. In the Responses API, this parameter has moved to '{new_place}'. "
        "Try again with the new parameter. See the API documentation for more information: "
        "https://platform.openai.com/docs/api-reference/responses/create.",
        param=name,
        code="unsupported_parameter",
    )


def response_not_found(response_id: str) -> ApiError:
    return ApiError(404, f"Response with id '{response_id}' not found.")


def previous_response_not_found(response_id: str) -> ApiError:
    return ApiError(
        400,
        f"Previous response with id '{response_id}' not found.",
        param="previous_response_id",
        code="previous_response_not_found",
    )


# --- the Files API ---------------------------------------------------------------------------------
# Its uploads are checked by a JSON-schema validator on the real service, whose messages end in
# " - '<field>'" (captured: "'answers' is not one of [...] - 'purpose'", irudnyts/openai#66, 2024-07;
# "'purpose' is a required property", openai/openai-python#65 and openai/openai-node#387).

def file_not_found(file_id: str) -> ApiError:
    """404 with param "id" (OpenAI's .NET SDK, its API-reference doc test FileDocs.RetrieveFile)."""
    return ApiError(404, f"No such File object: {file_id}", param="id")


def not_multipart(content_type: str) -> ApiError:
    """An upload sent as anything but multipart/form-data (the real wording, captured for an images
    endpoint in Azzeccagarbugli/openai_client#2, 2023-01)."""
    return ApiError(
        400,
        f"Invalid Content-Type header ({content_type}), expected multipart/form-data. (HINT: If you're "
        "using curl, you can pass -H 'Content-Type: multipart/form-data')",
    )


def malformed_multipart(reason: str) -> ApiError:
    """A multipart body the mock cannot read; the reason is the mock's own words (multipart.py)."""
    return ApiError(400, f"The mock server could not read the multipart/form-data body: {reason}")


def required_property(name: str) -> ApiError:
    return ApiError(400, f"'{name}' is a required property")


def not_one_of(value: str, allowed: list[str], field: str) -> ApiError:
    return ApiError(400, f"'{value}' is not one of {allowed!r} - '{field}'")


def additional_property(name: str) -> ApiError:
    """An unknown form field: the JSON-schema validator's wording (the mock's guess, not captured)."""
    return ApiError(400, f"Additional properties are not allowed ('{name}' was unexpected)")


def duplicate_part(name: str) -> ApiError:
    return ApiError(400, f"The multipart/form-data body has more than one '{name}' part; the mock server "
                         "reads each field once.", param=name)


def file_too_large(size: int, limit: int) -> ApiError:
    """The mock's words: its limit (a few MiB) is far below the real 512 MB."""
    return ApiError(400, f"File is too large: {size} bytes. The mock server keeps files of at most {limit} "
                         "bytes (OpenAI's limit is 512 MB per file).", param="file", code="file_too_large")


def file_storage_full(max_files: int, max_bytes: int) -> ApiError:
    return ApiError(400, f"The mock server's file storage is full (at most {max_files} files and {max_bytes} "
                         "bytes). Delete files you no longer need, then upload again.", param="file")
# --- the Conversations API: the mock's own words (no capture of the real ones was found), shaped as
# the stored responses' 404 is ---------------------------------------------------------------------

def conversation_not_found(conversation_id: str, param: str | None = None) -> ApiError:
    return ApiError(404, f"Conversation with id '{conversation_id}' not found.", param=param)


def conversation_item_not_found(item_id: str) -> ApiError:
    return ApiError(404, f"Item with id '{item_id}' not found.")
