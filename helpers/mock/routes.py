"""Which paths exist and the way every request takes through the API: route, authenticate, fault, handler.
Errors are raised as ApiError wherever they are found and become OpenAI's error body here, with the
headers every answer carries (`x-request-id`, `openai-processing-ms`, `openai-version`)."""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable

from . import auth, chat, errors, faults, ids, models, openai_shapes
from .context import Call, Settings
from .http import Request, Response
from .json_bodies import json_response
from .profiles import OPENAI, Profile
from .replies import ScriptedReplies

Handler = Callable[[Call], Response]


def list_models(call: Call) -> Response:
    return json_response(200, openai_shapes.model_list(models.chat_model_ids()))


def retrieve_model(call: Call) -> Response:
    model = call.params["model"]
    if not models.is_known(model):
        raise errors.model_not_found(model)
    return json_response(200, openai_shapes.model_object(model))


# Method, path (a `{name}` stands for one segment of the path) and the function that answers.
ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/chat/completions", chat.create_completion),
    ("GET", "/v1/chat/completions", chat.list_stored_completions),
    ("GET", "/v1/models", list_models),
    ("GET", "/v1/models/{model}", retrieve_model),
]


def find_route(method: str, path: str, profile: Profile = OPENAI) -> tuple[Handler, dict[str, str]]:
    """The handler for this method and path, and the values of the path's `{name}` segments."""
    segments = path.split("/")
    for route_method, template, handler in ROUTES:
        parts = template.split("/")
        if route_method != method or len(parts) != len(segments) or not profile.serves(template):
            continue
        params = {part[1:-1]: segment for part, segment in zip(parts, segments, strict=True)
                  if part.startswith("{")}
        if all(part.startswith("{") or part == segment for part, segment in zip(parts, segments, strict=True)):
            return handler, params
    raise errors.invalid_url(method, path)


class MockApi:
    """Answers each request; shared by all of the server's threads."""

    def __init__(self, settings: Settings, fault_queue: faults.FaultQueue, scripted: ScriptedReplies,
                 stopping: threading.Event) -> None:
        self.settings = settings
        self.faults = fault_queue
        self.scripted = scripted
        self.stopping = stopping
        self.counter = ids.ResponseCounter()

    def handle(self, request: Request) -> Response:
        """The answer to one request that the HTTP layer has read whole."""
        started, number = time.perf_counter(), self.counter.next()
        try:
            response = self._answer(request, number)
        except errors.ApiError as error:
            response = self._error_response(error)
        except Exception:  # a bug in the mock: say so in OpenAI's words, keep serving
            traceback.print_exc(file=sys.stderr)
            response = self._error_response(errors.server_error())
        return self._with_common_headers(response, number, started)

    def refuse(self, status: int, message: str) -> Response:
        """The answer to a request the HTTP layer could not read (a bad request line, a body too large)."""
        started, number = time.perf_counter(), self.counter.next()
        error = errors.unreadable_request(status, message)
        return self._with_common_headers(self._error_response(error), number, started)

    def _answer(self, request: Request, number: int) -> Response:
        path = request.path.split("?", 1)[0]
        profile = self.settings.profile
        handler, params = find_route(request.method, path, profile)  # 404 for a path the API does not have
        if profile.checks_key:
            auth.authenticate(request.headers, self.settings.api_key)  # 401 without the right key
        fault = faults.requested(request, self.faults)
        if fault is not None:
            faults.before_answer(fault, request, self.settings.hang_seconds, self.stopping)  # 429, 5xx, a hang
        response = handler(Call(request, params, number, self.settings, self.scripted, self.stopping))
        if fault == "disconnect":
            response.cut_after = faults.cut_point(response)
        return response

    def _error_response(self, error: errors.ApiError) -> Response:
        """The error's body in the profile's shape, with its own headers (Retry-After, ...)."""
        return json_response(error.status, self.settings.profile.error_body(error), list(error.headers.items()),
                             indent=4)

    def _with_common_headers(self, response: Response, number: int, started: float) -> Response:
        profile = self.settings.profile
        if not profile.openai_headers:  # a plain compatible server sends none of OpenAI's own headers
            response.headers = [(name, value) for name, value in response.headers if profile.keeps_header(name)]
            return response
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        response.headers += [
            ("x-request-id", ids.make_hex_id("req_", 32, self.settings.seed, number)),
            ("openai-processing-ms", str(elapsed_ms)),
            ("openai-version", "2020-10-01"),
        ]
        return response
