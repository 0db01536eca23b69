"""Which paths exist and the way every request takes through the API: route, authenticate, fault, handler.
Errors are raised as ApiError wherever they are found and become OpenAI's error body here, with the
headers every answer carries (`x-request-id`, `openai-processing-ms`, `openai-version`)."""

from __future__ import annotations

import functools
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from . import auth, errors, faults, ids, rate_limits, sse
from .batches import api as batches_api
from .batches.store import BatchStore
from .calls import Call, Settings
from .chat import api as chat_api
from .conversations import api as conversations_api
from .conversations.store import ConversationStore
from .embeddings import api as embeddings_api
from .files import api as files_api
from .files.store import FileStore
from .http import Answer, BadRequest, Request, RequestHead, Response
from .json_bodies import asks_for_stream, json_response
from .models import api as models_api
from .profiles import OPENAI, Profile, stream_error_events
from .prompt_cache import PromptCache
from .rate_limits import Headers, RateLimiter
from .recording.tee import Tee
from .replies import ScriptedReplies
from .responses import api as responses_api
from .responses.background import BackgroundJobs
from .responses.store import ResponseStore
from .webhooks import api as webhooks_api
from .webhooks.events import Webhooks
from .websocket import api as websocket_api
from .wire_record import ExchangeLog

Handler = Callable[[Call], Response]


# Method, path (a `{name}` stands for one segment of the path) and the function that answers.
ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/chat/completions", chat_api.create_completion),
    ("GET", "/v1/chat/completions", chat_api.list_stored_completions),
    ("POST", "/v1/responses", responses_api.create_response),
    ("POST", "/v1/responses/input_tokens", responses_api.count_input_tokens),
    ("GET", "/v1/responses", websocket_api.connect),  # a WebSocket upgrade only (websocket/)
    ("GET", "/v1/responses/{response_id}", responses_api.retrieve_response),
    ("DELETE", "/v1/responses/{response_id}", responses_api.delete_response),
    ("GET", "/v1/responses/{response_id}/input_items", responses_api.list_input_items),
    ("POST", "/v1/responses/{response_id}/cancel", responses_api.cancel_response),
    ("POST", "/v1/webhook_endpoints", webhooks_api.create_endpoint),
    ("GET", "/v1/webhook_endpoints", webhooks_api.list_endpoints),
    ("GET", "/v1/webhook_endpoints/{webhook_endpoint_id}", webhooks_api.retrieve_endpoint),
    ("DELETE", "/v1/webhook_endpoints/{webhook_endpoint_id}", webhooks_api.delete_endpoint),
    ("POST", "/v1/conversations", conversations_api.create_conversation),
    ("GET", "/v1/conversations/{conversation_id}", conversations_api.retrieve_conversation),
    ("POST", "/v1/conversations/{conversation_id}", conversations_api.update_conversation),
    ("DELETE", "/v1/conversations/{conversation_id}", conversations_api.delete_conversation),
    ("GET", "/v1/conversations/{conversation_id}/items", conversations_api.list_items),
    ("POST", "/v1/conversations/{conversation_id}/items", conversations_api.create_items),
    ("GET", "/v1/conversations/{conversation_id}/items/{item_id}", conversations_api.retrieve_item),
    ("DELETE", "/v1/conversations/{conversation_id}/items/{item_id}", conversations_api.delete_item),
    ("GET", "/v1/models", models_api.list_models),
    ("GET", "/v1/models/{model}", models_api.retrieve_model),
    ("POST", "/v1/embeddings", embeddings_api.create_embeddings),
    ("POST", "/v1/files", files_api.create_file),
    ("GET", "/v1/files", files_api.list_files),
    ("GET", "/v1/files/{file_id}", files_api.retrieve_file),
    ("DELETE", "/v1/files/{file_id}", files_api.delete_file),
    ("GET", "/v1/files/{file_id}/content", files_api.file_content),
    ("POST", "/v1/batches", batches_api.create_batch),
    ("GET", "/v1/batches", batches_api.list_batches),
    ("GET", "/v1/batches/{batch_id}", batches_api.retrieve_batch),
    ("POST", "/v1/batches/{batch_id}/cancel", batches_api.cancel_batch),
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


def _json_or_none(call: Call) -> Any:
    """The request's JSON for the limiter and faults, which count what they can read; the 400 for a body
    that is not JSON is the handler's to give."""
    try:
        return call.json()
    except errors.ApiError:
        return None


class MockApi:
    """Answers each request; shared by all of the server's threads."""

    def __init__(self, settings: Settings, fault_queue: faults.FaultQueue, scripted: ScriptedReplies,
                 stopping: threading.Event, rate_limiter: RateLimiter | None = None,
                 exchange_log: ExchangeLog | None = None, source: Handler | None = None,
                 tee: Tee | None = None) -> None:
        self.settings = settings
        # Recording or replaying (recording/): one handler answers every path under /v1, in place of ROUTES,
        # and its answers keep the provider's own headers (its request id, its rate limits). Faults play on
        # its answers as on the mock's own (one before the answer means the provider is never asked).
        self.source = source
        self.tee = tee  # recording the mock's own answers (recording/tee.py)
        self.rate_limiter = rate_limiter
        self.faults = fault_queue
        self.scripted = scripted
        self.stopping = stopping
        self.counter = ids.ResponseCounter()
        self.responses = ResponseStore()
        self.background = BackgroundJobs()
        self.webhooks = Webhooks(settings.seed, exchange_log, lambda: settings.job_seconds)
        self.files = FileStore(settings.seed)
        self.batches = BatchStore()
        self.conversations = ConversationStore()
        self.prompt_cache = PromptCache()

    def close(self) -> None:
        """When the server stops: webhook deliveries in flight are cut and their workers joined."""
        self.webhooks.close()

    def admit(self, head: RequestHead) -> Answer | Response:
        """Before the body is read: the route and the key, decided once. A 404 or 401 is answered at once,
        whatever the body says, so a request without the right key never costs the server its body;
        otherwise the answer is the function that handles the request once its body is read."""
        profile = self.settings.profile
        try:
            path, upgrade = head.target.split("?", 1)[0], "upgrade" in head.by_name
            handler, params = self._route(head.method, path, upgrade)  # 404 if none
            if profile.checks_key:
                auth.authenticate(head.by_name, self.settings.api_key)  # 401 without the right key
        except errors.ApiError as error:
            started, number = time.perf_counter(), self.counter.next()
            return self._with_common_headers(self._error_response(error), number, started)
        return functools.partial(self._handle, handler, params)

    def refuse(self, problem: BadRequest) -> Response:
        """The answer to a request the HTTP layer could not read (a bad request line, a body too large)."""
        started, number = time.perf_counter(), self.counter.next()
        error = errors.unreadable_request(problem.status, problem.message)
        return self._with_common_headers(self._error_response(error), number, started)

    def _handle(self, handler: Handler, params: dict[str, str], request: Request) -> Response:
        """The answer to one routed, authenticated request that the HTTP layer has read whole."""
        started, number = time.perf_counter(), self.counter.next()
        answered = False
        try:
            response = self._answer(handler, self._call(request, params, number), started)
            answered = True
        except errors.ApiError as error:
            response = self._error_response(error, request)
        except Exception:  # a bug in the mock: say so in OpenAI's words, keep serving
            traceback.print_exc(file=sys.stderr)
            response = self._error_response(errors.server_error())
        if self.settings.latency_seconds > 0:  # the model's time to think; stop() cuts it short
            self.stopping.wait(self.settings.latency_seconds)
        if answered and self.source is not None:  # the provider's own headers, as recorded: none of the mock's
            return response
        return self._with_common_headers(response, number, started)

    def _call(self, request: Request, params: dict[str, str], number: int) -> Call:
        """What a handler is given: the request, and the server's settings and stores."""
        return Call(request, params, number, self.settings, self.scripted, self.stopping, self.responses,
                    self.background, self.webhooks, files=self.files, batches=self.batches,
                    conversations=self.conversations, prompt_cache=self.prompt_cache, faults=self.faults)

    def _answer(self, handler: Handler, call: Call, started: float) -> Response:
        request = call.request
        limited = (request.method, request.path.split("?", 1)[0]) in RATE_LIMITED
        quota = self._admit(call) if limited else None  # 429 once the rate limit is used up, when one is set
        fault = call.fault = faults.requested(request, self.faults)  # a stream fault is the handler's to play
        if fault is not None:  # 429, 5xx, a hang
            faults.before_answer(fault, request, _json_or_none(call), self.settings.hang_seconds, self.stopping)
        try:
            response = handler(call)
        except errors.ApiError as error:
            if self.tee is not None:  # recording the mock itself: its error answers are kept too
                self.tee.record(request, self._with_common_headers(self._error_response(error), call.number, started))
            raise
        if limited and response.status == 200 and self.source is None:  # the one place x-ratelimit-* are written
            response.headers += quota or rate_limits.after_one_request(call.prompt_tokens or 0)
        if response.events is not None:
            response.events = self.settings.profile.framed(response.events)  # OpenRouter's comment first
        if self.tee is not None:  # as a client gets it; a fault's part is played again on replay, so not kept
            response = self.tee.record(request, response, self._common_headers(call.number, started))
        if fault is not None:
            response = faults.after_answer(fault, response)  # `disconnect` cuts, `buffered` holds back, `html` replaces
        return response

    def _route(self, method: str, path: str, upgrade: bool = False) -> tuple[Handler, dict[str, str]]:
        """The handler for a path (404 if none): the recording or the cassette's for every path under /v1,
        but a WebSocket is not in a cassette, so a replaying mock answers its upgrade with its own."""
        replaying = self.source is not None and not getattr(self.source, "answers_upgrades", True)
        if self.source is not None and path.startswith("/v1/") and not (upgrade and replaying):
            return self.source, {}
        return find_route(method, path, self.settings.profile)

    def _admit(self, call: Call) -> Headers | None:
        """The limiter's count of this request (None without a limiter: the generous account's headers)."""
        if self.rate_limiter is None:
            return None
        return self.rate_limiter.admit(_json_or_none(call))

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
        response.headers += self._common_headers(number, started)
        return response

    def _common_headers(self, number: int, started: float) -> list[tuple[str, str]]:
        if not self.settings.profile.openai_headers:
            return []
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        return [
            ("x-request-id", ids.make_hex_id("req_", 32, self.settings.seed, number)),
            ("openai-processing-ms", str(elapsed_ms)),
            ("openai-version", "2020-10-01"),
        ]
