"""The mock OpenAI server: start it, know its `base_url` and key, script a reply or a fault, read the
last exchange, stop it. It runs in a background thread of the notebook's kernel (`python -m helpers.mock`
runs it on its own)."""

from __future__ import annotations

import os
import ssl
import threading
from pathlib import Path
from typing import Any

from . import faults
from .context import Settings
from .http import MockHTTPServer
from .replies import ScriptedReplies
from .routes import MockApi
from .wire_record import Exchange, ExchangeLog

MOCK_API_KEY = "sk-mock-llm-calls"  # not a secret: the key every lesson sends to the mock
DEFAULT_TOKENS_PER_SECOND = 40.0  # about what a fast hosted model streams
MAX_BODY_BYTES = 16 * 1024 * 1024
TLS_FOLDER = Path(__file__).parent / "tls"


class MockServer:
    """An OpenAI-compatible server on 127.0.0.1 (a free port unless told otherwise)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = MOCK_API_KEY,
        tokens_per_second: float = DEFAULT_TOKENS_PER_SECOND,
        max_body_bytes: int = MAX_BODY_BYTES,
        hang_seconds: float = 60.0,
        set_environment: bool = True,
        verbose: bool = False,
        tls: bool = False,
    ) -> None:
        self.api_key = api_key
        self._stopping = threading.Event()
        self._faults = faults.FaultQueue()
        self._log = ExchangeLog()
        self._scripted = ScriptedReplies()
        api = MockApi(Settings(api_key, tokens_per_second, hang_seconds), self._faults, self._scripted,
                      self._stopping)
        self._tls = tls
        self._httpd = MockHTTPServer((host, port), api.handle, api.refuse, max_body_bytes, self._log, verbose,
                                     tls=_tls_context() if tls else None)
        self._thread: threading.Thread | None = None
        self._set_environment = set_environment

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._stopping.is_set()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

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
        _environment.release(self)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def script_reply(self, text: str) -> None:
        """Make `text` the answer to the next chat completion (replies queue up, first in, first out)."""
        self._scripted.add(text)

    def inject_fault(self, fault: str, times: int = 1) -> None:
        """Answer the next `times` requests with a fault: one of 429, 500, 503, timeout, disconnect,
        buffered, html (ValueError for any other)."""
        self._faults.inject(fault, times)

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


def _tls_context() -> ssl.SSLContext:
    """The server side of https://: a self-signed certificate for localhost, public on purpose (tls/README.md)."""
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

    @staticmethod
    def _point_at(server: MockServer) -> None:
        os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"] = server.base_url, server.api_key


_environment = _Environment()


def start_mock_server(**options: Any) -> MockServer:
    """Start a mock server (see MockServer for the options) and return it."""
    return MockServer(**options).start()
