"""The embeddings endpoint's parameters as the real API checks them: the table kept in step with the SDK's
`EmbeddingCreateParams` (tests/mock/test_embeddings.py), the input's limits from the API reference, and the
real 400s (and one 403) where a capture of them exists; elsewhere the words are the mock's and say so.

Limits, from the reference (`input`, SDK 3.57.0 openai/types/embedding_create_params.py): at most 8192
tokens an input, at most 2048 inputs in an array, no empty string, at most 300,000 tokens in one request.
The mock counts tokens approximately (tokens.py), so an input near a limit may fall on the other side of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import catalogue, errors, parameters, tokens

PARAMETERS: parameters.Table = {
    "input": ("string or array", False),
    "model": ("string", False),
    "dimensions": ("integer", False),
    "encoding_format": ("string", False),
    "user": ("string", False),
}
CHOICES = {"encoding_format": ["float", "base64"]}
MAX_INPUTS = 2048
MAX_INPUT_TOKENS = 8192
MAX_REQUEST_TOKENS = 300_000
MAX_NUMBERS = 1_048_576  # the mock's own cap on inputs x dimensions in one reply (about 12 MiB of JSON)
UNKNOWN_MODEL_DIMENSIONS = 1536  # a lenient (minimal) server's vectors for a model it does not know


@dataclass(frozen=True)
class EmbeddingsRequest:
    texts: list[str]  # each input as text (token arrays as their numbers, space-separated)
    token_counts: list[int]
    model: str
    dimensions: int
    encoding_format: str


def invalid_input() -> errors.ApiError:
    """The real 400 for an empty string, an empty array or an array of the wrong things (captured in
    aryn-ai/sycamore#943, 2024-10, and openai/openai-python#576, 2023-08)."""
    return errors.invalid_request("'$.input' is invalid. Please check the API reference: "
                                  "https://platform.openai.com/docs/api-reference.")


def validate_embeddings_request(body: Any, strict: bool = True) -> EmbeddingsRequest:
    body = parameters.known_fields(body, PARAMETERS, ("input", "model"), strict)
    parameters.check_ranges_and_choices(body, PARAMETERS, {}, CHOICES)
    model = body["model"]
    size = _model_dimensions(model, strict)
    dimensions = _dimensions(model, size, body.get("dimensions"), strict)
    texts, counts = _inputs(body["input"])
    if len(texts) * dimensions > MAX_NUMBERS:
        raise errors.invalid_request(
            f"This request asks for {len(texts)} vectors of {dimensions} numbers; the mock server answers at "
            f"most {MAX_NUMBERS} numbers in one reply. Send fewer inputs per request.", param="input")
    return EmbeddingsRequest(texts, counts, model, dimensions, body.get("encoding_format", "float"))


def _model_dimensions(model: str, strict: bool) -> int:
    if model in catalogue.EMBEDDING_MODELS:
        return catalogue.EMBEDDING_MODELS[model]
    if not strict:
        return UNKNOWN_MODEL_DIMENSIONS
    if catalogue.is_known(model):  # a chat model (captured for gpt-4o in infiniflow/ragflow#1835, 2024-08)
        raise errors.ApiError(403, "You are not allowed to generate embeddings from this model")
    raise errors.model_not_found(model)


def _dimensions(model: str, size: int, requested: Any, strict: bool) -> int:
    if requested is None:
        return size
    if strict and model not in catalogue.SHORTENABLE_EMBEDDINGS:  # captured in SciPhi-AI/R2R#354, 2024-05
        raise errors.invalid_request("This model does not support specifying dimensions.")
    if requested < 1:  # the real range wording; the bound is the model's own length (embeddings guide)
        raise errors.out_of_range("dimensions", requested, 1, above=False, kind="integer")
    if requested > size:
        raise errors.out_of_range("dimensions", requested, size, above=True, kind="integer")
    return int(requested)


def _inputs(value: Any) -> tuple[list[str], list[int]]:
    """The inputs as texts, and the tokens of each: a string, strings, a token array, or token arrays."""
    if isinstance(value, str):
        items: list[Any] = [value]
    elif value and all(_is_token(v) for v in value):
        items = [value]  # one input given as its tokens
    else:
        items = value
    if not items or len(items) > MAX_INPUTS:  # the reference's "2048 dimensions or less"; the same 400
        raise invalid_input()
    if len({type(item) for item in items}) > 1:  # strings mixed with token arrays
        raise invalid_input()
    texts, counts = [], []
    for item in items:
        if isinstance(item, str) and item:
            texts.append(item)
            counts.append(tokens.count_tokens(item))
        elif isinstance(item, list) and item and all(_is_token(v) for v in item):
            texts.append(" ".join(map(str, item)))
            counts.append(len(item))
        else:  # "", [], a number, an object, or strings mixed with tokens
            raise invalid_input()
    _check_token_limits(counts)
    return texts, counts


def _is_token(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_token_limits(counts: list[int]) -> None:
    longest = max(counts)
    if longest > MAX_INPUT_TOKENS:  # captured for text-embedding-3-small in pingcap/autoflow#265, 2024-09
        raise errors.invalid_request(
            f"This model's maximum context length is {MAX_INPUT_TOKENS} tokens, however you requested "
            f"{longest} tokens ({longest} in your prompt; 0 for the completion). Please reduce your prompt; "
            "or completion length.")
    if sum(counts) > MAX_REQUEST_TOKENS:
        raise errors.invalid_request(
            f"The inputs of this request have {sum(counts)} tokens together; the API reference allows at "
            f"most {MAX_REQUEST_TOKENS} tokens summed across all inputs in one request (the mock's words).",
            param="input")
