"""POST /v1/embeddings: the parameter table is the SDK's, float replies are strictly the SDK's type, base64
replies decode (little-endian float32) to the same numbers, and every refusal is the real status and body."""

from __future__ import annotations

import array
import base64
import json
import math
import typing

import pytest
from openai.types import CreateEmbeddingResponse, embedding_create_params, embedding_model

from helpers.mock import catalogue
from helpers.mock.embeddings import validation
from tests.mock.support import openai_error, validate_strictly, wire_client_for
from tests.mock.test_shapes import allows_none, literal_values

SMALL = "text-embedding-3-small"


def embed(wire, **parameters):
    return wire.post("/embeddings", {"model": SMALL, "input": "The cat sat on the mat.", **parameters})


def decoded(text: str) -> list[float]:
    numbers = array.array("f", base64.b64decode(text))  # the machine's order: little-endian on every CI
    return numbers.tolist()


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


# --- the tables are the SDK's ---------------------------------------------------------------------

def test_the_mock_knows_exactly_the_parameters_the_sdk_sends():
    hints = typing.get_type_hints(embedding_create_params.EmbeddingCreateParams, include_extras=True)
    assert set(validation.PARAMETERS) == set(hints)
    for name, (_, nullable) in validation.PARAMETERS.items():
        assert nullable == allows_none(hints[name]), name
    assert literal_values(hints["encoding_format"]) == validation.CHOICES["encoding_format"]


def test_the_embedding_models_are_the_sdks():
    assert set(literal_values(embedding_model.EmbeddingModel)) == set(catalogue.EMBEDDING_MODELS)


# --- replies --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("model", "size"), [(SMALL, 1536), ("text-embedding-3-large", 3072),
                                             ("text-embedding-ada-002", 1536)])
def test_a_float_reply_is_strictly_the_sdks_type_with_the_models_length(wire, model, size):
    reply = embed(wire, model=model, input=["one", "two words"], encoding_format="float")
    assert reply.status == 200
    parsed = validate_strictly(CreateEmbeddingResponse, reply.json())
    assert [d.index for d in parsed.data] == [0, 1] and parsed.model == model
    assert all(len(d.embedding) == size for d in parsed.data)
    assert all(math.isclose(cosine(d.embedding, d.embedding), 1, abs_tol=1e-5) for d in parsed.data)
    assert parsed.usage.prompt_tokens == parsed.usage.total_tokens > 0


def test_a_base64_reply_decodes_to_the_same_float32_numbers(wire):
    floats = embed(wire, encoding_format="float").json()
    packed = embed(wire, encoding_format="base64").json()
    text = packed["data"][0]["embedding"]
    assert isinstance(text, str) and len(base64.b64decode(text)) == 4 * 1536
    packed["data"][0]["embedding"] = decoded(text)
    validate_strictly(CreateEmbeddingResponse, packed)
    pairs = zip(packed["data"][0]["embedding"], floats["data"][0]["embedding"], strict=True)
    assert all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) for a, b in pairs)  # float32 against 10 places


def test_the_sdk_asks_for_base64_when_not_told_and_decodes_it(server, sdk):
    reply = sdk.embeddings.create(model=SMALL, input="The cat sat on the mat.")
    assert json.loads(server.exchanges[-1].request_body)["encoding_format"] == "base64"
    assert isinstance(reply.data[0].embedding, list) and len(reply.data[0].embedding) == 1536


def test_the_sdk_hands_back_the_string_when_base64_was_asked_for(sdk):
    reply = sdk.embeddings.create(model=SMALL, input="The cat sat on the mat.", encoding_format="base64")
    assert isinstance(reply.data[0].embedding, str)


def test_a_float_reply_is_indented_as_json_writes_it(wire):
    reply = embed(wire, input=["one", "two"], encoding_format="float")
    lines = reply.body.decode().splitlines()
    assert lines[:6] == ["{", '  "object": "list",', '  "data": [', "    {", '      "object": "embedding",',
                         '      "index": 0,']
    assert lines[6] == '      "embedding": [' and lines[7].startswith("        ") and lines[7].count(".") == 1
    assert len(lines[7].split(".")[1].rstrip(",")) == 10  # ten decimal places


def test_dimensions_keeps_the_start_of_the_vector_re_normalised(wire):
    full = embed(wire, encoding_format="float").json()["data"][0]["embedding"]
    short = embed(wire, encoding_format="float", dimensions=256).json()["data"][0]["embedding"]
    assert len(short) == 256 and math.isclose(cosine(short, short), 1, abs_tol=1e-5)
    scale = math.sqrt(cosine(full[:256], full[:256]))
    assert all(math.isclose(s, f / scale, rel_tol=1e-4, abs_tol=1e-7) for s, f in zip(short, full[:256], strict=True))


def test_vectors_are_deterministic_and_come_from_shared_words(wire):
    texts = ["The cat sat on the mat.", "A cat sat on a mat!", "Stock markets fell sharply today."]
    first = [d["embedding"] for d in embed(wire, input=texts, encoding_format="float").json()["data"]]
    again = [d["embedding"] for d in embed(wire, input=texts, encoding_format="float").json()["data"]]
    assert first == again
    assert cosine(first[0], first[1]) > 0.3 > 0.1 > abs(cosine(first[0], first[2]))


def test_token_arrays_are_inputs_too(wire):
    reply = embed(wire, input=[[1, 2, 3], [4, 5]], encoding_format="float").json()
    assert len(reply["data"]) == 2 and reply["usage"]["prompt_tokens"] == 5


def test_a_minimal_server_embeds_with_any_model_name(start_server):
    reply = embed(wire_client_for(start_server(profile="minimal")), model="nomic-embed-text")
    assert reply.status == 200 and len(reply.json()["data"][0]["embedding"]) == 1536


# --- refusals: the real status and body -----------------------------------------------------------

INVALID_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."


@pytest.mark.parametrize("value", ["", [], [""], ["a", ""], ["a", 1], [[1, 2], "a"], [[]], [{"text": "a"}],
                                   ["a"] * 2049, [-1]])
def test_a_bad_input_is_the_real_400(wire, value):
    error = openai_error(embed(wire, input=value), 400)
    assert error == {"message": INVALID_INPUT, "type": "invalid_request_error", "param": None, "code": None}


def test_an_input_over_8192_tokens_is_the_real_400(wire):
    error = openai_error(embed(wire, input=" ".join(["word"] * 8193)), 400)
    assert error["message"].startswith("This model's maximum context length is 8192 tokens, however you requested "
                                       "8193 tokens (8193 in your prompt; 0 for the completion).")


def test_a_request_over_300000_tokens_is_refused(wire):
    error = openai_error(embed(wire, input=[" ".join(["word"] * 8000)] * 38, dimensions=16), 400)
    assert "304000 tokens together" in error["message"] and error["param"] == "input"


def test_a_reply_over_the_mocks_size_cap_is_refused(wire):
    error = openai_error(embed(wire, model="text-embedding-3-large", input=["a"] * 400), 400)
    assert "at most 1048576 numbers" in error["message"]


def test_ada_refuses_dimensions_as_the_real_api_does(wire):
    error = openai_error(embed(wire, model="text-embedding-ada-002", dimensions=256), 400)
    assert error == {"message": "This model does not support specifying dimensions.",
                     "type": "invalid_request_error", "param": None, "code": None}


def test_a_chat_model_is_not_allowed_to_embed(wire):
    error = openai_error(embed(wire, model="gpt-4.1-mini"), 403)
    assert error["message"] == "You are not allowed to generate embeddings from this model"


def test_an_unknown_model_is_404(wire):
    assert openai_error(embed(wire, model="text-embedding-4"), 404)["code"] == "model_not_found"


@pytest.mark.parametrize(("parameters", "message"), [
    ({"encoding_format": "float16"}, "Invalid value: 'float16'. Supported values are: 'float', and 'base64'."),
    ({"dimensions": 0}, "Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got 0"),
    ({"dimensions": 1537}, "Invalid 'dimensions': integer above maximum value. Expected a value <= 1536"),
    ({"dimensions": "256"}, "Invalid type for 'dimensions': expected an integer, but got a string instead."),
    ({"input": 5}, "Invalid type for 'input': expected a string or array, but got an integer instead."),
    ({"temperature": 0}, "Unrecognized request argument supplied: temperature"),
])
def test_a_bad_parameter_is_the_real_400(wire, parameters, message):
    assert openai_error(embed(wire, **parameters), 400)["message"].startswith(message)


def test_a_missing_input_is_400(wire):
    reply = wire.post("/embeddings", {"model": SMALL})
    assert openai_error(reply, 400)["message"] == "Missing required parameter: 'input'."
