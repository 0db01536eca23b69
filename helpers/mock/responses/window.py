"""The context window on the Responses API: a prompt longer than the model's window is a 400 with
`truncation: "disabled"` (the default), and loses its oldest items until it fits with `"auto"`.

`truncation` as openai 3.57.0 documents it (ResponseCreateParams): "`auto`: If the input to this Response
exceeds the model's context window size, the model will truncate the response to fit the context window
by dropping items from the beginning of the conversation" and "`disabled` (default): If the input size
will exceed the context window size for a model, the request will fail with a 400 error." The response
then says nothing more than `truncation: "auto"` and a smaller `usage.input_tokens`.
What the mock simplifies: it fills the whole window (some real models keep room for the output first,
the same docstring says), keeps the instructions, and drops whole messages, oldest first; if the newest
message alone does not fit, it answers the 400 even with `"auto"`."""

from __future__ import annotations

from typing import Any

from .. import catalogue, errors, tokens


def too_long() -> errors.ApiError:
    """The real error, as captured in dyad-sh/dyad#1672 (2025-10-30) and anomalyco/opencode#6071
    (2025-12-23, gpt-5.2): type, code, message and `param: "input"`."""
    return errors.invalid_request(
        "Your input exceeds the context window of this model. Please adjust your input and try again.",
        param="input", code="context_length_exceeded",
    )


def fit(model: str, truncation: str, fixed: list[dict[str, Any]], history: list[dict[str, Any]],
        tools: list[Any] | None) -> list[dict[str, Any]]:
    """`history` (chat-shaped messages, oldest first) as much of it as fits after `fixed` (the
    instructions), or the 400."""
    window = catalogue.context_window(model)
    total = tokens.prompt_tokens([*fixed, *history], tools)
    if total <= window:
        return history
    if truncation != "auto":
        raise too_long()
    kept = list(history)
    while total > window and len(kept) > 1:
        total -= tokens.prompt_tokens([kept.pop(0)]) - tokens.prompt_tokens([])
    if total > window:
        raise too_long()
    return kept
