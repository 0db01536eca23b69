"""Which paths exist and the way every request takes through the API: route, authenticate, fault, handler.
Errors are raised as ApiError wherever they are found and become OpenAI's error body here, with the
headers every answer carries (`x-request-id`, `openai-processing-ms`, `openai-version`)."""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable

from . import auth, errors, faults, ids, sse
from .calls import Call, Settings
from .chat import api as chat_api
from .http import Request, Response
from .json_bodies import asks_for_stream, json_response
from .models import api as models_api
from .profiles import OPENAI, Profile, stream_error_events
from .rate_limits import Headers, RateLimiter
from .replies import ScriptedReplies
from .responses import api as responses_api
from .responses.store import ResponseStore

Handler = Callable[[Call], Response]


# Method, path (a `{name}` stands for one segment of the path) and the function that answers.
ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/chat/completions", chat_api.create_completion),
    ("GET", "/v1/chat/completions", chat_api.list_stored_completions),
    ("POST", "/v1/responses", responses_api.create_response),
    ("GET", "/v1/responses/{response_id}", responses_api.retrieve_response),
    ("DELETE", "/v1/responses/{response_id}", responses_api.delete_response),
    ("GET", "/v1/responses/{response_id}/input_items", responses_api.list_input_items),
    ("POST", "/v1/responses/{response_id}/cancel", responses_api.cancel_response),
    ("GET", "/v1/models", models_api.list_models),
    ("GET", "/v1/models/{model}", models_api.retrieve_model),
]


# The paths that count against the rate limit: the ones that ask a model for an answer.
RATE_LIMITED = {("POST", "/v1/chat/completions"), ("POST", "/v1/responses")}


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
                 stopping: threading.Event, rate_limiter: RateLimiter | None = None) -> None:
        self.settings = settings
        self.rate_limiter = rate_limiter
        self.faults = fault_queue
        self.scripted = scripted
        self.stopping = stopping
        self.counter = ids.ResponseCounter()
        self.responses = ResponseStore()

    def handle(self, request: Request) -> Response:
        """The answer to one request that the HTTP layer has read whole."""
        started, number = time.perf_counter(), self.counter.next()
        try:
            response = self._answer(request, number)
        except errors.ApiError as error:
            response = self._error_response(error, request)
        except Exception:  # a bug in the mock: say so in OpenAI's words, keep serving
            traceback.print_exc(file=sys.stderr)
            response = self._error_response(errors.server_error())
        if self.settings.latency_seconds > 0:  # the model's time to think; stop() cuts it short
            self.stopping.wait(self.settings.latency_seconds)
        return self._with_common_headers(response, number, started)

    def admit(self, method: str, target: str, headers: dict[str, str]) -> Response | None:
        """Before the body is read: the 404 or 401 this request gets whatever its body says, or None
        to read the body. So a request without the right key never costs the server its body."""
        profile = self.settings.profile
        try:  # the same two checks `_answer` makes, early: they need nothing from the body
            find_route(method, target.split("?", 1)[0], profile)
            if profile.checks_key:
                auth.authenticate(headers, self.settings.api_key)
        except errors.ApiError as error:
            started, number = time.perf_counter(), self.counter.next()
            return self._with_common_headers(self._error_response(error), number, started)
        return None

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
        quota = self._admit(request, path)  # 429 once the rate limit is used up, when one is set
        fault = faults.requested(request, self.faults)
        if fault is not None:
            faults.before_answer(fault, request, self.settings.hang_seconds, self.stopping)  # 429, 5xx, a hang
        call = Call(request, params, number, self.settings, self.scripted, self.stopping, self.responses)
        response = handler(call)
        if response.events is not None:
            response.events = profile.framed(response.events)  # OpenRouter's comment before the events
        if fault is not None:
            response = faults.after_answer(fault, response)  # `disconnect` cuts, `buffered` holds back, `html` replaces
        if quota is not None:  # the limiter's count, not the handler's fixed generous numbers
            response.headers = [h for h in response.headers if not h[0].startswith("x-ratelimit-")] + quota
        return response

    def _admit(self, request: Request, path: str) -> Headers | None:
        if self.rate_limiter is None or (request.method, path) not in RATE_LIMITED:
            return None
        return self.rate_limiter.admit(request.body)

    def _error_response(self, error: errors.ApiError, request: Request | None = None) -> Response:
        """The error's body in the profile's shape, with its own headers (Retry-After, ...). A server that
        reports errors inside a stream (vLLM, OpenRouter) answers a streamed request's error with 200."""
        profile = self.settings.profile
        if profile.errors_in_stream and request is not None and asks_for_stream(request):
            _, body = profile.error_answer(error, in_stream=True)
            events = sse.PacedEvents(stream_error_events(body), [0.0, 0.0], self.stopping)
            return Response(200, [("content-type", "text/event-stream; charset=utf-8")],
                            events=profile.framed(events))
        status, body = profile.error_answer(error)
        return json_response(status, body, list(error.headers.items()), indent=4)

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
