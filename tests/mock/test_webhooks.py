"""Webhooks: endpoints created, listed, fetched and deleted as openai 3.57.0's `client.webhooks` calls them;
deliveries signed so that the SDK's `unwrap` accepts them and rejects a tampered, late or replayed one;
retried with back-off when the receiver fails; and a receiver that hangs holds up neither the server nor
its stop."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import itertools
import json
import threading
import time
from unittest import mock

import openai
import pytest
from openai.types.webhooks import (
    BatchCompletedWebhookEvent,
    DeletedWebhookEndpoint,
    ResponseCancelledWebhookEvent,
    ResponseCompletedWebhookEvent,
    WebhookEndpoint,
    WebhookEndpointWithSecret,
)

from helpers.mock.webhooks import delivery
from tests.mock.support import openai_error, responses_body, validate_strictly, wire_client_for

JOB_SECONDS = 0.1


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers each delivery with the next of `statuses` (the last
    repeats), or holds it for `hang` seconds; it keeps what it got."""

    def __init__(self, statuses=(200,), hang=0.0):
        self.statuses, self.hang = list(statuses), hang
        self.got = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append((dict(self.headers), body, time.monotonic()))
                receiver.arrived.set()
                if receiver.hang:
                    time.sleep(receiver.hang)
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/webhook"

    def wait_for(self, count, seconds=5.0):
        deadline = time.monotonic() + seconds
        while len(self.got) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.got) >= count, f"{len(self.got)} deliveries, not {count}"
        return self.got

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receivers():
    made = []

    def make(**options):
        made.append(Receiver(**options))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def quick(start_server):
    return start_server(job_seconds=JOB_SECONDS)


def client_of(server):
    return openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0)


def register(server, url, event_types=("response.completed", "response.cancelled")):
    return client_of(server).webhooks.create(name="tests", url=url, event_types=list(event_types))


def completed_delivery(server, receivers, **options):
    """One response.completed delivery: (endpoint, headers, body, response id)."""
    receiver = receivers(**options)
    endpoint = register(server, receiver.url)
    created = wire_client_for(server).post("/responses", responses_body(background=True)).json()
    headers, body, _ = receiver.wait_for(1)[0]
    return endpoint, headers, body, created["id"]


# --- Endpoints ------------------------------------------------------------------------------------------

def test_creating_an_endpoint_shows_its_secret_once(quick, receivers):
    wire = wire_client_for(quick)
    reply = wire.post("/webhook_endpoints", {"name": "lesson", "url": receivers().url,
                                             "event_types": ["response.completed"]})
    assert reply.status == 200, reply.body
    created = validate_strictly(WebhookEndpointWithSecret, reply.json())
    assert created.signing_secret.startswith("whsec_")
    assert len(base64.b64decode(created.signing_secret.removeprefix("whsec_"))) == 32
    fetched = wire.get(f"/webhook_endpoints/{created.id}")
    validate_strictly(WebhookEndpoint, fetched.json())
    assert "signing_secret" not in fetched.json()
    listed = wire.get("/webhook_endpoints").json()
    assert [endpoint["id"] for endpoint in listed["data"]] == [created.id]
    deleted = wire.send("DELETE", f"/webhook_endpoints/{created.id}", None)
    validate_strictly(DeletedWebhookEndpoint, deleted.json())
    openai_error(wire.get(f"/webhook_endpoints/{created.id}"), 404)


def test_the_sdk_creates_lists_retrieves_and_deletes_endpoints(quick, receivers):
    client = client_of(quick)
    created = client.webhooks.create(name="lesson", url=receivers().url, event_types=["response.completed"])
    assert client.webhooks.retrieve(created.id).url == created.url
    assert [endpoint.id for endpoint in client.webhooks.list()] == [created.id]
    assert client.webhooks.delete(created.id).deleted is True


@pytest.mark.parametrize("url", [
    "http://example.com:8000/webhook", "https://10.0.0.1:443/hook", "http://127.0.0.1/no-port",
    "ftp://127.0.0.1:21/x", "http://user:pw@127.0.0.1:9/x", "http://[::1:9/x", "not a url",
])
def test_a_url_off_this_machine_is_refused_with_a_400_that_says_so(wire, url):
    error = openai_error(wire.post("/webhook_endpoints", {"name": "x", "url": url,
                                                          "event_types": ["response.completed"]}), 400)
    assert error["param"] == "url" and "only to this machine" in error["message"]


def test_an_unknown_event_type_is_refused(wire):
    error = openai_error(wire.post("/webhook_endpoints", {"name": "x", "url": "http://127.0.0.1:9/x",
                                                          "event_types": ["response.done"]}), 400)
    assert error["param"] == "event_types[0]"


# --- Deliveries -------------------------------------------------------------------------------------------

def test_a_delivery_is_signed_so_that_the_sdk_unwraps_it(quick, receivers):
    endpoint, headers, body, response_id = completed_delivery(quick, receivers)
    event = client_of(quick).webhooks.unwrap(body, headers, secret=endpoint.signing_secret)
    assert isinstance(event, ResponseCompletedWebhookEvent)
    assert event.data.id == response_id
    validate_strictly(ResponseCompletedWebhookEvent, json.loads(body))
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 5  # the wall clock, as unwrap expects


def test_the_signature_is_the_hmac_of_id_timestamp_and_body(quick, receivers):
    endpoint, headers, body, _ = completed_delivery(quick, receivers)
    key = base64.b64decode(endpoint.signing_secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"


def test_a_tampered_delivery_is_rejected(quick, receivers):
    endpoint, headers, body, _ = completed_delivery(quick, receivers)
    tampered = body.replace(b"response.completed", b"response.cancelled")
    with pytest.raises(openai.InvalidWebhookSignatureError, match="does not match"):
        client_of(quick).webhooks.unwrap(tampered, headers, secret=endpoint.signing_secret)


def test_a_late_delivery_is_rejected(quick, receivers):
    endpoint, headers, body, _ = completed_delivery(quick, receivers)
    later = time.time() + 301  # the receiver's clock five minutes and a second on
    with mock.patch("time.time", return_value=later), \
            pytest.raises(openai.InvalidWebhookSignatureError, match="too old"):
        client_of(quick).webhooks.unwrap(body, headers, secret=endpoint.signing_secret)


def test_a_replayed_delivery_has_the_same_webhook_id_so_a_receiver_can_drop_it(quick, receivers):
    """A retry is the same delivery again: same webhook-id and body, a fresh timestamp and signature. The
    signature alone cannot tell a replay inside the 300 s window from the first: only the id can."""
    receiver = receivers(statuses=(500, 200))
    endpoint = register(quick, receiver.url)
    wire_client_for(quick).post("/responses", responses_body(background=True))
    (first, body1, at1), (second, body2, at2) = receiver.wait_for(2)[:2]
    assert first["webhook-id"] == second["webhook-id"] and body1 == body2
    client = client_of(quick)
    for headers, body in ((first, body1), (second, body2)):
        client.webhooks.verify_signature(body, headers, secret=endpoint.signing_secret)
    assert at2 - at1 >= JOB_SECONDS * 0.9  # the first retry waits job_seconds


def test_a_failing_receiver_is_retried_with_back_off_a_bounded_number_of_times(quick, receivers):
    receiver = receivers(statuses=(503,))
    register(quick, receiver.url)
    wire_client_for(quick).post("/responses", responses_body(background=True))
    got = receiver.wait_for(delivery.MAX_ATTEMPTS, seconds=10)
    time.sleep(JOB_SECONDS * 2 ** delivery.MAX_ATTEMPTS)
    assert len(receiver.got) == delivery.MAX_ATTEMPTS
    gaps = [later[2] - earlier[2] for earlier, later in itertools.pairwise(got)]
    assert all(gap >= JOB_SECONDS * 2 ** n * 0.9 for n, gap in enumerate(gaps)), gaps
    recorded = [exchange for exchange in quick.exchanges if exchange.path == receiver.url]
    assert [exchange.status for exchange in recorded] == [503] * delivery.MAX_ATTEMPTS


def test_a_cancel_is_delivered_and_the_completion_never_is(quick, receivers):
    receiver = receivers()
    endpoint = register(quick, receiver.url)
    wire = wire_client_for(quick)
    created = wire.post("/responses", responses_body(background=True)).json()
    wire.post(f"/responses/{created['id']}/cancel", {})
    headers, body, _ = receiver.wait_for(1)[0]
    event = client_of(quick).webhooks.unwrap(body, headers, secret=endpoint.signing_secret)
    assert isinstance(event, ResponseCancelledWebhookEvent)
    time.sleep(3 * JOB_SECONDS)
    assert len(receiver.got) == 1


def test_a_hanging_receiver_blocks_neither_requests_nor_stop(start_server, receivers):
    server = start_server(job_seconds=0.0)
    receiver = receivers(hang=30)
    register(server, receiver.url)
    wire = wire_client_for(server)
    wire.post("/responses", responses_body(background=True))
    assert receiver.arrived.wait(5)
    started = time.monotonic()
    assert wire.get("/models").status == 200  # the server answers while the delivery hangs
    assert time.monotonic() - started < 1
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.5
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("mock-webhooks")]


def test_what_waits_to_be_delivered_is_bounded():
    deliveries = delivery.Deliveries(None, lambda: 1.0)
    try:
        for n in range(delivery.MAX_PENDING + 10):
            deliveries.send(delivery.Delivery("http://127.0.0.1:9/x", "whsec_AAAA", f"wh_{n}", b"{}"), delay=60)
        assert deliveries.pending == delivery.MAX_PENDING and deliveries.dropped == 10
        assert len(deliveries.threads) == delivery.WORKERS
    finally:
        deliveries.close()
    assert deliveries.threads == []


def test_a_finished_batch_is_delivered_as_batch_completed(quick, receivers):
    receiver = receivers()
    endpoint = register(quick, receiver.url, ["batch.completed"])
    client = client_of(quick)
    line = {"custom_id": "one", "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "Hi"}]}}
    uploaded = client.files.create(file=("one.jsonl", json.dumps(line).encode()), purpose="batch")
    batch = client.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions",
                                  completion_window="24h")
    headers, body, _ = receiver.wait_for(1)[0]
    event = client.webhooks.unwrap(body, headers, secret=endpoint.signing_secret)
    assert isinstance(event, BatchCompletedWebhookEvent) and event.data.id == batch.id
    assert client.batches.retrieve(batch.id).status == "completed"  # told only once it is so
