"""Recording: forward each request to a real provider, pass its answer back as it arrives, and write the
exchange to a cassette. A stream goes back event by event, each when the provider sends it; only the
cassette waits for the end, because one line holds one whole exchange.

What the provider is sent: the request's method, path (under the upstream's base URL), body and
content headers, with the upstream key (read from OPENAI_API_KEY when the server was made, never from a
command line) in place of the mock's. What the client gets back: the provider's status, headers and body,
decoded if the provider compressed it (the mock speaks no compression), and the provider's own request id.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .. import errors
from ..calls import Call
from ..http import Response
from .cassette import CassetteWriter, Recorded, kept_headers, request_value

MAX_UPSTREAM_BODY_BYTES = 64 * 1024 * 1024  # a provider's answer larger than this is a 502, not a full memory
# Hop-by-hop headers (RFC 9110, 7.6.1) and the ones this hop rewrites; never passed along in either direction.
NOT_FORWARDED = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
                 "host", "content-length", "authorization", "cookie", "accept-encoding", "x-mock-fault",
                 "openai-organization", "openai-project", "api-key", "x-api-key"}
NOT_RETURNED = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding",
                "set-cookie", "date", "server"}


class UpstreamError(errors.ApiError):
    """The provider could not be reached, was too slow, or did not answer in HTTP (502, 504)."""


def upstream_error(status: int, message: str) -> UpstreamError:
    # The mock's own words: a proxy's error, in the shape of OpenAI's errors so every client can read it.
    return UpstreamError(status, f"The mock's recording proxy: {message}", type="upstream_error",
                         code="bad_gateway" if status == 502 else "gateway_timeout")


@dataclass
class Upstream:
    """Where recording sends requests: a base URL (`https://api.openai.com/v1`), how long to wait for it, a
    certificate to trust; the key is filled in by the server from OPENAI_API_KEY (recording.source)."""

    base_url: str
    timeout: float = 120.0
    cafile: str | None = None  # a certificate to trust, for a stand-in upstream on https://localhost
    api_key: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"upstream must be an http:// or https:// URL, not {self.base_url!r}")
        self._parts = parts

    def connection(self) -> http.client.HTTPConnection:
        host, port = self._parts.hostname or "", self._parts.port
        if self._parts.scheme == "https":
            context = ssl.create_default_context(cafile=self.cafile)
            return http.client.HTTPSConnection(host, port, timeout=self.timeout, context=context)
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def path_for(self, path: str) -> str:
        """The mock's `/v1/...` under the upstream's base path: `/v1/chat/completions` stays itself for
        `https://api.openai.com/v1`, and becomes `/openai/v1/chat/completions` under `.../openai/v1`."""
        rest = path[len("/v1"):] if path.startswith("/v1") else path
        return self._parts.path.rstrip("/") + rest


class Recorder:
    """The handler of every request while recording (routes.MockApi calls it in place of the API's own)."""

    def __init__(self, upstream: Upstream, cassette: CassetteWriter) -> None:
        self.upstream = upstream
        self.cassette = cassette

    def __call__(self, call: Call) -> Response:
        request = call.request
        refused = _refused_while_recording(request.method, request.path, request.headers)
        if refused:
            raise errors.invalid_request(refused, code="not_recordable")
        stored = request_value(request.body, request.headers.get("content-type", ""))
        started = time.monotonic()
        try:
            return self._forward(call, stored, started)
        except UpstreamError as error:
            self.cassette.append(Recorded(request.method, request.path, stored, error.status,
                                          {"content-type": "application/json"}, json.dumps(error.body()).encode(),
                                          notes={"upstream_error": error.message}))
            raise

    def _forward(self, call: Call, stored: object, started: float) -> Response:
        request = call.request
        connection = self.upstream.connection()
        headers = {name: value for name, value in request.headers.items() if name not in NOT_FORWARDED}
        headers.update({"authorization": f"Bearer {self.upstream.api_key}", "accept-encoding": "gzip"})
        try:
            connection.request(request.method, self.upstream.path_for(request.path), request.body or None, headers)
            answer = connection.getresponse()
        except TimeoutError:
            connection.close()
            raise upstream_error(504, f"{self.upstream.base_url} did not answer within "
                                      f"{self.upstream.timeout:g} s") from None
        except (http.client.HTTPException, ssl.SSLError) as error:
            connection.close()
            raise upstream_error(502, f"{self.upstream.base_url} did not answer in HTTP ({error!r})") from None
        except OSError as error:
            connection.close()
            raise upstream_error(502, f"could not reach {self.upstream.base_url} ({error.strerror or error})") \
                from None
        returned = [(name, value) for name, value in answer.getheaders() if name.lower() not in NOT_RETURNED]
        kept = kept_headers(answer.getheaders())
        decoder = _decoder(answer.getheader("content-encoding", ""))
        if answer.getheader("content-type", "").startswith("text/event-stream"):
            events = LiveEvents(answer, connection, decoder, started)
            events.on_end = lambda received: self.cassette.append(
                Recorded(request.method, request.path, stored, answer.status, kept, events=received))
            return Response(answer.status, returned, events=events)
        try:
            body = _read_whole(answer, decoder)
        finally:
            connection.close()
        self.cassette.append(Recorded(request.method, request.path, stored, answer.status, kept, body))
        return Response(answer.status, returned, body)


def _refused_while_recording(method: str, path: str, headers: dict[str, str]) -> str | None:
    """What a cassette cannot hold, refused with a reason instead of recorded half-way."""
    if "upgrade" in headers.get("connection", "").lower() or "upgrade" in headers:
        return ("The mock's recording proxy cannot record a WebSocket: a cassette holds HTTP exchanges. "
                "Record the same turns over HTTP (POST /v1/responses) instead.")
    if path.split("?")[0].rstrip("/").startswith("/v1/webhook"):
        return ("The mock's recording proxy does not register webhooks with a real provider: the provider "
                "would call a URL on this machine that it cannot reach. Register webhooks on the mock itself.")
    return None


def _decoder(content_encoding: str) -> zlib._Decompress | None:
    encoding = content_encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


def _read_whole(answer: http.client.HTTPResponse, decoder: zlib._Decompress | None) -> bytes:
    """The provider's body, decompressed, refused past MAX_UPSTREAM_BODY_BYTES (as it arrives, not after)."""
    parts, size = [], 0
    try:
        while chunk := answer.read1(65_536):
            data = decoder.decompress(chunk, MAX_UPSTREAM_BODY_BYTES + 1 - size) if decoder else chunk
            size += len(data)
            if size > MAX_UPSTREAM_BODY_BYTES:
                raise upstream_error(502, "the provider's answer is larger than the proxy passes on "
                                          f"({MAX_UPSTREAM_BODY_BYTES // (1024 * 1024)} MiB)")
            parts.append(data)
    except TimeoutError:
        raise upstream_error(504, "the provider stopped sending its answer half-way") from None
    except (http.client.HTTPException, OSError, zlib.error) as error:
        raise upstream_error(502, f"the provider's answer could not be read ({error!r})") from None
    return b"".join(parts)


class LiveEvents:
    """A provider's stream, passed on event by event as each arrives (an event ends at a blank line). When
    the stream ends, or the client leaves, `on_end` gets every event with its time, for the cassette."""

    def __init__(self, answer: http.client.HTTPResponse, connection: http.client.HTTPConnection,
                 decoder: zlib._Decompress | None, started: float) -> None:
        self._answer, self._connection, self._decoder = answer, connection, decoder
        self._head_at = time.monotonic()
        self._started = started
        self.received: list[tuple[int, bytes]] = []
        self._kept_bytes = 0
        self.on_end: Callable[[list[tuple[int, bytes]]], None] = _nothing
        self._ended = threading.Event()

    def __len__(self) -> int:
        """How many events have arrived so far: a live stream's length is known only at its end."""
        return len(self.received)

    def __bool__(self) -> bool:
        return True  # a stream, even before its first event (len() alone would make it look empty)

    def __iter__(self) -> Iterator[bytes]:
        buffer = b""
        try:
            while chunk := self._read():
                buffer += self._decoder.decompress(chunk) if self._decoder else chunk
                buffer = buffer.replace(b"\r\n", b"\n")
                while b"\n\n" in buffer:
                    event, buffer = buffer.split(b"\n\n", 1)
                    yield self._arrived(event + b"\n\n")
                if len(buffer) > MAX_UPSTREAM_BODY_BYTES:  # no end of event in sight: not a stream we can pass on
                    break
            if buffer.strip():  # a last event the provider did not end with a blank line
                yield self._arrived(buffer)
        finally:
            self._connection.close()
            if not self._ended.is_set():
                self._ended.set()
                self.on_end(self.received)

    def _read(self) -> bytes:
        try:
            return self._answer.read1(65_536)
        except (OSError, http.client.HTTPException):  # the provider cut the stream: pass on what came
            return b""

    def _arrived(self, event: bytes) -> bytes:
        """Pass the event on; keep it for the cassette while the stream's share of memory lasts."""
        self._kept_bytes += len(event)
        if self._kept_bytes <= MAX_UPSTREAM_BODY_BYTES:
            self.received.append((round((time.monotonic() - self._head_at) * 1000), event))
        return event


def _nothing(received: list[tuple[int, bytes]]) -> None:
    """Where a stream's events go when nobody records them."""
