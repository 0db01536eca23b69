"""The model catalogue: the chat model ids the installed openai SDK knows, and what each model allows.
Reading the SDK's source file (instead of importing it) keeps the server's start-up fast."""

from __future__ import annotations

import ast
import calendar
import functools
import importlib.util
import re
from pathlib import Path

# A few current models: what the playground suggests, and the catalogue when the openai package is not installed
# (the mock also serves urllib-only learners).
SUGGESTED_MODELS = ("gpt-5.4-mini", "gpt-5.4", "gpt-4.1-mini", "gpt-4o-mini")

# Context windows in tokens, by model-id prefix; the longest matching prefix wins.
_CONTEXT_WINDOWS = {
    "gpt-3.5-turbo": 16_385,
    "gpt-4": 8_192,
    "gpt-4-32k": 32_768,
    "gpt-4-turbo": 128_000,
    "gpt-4-1106": 128_000,
    "gpt-4-0125": 128_000,
    "gpt-4-vision": 128_000,
    "gpt-4o": 128_000,
    "gpt-4.1": 1_047_576,
    "gpt-5": 400_000,
    "gpt-6": 400_000,
    "o1": 200_000,
    "o1-mini": 128_000,
    "o1-preview": 128_000,
    "o3": 200_000,
    "o4": 200_000,
}
_DEFAULT_CONTEXT_WINDOW = 128_000

# When the ids carry no date, the catalogue still needs a stable `created` time (2023-06-13).
_UNDATED_CREATED = 1_686_614_400


@functools.cache
def chat_model_ids() -> tuple[str, ...]:
    """The ids in `openai.types.ChatModel`, read from the installed SDK's source."""
    spec = importlib.util.find_spec("openai")
    if spec is None or spec.origin is None:
        return SUGGESTED_MODELS
    source = Path(spec.origin).parent / "types" / "shared" / "chat_model.py"
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript) and getattr(node.value, "id", "") == "Literal":
            return tuple(element.value for element in node.slice.elts)  # type: ignore[attr-defined]
    raise RuntimeError(f"no Literal[...] of model ids found in {source}")


def is_known(model: str) -> bool:
    return model in chat_model_ids()


def context_window(model: str) -> int:
    prefixes = [p for p in _CONTEXT_WINDOWS if model.startswith(p)]
    return _CONTEXT_WINDOWS[max(prefixes, key=len)] if prefixes else _DEFAULT_CONTEXT_WINDOW


def is_reasoning_model(model: str) -> bool:
    """o-series and GPT-5-and-later models think before answering; they refuse `max_tokens` and
    a `temperature` other than 1. Their "-chat-latest" variants are plain chat models."""
    return bool(re.match(r"o\d|gpt-[5-9]", model)) and not model.endswith("-chat-latest")


def created(model: str) -> int:
    """A model's `created` time: the date in its id if it has one, else a fixed date."""
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})$", model)
    if match is None:
        return _UNDATED_CREATED
    year, month, day = map(int, match.groups())
    return calendar.timegm((year, month, day, 0, 0, 0))
