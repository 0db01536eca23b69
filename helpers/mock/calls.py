"""What every handler is given: the request, the values in its path, its number among the server's
responses (for reproducible ids), and what the server knows (settings, scripted replies, whether it is stopping)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .batches.store import BatchStore
from .conversations.store import ConversationStore
from .errors import ApiError
from .faults import FaultQueue
from .files.store import FileStore
from .http import Request
from .json_bodies import parse_request_body
from .profiles import OPENAI, Profile
from .prompt_cache import PromptCache
from .replies import ScriptedReplies
from .responses.background import BackgroundJobs
from .responses.store import ResponseStore
from .webhooks.events import Webhooks
from .websocket.frames import WebSocketLimits

DEFAULT_SEED = "llm-calls-three-ways"


@dataclass
class Settings:
    api_key: str
    tokens_per_second: float  # stream pacing; 0 streams as fast as the socket allows
    hang_seconds: float  # how long the `timeout` fault keeps a client waiting at most
    latency_seconds: float = 0.0  # how long the model "thinks" before the first byte of every answer
    seed: str = DEFAULT_SEED  # every id is derived from it, so a fresh server repeats its ids
    profile: Profile = OPENAI  # how much of OpenAI to play (profiles.py)
    job_seconds: float = 1.0  # the mock's clock for work that outlives a request: each waiting state of a
    # background response (queued, in progress) lasts this long, and a webhook's first retry waits this long
    websocket: WebSocketLimits = field(default_factory=WebSocketLimits)  # a WebSocket's limits (websocket/)


@dataclass
class Call:
    request: Request
    params: dict[str, str]  # from the path: {"model": "gpt-5.4-mini"} for /v1/models/{model}
    number: int
    settings: Settings
    scripted: ScriptedReplies
    stopping: threading.Event
    responses: ResponseStore = field(default_factory=ResponseStore)  # the server's, shared by all calls
    background: BackgroundJobs = field(default_factory=BackgroundJobs)  # the server's background responses
    webhooks: Webhooks = field(default_factory=lambda: Webhooks(""))  # the server's endpoints and deliveries
    files: FileStore = field(default_factory=FileStore)  # the server's uploaded files, likewise
    batches: BatchStore = field(default_factory=BatchStore)  # the server's batches, likewise
    conversations: ConversationStore = field(default_factory=ConversationStore)  # the server's, too
    prompt_cache: PromptCache = field(default_factory=PromptCache)  # the server's, too
    faults: FaultQueue | None = None  # the server's queue: a WebSocket's turns meet its faults too
    fault: str | None = None  # the fault this request meets: the handler plays a stream fault (faults.py)
    # Set by a handler that asks a model: its prompt's tokens, which the answer's x-ratelimit-* headers report.
    prompt_tokens: int | None = None
    _json: Any = field(default=None, init=False, repr=False)
    _json_error: ApiError | None = field(default=None, init=False, repr=False)
    _json_read: bool = field(default=False, init=False, repr=False)

    def json(self) -> Any:
        """The request's body as JSON, parsed once however many ask (the rate limiter, a fault, the handler);
        the real service's 400 for a body that is not JSON (json_bodies.parse_request_body)."""
        if not self._json_read:
            self._json_read = True
            try:
                self._json = parse_request_body(self.request.body)
            except ApiError as error:
                self._json_error = error
        if self._json_error is not None:
            raise self._json_error
        return self._json
