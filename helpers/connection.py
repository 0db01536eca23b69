"""Where the lessons send their requests: the mock server (the default) or a real provider.
Set LLM_CALLS_TARGET=real to use OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL from the environment;
set LLM_CALLS_REPLAY=cassette.jsonl to have the mock answer from a recording (LLM_CALLS_RECORD makes one)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .mock import Exchange, MockServer
from .mock.calls import DEFAULT_SEED

TARGET_VARIABLE = "LLM_CALLS_TARGET"
# Record once, replay in class (README): the lessons' mock records every exchange to LLM_CALLS_RECORD (from the
# provider at LLM_CALLS_UPSTREAM, with the key in OPENAI_API_KEY; without one, the mock's own answers), or
# answers from the cassette LLM_CALLS_REPLAY.
RECORD_VARIABLE, UPSTREAM_VARIABLE, REPLAY_VARIABLE = "LLM_CALLS_RECORD", "LLM_CALLS_UPSTREAM", "LLM_CALLS_REPLAY"
MODEL = "gpt-5.4-mini"  # the one model every lesson asks for
REAL_BASE_URL = "https://api.openai.com/v1"

_shared_mock: MockServer | None = None


@dataclass
class Connection:
    """A base URL, a key and a model; `mock` is the local server, or None when talking to a real one."""

    base_url: str
    api_key: str = field(repr=False)
    model: str
    mock: MockServer | None = field(default=None, repr=False)

    @property
    def last_exchange(self) -> Exchange | None:
        """The last request and response on the wire; only the mock can show them."""
        return self.mock.last_exchange if self.mock else None


def target() -> str:
    value = os.environ.get(TARGET_VARIABLE, "mock").strip().lower()
    if value not in ("mock", "real"):
        raise ValueError(f"{TARGET_VARIABLE} must be 'mock' or 'real', not {value!r}")
    return value


def connect(seed: str | None = None) -> Connection:
    """The connection the lessons use. With the mock, one server per kernel, started on first use;
    `seed` (a notebook passes its own path, "01_chat_completion/urllib") makes that server's ids, so
    the ids a notebook shows are the same on every run and found in no other notebook. A kernel does
    not know its notebook's name: the notebook says it."""
    if target() == "real":
        return _real_connection()
    global _shared_mock
    if _shared_mock is None or not _shared_mock.running:
        _shared_mock = MockServer(seed=seed or DEFAULT_SEED, record=os.environ.get(RECORD_VARIABLE) or None,
                                  upstream=os.environ.get(UPSTREAM_VARIABLE) or None,
                                  replay=os.environ.get(REPLAY_VARIABLE) or None).start()
    return Connection(_shared_mock.base_url, _shared_mock.api_key, MODEL, _shared_mock)


def _real_connection() -> Connection:
    api_key = os.environ.get("OPENAI_API_KEY")
    if not api_key:
        raise RuntimeError(
            f"{TARGET_VARIABLE}=real needs OPENAI_API_KEY in the environment "
            "(and OPENAI_BASE_URL for a provider other than OpenAI)."
        )
    base_url = os.environ.get("OPENAI_BASE_URL", REAL_BASE_URL)
    return Connection(base_url, api_key, os.environ.get("OPENAI_MODEL", MODEL))
