"""Images and files inside a request: Chat's `image_url` and `file` content parts, Responses' `input_image` and
`input_file` parts. Checked as the real API checks them, then described honestly: the mock cannot see a
picture or read a document, so it reports what it can measure (format, width x height from the image's own
header, byte size, a PDF's page count) and says that it cannot see.

The real errors quoted here, with where each was captured:
    "Invalid image URL: '<param>'. Expected a base64-encoded data URL with an image MIME type (e.g.
     'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got a value without the 'data:' prefix."
        Chat Completions, code invalid_value (Alibaba-NLP/OmniSearch#3, 2025-02);
    "Invalid '<param>'. Expected a base64-encoded data URL ..., but got empty base64-encoded bytes."
        the Responses API (anomalyco/opencode#23983, 2026-04);
    "You uploaded an unsupported image. Please make sure your image has of one the following formats:
     ['png', 'jpeg', 'gif', 'webp']." (marketing-factory/ai-filemetadata#18, 2025-02);
    "Missing required parameter" for an inline file without `filename` (laravel/ai#324, 2026-03).
Other endings of the data-URL message ("...but got invalid base64-encoded bytes.") follow the same pattern
in the mock's words. The mock works offline: an image or file given by an http(s) URL is refused (400)."""

from __future__ import annotations

import base64
import binascii
import re
import struct
from typing import Any

from . import errors
from .files.store import FileStore

IMAGE_FORMATS = ["png", "jpeg", "gif", "webp"]
DETAILS = ["auto", "low", "high", "original"]  # ImageDetail (SDK 3.57.0, openai/types/responses/image_detail.py)
_EXAMPLE = "'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='"
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_NO_SIGHT = ("I cannot see images or read files: I am the mock server, and I can only measure what you sent. ")


def in_chat(messages: list[dict[str, Any]], files: FileStore) -> list[str]:
    """A description of every image and file in Chat messages (ApiError for a bad one)."""
    found = []
    for i, message in enumerate(messages):
        content = message.get("content")
        for j, part in enumerate(content if isinstance(content, list) else []):
            where = f"messages[{i}].content[{j}]"
            if part.get("type") == "image_url":
                found.append(_chat_image(part.get("image_url"), f"{where}.image_url"))
            elif part.get("type") == "file":
                found.append(_chat_file(part.get("file"), f"{where}.file", files))
    return found


def in_responses(items: list[dict[str, Any]], files: FileStore) -> list[str]:
    """A description of every `input_image` and `input_file` in Responses input items."""
    found = []
    for i, item in enumerate(items):
        content = item.get("content") if item.get("type") == "message" else None
        for j, part in enumerate(content if isinstance(content, list) else []):
            where = f"input[{i}].content[{j}]"
            if part.get("type") == "input_image":
                found.append(_responses_image(part, where, files))
            elif part.get("type") == "input_file":
                found.append(_file(part, where, files))
    return found


def reply(descriptions: list[str]) -> str:
    """The mock's answer to a message with images or files: what it measured, and that it cannot see."""
    return _NO_SIGHT + " ".join(f"{text[0].upper()}{text[1:]}." for text in descriptions)


# --- images ---------------------------------------------------------------------------------------

def _chat_image(image_url: Any, where: str) -> str:
    if image_url is None:
        raise errors.missing_parameter(where)
    if not isinstance(image_url, dict):
        raise errors.invalid_type(where, "an object", image_url)
    if "url" not in image_url:
        raise errors.missing_parameter(f"{where}.url")
    _check_detail(image_url, where)
    data = _image_bytes(image_url["url"], f"{where}.url", f"Invalid image URL: '{where}.url'.")
    return describe_image(data, image_url.get("detail", "auto"))


def _responses_image(part: dict[str, Any], where: str, files: FileStore) -> str:
    _check_detail(part, where)
    detail = part.get("detail", "auto")
    if part.get("file_id") is not None:
        return describe_image(_stored(part["file_id"], f"{where}.file_id", files), detail)
    if part.get("image_url") is None:
        raise errors.missing_parameter(f"{where}.image_url")
    data = _image_bytes(part["image_url"], f"{where}.image_url", f"Invalid '{where}.image_url'.")
    return describe_image(data, detail)


def _check_detail(part: dict[str, Any], where: str) -> None:
    if "detail" in part and part["detail"] not in DETAILS:
        raise errors.invalid_value(f"{where}.detail", part["detail"], DETAILS)


def _image_bytes(url: Any, param: str, opening: str) -> bytes:
    if not isinstance(url, str):
        raise errors.invalid_type(param, "a string", url)
    mime, data = _data_url(url, param, opening, "an image MIME type")
    if not mime.startswith("image/"):
        raise _bad_url(opening, param, "an image MIME type", f"unsupported MIME type '{mime}'")
    if image_format(data) is None:
        raise errors.invalid_request(
            "You uploaded an unsupported image. Please make sure your image has of one the following formats: "
            f"{IMAGE_FORMATS!r}.", param=param)
    return data


def _data_url(url: str, param: str, opening: str, wanted: str) -> tuple[str, bytes]:
    """The MIME type and bytes of a `data:<mime>;base64,<data>` URL, or the real 400."""
    if url.startswith(("http://", "https://")):
        raise errors.invalid_request(f"The mock server works offline and cannot download '{param}': send the "
                                     "bytes as a base64 data URL instead (the mock's words).", param=param)
    if not url.startswith("data:"):
        raise _bad_url(opening, param, wanted, "a value without the 'data:' prefix")
    header, comma, encoded = url[5:].partition(",")
    if not comma or not header.endswith(";base64"):
        raise _bad_url(opening, param, wanted, "a value that is not base64-encoded")
    try:
        data = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise _bad_url(opening, param, wanted, "invalid base64-encoded bytes") from None
    if not data:
        raise _bad_url(opening, param, wanted, "empty base64-encoded bytes")
    return header[: -len(";base64")].split(";")[0].lower(), data


def _bad_url(opening: str, param: str, wanted: str, got: str) -> errors.ApiError:
    return errors.invalid_request(f"{opening} Expected a base64-encoded data URL with {wanted} (e.g. {_EXAMPLE}), "
                                  f"but got {got}.", param=param, code="invalid_value")


def image_format(data: bytes) -> str | None:
    """"png", "jpeg", "gif" or "webp" from the file's first bytes (its "magic number"), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels, read from the image's header; None where the header is cut short."""
    try:
        kind = image_format(data)
        if kind == "png":
            return struct.unpack(">II", data[16:24])  # IHDR: width, height
        if kind == "gif":
            return struct.unpack("<HH", data[6:10])  # logical screen size
        if kind == "jpeg":
            return _jpeg_size(data)
        if kind == "webp":
            return _webp_size(data)
    except struct.error:
        return None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG's segments to the first start-of-frame marker, which holds height and width."""
    at = 2
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def describe_image(data: bytes, detail: str = "auto") -> str:
    kind = (image_format(data) or "unknown").upper()
    size = image_size(data)
    measured = f"{size[0]} x {size[1]} pixels" if size else "size not readable"
    return f"an image: {kind}, {measured}, {len(data):,} bytes, detail {detail}"


# --- files ----------------------------------------------------------------------------------------

def _chat_file(file: Any, where: str, files: FileStore) -> str:
    if file is None:
        raise errors.missing_parameter(where)
    if not isinstance(file, dict):
        raise errors.invalid_type(where, "an object", file)
    return _file(file, where, files)


def _file(part: dict[str, Any], where: str, files: FileStore) -> str:
    """An inline file (`file_data` with its `filename`) or an uploaded one (`file_id`)."""
    if part.get("file_id") is not None:
        file_id = part["file_id"]
        data = _stored(file_id, f"{where}.file_id", files)
        return describe_file(data, str((files.get(file_id) or {}).get("filename", file_id)))
    if part.get("file_url") is not None:
        _data_url(str(part["file_url"]), f"{where}.file_url", f"Invalid '{where}.file_url'.", "a MIME type")
    if part.get("file_data") is None:
        raise errors.missing_parameter(f"{where}.file_data")
    if not isinstance(part.get("filename"), str):
        raise errors.missing_parameter(f"{where}.filename")
    value = part["file_data"]
    if not isinstance(value, str):
        raise errors.invalid_type(f"{where}.file_data", "a string", value)
    _, data = _data_url(value, f"{where}.file_data", f"Invalid '{where}.file_data'.", "a MIME type")
    return describe_file(data, part["filename"])


def _stored(file_id: Any, param: str, files: FileStore) -> bytes:
    """An uploaded file's bytes. An unknown id is a 400 in the Files API's words (the status is the mock's
    choice: the request, not the path, names the missing file)."""
    data = files.content(file_id) if isinstance(file_id, str) else None
    if data is None:
        raise errors.invalid_request(f"No such File object: {file_id}", param=param)
    return data


def describe_file(data: bytes, filename: str) -> str:
    if data.startswith(b"%PDF-"):
        pages = len(_PDF_PAGE.findall(data))
        kind = f"PDF, {pages} page{'s' if pages != 1 else ''}"
    elif image_format(data):
        return describe_image(data)
    else:
        try:
            lines = data.decode("utf-8").count("\n") + (not data.endswith(b"\n"))
            kind = f"text, {lines} line{'s' if lines != 1 else ''}"
        except UnicodeDecodeError:
            kind = "binary"
    return f"a file '{filename}': {kind}, {len(data):,} bytes"
