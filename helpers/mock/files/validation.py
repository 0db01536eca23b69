"""The Files API's parameters as the real API checks them: an upload's form fields (kept in step with the
SDK's `FileCreateParams`, tests/mock/test_files.py) and a listing's query (`FileListParams`).

An upload is `multipart/form-data`, not JSON: the SDK sends `file` as a file part, `purpose` as a field and
`expires_after` as two fields, `expires_after[anchor]` and `expires_after[seconds]` (openai/_qs.py's
"brackets" format, SDK 3.57.0). The body arrives whole, already read by the HTTP layer under its body limit
(http.Limits.max_body_bytes, 16 MiB): a judgement call, since the mock's files are small, instead of
streaming each part into the store as it arrives."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from .. import errors
from . import multipart

# The form's fields: name -> whether it is required (SDK 3.57.0, openai/types/file_create_params.py).
FIELDS = {"file": True, "purpose": True, "expires_after": False}
# `FilePurpose` (openai/types/file_purpose.py); the captured 400 of 2024 also listed "responses",
# which the SDK does not name: the mock follows the SDK.
PURPOSES = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]
EXPIRY_SECONDS = (3600, 2_592_000)  # "between 3600 (1 hour) and 2592000 (30 days)" (ExpiresAfter)
LIST_LIMIT = (1, 10_000)  # "Limit can range between 1 and 10,000, and the default is 10,000" (FileListParams)
ORDERS = ["asc", "desc"]
_NESTED = re.compile(r"([a-z_]+)\[([a-z_]+)\]")  # expires_after[seconds]
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str
    purpose: str
    expires_after: int | None  # seconds after created_at


@dataclass(frozen=True)
class Listing:
    purpose: str | None
    limit: int
    order: str
    after: str | None


def validate_upload(content_type: str, body: bytes) -> Upload:
    """The upload a multipart body asks for, or the real service's 400."""
    kind, _ = multipart.media_type(content_type)
    if kind != "multipart/form-data":
        raise errors.not_multipart(content_type.split(";")[0].strip() or "none")
    try:
        parts = multipart.parse(content_type, body)
    except multipart.MultipartError as problem:
        raise errors.malformed_multipart(str(problem)) from None
    by_name: dict[str, multipart.Part] = {}
    for part in parts:
        if part.name in by_name:
            raise errors.duplicate_part(part.name)
        field = _NESTED.sub(r"\1", part.name)
        if field not in FIELDS:
            raise errors.additional_property(part.name)
        by_name[part.name] = part
    for name, required in FIELDS.items():
        if required and name not in by_name:
            raise errors.required_property(name)
    return Upload(*_file(by_name["file"]), _purpose(by_name["purpose"]), _expiry(by_name))


def _file(part: multipart.Part) -> tuple[bytes, str]:
    if not part.filename:  # sent as a plain field: the text of a file name, not a file
        raise errors.invalid_request("The 'file' part must be a file, sent with a filename in its "
                                     "Content-Disposition (the mock's words).", param="file")
    return part.data, part.filename


def _text(part: multipart.Part) -> str:
    try:
        return part.data.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.invalid_request(f"The '{part.name}' field is not UTF-8 text.", param=part.name) from None


def _purpose(part: multipart.Part) -> str:
    purpose = _text(part)
    if purpose not in PURPOSES:
        raise errors.not_one_of(purpose, PURPOSES, "purpose")
    return purpose


def _expiry(parts: dict[str, multipart.Part]) -> int | None:
    anchor, seconds = parts.get("expires_after[anchor]"), parts.get("expires_after[seconds]")
    if anchor is None and seconds is None:
        return None
    if anchor is None or seconds is None:
        raise errors.required_property("anchor" if anchor is None else "seconds")
    if _text(anchor) != "created_at":
        raise errors.not_one_of(_text(anchor), ["created_at"], "expires_after.anchor")
    return _integer("expires_after.seconds", _text(seconds), *EXPIRY_SECONDS)


def validate_listing(target: str) -> Listing:
    """The query of GET /v1/files: purpose, limit, order, after (each at most once)."""
    query = urllib.parse.urlsplit(target).query
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise errors.invalid_request(f"The query parameter '{name}' is given more than once "
                                         "(the mock's words).", param=name)
        values[name] = value
    limit = _limit(values.get("limit"))
    order = values.get("order", "desc")
    if order not in ORDERS:
        raise errors.invalid_value("order", order, ORDERS)
    return Listing(values.get("purpose"), limit, order, values.get("after"))


def _integer(name: str, text: str, low: int, high: int) -> int:
    """A form or query value that must be a whole number in [low, high], in the real API's words."""
    if not _DIGITS.fullmatch(text):
        raise errors.invalid_type(name, "an integer", text)
    if len(text) > 15:  # never int() a number of any length: int() itself refuses 4,300 digits and more
        raise errors.invalid_request(f"Invalid '{name}': integer above maximum value. Expected a value "
                                     f"<= {high}, but got a number of {len(text)} digits instead.",
                                     param=name, code="integer_above_max_value")
    value = int(text)
    if not low <= value <= high:
        raise errors.out_of_range(name, value, high if value > high else low, above=value > high,
                                  kind="integer")
    return value


def _limit(text: str | None) -> int:
    return LIST_LIMIT[1] if text is None else _integer("limit", text, *LIST_LIMIT)
