"""Background responses (`background: true`): answered at once as `queued`, then `in_progress`, then
finished, on the mock's clock; polled with GET, cancelled with POST .../cancel, and a streamed one replayed
from any `sequence_number` (`GET /v1/responses/{id}?stream=true&starting_after=N`) while it runs and after.

No thread runs a job. The whole answer is made when the request arrives, as for any other response; what a
client sees of it depends only on the time since then: `job_seconds` (a setting) queued, `job_seconds` in
progress with the stream's events spread evenly over it, then done. So polling, replaying and cancelling
read one timeline, and a stopped server leaves nothing running. The real service's rules, as its guide
states them (https://developers.openai.com/api/docs/guides/background, "Limits", read 2026-12-06):
background needs `store` (stateless requests are refused), only a response created with `stream: true` can
be streamed again, and cancelling twice is idempotent (the second cancel returns the final response)."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import errors, sse
from . import shapes

MAX_JOBS = 200  # as many as the response store keeps; the oldest is forgotten first
MAX_BYTES = 8 * 1024 * 1024  # of their events' JSON, counted as the response store counts
TERMINAL = ("completed", "incomplete", "failed", "cancelled")


@dataclass
class BackgroundJob:
    """One background response: the finished answer, made at once, and when each part of it is due."""

    final: dict[str, Any]  # the response as it will be when done
    events: list[dict[str, Any]]  # every streamed event of the run, numbered from 0
    due: list[float]  # when each event is due, in seconds after `started`
    started: float  # time.monotonic() when the request arrived
    job_seconds: float
    streamed: bool  # created with `stream: true`: only then can it be streamed again
    size: int  # bytes: the JSON of its events
    cancelled_after: float | None = None  # seconds after `started`, once cancelled

    @property
    def finishes_after(self) -> float:
        return 2 * self.job_seconds

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def status(self, elapsed: float | None = None) -> str:
        elapsed = self.elapsed() if elapsed is None else elapsed
        if self.cancelled_after is not None and elapsed >= self.cancelled_after:
            return "cancelled"
        if elapsed < self.job_seconds:
            return "queued"
        if elapsed < self.finishes_after:
            return "in_progress"
        return str(self.final["status"])

    def current(self) -> dict[str, Any]:
        """The response as GET shows it now."""
        status = self.status()
        if status in ("completed", "incomplete"):
            return self.final
        waiting = {**shapes.in_progress(self.final), "status": status}
        return waiting

    def events_until_now(self) -> int:
        """How many of the events are due (none after a cancel)."""
        limit = self.elapsed() if self.cancelled_after is None else min(self.elapsed(), self.cancelled_after)
        return sum(1 for due in self.due if due <= limit)


def start(final: dict[str, Any], streamed: bool, job_seconds: float) -> BackgroundJob:
    """The job for a finished response: its stream opens queued, goes in progress after `job_seconds`,
    and its output's events are spread over the next `job_seconds`."""
    final = {**final, "background": True}
    if final["completed_at"] is not None:  # it completes when the clock says, not when it was made
        final["completed_at"] = final["created_at"] + round(2 * job_seconds)
    events = list(shapes.stream_events(final))
    first = events[0]["response"]
    first["background"] = True
    queued = {**first, "status": "queued"}
    events[0]["response"] = queued  # response.created: the response as it stands, queued
    events.insert(1, {"type": "response.queued", "sequence_number": 1, "response": queued})
    for number, event in enumerate(events):
        event["sequence_number"] = number
    working = len(events) - 2  # in_progress and after
    due = [0.0, 0.0] + [job_seconds + job_seconds * n / max(1, working - 1) for n in range(working)]
    size = sum(len(json.dumps(event)) for event in events)
    return BackgroundJob(final, events, due, time.monotonic(), job_seconds, streamed, size)


def cancel(job: BackgroundJob) -> dict[str, Any]:
    """Cancel a job still queued or in progress and return the response; a cancelled one is returned as it
    is (idempotent, as the guide says). A finished one cannot be cancelled: the 400 quotes the real
    service's words as clients match on them (e.g. BerriAI/litellm's Responses API tests look for
    "Cannot cancel a completed response"); the words for `incomplete` are the mock's own."""
    elapsed = job.elapsed()
    status = job.status(elapsed)
    if status == "completed":
        raise errors.invalid_request("Cannot cancel a completed response.", param="response_id")
    if status == "incomplete":
        raise errors.invalid_request("The mock cannot cancel a response that has already finished "
                                     "(it is incomplete).", param="response_id")
    if status != "cancelled":
        job.cancelled_after = elapsed
    return cancelled(job.final)


def cancelled(final: dict[str, Any]) -> dict[str, Any]:
    return {**shapes.in_progress(final), "status": "cancelled"}


def replay(job: BackgroundJob, starting_after: int | None, stopping: threading.Event) -> sse.PacedEvents:
    """The stream from the event after `starting_after` (from the first without it): what is already due at
    once, the rest as it comes due. It ends after the last event, or where a cancel cut the run short."""
    first = 0 if starting_after is None else starting_after + 1
    return _LiveEvents(job, first, stopping)


class _LiveEvents(sse.PacedEvents):
    """PacedEvents whose pauses are read off the job's clock as it goes, so a cancel ends it."""

    def __init__(self, job: BackgroundJob, first: int, stopping: threading.Event) -> None:
        chosen = job.events[first:]
        super().__init__([sse.typed_event(event) for event in chosen], [0.0] * len(chosen), stopping)
        self.job, self.first = job, first

    def __iter__(self) -> Iterator[bytes]:
        for offset, event_bytes in enumerate(self.events):
            number = self.first + offset
            wait = self.job.due[number] - self.job.elapsed()
            if wait > 0 and self.stopping.wait(wait):
                return  # the server is stopping
            cut = self.job.cancelled_after
            if cut is not None and self.job.due[number] > cut:
                return  # cancelled before this event was due
            yield event_bytes


class BackgroundJobs:
    """The server's background jobs by response id, oldest forgotten first past MAX_JOBS."""

    def __init__(self, max_jobs: int = MAX_JOBS, max_bytes: int = MAX_BYTES) -> None:
        self.max_jobs, self.max_bytes = max_jobs, max_bytes
        self._jobs: OrderedDict[str, BackgroundJob] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def add(self, response_id: str, job: BackgroundJob) -> int:
        """Keep the job, forgetting the oldest past either limit; its size in bytes, for the store to count."""
        with self._lock:
            self._jobs[response_id] = job
            self._bytes += job.size
            while len(self._jobs) > self.max_jobs or (self._bytes > self.max_bytes and len(self._jobs) > 1):
                _, forgotten = self._jobs.popitem(last=False)
                self._bytes -= forgotten.size
        return job.size

    def get(self, response_id: str) -> BackgroundJob | None:
        with self._lock:
            return self._jobs.get(response_id)

    def forget(self, response_id: str) -> None:
        with self._lock:
            job = self._jobs.pop(response_id, None)
            if job is not None:
                self._bytes -= job.size

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)
