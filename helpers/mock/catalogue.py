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


# The functions of a model id below are asked several times a request, so they remember their answers
# (`make bench` measures it); boundedly, as the ids come from clients.
@functools.lru_cache(maxsize=256)
def is_known(model: str) -> bool:
    return model in chat_model_ids()


@functools.lru_cache(maxsize=256)
def context_window(model: str) -> int:
    prefixes = [p for p in _CONTEXT_WINDOWS if model.startswith(p)]
    return _CONTEXT_WINDOWS[max(prefixes, key=len)] if prefixes else _DEFAULT_CONTEXT_WINDOW


@functools.lru_cache(maxsize=256)
def is_reasoning_model(model: str) -> bool:
    """o-series and GPT-5-and-later models think before answering; they refuse `max_tokens`.
    Their "-chat-latest" variants are plain chat models."""
    return bool(re.match(r"o\d|gpt-[5-9]", model)) and not model.endswith("-chat-latest")


@functools.lru_cache(maxsize=256)
def _gpt5_version(model: str) -> tuple[int, int] | None:
    """(5, 4) for "gpt-5.4-mini", (5, 0) for "gpt-5-mini"; None for a model outside GPT-5 and later."""
    match = re.match(r"gpt-(\d+)(?:\.(\d+))?(?:-|$)", model)
    if match is None or int(match.group(1)) < 5:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


@functools.lru_cache(maxsize=256)
def can_stop_reasoning(model: str) -> bool:
    """GPT-5.1 and later (but not the -pro models) take reasoning effort `none`: no thinking at all."""
    version = _gpt5_version(model)
    return version is not None and version >= (5, 1) and "-pro" not in model


@functools.lru_cache(maxsize=256)
def reasoning_efforts(model: str) -> tuple[str, ...] | None:
    """The `reasoning_effort` values a model is known to accept, None where the mock does not know them
    (it then lets every value through). GPT-5.1 to 5.4 replaced `minimal` by `none`: for gpt-5.4-mini
    the real 400 says "Supported values are: 'none', 'low', 'medium', 'high', and 'xhigh'"
    (quoted in livekit/agents#6153)."""
    version = _gpt5_version(model)
    if can_stop_reasoning(model) and version is not None and version < (5, 5):
        return ("none", "low", "medium", "high", "xhigh")
    return None


@functools.lru_cache(maxsize=256)
def default_reasoning_effort(model: str) -> str:
    """The effort a reasoning model uses when the request names none. GPT-5.1 to 5.4 default to
    `none` (the API reference: "gpt-5.1 defaults to none"; gpt-5.2 and 5.4-mini probed the same way,
    BerriAI/litellm-docs#1064, dynamiq-ai/dynamiq#741); GPT-5.5 and 5.6 default to `medium` (OpenAI's
    reasoning guide, quoted in UKGovernmentBEIS/inspect_ai#5162), as do gpt-5 and the o-series;
    the -pro models think hard (`high`)."""
    version = _gpt5_version(model)
    if "-pro" in model:
        return "high"
    if can_stop_reasoning(model) and version is not None and version < (5, 5) and "codex" not in model:
        return "none"
    return "medium"


def created(model: str) -> int:
    """A model's `created` time: the date in its id if it has one, else a fixed date."""
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})$", model)
    if match is None:
        return _UNDATED_CREATED
    year, month, day = map(int, match.groups())
    return calendar.timegm((year, month, day, 0, 0, 0))


# The embedding models (openai.types.EmbeddingModel, SDK 3.57.0) and the length of their vectors, as the
# embeddings guide gives them; only the text-embedding-3 models can shorten theirs (`dimensions`).
EMBEDDING_MODELS = {"text-embedding-ada-002": 1536, "text-embedding-3-small": 1536, "text-embedding-3-large": 3072}
SHORTENABLE_EMBEDDINGS = ("text-embedding-3-small", "text-embedding-3-large")
