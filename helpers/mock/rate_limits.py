"""The account's rate limits, in one place: what every answer's `x-ratelimit-*` headers report and what
a 429 says, so the two always tell the same story. Without a limit set, a generous account, barely used.

`MockServer(rate_limit=RateLimit(...))` switches on a real limiter: requests and tokens per minute, each
counted in a token bucket that holds at most a minute's allowance and refills continuously (a request
every 60/RPM seconds). `x-ratelimit-reset-*` is the time until a bucket is full again, `Retry-After`
the time until the refused request would fit.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import errors, tokens

Headers = list[tuple[str, str]]

REQUESTS_PER_MINUTE = 5000
TOKENS_PER_MINUTE = 2_000_000
RETRY_AFTER_SECONDS = 1  # how long the `429` fault asks a client to wait before trying again


# --- without a limit: a generous account -----------------------------------------------------------

def headers(remaining_requests: int, remaining_tokens: int, reset_requests: float,
            reset_tokens: float) -> Headers:
    """The six `x-ratelimit-*` headers of the generous account: the limits per minute, what is left of
    them, and when they refill."""
    return [
        ("x-ratelimit-limit-requests", str(REQUESTS_PER_MINUTE)),
        ("x-ratelimit-remaining-requests", str(remaining_requests)),
        ("x-ratelimit-reset-requests", duration(reset_requests)),
        ("x-ratelimit-limit-tokens", str(TOKENS_PER_MINUTE)),
        ("x-ratelimit-remaining-tokens", str(remaining_tokens)),
        ("x-ratelimit-reset-tokens", duration(reset_tokens)),
    ]


def after_one_request(prompt_tokens: int) -> Headers:
    """A 200's headers: one request and its prompt's tokens used; one request's share of the minute
    (60 s / 5000 = 12 ms) brings the count back to full."""
    per_request = 60 / REQUESTS_PER_MINUTE
    per_token = 60 / TOKENS_PER_MINUTE
    return headers(REQUESTS_PER_MINUTE - 1, TOKENS_PER_MINUTE - prompt_tokens, per_request,
                   per_token * prompt_tokens)


def minute_spent() -> Headers:
    """The `429` fault's headers: every request of the minute used, tokens to spare; try again in a second."""
    return [("retry-after", str(RETRY_AFTER_SECONDS)),
            *headers(0, TOKENS_PER_MINUTE, RETRY_AFTER_SECONDS, 0)]


# --- with a limit: the limiter ---------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    """An account's limits. `clock` tells the time in seconds; tests pass a fake one to move time on
    without sleeping."""

    requests_per_minute: int = REQUESTS_PER_MINUTE
    tokens_per_minute: int = TOKENS_PER_MINUTE
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    def __post_init__(self) -> None:
        if self.requests_per_minute < 1 or self.tokens_per_minute < 1:
            raise ValueError("requests_per_minute and tokens_per_minute must be at least 1")


class _Bucket:
    """Up to `capacity` units; `capacity` of them come back every minute, a little at a time."""

    def __init__(self, capacity: int, now: float) -> None:
        self.capacity, self.level, self.last = capacity, float(capacity), now

    @property
    def per_second(self) -> float:
        return self.capacity / 60

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.last) * self.per_second)
        self.last = now

    def seconds_until(self, amount: float) -> float:
        """How long until the bucket holds `amount` (0 when it already does)."""
        return max(0.0, (amount - self.level) / self.per_second)

    def headers(self, kind: str) -> Headers:
        return [
            (f"x-ratelimit-limit-{kind}", str(self.capacity)),
            (f"x-ratelimit-remaining-{kind}", str(math.floor(self.level))),
            (f"x-ratelimit-reset-{kind}", duration(self.seconds_until(self.capacity))),
        ]


class RateLimiter:
    """One account's buckets, shared by all of the server's threads."""

    def __init__(self, limit: RateLimit) -> None:
        self._clock = limit.clock
        now = self._clock()
        self._requests = _Bucket(limit.requests_per_minute, now)
        self._tokens = _Bucket(limit.tokens_per_minute, now)
        self._lock = threading.Lock()

    def admit(self, body: Any) -> Headers:
        """Take one request (its JSON, or None) and its tokens from the buckets and return the headers that
        say what is left; raise the 429 of the first limit the request would break, with the same headers."""
        model, requested = model_and_tokens(body)
        with self._lock:
            now = self._clock()
            self._requests.refill(now)
            self._tokens.refill(now)
            if requested > self._tokens.capacity:
                raise self._refusal(errors.request_too_large(model, self._tokens.capacity, requested), None)
            if self._requests.level < 1:
                wait = self._requests.seconds_until(1)
                error = errors.rate_limit_reached(model, "requests", self._requests.capacity,
                                                  self._used(self._requests), 1, duration(wait))
                raise self._refusal(error, wait)
            if self._tokens.level < requested:
                wait = self._tokens.seconds_until(requested)
                error = errors.rate_limit_reached(model, "tokens", self._tokens.capacity,
                                                  self._used(self._tokens), requested, duration(wait))
                raise self._refusal(error, wait)
            self._requests.level -= 1
            self._tokens.level -= requested
            return self._headers()

    def _headers(self) -> Headers:
        return self._requests.headers("requests") + self._tokens.headers("tokens")

    @staticmethod
    def _used(bucket: _Bucket) -> int:
        return bucket.capacity - math.floor(bucket.level)

    def _refusal(self, error: errors.ApiError, wait: float | None) -> errors.ApiError:
        """The 429 with its headers; `Retry-After` in whole seconds, rounded up so a client that waits
        that long is let in."""
        error.headers = dict(self._headers())
        if wait is not None:
            error.headers["retry-after"] = str(max(1, math.ceil(wait)))
        return error


def model_and_tokens(request: Any) -> tuple[str, int]:
    """The model a request (its JSON) names and the tokens it asks for: its prompt plus the most it may
    generate, as the real service counts a request against its tokens per minute. Anything unreadable
    counts as nothing here; the handler refuses it with its own 400."""
    if not isinstance(request, dict):
        return "this model", 0
    model = request.get("model")
    prompt = request.get("messages", request.get("input"))
    if isinstance(prompt, str):
        prompt = [{"content": prompt}]
    messages = [m for m in prompt if isinstance(m, dict)] if isinstance(prompt, list) else []
    most = request.get("max_completion_tokens") or request.get("max_tokens") or request.get("max_output_tokens")
    generated = most if isinstance(most, int) and not isinstance(most, bool) and most > 0 else 0
    tools = request.get("tools") if isinstance(request.get("tools"), list) else None
    prompt_tokens = tokens.prompt_tokens(messages, tools)
    return (model if isinstance(model, str) else "this model"), prompt_tokens + generated


def duration(seconds: float) -> str:
    """A wait as the real headers write it: "12ms", "1s", "8.64s", "6m0s", "1h2m3s"; under a
    millisecond is "0s". (Rounded to the microsecond first, so 60 / 5000 s is 12 ms, not 12.000...1.)"""
    milliseconds = math.floor(round(seconds * 1000, 3))
    if milliseconds < 1000:
        return f"{milliseconds}ms" if milliseconds else "0s"
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    text = f"{rest / 1000:.3f}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    return f"{minutes}m{text}" if minutes else text
