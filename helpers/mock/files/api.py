"""The Files API: `POST /v1/files` keeps an upload (multipart/form-data), `GET /v1/files` lists them,
`GET /v1/files/{file_id}` and `/content` return one's object and its bytes, `DELETE` forgets it.
The path of an upload: multipart.py -> validation.py -> store.py -> shapes.py -> json_bodies.py."""

from __future__ import annotations

from .. import errors
from ..calls import Call
from ..http import Response
from ..json_bodies import json_response
from . import shapes
from .validation import validate_listing, validate_upload


def create_file(call: Call) -> Response:
    upload = validate_upload(call.request.headers.get("content-type", ""), call.request.body)
    file = call.files.put(upload.data, upload.filename, upload.purpose, upload.expires_after)
    return json_response(200, file)


def list_files(call: Call) -> Response:
    listing = validate_listing(call.request.path)
    files = call.files.listed(listing.purpose, listing.order)
    if listing.after is not None:  # the page after that file; none if it is not (or no longer) there
        ids = [file["id"] for file in files]
        files = files[ids.index(listing.after) + 1:] if listing.after in ids else []
    page = files[:listing.limit]
    return json_response(200, shapes.file_list(page, has_more=len(files) > len(page)))


def retrieve_file(call: Call) -> Response:
    return json_response(200, _existing(call))


def file_content(call: Call) -> Response:
    file_id = call.params["file_id"]
    data = call.files.content(file_id)
    if data is None:
        raise errors.file_not_found(file_id)
    return Response(200, [("content-type", "application/octet-stream")], data)


def delete_file(call: Call) -> Response:
    file_id = call.params["file_id"]
    if not call.files.delete(file_id):
        raise errors.file_not_found(file_id)
    return json_response(200, shapes.file_deleted(file_id))


def _existing(call: Call) -> dict[str, object]:
    file = call.files.get(call.params["file_id"])
    if file is None:
        raise errors.file_not_found(call.params["file_id"])
    return file
