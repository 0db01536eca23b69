"""The account's rate limits, in one place: what every 200's `x-ratelimit-*` headers report and what
the 429 of a spent minute says, so the two always tell the same story (a limiter would start here)."""

from __future__ import annotations

REQUESTS_PER_MINUTE = 5000
TOKENS_PER_MINUTE = 2_000_000
RETRY_AFTER_SECONDS = 1  # how long the 429 asks a client to wait before trying again


def duration(seconds: float) -> str:
    """A reset time as OpenAI writes it: "12ms", "1s", "6m0s"."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest}s" if minutes else f"{rest}s"


def headers(remaining_requests: int, remaining_tokens: int, reset_requests: float,
            reset_tokens: float) -> list[tuple[str, str]]:
    """The six `x-ratelimit-*` headers: the limits per minute, what is left of them, and when they refill."""
    return [
        ("x-ratelimit-limit-requests", str(REQUESTS_PER_MINUTE)),
        ("x-ratelimit-remaining-requests", str(remaining_requests)),
        ("x-ratelimit-reset-requests", duration(reset_requests)),
        ("x-ratelimit-limit-tokens", str(TOKENS_PER_MINUTE)),
        ("x-ratelimit-remaining-tokens", str(remaining_tokens)),
        ("x-ratelimit-reset-tokens", duration(reset_tokens)),
    ]


def after_one_request(prompt_tokens: int) -> list[tuple[str, str]]:
    """A 200's headers: one request and its prompt's tokens used; one request's share of the minute
    (60 s / 5000 = 12 ms) brings the count back to full."""
    per_request = 60 / REQUESTS_PER_MINUTE
    per_token = 60 / TOKENS_PER_MINUTE
    return headers(REQUESTS_PER_MINUTE - 1, TOKENS_PER_MINUTE - prompt_tokens, per_request,
                   per_token * prompt_tokens)


def minute_spent() -> list[tuple[str, str]]:
    """A 429's headers: every request of the minute used, tokens to spare; try again in a second."""
    return [("retry-after", str(RETRY_AFTER_SECONDS)),
            *headers(0, TOKENS_PER_MINUTE, RETRY_AFTER_SECONDS, 0)]
