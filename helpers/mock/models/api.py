"""GET /v1/models and GET /v1/models/{model}: the catalogue's chat and embedding models, and one of them."""

from __future__ import annotations

from .. import catalogue, errors
from ..calls import Call
from ..http import Response
from ..json_bodies import json_response
from . import shapes


def list_models(call: Call) -> Response:
    return json_response(200, shapes.model_list((*catalogue.chat_model_ids(), *catalogue.EMBEDDING_MODELS)))


def retrieve_model(call: Call) -> Response:
    model = call.params["model"]
    if not catalogue.is_known(model) and model not in catalogue.EMBEDDING_MODELS:
        raise errors.model_not_found(model)
    return json_response(200, shapes.model_object(model))
