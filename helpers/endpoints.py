"""The OpenAI API as the mock serves it: which paths exist, who may call them, and what each one answers.
Errors are raised as ApiError wherever they are found and turned into OpenAI's error body here."""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from . import errors, faults, ids, models, openai_shapes, replies
from .http_plumbing import Request, Response, error_response, json_response
from .validation import ChatRequest, validate_chat_request


@dataclass
class Settings:
    api_key: str
    tokens_per_second: float  # 0 streams as fast as the socket allows
    hang_seconds: float  # how long the `timeout` fault keeps a client waiting at most
    seed: str = "llm-calls-three-ways"


class OpenAIEndpoints:
    """Answers each request; shared by all of the server's threads."""

    def __init__(self, settings: Settings, fault_queue: faults.FaultQueue, stopping: threading.Event) -> None:
        self.settings = settings
        self.faults = fault_queue
        self.stopping = stopping
        self.scripted_replies: deque[str] = deque()
        self.counter = ids.ResponseCounter()

    def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        number = self.counter.next()
        try:
            if request.refusal is not None:
                raise request.refusal
            response = self._route(request, number)
        except errors.ApiError as error:
            response = error_response(error)
        except Exception:  # a bug in the mock: say so in OpenAI's words, keep serving
            traceback.print_exc(file=sys.stderr)
            response = error_response(errors.server_error())
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        response.headers += [
            ("x-request-id", ids.make_hex_id("req_", 32, self.settings.seed, number)),
            ("openai-processing-ms", str(elapsed_ms)),
            ("openai-version", "2020-10-01"),
        ]
        return response

    def _route(self, request: Request, number: int) -> Response:
        path = request.path.split("?", 1)[0]
        route = (request.method, path)
        if route == ("POST", "/v1/chat/completions"):
            return self._with_faults(request, lambda: self._chat(request, number))
        if route == ("GET", "/v1/chat/completions"):
            return self._with_faults(request, lambda: json_response(200, openai_shapes.empty_list()))
        if route == ("GET", "/v1/models"):
            return self._with_faults(
                request, lambda: json_response(200, openai_shapes.model_list(models.chat_model_ids()))
            )
        if request.method == "GET" and path.startswith("/v1/models/"):
            return self._with_faults(request, lambda: self._model(path.removeprefix("/v1/models/")))
        raise errors.invalid_url(request.method, path)

    def _with_faults(self, request: Request, answer: Callable[[], Response]) -> Response:
        """Check the key, then play any fault asked for; a fault that is not an error shapes the answer."""
        self._authenticate(request.headers)
        fault = request.headers.get(faults.FAULT_HEADER) or self.faults.take()
        if fault is None:
            return answer()
        faults.check(fault)
        error = faults.error_for(fault, _peek_model(request.body))
        if error is not None:
            raise error
        if fault == "timeout":
            faults.hang(request.client_gone, self.settings.hang_seconds, self.stopping)
        response: Response = answer()
        response.break_off = fault == "disconnect"
        return response

    def _authenticate(self, headers: dict[str, str]) -> None:
        scheme, _, key = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise errors.missing_api_key()
        if key.strip() != self.settings.api_key:
            raise errors.invalid_api_key(key.strip())

    def _model(self, model: str) -> Response:
        if not models.is_known(model):
            raise errors.model_not_found(model)
        return json_response(200, openai_shapes.model_object(model))

    def _chat(self, request: Request, number: int) -> Response:
        chat = validate_chat_request(_parse_json(request.body))
        text = self._next_scripted_reply() or replies.answer_text(chat.messages)
        seed = self.settings.seed
        completion_id = ids.make_id("chatcmpl-", 29, seed, number)
        choices = replies.make_choices(chat, text, lambda i: ids.make_id("call_", 24, seed, number, i))
        created = int(time.time())
        headers = _rate_limit_headers(chat.prompt_tokens)
        if not chat.stream:
            completion = openai_shapes.chat_completion(completion_id, created, chat.model, choices,
                                                       chat.prompt_tokens)
            return json_response(200, completion, headers)
        chunks = openai_shapes.stream_chunks(completion_id, created, chat.model, choices, chat.prompt_tokens,
                                             chat.include_usage)
        headers = [("content-type", "text/event-stream; charset=utf-8")] + headers
        return Response(200, headers, events=self._paced_events(chunks, chat))

    def _paced_events(self, chunks: Iterator[dict[str, Any]], chat: ChatRequest) -> Iterator[bytes]:
        """Frame each chunk as a server-sent event, pausing before each token as a model generates it."""
        pause = 1 / self.settings.tokens_per_second if self.settings.tokens_per_second else 0
        for number, chunk in enumerate(chunks):
            if pause and number > 0 and _carries_token(chunk):
                self.stopping.wait(pause)
            if chat.include_obfuscation:
                openai_shapes.add_obfuscation(chunk, number)
            yield openai_shapes.sse_event(chunk)
        yield openai_shapes.sse_event("[DONE]")

    def script_reply(self, text: str) -> None:
        self.scripted_replies.append(text)

    def _next_scripted_reply(self) -> str | None:
        try:
            return self.scripted_replies.popleft()
        except IndexError:
            return None


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON nested too deep to parse
        raise errors.invalid_json() from None


def _peek_model(body: bytes) -> str:
    """The model a request names, for a rate-limit message; any JSON problem is left for later."""
    try:
        model = json.loads(body).get("model")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return "this model"
    return model if isinstance(model, str) else "this model"


def _carries_token(chunk: dict[str, Any]) -> bool:
    return any(c["delta"].get("content") or c["delta"].get("tool_calls") for c in chunk["choices"])


def _rate_limit_headers(prompt_tokens: int) -> list[tuple[str, str]]:
    """A generous limit, barely touched, as a well-provisioned account sees it."""
    return [
        ("x-ratelimit-limit-requests", "5000"),
        ("x-ratelimit-remaining-requests", "4999"),
        ("x-ratelimit-reset-requests", "12ms"),
        ("x-ratelimit-limit-tokens", "2000000"),
        ("x-ratelimit-remaining-tokens", str(2_000_000 - prompt_tokens)),
        ("x-ratelimit-reset-tokens", "0s"),
    ]
