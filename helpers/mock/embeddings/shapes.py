"""The embeddings JSON: a list of embeddings and the usage (SDK 3.57.0: openai/types/create_embedding_response.py
`CreateEmbeddingResponse`, embedding.py `Embedding`). With `encoding_format="base64"` each `embedding` is a
string, which the SDK's type (a list of floats) does not describe: the SDK decodes it only when it asked for
base64 itself (openai/lib/_parsing/_embeddings.py)."""

from __future__ import annotations

from typing import Any

from ..json_bodies import indented
from . import vectors


def embedding_list(embeddings: list[list[float]] | list[str], model: str, prompt_tokens: int) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": index, "embedding": embedding}
                 for index, embedding in enumerate(embeddings)],
        "model": model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    }


def float_list_json(floats: list[list[float]], model: str, prompt_tokens: int) -> str:
    """The whole float reply as JSON text, indented as json_bodies writes it, each vector written by
    vectors.as_json in one step: a placeholder string stands in for each vector, then is replaced."""
    marks = [f"@vector-{index}@" for index in range(len(floats))]
    text = indented(embedding_list(marks, model, prompt_tokens))
    for mark, values in zip(marks, floats, strict=True):
        text = text.replace(f'"{mark}"', vectors.as_json(values, " " * 6), 1)
    return text
