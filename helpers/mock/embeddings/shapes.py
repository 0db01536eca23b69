"""The embeddings JSON: a list of embeddings and the usage (SDK 3.57.0: openai/types/create_embedding_response.py
`CreateEmbeddingResponse`, embedding.py `Embedding`). With `encoding_format="base64"` each `embedding` is a
string, which the SDK's type (a list of floats) does not describe: the SDK decodes it only when it asked for
base64 itself (openai/lib/_parsing/_embeddings.py)."""

from __future__ import annotations

from typing import Any


def embedding_list(embeddings: list[list[float]] | list[str], model: str, prompt_tokens: int) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": index, "embedding": embedding}
                 for index, embedding in enumerate(embeddings)],
        "model": model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    }
