"""The batches the mock keeps, and the clock each one runs on. Bounded in count and bytes, oldest first.

As with background responses (responses/background.py), no thread runs a batch: its requests are answered
when it is created, and what a client sees depends on the time since. `job_seconds` (a setting) each:
validating, in progress (requests counted done evenly over it), finalizing; then completed, with its output
and error files made the first time anyone looks (a GET, a list, or the webhook that says it is done)."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from ..files.store import FileStore
from . import shapes
from .validation import BatchRequest

MAX_BATCHES = 100
MAX_BYTES = 16 * 1024 * 1024  # of their results' JSON
OUTPUT_EXPIRY_SECONDS = 30 * 24 * 3600  # the mock writes it in; nothing expires


@dataclass
class Result:
    custom_id: str
    line: dict[str, Any]  # as the output or error file writes it
    ok: bool  # a 2xx answer: the output file; else the error file
    input_tokens: int
    output_tokens: int


@dataclass
class BatchJob:
    batch_id: str
    request: BatchRequest
    created_at: int  # wall clock, seconds
    started: float  # time.monotonic()
    job_seconds: float
    results: list[Result]  # in the order they finish (not the file's: match them by custom_id)
    problems: list[dict[str, Any]]  # the errors that fail it (validation, or the file store full)
    model: str | None
    size: int
    cancelled_after: float | None = None  # seconds after `started`
    files: tuple[str | None, str | None] | None = None  # output and error file ids, once made
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self, elapsed: float | None = None) -> str:
        elapsed = time.monotonic() - self.started if elapsed is None else elapsed
        step = self.job_seconds
        if self.cancelled_after is not None:
            return "cancelling" if elapsed < self.cancelled_after + step else "cancelled"
        if elapsed < step:
            return "validating"
        if self.problems:
            return "failed"
        if elapsed < 2 * step:
            return "in_progress"
        return "finalizing" if elapsed < 3 * step else "completed"

    def done(self, elapsed: float) -> list[Result]:
        """The requests finished by then: none while validating, evenly more while in progress."""
        until = elapsed if self.cancelled_after is None else min(elapsed, self.cancelled_after)
        share = max(0.0, min(1.0, (until - self.job_seconds) / self.job_seconds)) if self.job_seconds else 1.0
        if self.job_seconds and until < self.job_seconds:
            share = 0.0
        return self.results[:int(len(self.results) * share)]

    def view(self, files: FileStore) -> dict[str, Any]:
        """The Batch as GET shows it now (its files made, if it has just finished)."""
        elapsed = time.monotonic() - self.started
        status = self.status(elapsed)
        if status in ("completed", "cancelled") and not self.problems:
            self._make_files(files)
            if self.problems:
                status = "failed"
        done = [] if self.problems else self.done(elapsed)
        counts = (len(self.results), sum(r.ok for r in done), sum(not r.ok for r in done))
        used = shapes.usage(sum(r.input_tokens for r in done), sum(r.output_tokens for r in done))
        output_id, error_id = self.files or (None, None)
        return shapes.batch_object(self.batch_id, self.request.endpoint, self.request.input_file_id,
                                   self.created_at, status, self._times(status), counts, used, self.model,
                                   self.request.metadata, self.problems or None, output_id, error_id)

    def _times(self, status: str) -> dict[str, int | None]:
        def at(seconds: float) -> int:
            return self.created_at + round(seconds)

        step = self.job_seconds
        times: dict[str, int | None] = {}
        if status == "failed":
            times["failed_at"] = at(step)
        if status in ("in_progress", "finalizing", "completed") or (
                self.cancelled_after is not None and self.cancelled_after >= step):
            times["in_progress_at"] = at(step)
        if status in ("finalizing", "completed"):
            times["finalizing_at"] = at(2 * step)
        if status == "completed":
            times["completed_at"] = at(3 * step)
        if self.cancelled_after is not None:
            times["cancelling_at"] = at(self.cancelled_after)
            if status == "cancelled":
                times["cancelled_at"] = at(self.cancelled_after + step)
        return times

    def _make_files(self, files: FileStore) -> None:
        """Once: the output file (2xx results) and the error file (the others), each only if it has a line."""
        with self.lock:
            if self.files is not None or self.problems:
                return
            done = self.done(time.monotonic() - self.started)
            try:
                self.files = (self._file(files, [r for r in done if r.ok], "output"),
                              self._file(files, [r for r in done if not r.ok], "error"))
            except errors.ApiError as error:  # the file store is full: the batch fails, it does not crash
                self.problems = [{"code": "file_storage_full", "message": error.message, "param": None,
                                  "line": None}]

    def _file(self, files: FileStore, results: list[Result], kind: str) -> str | None:
        if not results:
            return None
        data = b"".join(json.dumps(r.line, separators=(",", ":")).encode() + b"\n" for r in results)
        made = files.put(data, f"{self.batch_id}_{kind}.jsonl", "batch_output", OUTPUT_EXPIRY_SECONDS)
        return str(made["id"])


class BatchStore:
    def __init__(self, max_batches: int = MAX_BATCHES, max_bytes: int = MAX_BYTES) -> None:
        self.max_batches, self.max_bytes = max_batches, max_bytes
        self._batches: OrderedDict[str, BatchJob] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def add(self, job: BatchJob) -> None:
        with self._lock:
            self._batches[job.batch_id] = job
            self._bytes += job.size
            while len(self._batches) > self.max_batches or (self._bytes > self.max_bytes and len(self._batches) > 1):
                _, forgotten = self._batches.popitem(last=False)
                self._bytes -= forgotten.size

    def get(self, batch_id: str) -> BatchJob | None:
        with self._lock:
            return self._batches.get(batch_id)

    def newest_first(self) -> list[BatchJob]:
        with self._lock:
            return list(reversed(self._batches.values()))

    def __len__(self) -> int:
        with self._lock:
            return len(self._batches)
