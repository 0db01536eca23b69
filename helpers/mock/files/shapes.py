"""The Files API's JSON: a File object, a page of them, the answer to a delete (SDK 3.57.0:
openai/types/file_object.py `FileObject`, file_deleted.py `FileDeleted`; the page as `SyncCursorPage`
reads it, with the `first_id`/`last_id` the API reference's ListFilesResponse adds)."""

from __future__ import annotations

from typing import Any


def file_object(file_id: str, size: int, created_at: int, filename: str, purpose: str,
                expires_at: int | None) -> dict[str, Any]:
    return {
        "object": "file",
        "id": file_id,
        "purpose": purpose,
        "filename": filename,
        "bytes": size,
        "created_at": created_at,
        "expires_at": expires_at,
        "status": "processed",  # deprecated in the reference, still sent
        "status_details": None,
    }


def file_list(files: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {
        "object": "list",
        "data": files,
        "first_id": files[0]["id"] if files else None,
        "last_id": files[-1]["id"] if files else None,
        "has_more": has_more,
    }


def file_deleted(file_id: str) -> dict[str, Any]:
    return {"id": file_id, "object": "file", "deleted": True}
