"""How much of OpenAI the mock plays: `openai` (the default) is the real service in every detail; the other
profiles play servers that call themselves OpenAI-compatible and differ from it in documented ways, so
that a lesson can be checked against each of them without leaving the machine.

A profile is a set of switches, one per difference (the fields of `Profile`). Each family profile below
imitates one kind of server and cites, in its comment, where its differences are documented:

    minimal      llama.cpp's llama-server: any key, plain errors, chat completions, models and embeddings
    local        a small model on a local server (Ollama, OpenVINO Model Server): stateless Responses
                 with `resp-` ids, no usage chunk, no sequence_number, tools and formats ignored
    openrouter   a gateway: its own error envelope, `: OPENROUTER PROCESSING` comments in streams,
                 errors inside a 200 stream, stateless Responses
    gemini       Gemini's compatible endpoint: errors wrapped in an array, no /v1/responses
    fastapi      a server built on FastAPI (as vLLM is): 422 `{"detail": [...]}` for a body that fails
                 validation, 404 `{"detail": "Not Found"}`, an error inside a 200 stream, then `[DONE]`

Differences that do not exclude each other are combined (`combined`) so that three profiles carry every
one of them; `make test` runs every notebook against those three (COMBINED), `make portability` against
every profile (tests/lessons/test_portability.py). What excludes what: a server checks keys or not, has
one error shape, and one way of serving /v1/responses (stored, stateless or not at all).

A profile never speaks OpenAI's words where that server would not: errors whose message is OpenAI's own
(the 401's "Incorrect API key provided", the 404's "Invalid URL", the invalid-JSON hint that points to
help.openai.com, the rate limits' links to platform.openai.com) are reworded, in the mock's words, by
`Profile.message`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from typing import Any

from .errors import ApiError
from .http import EventSource

OPENAI_ONLY_HEADERS = ("x-request-id", "openai-", "x-ratelimit-")

# The paths every compatible server has; the Responses API's are added by `Profile.responses`.
# Other API families (embeddings, files, ...) add theirs to a profile's `extra_paths`.
CHAT_AND_MODELS = ("/v1/chat/completions", "/v1/models", "/v1/models/{model}")
RESPONSES_CREATE = ("/v1/responses",)
RESPONSES_STORED = ("/v1/responses/{response_id}", "/v1/responses/{response_id}/input_items",
                    "/v1/responses/{response_id}/cancel")

# The comment OpenRouter sends to keep a stream's connection open (https://openrouter.ai/docs/api-reference/streaming).
OPENROUTER_COMMENT = b": OPENROUTER PROCESSING\n\n"

# Google's status names for HTTP statuses, as its errors carry them (google.rpc.Code).
_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                  408: "DEADLINE_EXCEEDED", 413: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED",
                  500: "INTERNAL", 503: "UNAVAILABLE"}


@dataclass(frozen=True)
class Profile:
    name: str
    checks_key: bool = True  # a wrong or missing key is a 401
    strict: bool = True  # unknown parameters and models are refused, and each model's own rules apply
    openai_headers: bool = True  # x-request-id, openai-processing-ms, openai-version, x-ratelimit-*
    responses: str = "stored"  # /v1/responses: "stored" (OpenAI's), "stateless" (POST only), "none"
    response_id_prefix: str = "resp_"  # a response's id starts with it
    errors: str = "openai"  # the error body's shape: openai, llama.cpp, openrouter, gemini
    fastapi_errors: bool = False  # 422 {"detail": [...]} for a bad body, 404 {"detail": "Not Found"}
    errors_in_stream: bool = False  # a streamed request's error: 200, `data: {"error": ...}`, `data: [DONE]`
    stream_usage: bool = True  # `stream_options.include_usage` adds the usage chunk
    sequence_numbers: bool = True  # every Responses event carries `sequence_number`
    sse_comments: bool = False  # a stream opens with the comment `: OPENROUTER PROCESSING`
    follows_tools_and_formats: bool = True  # False: the model answers in prose whatever tools or format ask
    websocket: bool = True  # GET /v1/responses upgraded to a WebSocket (OpenAI's alone: no other server documents it)
    extra_paths: tuple[str, ...] = ()  # paths of other API families this server has (None: every route)

    @property
    def paths(self) -> tuple[str, ...] | None:
        """The only paths served; None for every route of routes.ROUTES (OpenAI)."""
        if self.name == "openai":
            return None
        responses = {"stored": RESPONSES_CREATE + RESPONSES_STORED, "stateless": RESPONSES_CREATE,
                     "none": ()}[self.responses]
        return CHAT_AND_MODELS + responses + self.extra_paths

    @property
    def stores_responses(self) -> bool:
        return self.responses == "stored"

    def serves(self, path_template: str) -> bool:
        paths = self.paths
        return paths is None or path_template in paths

    def keeps_header(self, name: str) -> bool:
        return self.openai_headers or not name.lower().startswith(OPENAI_ONLY_HEADERS)

    def error_answer(self, error: ApiError, in_stream: bool = False) -> tuple[int, Any]:
        """The status and the JSON body this server answers an error with; `in_stream`: the object it
        sends as a `data:` event once a stream has begun (never FastAPI's `detail`, never an array)."""
        if self.name == "openai":
            return error.status, error.body()
        message = self.message(error)
        if in_stream:
            status, body = replace(self, fastapi_errors=False).error_answer(error)
            return status, body[0] if isinstance(body, list) else body
        if self.fastapi_errors and _is_unknown_path(error):
            return 404, {"detail": "Not Found"}  # Starlette's own 404 for a path no route matches
        if self.fastapi_errors and error.status == 400:  # FastAPI's RequestValidationError handler
            location = ["body", *([error.param] if error.param else [])]
            return 422, {"detail": [{"type": "value_error", "loc": location, "msg": message, "input": None}]}
        if self.errors == "openrouter":
            return error.status, {"error": {"code": error.status, "message": message, "metadata": {}}}
        if self.errors == "gemini":
            status_name = _GOOGLE_STATUS.get(error.status, "UNKNOWN")
            return error.status, [{"error": {"code": error.status, "message": message, "status": status_name}}]
        return error.status, {"error": {"code": error.status, "message": message, "type": error.type}}

    def message(self, error: ApiError) -> str:
        """The error's message in this server's words: OpenAI's own sentences are replaced by the mock's."""
        if self.name == "openai":
            return error.message
        if error.status == 401:
            return "Invalid API key (the mock's words for this server's 401)."
        if _is_unknown_path(error):
            return "Not Found"
        if "openai" in error.message.lower():
            return _PLAIN_MESSAGES.get(error.status, "The request failed (the mock's words for this server).")
        return error.message

    def framed(self, events: EventSource) -> EventSource:
        """A stream as this server frames it: OpenRouter opens with a keep-alive comment."""
        return _OpenedWithComment(events) if self.sse_comments else events


# Messages for errors whose OpenAI wording names OpenAI (its help centre, its platform pages).
_PLAIN_MESSAGES = {
    400: "The request body is not valid JSON, or a parameter is wrong (the mock's words for this server).",
    429: "Rate limit reached: wait for the time in Retry-After, then try again (the mock's words).",
    500: "The server had an error while processing the request (the mock's words for this server).",
    503: "The server is overloaded; try again later (the mock's words for this server).",
}


def _is_unknown_path(error: ApiError) -> bool:
    return error.status == 404 and error.message.startswith("Invalid URL (")  # errors.invalid_url


class _OpenedWithComment:
    """The events of a stream after one SSE comment line (clients must skip lines that start with `:`)."""

    def __init__(self, events: EventSource) -> None:
        self._events = events

    def __len__(self) -> int:
        return len(self._events) + 1

    def __iter__(self) -> Iterator[bytes]:
        yield OPENROUTER_COMMENT
        yield from self._events


def stream_error_events(error_body: Any) -> list[bytes]:
    """An error sent inside a 200 stream, then `data: [DONE]`, as vLLM's serving_chat.py sends it."""
    return [b"data: " + json.dumps(error_body, separators=(",", ":")).encode() + b"\n\n", b"data: [DONE]\n\n"]


OPENAI = Profile("openai")

# llama.cpp's llama-server (ggml-org/llama.cpp, tools/server/utils.hpp `format_error_response`: the error
# under "error" as {"code": <status>, "message", "type"}); no key unless started with --api-key; no
# /v1/responses in the releases this profile was modelled on; no OpenAI-only headers.
MINIMAL = Profile("minimal", websocket=False, checks_key=False, strict=False, openai_headers=False, responses="none",
                  errors="llama.cpp", extra_paths=("/v1/embeddings",))  # llama-server has /v1/embeddings

# A small model on a local server. Ollama serves /v1/responses statelessly ("The same client supports
# stateless Responses requests", https://docs.ollama.com/api/openai-compatibility) and ignores the key
# ("required but ignored", same page). OpenVINO Model Server names a response `"resp-" + created`
# (openvinotoolkit/model_server, OpenAIResponsesHandler::serializeUnaryResponseImpl). A model without
# tool or JSON training answers in prose, `include_usage` ignored and Responses events without
# `sequence_number`: all three seen against real servers and recorded in this project's issue 20.
LOCAL = Profile("local", websocket=False, checks_key=False, strict=False, openai_headers=False, responses="stateless",
                response_id_prefix="resp-", errors="llama.cpp", stream_usage=False, sequence_numbers=False,
                follows_tools_and_formats=False)

# OpenRouter: errors as {"error": {"code": <the HTTP status, a number>, "message", "metadata"}}, and
# "any error occurred while the LLM is producing the output will be emitted ... as an SSE data event"
# with status 200 (https://openrouter.ai/docs/api/reference/errors-and-debugging); streams carry the
# comment `: OPENROUTER PROCESSING` (https://openrouter.ai/docs/api-reference/streaming); its Responses
# API is stateless (issue 20's field research). Lenient about parameters it passes on to a provider.
OPENROUTER = Profile("openrouter", websocket=False, strict=False, openai_headers=False, responses="stateless",
                     errors="openrouter", errors_in_stream=True, sse_comments=True)

# Gemini's OpenAI-compatible endpoint (https://ai.google.dev/gemini-api/docs/openai): errors wrapped in a
# one-element array, [{"error": {"code": 400, "message", "status": "INVALID_ARGUMENT"}}] (captured in
# FuzzAnything/PromptFuzz issue 42 and Simpleyyt/ai-manus issue 101), and no /v1/responses (the endpoints
# it documents, as summarised at https://www.developersdigest.tech/reference/api-compatibility/google:
# chat/completions, embeddings, images/generations, videos, batches, models).
GEMINI = Profile("gemini", websocket=False, strict=False, openai_headers=False, responses="none", errors="gemini")

# A server built on FastAPI: a body its pydantic model refuses is 422 {"detail": [{"type", "loc", "msg",
# "input"}]} and an unknown path 404 {"detail": "Not Found"} (FastAPI's default handlers,
# https://fastapi.tiangolo.com/tutorial/handling-errors/); vLLM, built on it, sends an error that
# happens once a stream has begun as a `data:` event of its own and then `data: [DONE]`, with status 200
# (vllm-project/vllm, vllm/entrypoints/openai/serving_chat.py; pull request 40986 discusses it). Its
# other errors, {"error": {"message", "type", "param", "code": <status>}} in vLLM, are played by
# llama.cpp's shape, which differs from them only in having no `param`.
FASTAPI = Profile("fastapi", websocket=False, checks_key=False, strict=False, openai_headers=False, responses="none",
                  errors="llama.cpp", fastapi_errors=True, errors_in_stream=True)

FAMILIES = (MINIMAL, LOCAL, OPENROUTER, GEMINI, FASTAPI)


def combined(name: str, first: Profile, *others: Profile) -> Profile:
    """One profile with every difference of the given ones: a switch another profile turns away from
    OpenAI is turned away here too. What excludes itself is the first profile's: whether the key is
    checked, the error shape, the way /v1/responses is served."""
    changes: dict[str, Any] = {}
    for field in fields(Profile):
        if field.name in ("name", "checks_key", "errors", "responses", "extra_paths"):
            continue
        differing = [getattr(p, field.name) for p in (first, *others)
                     if getattr(p, field.name) != getattr(OPENAI, field.name)]
        if differing:
            changes[field.name] = differing[0]
    return replace(first, name=name, **changes)


# Three profiles that together hold every difference of the families (tests/lessons/test_portability.py checks
# it); the first of each keeps its key check and its error shape, so both reach the notebooks' 401 paths.
COMBINED = (
    combined("openrouter+local", OPENROUTER, LOCAL),
    combined("gemini+local", GEMINI, LOCAL),
    combined("fastapi+minimal", FASTAPI, MINIMAL),
)

PROFILES = {profile.name: profile for profile in (OPENAI, *FAMILIES, *COMBINED)}


def named(name: str) -> Profile:
    """The profile called `name`; ValueError for any other."""
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}: choose one of {', '.join(PROFILES)}")
    return PROFILES[name]
