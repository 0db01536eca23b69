"""The files the mock keeps (`POST /v1/files`, and the files other families make, such as a batch's
output): their bytes and their File objects, bounded in count and in bytes.

Unlike the responses store, which evicts its oldest entry, a full file store refuses the next file:
a file is something the learner (or a batch) will ask for again by id, and one that vanished silently
would make a later call fail far from the cause. The real service refuses too once an organisation's
storage is used up; the mock's limits are its own, far smaller (see MAX_FILES, MAX_BYTES).

Other families use the small public face: `put(data, filename, purpose)` -> the File object (a dict),
`content(file_id)` -> the bytes or None, `get(file_id)` -> the File object or None, `is_file_id(text)`."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import errors, ids
from . import shapes

MAX_FILES = 100
MAX_BYTES = 32 * 1024 * 1024  # all files' bytes together: the mock's own cap, so memory stays bounded
MAX_FILE_BYTES = 8 * 1024 * 1024  # one file (the real limit is 512 MB, API reference "Upload file")
BATCH_EXPIRY_SECONDS = 30 * 24 * 3600  # "files with purpose=batch expire after 30 days" (SDK 3.57.0,
                                       # openai/types/file_create_params.py, ExpiresAfter)
_FILE_ID = re.compile(r"file-[0-9A-Za-z]{1,64}")


def is_file_id(text: object) -> bool:
    """True for text shaped like a file id ("file-" and letters and digits), whether or not it exists."""
    return isinstance(text, str) and _FILE_ID.fullmatch(text) is not None


@dataclass
class StoredFile:
    file: dict[str, Any]  # the File object, as GET /v1/files/{id} returns it
    data: bytes


class FileStore:
    """Files by id, in the order they were made. Thread-safe: every server thread shares one."""

    def __init__(self, seed: str = "llm-calls-three-ways", max_files: int = MAX_FILES,
                 max_bytes: int = MAX_BYTES, max_file_bytes: int = MAX_FILE_BYTES,
                 clock: Callable[[], float] = time.time) -> None:
        self.seed, self.clock = seed, clock
        self.max_files, self.max_bytes, self.max_file_bytes = max_files, max_bytes, max_file_bytes
        self._files: OrderedDict[str, StoredFile] = OrderedDict()
        self._bytes = 0
        self._made = 0  # files ever made: numbers each new id, so ids never repeat after a delete
        self._lock = threading.Lock()

    def put(self, data: bytes, filename: str, purpose: str, expires_after: int | None = None) -> dict[str, Any]:
        """Keep `data` as a new file and return its File object; ApiError if it is too large or the store
        is full. `expires_after` is in seconds from now (only written into the object: nothing expires)."""
        if len(data) > self.max_file_bytes:
            raise errors.file_too_large(len(data), self.max_file_bytes)
        created_at = int(self.clock())
        if expires_after is None and purpose == "batch":
            expires_after = BATCH_EXPIRY_SECONDS
        with self._lock:
            if len(self._files) >= self.max_files or self._bytes + len(data) > self.max_bytes:
                raise errors.file_storage_full(self.max_files, self.max_bytes)
            self._made += 1
            file_id = ids.make_id("file-", 22, self.seed, "file", self._made)
            expires_at = None if expires_after is None else created_at + expires_after
            file = shapes.file_object(file_id, len(data), created_at, filename, purpose, expires_at)
            self._files[file_id] = StoredFile(file, data)
            self._bytes += len(data)
        return dict(file)

    def get(self, file_id: str) -> dict[str, Any] | None:
        with self._lock:
            stored = self._files.get(file_id)
        return dict(stored.file) if stored else None

    def content(self, file_id: str) -> bytes | None:
        with self._lock:
            stored = self._files.get(file_id)
        return stored.data if stored else None

    def delete(self, file_id: str) -> bool:
        with self._lock:
            stored = self._files.pop(file_id, None)
            if stored is not None:
                self._bytes -= len(stored.data)
        return stored is not None

    def listed(self, purpose: str | None = None, order: str = "desc") -> list[dict[str, Any]]:
        """Every file's object (of one purpose, if given), oldest first for "asc", newest first for "desc"."""
        with self._lock:
            files = [dict(s.file) for s in self._files.values() if purpose is None or s.file["purpose"] == purpose]
        return files if order == "asc" else files[::-1]

    def __len__(self) -> int:
        with self._lock:
            return len(self._files)

    @property
    def bytes(self) -> int:
        with self._lock:
            return self._bytes
