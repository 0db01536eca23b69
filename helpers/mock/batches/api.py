"""The Batch API: `POST /v1/batches` takes an uploaded JSONL file of requests (purpose "batch"), checks it,
and runs each request through the mock's own handlers; GET shows the batch as its clock has it (store.py),
`GET /v1/batches` lists them, `POST /v1/batches/{id}/cancel` cancels one. Whatever a line holds, it ends up
as a result line or a validation error, never as a 500."""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.parse
from typing import Any

from .. import errors, ids, parameters
from ..calls import Call
from ..http import Request, Response
from ..json_bodies import json_response
from . import shapes
from .store import BatchJob, Result
from .validation import Line, read_lines, validate_batch_request

# Each line runs as its own call, numbered apart from the server's own (negative), so its ids are reproducible.
LINE_NUMBERS = 100_000


def create_batch(call: Call) -> Response:
    request = validate_batch_request(call.json())
    file = call.files.get(request.input_file_id)
    if file is None:
        raise errors.file_not_found(request.input_file_id)
    if file["purpose"] != "batch":
        raise errors.invalid_request(
            f"The input file must be uploaded with purpose 'batch' (this one is '{file['purpose']}'): the SDK's "
            "`input_file_id` documentation says so; these words are the mock's.", param="input_file_id")
    batch_id = ids.make_hex_id("batch_", 32, call.settings.seed, "batch", call.number)
    lines, problems = read_lines(call.files.content(request.input_file_id) or b"", request.endpoint)
    results = _run(call, lines, request.endpoint, batch_id)
    model = next((line.body["model"] for line in lines if isinstance(line.body.get("model"), str)), None)
    size = sum(len(json.dumps(result.line)) for result in results) + len(json.dumps(problems))
    job = BatchJob(batch_id, request, int(time.time()), time.monotonic(), call.settings.job_seconds, results,
                   problems, model, size)
    call.batches.add(job)
    outcome = "failed" if problems else "completed"
    delay = job.job_seconds * (1 if problems else 3)
    call.webhooks.emit(f"batch.{outcome}", batch_id, delay, lambda: _seen(job, call) == outcome)
    return json_response(200, job.view(call.files))


def retrieve_batch(call: Call) -> Response:
    return json_response(200, _job(call).view(call.files))


def list_batches(call: Call) -> Response:
    """Newest first, `limit` (20 unless told, 1 to 100) after the batch `after` names."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(call.request.path).query)
    jobs = call.batches.newest_first()
    limit = parameters.page_size(query)
    after = query.get("after", [None])[0]
    if after is not None:
        position = next((n for n, job in enumerate(jobs) if job.batch_id == after), None)
        jobs = [] if position is None else jobs[position + 1:]
    page = [job.view(call.files) for job in jobs[:limit]]
    return json_response(200, shapes.batch_list(page, len(jobs) > limit))


def cancel_batch(call: Call) -> Response:
    """A batch still validating or in progress is `cancelling`, then after `job_seconds` `cancelled`, its
    finished requests in its output file; one already cancelling or cancelled is returned as it is. One that
    has finished cannot be: the mock's words, as the real ones are not published."""
    job = _job(call)
    with job.lock:  # released before view(), which takes it to make the files
        elapsed = time.monotonic() - job.started
        status = job.status(elapsed)
        if status in ("validating", "in_progress"):
            job.cancelled_after = elapsed
            call.webhooks.emit("batch.cancelled", job.batch_id, job.job_seconds,
                               lambda: _seen(job, call) == "cancelled")
        elif status not in ("cancelling", "cancelled"):
            raise errors.invalid_request(f"The mock cannot cancel a batch that is {status}.", param="batch_id")
    return json_response(200, job.view(call.files))


def _seen(job: BatchJob, call: Call) -> str:
    """The batch's status as a client would see it now (its files made if it has just finished)."""
    return str(job.view(call.files)["status"])


def _job(call: Call) -> BatchJob:
    batch_id = call.params["batch_id"]
    job = call.batches.get(batch_id)
    if job is None:
        raise errors.ApiError(404, f"No batch found with id '{batch_id[:64]}'.")  # the mock's words
    return job


def _run(call: Call, lines: list[Line], endpoint: str, batch_id: str) -> list[Result]:
    """Every line answered by the mock's own handler for `endpoint`, in an order of their own (the real
    service does not keep the file's order either: results are matched by `custom_id`)."""
    from ..routes import find_route  # here, not at the top: routes.py imports this module

    handler, _ = find_route("POST", endpoint, call.settings.profile)
    results = []
    for line in sorted(lines, key=lambda line: ids.make_hex_id("", 16, batch_id, line.custom_id)):
        number = -(call.number * LINE_NUMBERS + line.number)
        request_id = ids.make_hex_id("req_", 32, call.settings.seed, number)
        status, body = _answer(call, handler, line, endpoint, number)
        usage = (body.get("usage") or {}) if status == 200 else {}
        results.append(Result(
            line.custom_id,
            shapes.output_line(ids.make_hex_id("batch_req_", 32, batch_id, line.custom_id), line.custom_id,
                               status, request_id, body),
            status == 200, int(usage.get("prompt_tokens", usage.get("input_tokens", 0)) or 0),
            int(usage.get("completion_tokens", usage.get("output_tokens", 0)) or 0)))
    return results


def _answer(call: Call, handler: Any, line: Line, endpoint: str, number: int) -> tuple[int, dict[str, Any]]:
    """The status and JSON body the endpoint answers this line's body with (an error's body on a refusal)."""
    try:
        for name, what in (("stream", "streams"), ("background", "background responses")):
            if line.body.get(name) is True:
                raise errors.invalid_request(f"The mock does not run {what} inside a batch: leave out '{name}'.",
                                             param=name)
        request = Request("POST", endpoint, {"content-type": "application/json"}, json.dumps(line.body).encode())
        inner = dataclasses.replace(call, request=request, params={}, number=number)  # the same server's stores
        reply = handler(inner)
        return reply.status, json.loads(reply.body)
    except errors.ApiError as error:
        return call.settings.profile.error_answer(error)  # batches are OpenAI's only: its shape
