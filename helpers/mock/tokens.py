"""Token counting, approximately: text is cut into word pieces of up to six letters and single punctuation marks.
Real models use byte-pair tokenizers (tiktoken), so real counts differ somewhat; the totals always add up."""

from __future__ import annotations

import json
import re
from typing import Any

# Each token keeps the white space before it, so joining the tokens gives back the text exactly.
_TOKEN = re.compile(r"\s*(?:\w{1,6}|[^\w\s])|\s+", re.UNICODE)

# Every message is wrapped in a few special tokens, and the reply is primed with three more
# (the same bookkeeping OpenAI's cookbook describes for counting chat tokens).
_TOKENS_PER_MESSAGE = 3
_REPLY_PRIMING = 3


def split_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def count_tokens(text: str) -> int:
    return len(split_tokens(text))


def message_text(content: Any) -> str:
    """The text of a message's `content`: a string, or the text parts of a content-part array."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [part.get("text") for part in content if isinstance(part, dict)]
        return " ".join(text for text in texts if isinstance(text, str))  # a non-text part may carry anything
    return ""


def prompt_tokens(messages: list[dict[str, Any]], tools: list[Any] | None = None) -> int:
    total = _REPLY_PRIMING
    for message in messages:
        total += _TOKENS_PER_MESSAGE + count_tokens(message_text(message.get("content")))
        if message.get("tool_calls"):
            total += count_tokens(json.dumps(message["tool_calls"]))
    if tools:
        total += count_tokens(json.dumps(tools))
    return total


def prompt_as_tokens(messages: list[dict[str, Any]], tools: list[Any] | None = None) -> list[str]:
    """The prompt as the model reads it, token by token: the tools first, then each message (three
    tokens for its role and wrapping, then its words), then the reply's priming. As long as
    `prompt_tokens` counts; the prompt cache compares these prefixes."""
    stream = split_tokens(json.dumps(tools)) if tools else []
    for message in messages:
        stream += ["<|start|>", str(message.get("role")), "<|message|>"]
        stream += split_tokens(message_text(message.get("content")))
        if message.get("tool_calls"):
            stream += split_tokens(json.dumps(message["tool_calls"]))
    return [*stream, "<|start|>", "assistant", "<|message|>"]
