"""The prompt cache, shared by Chat Completions and Responses: a prompt whose beginning the server saw
recently is billed partly as `cached_tokens`. Deterministic: the same requests give the same counts.

The rules the mock follows, from OpenAI's prompt-caching guide
(https://developers.openai.com/api/docs/guides/prompt-caching) and cookbook ("Prompt Caching 201",
openai/openai-cookbook, examples/Prompt_Caching_201.ipynb: "works automatically for prompts containing
1024 tokens or more, with cache hits occurring in increments of 128 tokens"):
    - only an exact prefix counts, tools and messages in order; nothing under 1,024 tokens is cached;
    - the cached part is a multiple of 128 tokens, the longest one the server has seen before;
    - an in-memory prefix stays 5 to 10 minutes after its last use (the guide): the mock keeps it
      5 minutes, on its own clock; `prompt_cache_retention: "24h"` keeps it 24 hours, and
      `prompt_cache_options.ttl` ("30m", "12h": openai 3.57.0's params types) at least that long;
    - `prompt_cache_key` is combined with the prefix to route requests (the guide): the mock keeps each
      key's prefixes apart, so requests under different keys never share a cached prefix;
    - `prompt_cache_options.mode: "explicit"` without breakpoints "does not use prompt caching" (the SDK's
      docstring): the mock writes and reads nothing then.
What the mock simplifies: the real cache may miss (another machine, more than ~15 requests a minute
for one prefix) and keeps prefixes longer than its minimum; the mock always hits within the lifetime.
Bounded: at most MAX_PREFIXES prefixes (a 16-byte digest and a time each), least recently used evicted.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from . import errors, tokens

MINIMUM_TOKENS = 1024
INCREMENT = 128
IN_MEMORY_SECONDS = 5 * 60
LIFETIMES = {"24h": 24 * 3600, "30m": 30 * 60, "12h": 12 * 3600}
MAX_PREFIXES = 20_000  # about 2.5 million tokens of distinct prefixes; some 3 MB

# `prompt_cache_options` keys and values, per API (openai 3.57.0: chat's ttl is "30m" only).
CHAT_OPTIONS: dict[str, list[str] | None] = {"mode": ["implicit", "explicit"], "ttl": ["30m"]}
RESPONSES_OPTIONS: dict[str, list[str] | None] = {
    "comparison_response_id": None, "mode": ["implicit", "explicit"], "prewarm": None, "ttl": ["30m", "12h"],
}


def check_options(options: Any, allowed: dict[str, list[str] | None]) -> None:
    """`prompt_cache_options`, checked as the other nested objects are; `prewarm` is refused (it makes a
    response without output, a shape the mock does not imitate)."""
    if options is None:
        return
    for key, value in options.items():
        where = f"prompt_cache_options.{key}"
        if key not in allowed:
            raise errors.unknown_parameter(where)
        choices = allowed[key]
        if key == "prewarm":
            if not isinstance(value, bool):
                raise errors.invalid_type(where, "a boolean", value)
            if value:
                raise errors.invalid_request(
                    "The offline mock cannot prewarm the prompt cache: leave out 'prompt_cache_options.prewarm'.",
                    param=where, code="unsupported_parameter",
                )
        elif not isinstance(value, str):
            raise errors.invalid_type(where, "a string", value)
        elif choices is not None and value not in choices:
            raise errors.invalid_value(where, value, choices)


def lifetime(retention: str | None, options: dict[str, Any] | None) -> float:
    """Seconds a prefix stays after its last use: the longest of the in-memory minimum, the retention
    asked for and the options' `ttl`."""
    seconds = [IN_MEMORY_SECONDS, LIFETIMES.get(retention or "", 0)]
    if options:
        seconds.append(LIFETIMES.get(str(options.get("ttl", "")), 0))
    return float(max(seconds))


def uses_cache(options: dict[str, Any] | None) -> bool:
    """False when `mode: "explicit"` leaves no breakpoint (the mock supports none)."""
    return not options or options.get("mode", "implicit") != "explicit"


def cached_tokens(cache: PromptCache, model: str, key: str | None, retention: str | None,
                  options: dict[str, Any] | None, messages: list[dict[str, Any]], tools: list[Any] | None) -> int:
    """The cached tokens of one request's prompt (chat-shaped messages and tools), which it caches in turn."""
    if not uses_cache(options):
        return 0
    return cache.use(model, key, tokens.prompt_as_tokens(messages, tools), lifetime(retention, options))


class PromptCache:
    """Prefixes seen, as digests of (model, key, tokens so far) at every 128-token boundary from 1,024."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_prefixes: int = MAX_PREFIXES) -> None:
        self._clock = clock
        self.max_prefixes = max_prefixes
        self._expiry: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    def use(self, model: str, key: str | None, prompt: list[str], seconds: float) -> int:
        """The tokens of `prompt` found cached; then every boundary of `prompt` is cached for `seconds`."""
        if len(prompt) < MINIMUM_TOKENS:
            return 0
        boundaries = _boundaries(model, key, prompt)
        now = self._clock()
        with self._lock:
            cached = 0
            for length, digest in boundaries:
                expires = self._expiry.get(digest)
                if expires is None or expires <= now:
                    break
                cached = length
            for _, digest in boundaries:
                self._expiry[digest] = max(now + seconds, self._expiry.get(digest, 0.0))
                self._expiry.move_to_end(digest)
            while len(self._expiry) > self.max_prefixes:
                self._expiry.popitem(last=False)
        return cached

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)


def _boundaries(model: str, key: str | None, prompt: list[str]) -> list[tuple[int, bytes]]:
    """(length, digest) for every cacheable prefix of `prompt`, shortest first."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{model}\x00{key or ''}\x00".encode())
    found = []
    for n, token in enumerate(prompt, start=1):
        digest.update(token.encode() + b"\x00")
        if n >= MINIMUM_TOKENS and n % INCREMENT == 0:
            found.append((n, digest.copy().digest()))
    return found
