"""The Files API: uploads by multipart/form-data, parsed strictly; list, retrieve, content, delete; every
reply strictly the SDK's type, every refusal OpenAI's error body with the right status, never a 500."""

from __future__ import annotations

import io
import typing

import openai
import pytest
import typing_extensions
from openai.pagination import SyncCursorPage
from openai.types import FileDeleted, FileObject, file_create_params, file_list_params, file_purpose

from helpers.mock.files import multipart, validation
from helpers.mock.files.store import FileStore, is_file_id
from helpers.mock.http import Limits
from tests.mock.support import openai_error, validate_strictly, wire_client_for
from tests.mock.test_hardening_http import RawClient, post, statuses
from tests.mock.test_shapes import literal_values

BOUNDARY = "llm-calls-boundary"
FORM = f"multipart/form-data; boundary={BOUNDARY}"
JSONL = b'{"custom_id": "1"}\n'


def upload(wire, body: bytes, content_type: str = FORM):
    return wire.send("POST", "/files", body, {"Content-Type": content_type})


def form(fields=None, files=None) -> bytes:
    fields = {"purpose": "batch"} if fields is None else fields
    files = {"file": ("requests.jsonl", "application/jsonl", JSONL)} if files is None else files
    return multipart.build(fields, files, BOUNDARY)


# --- the parameter tables are the SDK's -------------------------------------------------------------

def test_the_form_fields_are_the_sdks():
    hints = typing.get_type_hints(file_create_params.FileCreateParams, include_extras=True)
    assert set(validation.FIELDS) == set(hints)
    required = {name for name, hint in hints.items() if typing.get_origin(hint) is typing_extensions.Required}
    assert {name for name, needed in validation.FIELDS.items() if needed} == required == {"file", "purpose"}


def test_the_purposes_are_the_sdks():
    assert literal_values(file_purpose.FilePurpose) == validation.PURPOSES


def test_the_list_parameters_are_the_sdks():
    hints = typing.get_type_hints(file_list_params.FileListParams)
    assert set(hints) == {"after", "limit", "order", "purpose"}
    assert literal_values(hints["order"]) == validation.ORDERS


# --- what a client gets back -----------------------------------------------------------------------

def test_an_upload_is_a_file_object_exactly_as_the_sdk_reads_it(wire):
    reply = upload(wire, form())
    assert reply.status == 200
    file = validate_strictly(FileObject, reply.json())
    assert (file.bytes, file.filename, file.purpose, file.status) == (len(JSONL), "requests.jsonl", "batch",
                                                                      "processed")
    assert is_file_id(file.id)
    assert file.expires_at == file.created_at + 30 * 24 * 3600  # batch files expire after 30 days


def test_the_sdk_uploads_lists_downloads_and_deletes(sdk):
    file = sdk.files.create(file=("notes.txt", b"hello", "text/plain"), purpose="user_data",
                            expires_after={"anchor": "created_at", "seconds": 3600})
    assert file.expires_at == file.created_at + 3600
    page = sdk.files.with_raw_response.list(purpose="user_data", order="asc").http_response.json()
    assert file.id in [f["id"] for f in page["data"]]
    validate_strictly(SyncCursorPage[FileObject], {k: v for k, v in page.items() if k in ("data", "has_more")})
    assert set(page) == {"object", "data", "first_id", "last_id", "has_more"}
    assert sdk.files.content(file.id).read() == b"hello"
    deleted = sdk.files.with_raw_response.delete(file.id).http_response.json()
    validate_strictly(FileDeleted, deleted)
    assert deleted == {"id": file.id, "object": "file", "deleted": True}
    with pytest.raises(openai.NotFoundError):
        sdk.files.retrieve(file.id)


def test_the_content_is_the_bytes_uploaded_as_octet_stream(wire):
    data = bytes(range(256)) * 4
    file_id = upload(wire, form(files={"file": ("bytes.bin", "application/octet-stream", data)})).json()["id"]
    reply = wire.get(f"/files/{file_id}/content")
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/octet-stream"
    assert reply.body == data


def test_list_pages_with_limit_and_after(start_server):
    wire = wire_client_for(start_server())
    made = [upload(wire, form({"purpose": "user_data"})).json()["id"] for _ in range(3)]
    first = wire.get("/files?limit=2&order=asc").json()
    assert [f["id"] for f in first["data"]] == made[:2] and first["has_more"] is True
    assert (first["first_id"], first["last_id"]) == (made[0], made[1])
    rest = wire.get(f"/files?limit=2&order=asc&after={made[1]}").json()
    assert [f["id"] for f in rest["data"]] == made[2:] and rest["has_more"] is False
    assert [f["id"] for f in wire.get("/files").json()["data"]] == made[::-1]  # newest first by default
    assert wire.get("/files?purpose=batch").json()["data"] == []


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize("suffix", ["", "/content"])
def test_an_unknown_file_is_404_no_such_file_object(wire, method, suffix):
    if method == "DELETE" and suffix:
        return  # there is no DELETE .../content
    error = openai_error(wire.send(method, f"/files/file-nope{suffix}", None), 404)
    assert error == {"message": "No such File object: file-nope", "type": "invalid_request_error",
                     "param": "id", "code": None}


# --- every refusal of an upload: the status and body a client sees ----------------------------------

@pytest.mark.parametrize(("body", "content_type", "message"), [
    (b"{}", "application/json", "Invalid Content-Type header (application/json), expected multipart/form-data."),
    (form(), "multipart/form-data", "has no boundary parameter"),
    (form(), "multipart/form-data; boundary=" + "x" * 71, "not a valid multipart boundary"),
    (form(), "multipart/form-data; boundary=other", "does not start with the boundary line"),
    (form()[:-10], FORM, "does not end with the closing boundary line"),
    (form() + b"junk", FORM, "bytes after the closing boundary line"),
    (f"--{BOUNDARY}--\r\n".encode(), FORM, "has no parts"),
    (f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nbatch\r\n--{BOUNDARY}--\r\n".encode(), FORM,
     "Part 1 has no Content-Disposition header"),
    (f"--{BOUNDARY}\r\nContent-Disposition: attachment\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(), FORM,
     "is not 'form-data' with a name"),
    (f"--{BOUNDARY}\r\nContent-Disposition form-data\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(), FORM,
     "header line that is not 'Name: value'"),
    (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=purpose\r\nbatch\r\n--{BOUNDARY}--\r\n".encode(),
     FORM, "no blank line between its headers"),
    (form({"purpose": "batch", "model": "x"}), FORM, "Additional properties are not allowed ('model' was unexpected)"),
    (form({}), FORM, "'purpose' is a required property"),
    (form(files={}), FORM, "'file' is a required property"),
    (form({"purpose": "answers"}), FORM, "'answers' is not one of ['assistants', 'batch', 'fine-tune', "
                                         "'vision', 'user_data', 'evals'] - 'purpose'"),
    (form({"purpose": "batch", "file": "notes.txt"}, files={}), FORM, "The 'file' part must be a file"),
    (form({"purpose": "batch", "expires_after[anchor]": "created_at", "expires_after[seconds]": "60"}), FORM,
     "Invalid 'expires_after.seconds': integer below minimum value. Expected a value >= 3600, but got 60"),
    (form({"purpose": "batch", "expires_after[anchor]": "now", "expires_after[seconds]": "3600"}), FORM,
     "'now' is not one of ['created_at'] - 'expires_after.anchor'"),
    (form({"purpose": "batch", "expires_after[seconds]": "3600"}), FORM, "'anchor' is a required property"),
    (form({"purpose": "batch", "expires_after[anchor]": "created_at", "expires_after[seconds]": "9" * 5000}),
     FORM, "integer above maximum value"),
])
def test_a_bad_upload_is_a_400_that_says_what_is_wrong(wire, body, content_type, message):
    error = openai_error(upload(wire, body, content_type), 400)
    assert message in error["message"]
    assert error["type"] == "invalid_request_error"


def test_a_duplicate_part_is_refused(wire):
    purpose = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n".encode()
    error = openai_error(upload(wire, purpose + form()), 400)
    assert error["message"].startswith("The multipart/form-data body has more than one 'purpose' part")


def test_a_file_over_the_mocks_limit_is_a_400_naming_both_limits(wire):
    data = b"x" * (8 * 1024 * 1024 + 1)
    error = openai_error(upload(wire, form(files={"file": ("big.bin", "application/octet-stream", data)})), 400)
    assert error["code"] == "file_too_large" and "512 MB" in error["message"]


def test_an_upload_over_the_http_body_limit_is_a_413_read_no_further(start_server):
    server = start_server(limits=Limits(max_body_bytes=64 * 1024))
    head = post(b"", f"Content-Type: {FORM}\r\nContent-Length: {1024 * 1024}\r\n".encode(), target=b"/v1/files")
    received = RawClient(server.port).send(head + form()).read_until_closed()  # the rest of the body never sent
    assert statuses(received) == [413]


@pytest.mark.parametrize(("query", "message"), [
    ("limit=0", "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got 0 instead."),
    ("limit=10001", "Invalid 'limit': integer above maximum value. Expected a value <= 10000, but got 10001"),
    ("limit=ten", "Invalid type for 'limit': expected an integer"),
    ("order=newest", "Invalid value: 'newest'. Supported values are: 'asc', and 'desc'."),
    ("limit=1&limit=2", "given more than once"),
])
def test_a_bad_listing_is_a_400(wire, query, message):
    assert message in openai_error(wire.get(f"/files?{query}"), 400)["message"]


def test_a_minimal_server_has_no_files_endpoint(start_server):
    wire = wire_client_for(start_server(profile="minimal"))
    assert upload(wire, form()).status == 404
    assert wire.get("/files").status == 404


def test_an_upload_without_the_key_is_refused_and_keeps_nothing(start_server):
    server = start_server()
    assert upload(wire_client_for(server, "sk-wrong"), form()).status == 401
    assert wire_client_for(server).get("/files").json()["data"] == []


# --- the store: bounded in count and bytes, refusing (not evicting) when full ------------------------

def test_the_store_refuses_a_file_past_its_byte_cap_and_keeps_the_others():
    store = FileStore(max_bytes=10, max_file_bytes=10)
    kept = store.put(b"123456", "a.txt", "user_data")
    with pytest.raises(Exception, match="file storage is full"):
        store.put(b"12345", "b.txt", "user_data")
    assert store.content(kept["id"]) == b"123456" and store.bytes == 6 and len(store) == 1


def test_the_store_refuses_a_file_past_its_count_cap():
    store = FileStore(max_files=1)
    store.put(b"a", "a.txt", "user_data")
    with pytest.raises(Exception, match="file storage is full"):
        store.put(b"b", "b.txt", "user_data")


def test_a_deleted_files_id_is_never_given_again():
    store = FileStore()
    first = store.put(b"a", "a.txt", "user_data")["id"]
    assert store.delete(first) and store.bytes == 0
    assert store.put(b"a", "a.txt", "user_data")["id"] != first


def test_the_sdk_builds_the_same_kind_of_body_the_parser_reads(sdk):
    # io.BytesIO has no name: the SDK (httpx) calls the file "upload"
    assert sdk.files.create(file=io.BytesIO(b"x"), purpose="vision").filename == "upload"


def test_more_parts_than_the_cap_is_a_400_not_a_500(wire):
    part = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n".encode()
    error = openai_error(upload(wire, part * (multipart.MAX_PARTS + 1) + f"--{BOUNDARY}--\r\n".encode()), 400)
    assert f"more than {multipart.MAX_PARTS} parts" in error["message"]


def test_another_family_puts_a_file_and_reads_it_back_by_id():
    store = FileStore(seed="s")
    made = store.put(b'{"id": 1}\n', "batch_output.jsonl", "batch_output")
    validate_strictly(FileObject, made)
    assert store.get(made["id"]) == made and store.content(made["id"]) == b'{"id": 1}\n'
    assert is_file_id(made["id"]) and not is_file_id("file_nope") and store.get("file-nope") is None
