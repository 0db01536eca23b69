"""Images and files in Chat content parts and Responses input items: refused as the real API refuses them,
and otherwise described honestly (format, pixels from the image's header, bytes, PDF pages; no sight)."""

from __future__ import annotations

import base64
import struct

import pytest

from helpers import samples
from helpers.mock import attachments
from tests.mock.support import CHAT_MODEL, chat_body, openai_error

PNG = samples.chart_png()
PDF = samples.report_pdf()
EXAMPLE = "'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='"


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def chat_with(part: dict) -> dict:
    return chat_body(messages=[{"role": "user", "content": [{"type": "text", "text": "What is this?"}, part]}])


def responses_with(part: dict) -> dict:
    return {"model": CHAT_MODEL, "input": [{"role": "user", "content": [
        {"type": "input_text", "text": "What is this?"}, part]}]}


def chat_answer(wire, part: dict) -> str:
    reply = wire.post("/chat/completions", chat_with(part))
    assert reply.status == 200, reply.body
    return str(reply.json()["choices"][0]["message"]["content"])


def responses_answer(wire, part: dict) -> str:
    reply = wire.post("/responses", responses_with(part))
    assert reply.status == 200, reply.body
    return str(reply.json()["output"][0]["content"][0]["text"])


# --- described honestly ---------------------------------------------------------------------------

def test_a_chat_image_is_measured_and_the_mock_says_it_cannot_see(wire):
    answer = chat_answer(wire, {"type": "image_url", "image_url": {"url": data_url(PNG), "detail": "low"}})
    assert answer.startswith("I cannot see images or read files")
    assert f"An image: PNG, 48 x 32 pixels, {len(PNG)} bytes, detail low." in answer


def test_a_responses_image_is_measured(wire):
    answer = responses_answer(wire, {"type": "input_image", "image_url": data_url(PNG), "detail": "auto"})
    assert "An image: PNG, 48 x 32 pixels" in answer


def test_an_inline_pdf_is_counted_in_pages(wire):
    part = {"type": "input_file", "filename": "report.pdf", "file_data": data_url(PDF, "application/pdf")}
    assert f"A file 'report.pdf': PDF, 2 pages, {len(PDF):,} bytes." in responses_answer(wire, part)


def test_an_uploaded_file_is_found_by_its_id_in_both_apis(wire, sdk):
    file = sdk.files.create(file=("report.pdf", PDF, "application/pdf"), purpose="user_data")
    assert "'report.pdf': PDF, 2 pages" in responses_answer(wire, {"type": "input_file", "file_id": file.id})
    assert "'report.pdf': PDF, 2 pages" in chat_answer(wire, {"type": "file", "file": {"file_id": file.id}})


@pytest.mark.parametrize(("data", "size"), [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
     b"\xff\xc0\x00\x11\x08\x00\x20\x00\x30\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01", (48, 32)),
    (b"GIF89a" + struct.pack("<HH", 7, 5) + b"\x00\x00\x00", (7, 5)),
    (b"RIFF\x00\x00\x00\x00WEBPVP8X" + bytes(8) + (99).to_bytes(3, "little") + (49).to_bytes(3, "little"), (100, 50)),
    (PNG, (48, 32)),
])
def test_the_size_comes_from_each_formats_own_header(data, size):
    assert attachments.image_size(data) == size


# --- refused as the real API refuses --------------------------------------------------------------

def test_an_image_url_without_data_prefix_is_the_real_chat_400(wire):
    reply = wire.post("/chat/completions", chat_with({"type": "image_url", "image_url": {"url": "aGVsbG8="}}))
    param = "messages[0].content[1].image_url.url"
    assert openai_error(reply, 400) == {
        "message": f"Invalid image URL: '{param}'. Expected a base64-encoded data URL with an image MIME type "
                   f"(e.g. {EXAMPLE}), but got a value without the 'data:' prefix.",
        "type": "invalid_request_error", "param": param, "code": "invalid_value"}


def test_empty_image_bytes_are_the_real_responses_400(wire):
    reply = wire.post("/responses", responses_with({"type": "input_image", "image_url": "data:image/png;base64,"}))
    error = openai_error(reply, 400)
    assert error["message"] == ("Invalid 'input[0].content[1].image_url'. Expected a base64-encoded data URL with "
                                f"an image MIME type (e.g. {EXAMPLE}), but got empty base64-encoded bytes.")


@pytest.mark.parametrize(("url", "ending"), [
    ("data:image/png;base64,%%%", "but got invalid base64-encoded bytes."),
    ("data:image/png,rawbytes", "but got a value that is not base64-encoded."),
    (data_url(b"hello", "text/plain"), "but got unsupported MIME type 'text/plain'."),
])
def test_a_bad_data_url_says_what_was_wrong(wire, url, ending):
    reply = wire.post("/chat/completions", chat_with({"type": "image_url", "image_url": {"url": url}}))
    assert openai_error(reply, 400)["message"].endswith(ending)


def test_bytes_that_are_no_supported_image_are_the_real_400(wire):
    reply = wire.post("/chat/completions", chat_with({"type": "image_url", "image_url": {"url": data_url(PDF)}}))
    assert openai_error(reply, 400)["message"] == (
        "You uploaded an unsupported image. Please make sure your image has of one the following formats: "
        "['png', 'jpeg', 'gif', 'webp'].")


def test_a_web_address_is_refused_because_the_mock_is_offline(wire):
    reply = wire.post("/chat/completions", chat_with({"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}))
    assert "works offline" in openai_error(reply, 400)["message"]


def test_an_unknown_detail_is_refused(wire):
    part = {"type": "image_url", "image_url": {"url": data_url(PNG), "detail": "ultra"}}
    assert openai_error(wire.post("/chat/completions", chat_with(part)), 400)["code"] == "invalid_value"


def test_an_inline_file_without_filename_is_missing_a_parameter(wire):
    part = {"type": "input_file", "file_data": data_url(PDF, "application/pdf")}
    error = openai_error(wire.post("/responses", responses_with(part)), 400)
    assert error["message"] == "Missing required parameter: 'input[0].content[1].filename'."


def test_an_unknown_file_id_is_refused(wire):
    error = openai_error(wire.post("/responses", responses_with({"type": "input_file", "file_id": "file-nope"})), 400)
    assert (error["message"], error["param"]) == ("No such File object: file-nope", "input[0].content[1].file_id")


def test_an_image_part_without_its_image_url_is_missing_it(wire):
    reply = wire.post("/chat/completions", chat_with({"type": "image_url", "text": 5}))
    error = openai_error(reply, 400)
    assert error["message"] == "Missing required parameter: 'messages[0].content[1].image_url'."
