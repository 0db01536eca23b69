"""POST /v1/embeddings: one vector per input, as floats or as base64 (little-endian float32).
The path of one request: validation.py -> vectors.py -> shapes.py -> json_bodies.py."""

from __future__ import annotations

import base64

from .. import catalogue
from ..calls import Call
from ..http import Response
from ..json_bodies import json_response
from . import shapes, vectors
from .validation import validate_embeddings_request


def create_embeddings(call: Call) -> Response:
    request = validate_embeddings_request(call.json(), call.settings.profile.strict)
    # A shortened vector is the start of the model's full one, re-normalised, as the real ones are.
    full_size = catalogue.EMBEDDING_MODELS.get(request.model, request.dimensions)
    floats = [vectors.shortened(vectors.vector(text, full_size), request.dimensions) for text in request.texts]
    usage = sum(request.token_counts)
    if request.encoding_format == "base64":
        encoded = [base64.b64encode(vectors.base64_bytes(values)).decode("ascii") for values in floats]
        return json_response(200, shapes.embedding_list(encoded, request.model, usage))
    body = shapes.float_list_json(floats, request.model, usage).encode()
    return Response(200, [("content-type", "application/json")], body)
