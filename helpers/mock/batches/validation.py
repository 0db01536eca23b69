"""Checks `POST /v1/batches` (the SDK's `BatchCreateParams`, openai 3.57.0) and then the batch's input file,
line by line, as the real service validates it before running anything: each line one JSON object with a
`custom_id` (unique), `method` POST, the batch's `url` and a `body`. A file with any bad line fails the batch
as a whole (the batch guide: "validating - the input file is being validated before the batch can begin",
and a batch that fails validation is `failed` with its `errors`). The error codes and words are the mock's own:
the real ones are not published."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .. import errors, parameters

PARAMETERS: dict[str, tuple[str, bool]] = {
    "completion_window": ("string", False),
    "endpoint": ("string", False),
    "input_file_id": ("string", False),
    "metadata": ("object", True),
    "output_expires_after": ("object", False),
}
REQUIRED = ("completion_window", "endpoint", "input_file_id")
ENDPOINTS = ["/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/moderations",
             "/v1/images/generations", "/v1/images/edits", "/v1/videos"]  # the SDK's Literal, in its order
RUNS = ("/v1/responses", "/v1/chat/completions", "/v1/embeddings")  # those the mock answers in a batch
MAX_REQUESTS = 1000  # the mock's own limit (the real one is 50,000 requests)
MAX_ERRORS_REPORTED = 100  # a file of bad lines reports this many, not every one
LINE_KEYS = ("custom_id", "method", "url", "body")


@dataclass
class BatchRequest:
    endpoint: str
    input_file_id: str
    metadata: dict[str, Any] | None


@dataclass
class Line:
    number: int  # from 1, as an editor counts lines
    custom_id: str
    body: dict[str, Any]


def validate_batch_request(body: Any) -> BatchRequest:
    body = parameters.checked_body(body, PARAMETERS, REQUIRED)
    if body["completion_window"] != "24h":
        raise errors.invalid_value("completion_window", body["completion_window"], ["24h"])
    if body["endpoint"] not in ENDPOINTS:
        raise errors.invalid_value("endpoint", body["endpoint"], ENDPOINTS)
    if body["endpoint"] not in RUNS:
        raise errors.invalid_request(f"The offline mock runs batches for {', '.join(RUNS)} only.",
                                     param="endpoint", code="unsupported_parameter")
    metadata = body.get("metadata")
    if metadata is not None and (len(metadata) > 16 or not all(
            isinstance(k, str) and len(k) <= 64 and isinstance(v, str) and len(v) <= 512 for k, v in metadata.items())):
        raise errors.invalid_request("Invalid 'metadata': at most 16 pairs, keys of at most 64 characters and "
                                     "string values of at most 512 (the SDK's Metadata type).", param="metadata")
    return BatchRequest(body["endpoint"], body["input_file_id"], metadata)


def read_lines(data: bytes, endpoint: str) -> tuple[list[Line], list[dict[str, Any]]]:
    """The requests of an input file, or the errors that fail it (`BatchError` objects), never both."""
    found: list[dict[str, Any]] = []
    lines: list[Line] = []
    seen: set[str] = set()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [], [_error("invalid_file", "The input file is not UTF-8 text.", None, None)]
    rows = text.split("\n")
    if rows and rows[-1].strip() == "":
        rows.pop()  # the newline that ends the last line
    if not rows:
        return [], [_error("empty_file", "The input file has no requests.", None, None)]
    if len(rows) > MAX_REQUESTS:
        return [], [_error("too_many_requests", f"The mock runs at most {MAX_REQUESTS} requests in a batch; "
                                                f"this file has {len(rows)}.", None, None)]
    for number, row in enumerate(rows, start=1):
        problem = _check_line(row, number, endpoint, seen)
        if isinstance(problem, Line):
            lines.append(problem)
        elif len(found) < MAX_ERRORS_REPORTED:
            found.append(problem)
    return ([], found) if found else (lines, [])


def _check_line(row: str, number: int, endpoint: str, seen: set[str]) -> Line | dict[str, Any]:
    try:
        request = json.loads(row)
    except ValueError:
        return _error("invalid_json_line", "This line is not valid JSON.", None, number)
    if not isinstance(request, dict):
        return _error("invalid_json_line", "This line is not a JSON object.", None, number)
    for key in LINE_KEYS:
        if key not in request:
            return _error("missing_required_parameter", f"This line has no '{key}'.", key, number)
    custom_id, body = request["custom_id"], request["body"]
    if not isinstance(custom_id, str) or not custom_id:
        return _error("invalid_custom_id", "'custom_id' must be a non-empty string.", "custom_id", number)
    if custom_id in seen:
        return _error("duplicate_custom_id", f"The custom_id '{custom_id[:64]}' is used by an earlier line: each "
                                             "request of a batch needs its own.", "custom_id", number)
    seen.add(custom_id)
    if request["method"] != "POST":
        return _error("invalid_method", "'method' must be \"POST\".", "method", number)
    if request["url"] != endpoint:
        return _error("mismatched_url", f"'url' must be the batch's endpoint, '{endpoint}'.", "url", number)
    if not isinstance(body, dict):
        return _error("invalid_body", "'body' must be a JSON object.", "body", number)
    return Line(number, custom_id, body)


def _error(code: str, message: str, param: str | None, line: int | None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": param, "line": line}
