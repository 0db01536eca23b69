"""Background responses: queued at once, then in progress, then completed on the mock's clock; cancelled
while they run (and the real errors when they cannot be); a streamed one replayed from any sequence number,
by hand and with the SDK's own `responses.stream(response_id=..., starting_after=...)`."""

from __future__ import annotations

import json
import time
import urllib.request

import openai
import pytest

from helpers.mock.responses import background
from tests.mock.support import (
    openai_error,
    responses_body,
    validate_event,
    validate_response,
    wire_client_for,
)

JOB_SECONDS = 0.2


@pytest.fixture
def slow(start_server):
    """A server whose background jobs take JOB_SECONDS in each waiting state."""
    return start_server(job_seconds=JOB_SECONDS)


def create(wire, **parameters):
    reply = wire.post("/responses", responses_body(**parameters))
    assert reply.status == 200, reply.body
    return reply.json()


def poll(wire, response_id, until=("completed", "incomplete", "cancelled", "failed"), seconds=5.0):
    statuses = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = wire.get(f"/responses/{response_id}").json()
        if not statuses or statuses[-1] != response["status"]:
            statuses.append(response["status"])
        if response["status"] in until:
            return response, statuses
        time.sleep(0.02)
    raise AssertionError(f"still {statuses[-1]} after {seconds} s")


def read_events(url, api_key):
    """The events of a stream at `url`, read by hand: `event:` line, `data:` line, blank line."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {api_key}"})
    events = []
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.headers["Content-Type"].startswith("text/event-stream")
        while line := answer.readline():
            assert line.startswith(b"event: ")
            events.append(json.loads(answer.readline().removeprefix(b"data: ")))
            assert answer.readline() == b"\n"
    return events


def test_a_background_response_is_queued_at_once_then_runs_then_completes(slow):
    wire = wire_client_for(slow)
    started = time.monotonic()
    created = create(wire, background=True)
    assert time.monotonic() - started < JOB_SECONDS  # answered before the job could have run
    done, statuses = poll(wire, created["id"])
    assert [created["status"], *statuses] in (["queued", "in_progress", "completed"],
                                              ["queued", "queued", "in_progress", "completed"])
    validate_response(created)
    assert (created["background"], created["output"], created["usage"]) == (True, [], None)
    validate_response(done)
    assert done["background"] is True and done["output"][0]["type"] == "message"
    assert done["usage"]["total_tokens"] > 0


def test_background_with_store_false_is_refused(wire):
    error = openai_error(wire.post("/responses", responses_body(background=True, store=False)), 400)
    assert error["param"] == "store"
    assert "background" in error["message"]


def test_cancelling_a_queued_response_cancels_it_and_cancelling_again_returns_it(slow):
    wire = wire_client_for(slow)
    created = create(wire, background=True)
    first = wire.post(f"/responses/{created['id']}/cancel", {})
    assert first.status == 200, first.body
    validate_response(first.json())
    assert first.json()["status"] == "cancelled"
    again = wire.post(f"/responses/{created['id']}/cancel", {})
    assert (again.status, again.json()) == (200, first.json())  # idempotent, as the background guide says
    time.sleep(2.5 * JOB_SECONDS)  # past the time it would have completed
    assert wire.get(f"/responses/{created['id']}").json()["status"] == "cancelled"


def test_a_completed_background_response_cannot_be_cancelled(slow):
    wire = wire_client_for(slow)
    created = create(wire, background=True)
    poll(wire, created["id"])
    error = openai_error(wire.post(f"/responses/{created['id']}/cancel", {}), 400)
    assert error["message"] == "Cannot cancel a completed response."


def test_a_response_that_is_not_background_cannot_be_cancelled(wire):
    created = create(wire)
    error = openai_error(wire.post(f"/responses/{created['id']}/cancel", {}), 400)
    assert "background" in error["message"]


def test_a_streamed_background_response_replays_from_any_sequence_number(slow):
    wire = wire_client_for(slow)
    url = f"{slow.base_url}/responses"
    request = urllib.request.Request(url, json.dumps(responses_body(background=True, stream=True)).encode(),
                                     {"Authorization": f"Bearer {slow.api_key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:  # read three events, then drop the connection
        first = []
        while len(first) < 3:
            line = answer.readline()
            if line.startswith(b"data: "):
                first.append(json.loads(line.removeprefix(b"data: ")))
    assert [event["type"] for event in first] == ["response.created", "response.queued", "response.in_progress"]
    assert first[0]["response"]["status"] == "queued"
    response_id = first[0]["response"]["id"]
    rest = read_events(f"{url}/{response_id}?stream=true&starting_after=2", slow.api_key)
    assert [event["sequence_number"] for event in rest] == list(range(3, 3 + len(rest)))
    assert rest[-1]["type"] == "response.completed"
    for event in first + rest:
        validate_event(event)
    # After the end the whole stream is there to replay, the same events again.
    assert read_events(f"{url}/{response_id}?stream=true", slow.api_key) == first + rest
    assert rest[-1]["response"] == wire.get(f"/responses/{response_id}").json()


def test_the_sdk_resumes_a_dropped_stream_after_the_last_event_it_saw(slow):
    client = openai.OpenAI(base_url=slow.base_url, api_key=slow.api_key, max_retries=0)
    stream = client.responses.create(model="gpt-4.1-mini", input="Say hello.", background=True, stream=True)
    seen = []
    for event in stream:
        seen.append(event)
        if len(seen) == 5:
            break
    stream.close()
    with client.responses.stream(response_id=seen[0].response.id, starting_after=seen[-1].sequence_number) as resumed:
        numbers = [event.sequence_number for event in resumed]
        final = resumed.get_final_response()
    assert numbers[0] == 5 and numbers == list(range(5, 5 + len(numbers)))
    assert final.status == "completed" and final.output_text


def test_a_background_response_created_without_stream_cannot_be_streamed_again(slow):
    wire = wire_client_for(slow)
    created = create(wire, background=True, stream=False)
    assert wire.post(f"/responses/{created['id']}/cancel", {}).status == 200
    reply = wire.get(f"/responses/{created['id']}?stream=true")
    openai_error(reply, 400)  # created without stream: there is no stream to replay, as the guide says


def test_replaying_a_cancelled_stream_stops_where_the_cancel_cut_it(slow):
    wire = wire_client_for(slow)
    url = f"{slow.base_url}/responses"
    request = urllib.request.Request(url, json.dumps(responses_body(background=True, stream=True)).encode(),
                                     {"Authorization": f"Bearer {slow.api_key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        created = json.loads(next(line for line in answer if line.startswith(b"data: ")).removeprefix(b"data: "))
    response_id = created["response"]["id"]
    assert wire.post(f"/responses/{response_id}/cancel", {}).status == 200
    events = read_events(f"{url}/{response_id}?stream=true", slow.api_key)
    assert [event["type"] for event in events] == ["response.created", "response.queued"]


@pytest.mark.parametrize("value", ["two", "1.5", "-", "9" * 12])
def test_starting_after_that_is_not_an_integer_is_a_400(slow, value):
    wire = wire_client_for(slow)
    reply = wire.post("/responses", responses_body(background=True, stream=True))
    response_id = reply.body.split(b'"id":"', 1)[1].split(b'"', 1)[0].decode()
    error = openai_error(wire.get(f"/responses/{response_id}?stream=true&starting_after={value}"), 400)
    assert error["param"] == "starting_after"


def test_the_jobs_are_bounded_in_count_and_bytes():
    jobs = background.BackgroundJobs(max_jobs=3, max_bytes=10**9)
    final = {"id": "resp_1", "status": "completed", "created_at": 1, "completed_at": 1, "output": [],
             "usage": None, "service_tier": "default", "incomplete_details": None}
    for n in range(5):
        jobs.add(f"resp_{n}", background.start(final, False, 0.0))
    assert len(jobs) == 3 and jobs.get("resp_0") is None and jobs.get("resp_4") is not None
    small = background.BackgroundJobs(max_jobs=100, max_bytes=1)
    for n in range(5):
        small.add(f"resp_{n}", background.start(final, False, 0.0))
    assert len(small) == 1  # the newest alone, however large
