"""What every handler is given: the request, the values in its path, its number among the server's
responses (for reproducible ids), and what the server knows (settings, scripted replies, whether it is stopping)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .http import Request
from .profiles import OPENAI, Profile
from .replies import ScriptedReplies
from .responses.store import ResponseStore

DEFAULT_SEED = "llm-calls-three-ways"


@dataclass
class Settings:
    api_key: str
    tokens_per_second: float  # stream pacing; 0 streams as fast as the socket allows
    hang_seconds: float  # how long the `timeout` fault keeps a client waiting at most
    latency_seconds: float = 0.0  # how long the model "thinks" before the first byte of every answer
    seed: str = DEFAULT_SEED  # every id is derived from it, so a fresh server repeats its ids
    profile: Profile = OPENAI  # how much of OpenAI to play (profiles.py)


@dataclass
class Call:
    request: Request
    params: dict[str, str]  # from the path: {"model": "gpt-5.4-mini"} for /v1/models/{model}
    number: int
    settings: Settings
    scripted: ScriptedReplies
    stopping: threading.Event
    responses: ResponseStore = field(default_factory=ResponseStore)  # the server's, shared by all calls
    fault: str | None = None  # the fault this request meets: the handler plays a stream fault (faults.py)
