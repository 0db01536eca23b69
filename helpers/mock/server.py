"""The mock OpenAI server: start it, know its `base_url` and key, script a reply or a fault, read the
last exchange, stop it. It runs in a background thread of the notebook's kernel (`python -m helpers.mock`
runs it on its own)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import faults, profiles, recording

if TYPE_CHECKING:
    import ssl
from .calls import DEFAULT_SEED, Settings
from .http import Limits
from .rate_limits import RateLimit, RateLimiter
from .replies import ScriptedReplies
from .routes import MockApi
from .serving import MockHTTPServer
from .websocket.frames import WebSocketLimits
from .wire_record import Exchange, ExchangeLog

MOCK_API_KEY = "sk-mock-llm-calls"  # not a secret: the key every lesson sends to the mock
DEFAULT_TOKENS_PER_SECOND = 40.0  # about what a fast hosted model streams
PACE_VARIABLE = "LLM_CALLS_TOKENS_PER_SECOND"  # if set, the default pace instead (a test run streams faster)
DEFAULT_LIMITS = Limits()
TLS_FOLDER = Path(__file__).parent / "tls"


class MockServer:
    """An OpenAI-compatible server on 127.0.0.1 (a free port unless told otherwise).

    `latency_seconds` keeps every answer waiting that long before its first byte, as a model thinks
    before it answers; `rate_limit=RateLimit(requests_per_minute=..., tokens_per_minute=...)` switches
    on a rate limiter that answers 429s (rate_limits.py). Both are off by default."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = MOCK_API_KEY,
        tokens_per_second: float | None = None,
        limits: Limits = DEFAULT_LIMITS,
        hang_seconds: float = 60.0,
        latency_seconds: float = 0.0,
        rate_limit: RateLimit | None = None,
        set_environment: bool = True,
        verbose: bool = False,
        profile: str = "openai",
        tls: bool = False,
        record: str | os.PathLike[str] | None = None,
        upstream: str | recording.Upstream | None = None,
        replay: str | os.PathLike[str] | None = None,
        replay_timing: str = "recorded",
        job_seconds: float = 1.0,
        seed: str = DEFAULT_SEED,
    ) -> None:
        """`limits=Limits(...)`: what one client may cost (body size, timeouts in seconds, requests served at
        once, connections open), described in http.Limits and the README's "Limits"; the defaults suit a
        server left running all day.

        `record=FILE, upstream=URL` makes the server a recording proxy to a real provider, whose key it reads
        from OPENAI_API_KEY now, before it points that variable at itself (`upstream=Upstream(URL, timeout=...,
        cafile=...)` to set more); without `upstream`, it records its own answers. `replay=FILE` answers from a
        cassette instead of the mock's own replies (recording/, README "Record once, replay in class").
        `job_seconds` is the mock's clock for background responses, batches and webhook retries (calls.Settings).
        `seed` makes its ids (ids.py): the same seed repeats the same ids, so each notebook passes its
        own and no two notebooks show the same id for different calls."""
        self.api_key = api_key
        self.profile = profiles.named(profile)  # "minimal": a plain OpenAI-compatible server (profiles.py)
        self._stopping = threading.Event()
        self._faults = faults.FaultQueue()
        self._log = ExchangeLog()
        self._scripted = ScriptedReplies()
        if latency_seconds < 0:
            raise ValueError("latency_seconds must not be negative")
        pace = _pace_from_environment() if tokens_per_second is None else tokens_per_second
        if not job_seconds >= 0:
            raise ValueError("job_seconds must be a number of seconds, 0 or more")
        # A WebSocket lives by the HTTP layer's limits: a message as large as a body, the same timeouts.
        websocket = WebSocketLimits(max_message_bytes=limits.max_body_bytes, idle_timeout=limits.idle_timeout,
                                    frame_timeout=limits.body_timeout, write_timeout=limits.write_timeout)
        self._settings = Settings(api_key, pace, hang_seconds, latency_seconds, seed=seed, profile=self.profile,
                                  job_seconds=job_seconds, websocket=websocket)
        limiter = RateLimiter(rate_limit) if rate_limit is not None else None
        source = recording.source(record, upstream, replay, replay_timing,
                                  upstream_key=_environment.original(recording.UPSTREAM_KEY_VARIABLE))
        api = MockApi(self._settings, self._faults, self._scripted, self._stopping, limiter, self._log,
                      tee=source if isinstance(source, recording.Tee) else None,
                      source=None if isinstance(source, recording.Tee) else source)
        self._api = api
        self._tls = tls
        self._httpd = MockHTTPServer((host, port), api, limits, self._log, verbose, tls=_tls_context() if tls else None)
        self._thread: threading.Thread | None = None
        self._set_environment = set_environment

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._stopping.is_set()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def connections_opened(self) -> int:
        """How many TCP connections clients have opened to this server: a client that reuses its
        connections opens few, one that does not opens one per request."""
        return self._httpd.connections_opened

    @property
    def base_url(self) -> str:
        """What OpenAI clients call `base_url`: the server's root plus `/v1`."""
        host = str(self._httpd.server_address[0])
        return f"{'https' if self._tls else 'http'}://{host}:{self.port}/v1"

    @property
    def certificate_path(self) -> str:
        """With `tls=True`: the server's self-signed certificate, the file a client must trust
        (`ssl.create_default_context(cafile=...)`, `requests.post(..., verify=...)`)."""
        return str(TLS_FOLDER / "localhost-cert.pem")

    def start(self) -> MockServer:
        """Serve in a background thread; point `OpenAI()` at this server through the environment."""
        if self._thread is not None:
            return self  # already serving, as in `with start_mock_server() as server:`
        # A short poll interval lets stop() return within 50 ms instead of the default half second.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="mock-openai",
                                        daemon=True)
        self._thread.start()
        if self._set_environment:
            _environment.claim(self)
        return self

    def stop(self) -> None:
        """Stop serving, wake any paused stream or hanging fault, and put the environment back."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
        self._httpd.server_close()
        self._api.close()
        _environment.release(self)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def tokens_per_second(self) -> float:
        """How fast streams are paced (0: as fast as the socket allows); set it to change the next streams."""
        return self._settings.tokens_per_second

    @tokens_per_second.setter
    def tokens_per_second(self, value: float) -> None:
        self._settings.tokens_per_second = value

    @property
    def job_seconds(self) -> float:
        """The mock's clock for long jobs: how long a background response or a batch stays in each waiting
        state, and a webhook's first retry waits; set it to change the next jobs."""
        return self._settings.job_seconds

    @job_seconds.setter
    def job_seconds(self, value: float) -> None:
        if not value >= 0:
            raise ValueError("job_seconds must be a number of seconds, 0 or more")
        self._settings.job_seconds = value

    def script_reply(self, text: str) -> None:
        """Make `text` the answer to the next chat completion or response (replies queue up, first in,
        first out)."""
        self._scripted.add(text)

    def inject_fault(self, fault: str, times: int = 1, *, after_events: int | None = None) -> None:
        """Answer the next `times` requests with a fault: one of 429, 500, 503, timeout, disconnect,
        buffered, html, or a stream that fails after its 200: stream-error, stream-error-nested,
        stream-failed, stream-incomplete, stream-content-filter, stream-cut (faults.py says what each
        sends; `after_events` events go out before it, else half the stream). ValueError for any other."""
        self._faults.inject(fault if after_events is None else f"{fault}:{after_events}", times)

    def clear_faults(self) -> None:
        self._faults.clear()

    @property
    def exchanges(self) -> list[Exchange]:
        """The recent requests and responses, oldest first (keys redacted)."""
        return self._log.all()

    @property
    def last_exchange(self) -> Exchange | None:
        exchanges = self._log.all()
        return exchanges[-1] if exchanges else None


def _pace_from_environment() -> float:
    """LLM_CALLS_TOKENS_PER_SECOND if set (a number, 0 or more), else DEFAULT_TOKENS_PER_SECOND."""
    value = os.environ.get(PACE_VARIABLE, "").strip()
    if not value:
        return DEFAULT_TOKENS_PER_SECOND
    try:
        pace = float(value)
    except ValueError:
        pace = -1.0
    if not pace >= 0:  # also refuses nan
        raise ValueError(f"{PACE_VARIABLE} must be a number of tokens a second, 0 or more, not {value!r}")
    return pace


def _tls_context() -> ssl.SSLContext:
    """The server side of https://: a self-signed certificate for localhost, public on purpose (tls/README.md).
    ssl is imported here, not at the top: only an https:// server needs it, and it costs start-up time."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS_FOLDER / "localhost-cert.pem", TLS_FOLDER / "localhost-key.pem")
    return context


class _Environment:
    """OPENAI_BASE_URL and OPENAI_API_KEY point at the newest running server that set them, whatever order
    servers stop in; when the last one stops, they are as they were before the first one started."""

    NAMES = ("OPENAI_BASE_URL", "OPENAI_API_KEY")

    def __init__(self) -> None:
        self._servers: list[MockServer] = []  # in the order they started
        self._before: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def original(self, name: str) -> str | None:
        """The variable as the learner set it: its value now, unless that is what a running mock put there,
        then the value from before the first mock started (a recording reads the provider's key here)."""
        with self._lock:
            value = os.environ.get(name)
            if self._servers and value == self._claimed(self._servers[-1]).get(name):
                return self._before.get(name)
            return value

    @staticmethod
    def _claimed(server: MockServer) -> dict[str, str]:
        return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": server.api_key}

    def claim(self, server: MockServer) -> None:
        with self._lock:
            if not self._servers:
                self._before = {name: os.environ.get(name) for name in self.NAMES}
            self._servers.append(server)
            self._point_at(server)

    def release(self, server: MockServer) -> None:
        with self._lock:
            if server not in self._servers:
                return
            self._servers.remove(server)
            if self._servers:
                self._point_at(self._servers[-1])
                return
            for name, value in self._before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    @classmethod
    def _point_at(cls, server: MockServer) -> None:
        os.environ.update(cls._claimed(server))


_environment = _Environment()


def start_mock_server(**options: Any) -> MockServer:
    """Start a mock server (see MockServer for the options) and return it."""
    return MockServer(**options).start()
