"""`multipart/form-data` (RFC 7578 on RFC 2046): the parts of an upload, read strictly from bytes.

An upload's body is a list of parts, each with its own small head, between lines made of the boundary:

    --XyZ                                                   <- "--" and the boundary from the Content-Type
    Content-Disposition: form-data; name="purpose"          <- each part: headers, a blank line, its bytes

    batch
    --XyZ
    Content-Disposition: form-data; name="file"; filename="requests.jsonl"
    Content-Type: application/jsonl

    {"custom_id": "1", ...}
    --XyZ--                                                 <- "--" after the boundary: the end

Every line break is CRLF, and the CRLF before a boundary line belongs to the boundary, not to the part.
The parser reads the body the HTTP layer has already read under its own size limit (http.Limits), so it
never holds more than that; it makes no copy of a part's bytes beyond one slice. Anything it cannot read
without guessing is refused with `MultipartError` (a preamble before the first boundary line, which
RFC 2046 allows and no client sends, included), whose message says what was wrong (the mock's words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PARTS = 32  # an upload has two or three parts; more is a malformed or hostile body
MAX_PART_HEAD = 4_096  # the headers of one part
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")  # RFC 2046, 5.1.1
_PARAMETER = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)')


class MultipartError(ValueError):
    """A body that is not well-formed multipart/form-data; the message says why."""


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None  # set for a file part, None for a plain field
    content_type: str | None
    data: bytes


def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """("multipart/form-data", {"boundary": "XyZ"}) from a Content-Type header's value."""
    kind, _, rest = content_type.partition(";")
    parameters = {}
    for name, value in _PARAMETER.findall(";" + rest):
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        parameters[name.lower()] = value
    return kind.strip().lower(), parameters


def boundary_of(content_type: str) -> str:
    """The boundary a multipart/form-data Content-Type names, checked against RFC 2046's rules."""
    _, parameters = media_type(content_type)
    boundary = parameters.get("boundary")
    if boundary is None:
        raise MultipartError("The Content-Type header has no boundary parameter, so the parts of the body "
                             "cannot be told apart.")
    if not _BOUNDARY.fullmatch(boundary):
        raise MultipartError("The boundary in the Content-Type header is not a valid multipart boundary "
                             "(1 to 70 letters, digits or '()+_,-./:=? characters, not ending in a space).")
    return boundary


def parse(content_type: str, body: bytes) -> list[Part]:
    """The parts of a multipart/form-data body, in order."""
    delimiter = b"--" + boundary_of(content_type).encode("ascii")
    if body.startswith(delimiter + b"--"):
        raise MultipartError("The body has no parts: it is only the closing boundary line.")
    if not body.startswith(delimiter + b"\r\n"):
        raise MultipartError("The body does not start with the boundary line given in the Content-Type header.")
    end = body.find(b"\r\n" + delimiter + b"--")
    if end < 0:
        raise MultipartError("The body does not end with the closing boundary line (the boundary followed "
                             "by '--'): it was cut short, or the boundary is wrong.")
    trailer = body[end + len(delimiter) + 4:]
    if trailer not in (b"", b"\r\n"):
        raise MultipartError("There are bytes after the closing boundary line.")
    chunks = body[len(delimiter) + 2:end].split(b"\r\n" + delimiter + b"\r\n")
    if len(chunks) > MAX_PARTS:
        raise MultipartError(f"The body has more than {MAX_PARTS} parts.")
    return [_part(chunk, number) for number, chunk in enumerate(chunks, start=1)]


def _part(chunk: bytes, number: int) -> Part:
    head_end = chunk.find(b"\r\n\r\n")
    if chunk.startswith(b"\r\n"):  # a part with no headers at all
        head, data = b"", chunk[2:]
    elif head_end < 0 or head_end > MAX_PART_HEAD:
        raise MultipartError(f"Part {number} has no blank line between its headers and its content.")
    else:
        head, data = chunk[:head_end], chunk[head_end + 4:]
    headers = _headers(head, number)
    disposition = headers.get("content-disposition")
    if disposition is None:
        raise MultipartError(f"Part {number} has no Content-Disposition header.")
    kind, parameters = media_type(disposition)
    if kind != "form-data" or "name" not in parameters:
        raise MultipartError(f"Part {number}'s Content-Disposition is not 'form-data' with a name "
                             f"(it should read: form-data; name=\"...\").")
    return Part(parameters["name"], parameters.get("filename"), headers.get("content-type"), data)


def _headers(head: bytes, number: int) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in head.split(b"\r\n") if head else []:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise MultipartError(f"Part {number} has a header line that is not 'Name: value'.")
        try:
            text = value.decode("utf-8").strip()  # filenames may be UTF-8 (RFC 7578, 4.2)
        except UnicodeDecodeError:
            raise MultipartError(f"Part {number} has a header that is not UTF-8 text.") from None
        headers[name.decode("ascii", "replace").lower()] = text
    return headers


def build(fields: dict[str, str], files: dict[str, tuple[str, str, bytes]], boundary: str) -> bytes:
    """A multipart/form-data body from plain fields and (filename, content type, bytes) files: the
    inverse of `parse`, for tests and benchmarks."""
    lines = b""
    for name, value in fields.items():
        lines += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                  f"{value}\r\n").encode()
    for name, (filename, kind, data) in files.items():
        lines += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                  f"filename=\"{filename}\"\r\nContent-Type: {kind}\r\n\r\n").encode() + data + b"\r\n"
    return lines + f"--{boundary}--\r\n".encode()
