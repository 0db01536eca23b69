"""Batches: a JSONL file of requests uploaded with purpose "batch", validated as a whole (one bad line fails
the batch with its errors), each request run through the mock's own handler, results in output and error
files matched by custom_id; states, request_counts and timestamps as the SDK's `Batch` has them; cancelled."""

from __future__ import annotations

import json
import time

import openai
import pytest
from openai.types import Batch

from helpers.mock.batches import validation
from tests.mock.support import CHAT_MODEL, openai_error, validate_strictly, wire_client_for

JOB_SECONDS = 0.15
TERMINAL = ("completed", "failed", "cancelled", "expired")


@pytest.fixture
def quick(start_server):
    return start_server(job_seconds=JOB_SECONDS)


@pytest.fixture
def client(quick):
    with openai.OpenAI(base_url=quick.base_url, api_key=quick.api_key, max_retries=0) as client:
        yield client


def request_line(custom_id, content="Say hello.", url="/v1/chat/completions", **body):
    return {"custom_id": custom_id, "method": "POST", "url": url,
            "body": {"model": CHAT_MODEL, "messages": [{"role": "user", "content": content}], **body}}


def jsonl(lines):
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def start(client, data, endpoint="/v1/chat/completions"):
    uploaded = client.files.create(file=("requests.jsonl", data), purpose="batch")
    return client.batches.create(input_file_id=uploaded.id, endpoint=endpoint, completion_window="24h")


def wait(client, batch, seconds=5.0):
    statuses = [batch.status]
    deadline = time.monotonic() + seconds
    while batch.status not in TERMINAL and time.monotonic() < deadline:
        time.sleep(0.01)
        batch = client.batches.retrieve(batch.id)
        if batch.status != statuses[-1]:
            statuses.append(batch.status)
    return batch, statuses


def strict_batch(quick, batch_id):
    return validate_strictly(Batch, wire_client_for(quick).get(f"/batches/{batch_id}").json())


def test_a_batch_of_100_runs_to_completed_and_its_results_match_by_custom_id(quick, client):
    lines = [request_line(f"question-{n}", f"Question number {n}") for n in range(100)]
    batch, statuses = wait(client, start(client, jsonl(lines)))
    assert statuses == ["validating", "in_progress", "finalizing", "completed"]
    done = strict_batch(quick, batch.id)
    assert (done.request_counts.total, done.request_counts.completed, done.request_counts.failed) == (100, 100, 0)
    assert done.error_file_id is None
    assert done.created_at <= done.in_progress_at <= done.finalizing_at <= done.completed_at
    results = [json.loads(row) for row in client.files.content(done.output_file_id).text.splitlines()]
    assert sorted(result["custom_id"] for result in results) == sorted(line["custom_id"] for line in lines)
    assert [result["custom_id"] for result in results] != [line["custom_id"] for line in lines]  # order not kept
    by_id = {result["custom_id"]: result for result in results}
    answer = by_id["question-7"]["response"]
    assert answer["status_code"] == 200 and answer["request_id"].startswith("req_")
    assert "Question number 7" in answer["body"]["choices"][0]["message"]["content"]
    assert done.usage.total_tokens == sum(r["response"]["body"]["usage"]["total_tokens"] for r in results)


def test_a_request_the_endpoint_refuses_lands_in_the_error_file(quick, client):
    lines = [request_line("fine"), request_line("too-hot", temperature=5)]
    batch, _ = wait(client, start(client, jsonl(lines)))
    assert batch.status == "completed"
    assert (batch.request_counts.completed, batch.request_counts.failed) == (1, 1)
    [refused] = [json.loads(row) for row in client.files.content(batch.error_file_id).text.splitlines()]
    assert refused["custom_id"] == "too-hot" and refused["error"] is None
    assert refused["response"]["status_code"] == 400
    assert refused["response"]["body"]["error"]["param"] == "temperature"


@pytest.mark.parametrize(("bad", "code", "line"), [
    (b"this is not json", "invalid_json_line", 2),
    (json.dumps(request_line("first")).encode(), "duplicate_custom_id", 2),
    (json.dumps(request_line("other", url="/v1/responses")).encode(), "mismatched_url", 2),
    (json.dumps({"custom_id": "x", "method": "GET", "url": "/v1/chat/completions", "body": {}}).encode(),
     "invalid_method", 2),
    (json.dumps({"custom_id": "x", "method": "POST", "url": "/v1/chat/completions"}).encode(),
     "missing_required_parameter", 2),
    (b"[1, 2]", "invalid_json_line", 2),
    (b"\xff\xfe", "invalid_file", None),
])
def test_a_malformed_line_fails_the_whole_batch_with_its_errors(quick, client, bad, code, line):
    data = jsonl([request_line("first")]) + bad + b"\n" + jsonl([request_line("last")])
    batch, statuses = wait(client, start(client, data))
    assert statuses == ["validating", "failed"]
    failed = strict_batch(quick, batch.id)
    assert failed.output_file_id is None and failed.error_file_id is None and failed.failed_at is not None
    assert [(error.code, error.line) for error in failed.errors.data] == [(code, line)]
    assert failed.request_counts.completed == 0


def test_an_empty_file_fails_the_batch(client):
    batch, _ = wait(client, start(client, b""))
    assert batch.status == "failed" and batch.errors.data[0].code == "empty_file"


def test_a_cancelled_batch_keeps_what_it_finished(start_server):
    # A server of slower steps, cancelled once it is seen part way through its requests: with 0.15 s steps a
    # fixed sleep could land in `finalizing` on a busy machine (a 400: nothing left to cancel).
    slow = start_server(job_seconds=0.6)
    with openai.OpenAI(base_url=slow.base_url, api_key=slow.api_key, max_retries=0) as client:
        batch = start(client, jsonl([request_line(f"q{n}") for n in range(40)]))
        while batch.status == "validating" or not batch.request_counts.completed:
            time.sleep(0.01)
            batch = client.batches.retrieve(batch.id)
        assert batch.status == "in_progress", batch.status
        cancelling = client.batches.cancel(batch.id)
        assert cancelling.status == "cancelling" and cancelling.cancelling_at is not None
        done, _ = wait(client, cancelling)
        validate_strictly(Batch, wire_client_for(slow).get(f"/batches/{batch.id}").json())
        assert done.status == "cancelled" and 0 < done.request_counts.completed < 40
        rows = client.files.content(done.output_file_id).text.splitlines()
        assert len(rows) == done.request_counts.completed


def test_a_completed_batch_cannot_be_cancelled(quick, client):
    batch, _ = wait(client, start(client, jsonl([request_line("one")])))
    openai_error(wire_client_for(quick).post(f"/batches/{batch.id}/cancel", {}), 400)


def test_the_input_file_must_have_purpose_batch(quick, client):
    uploaded = client.files.create(file=("notes.jsonl", jsonl([request_line("one")])), purpose="user_data")
    error = openai_error(wire_client_for(quick).post("/batches", {
        "input_file_id": uploaded.id, "endpoint": "/v1/chat/completions", "completion_window": "24h"}), 400)
    assert error["param"] == "input_file_id"


@pytest.mark.parametrize(("body", "param"), [
    ({"endpoint": "/v1/chat/completions", "completion_window": "24h"}, "input_file_id"),
    ({"input_file_id": "file-x", "endpoint": "/v1/chat/completions", "completion_window": "1h"},
     "completion_window"),
    ({"input_file_id": "file-x", "endpoint": "/v1/videos", "completion_window": "24h"}, "endpoint"),
])
def test_a_bad_create_request_is_a_400(wire, body, param):
    assert openai_error(wire.post("/batches", body), 400)["param"] == param


def test_streams_and_background_inside_a_batch_are_refused_per_line(client):
    lines = [request_line("streamed", stream=True), request_line("plain")]
    batch, _ = wait(client, start(client, jsonl(lines)))
    assert (batch.request_counts.completed, batch.request_counts.failed) == (1, 1)


def test_a_file_of_too_many_requests_fails_with_the_mocks_limit(client, monkeypatch):
    monkeypatch.setattr(validation, "MAX_REQUESTS", 3)
    batch, _ = wait(client, start(client, jsonl([request_line(f"q{n}") for n in range(4)])))
    assert batch.status == "failed" and batch.errors.data[0].code == "too_many_requests"


def test_batches_are_listed_newest_first(client):
    first = start(client, jsonl([request_line("one")]))
    second = start(client, jsonl([request_line("one")]))
    assert [batch.id for batch in client.batches.list()][:2] == [second.id, first.id]


def test_an_embeddings_batch_runs_through_the_embeddings_handler(client):
    line = {"custom_id": "words", "method": "POST", "url": "/v1/embeddings",
            "body": {"model": "text-embedding-3-small", "input": "a few words"}}
    batch, _ = wait(client, start(client, jsonl([line]), endpoint="/v1/embeddings"))
    assert batch.status == "completed" and batch.request_counts.completed == 1
    [result] = [json.loads(row) for row in client.files.content(batch.output_file_id).text.splitlines()]
    assert result["response"]["body"]["object"] == "list"
    assert batch.usage.input_tokens == result["response"]["body"]["usage"]["prompt_tokens"] > 0
