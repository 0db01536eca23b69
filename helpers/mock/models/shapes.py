"""The JSON of a model object and of the model list, as the SDK's `Model` type has them."""

from __future__ import annotations

from typing import Any

from .. import catalogue


def model_object(model: str) -> dict[str, Any]:
    return {"id": model, "object": "model", "created": catalogue.created(model), "owned_by": "system"}


def model_list(model_ids: tuple[str, ...]) -> dict[str, Any]:
    return {"object": "list", "data": [model_object(m) for m in model_ids]}
