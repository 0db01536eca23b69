"""How much of OpenAI the mock plays: `openai` (the default) is the real service in every detail;
`minimal` is a plain OpenAI-compatible server, as many self-hosted ones are, to test portable code.

The minimal profile, modelled on llama.cpp's `llama-server` (ggml-org/llama.cpp, tools/server: its
`format_error_response` writes `{"code": <status>, "message", "type"}` under `"error"`):
    - any key is accepted, or none: such servers are started without one;
    - no OpenAI-only headers: no `x-request-id`, no `openai-*`, no `x-ratelimit-*`;
    - errors as `{"error": {"code": 400, "message": "...", "type": "invalid_request_error"}}`:
      no `param`, and `code` is the HTTP status, not a word;
    - only chat completions, models and embeddings (llama-server has `/v1/embeddings`): `/v1/responses`,
      `/v1/files` and the rest are 404;
    - lenient: unknown parameters and model names are accepted, and no model refuses a temperature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ApiError

OPENAI_ONLY_HEADERS = ("x-request-id", "openai-", "x-ratelimit-")


@dataclass(frozen=True)
class Profile:
    name: str
    checks_key: bool  # a wrong or missing key is a 401
    strict: bool  # unknown parameters and models are refused, and each model's own rules apply
    openai_headers: bool  # x-request-id, openai-processing-ms, openai-version, x-ratelimit-*
    paths: tuple[str, ...] | None  # the only paths served (None: every route of routes.ROUTES)

    def serves(self, path_template: str) -> bool:
        return self.paths is None or path_template in self.paths

    def error_body(self, error: ApiError) -> dict[str, Any]:
        if self.name == "openai":
            return error.body()
        return {"error": {"code": error.status, "message": error.message, "type": error.type}}

    def keeps_header(self, name: str) -> bool:
        return self.openai_headers or not name.lower().startswith(OPENAI_ONLY_HEADERS)


OPENAI = Profile("openai", checks_key=True, strict=True, openai_headers=True, paths=None)
MINIMAL = Profile("minimal", checks_key=False, strict=False, openai_headers=False,
                  paths=("/v1/chat/completions", "/v1/models", "/v1/models/{model}", "/v1/embeddings"))
PROFILES = {profile.name: profile for profile in (OPENAI, MINIMAL)}


def named(name: str) -> Profile:
    """The profile called `name`; ValueError for any other."""
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}: choose one of {', '.join(PROFILES)}")
    return PROFILES[name]
