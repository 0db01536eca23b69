"""The Responses API over a WebSocket: the upgrade (and its refusals, before any frame), a two-turn
conversation on one connection from a raw socket, the `websockets` package and the SDK's
`responses.connect()`, every server event checked strictly against the SDK's `ResponsesServerEvent`."""

from __future__ import annotations

import json

import openai
import pytest
import websockets
from websockets.sync.client import connect

from helpers.mock.websocket import frames
from helpers.mock.websocket.handshake import accept_key
from tests.mock.support import openai_error, wire_client_for
from tests.mock.websocket_support import PLAIN_MODEL, RawWebSocket, validate_server_event


def ws_url(server) -> str:
    return server.base_url.replace("http://", "ws://") + "/responses"


# --- the upgrade ---------------------------------------------------------------------------------------

def test_the_accept_key_is_rfc_6455s_own_example():
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  # RFC 6455, 1.3


def test_the_upgrade_is_101_with_the_accept_key_of_the_clients_key(server):
    client = RawWebSocket(server.port, server.api_key)
    assert client.status == 101
    assert client.headers["upgrade"].lower() == "websocket"
    assert client.headers["connection"].lower() == "upgrade"
    assert client.headers["sec-websocket-accept"] == accept_key(client.key)
    assert "content-length" not in client.headers and "transfer-encoding" not in client.headers
    client.close()


def test_a_wrong_key_is_refused_with_the_apis_401_before_the_upgrade(server):
    client = RawWebSocket(server.port, "sk-wrong-key-0123456789abcdef")
    assert client.status == 401
    assert openai_error(_as_reply(client), 401)["code"] == "invalid_api_key"
    client.close()


def test_no_key_is_refused_with_the_apis_401_before_the_upgrade(server):
    client = RawWebSocket(server.port, None)
    assert client.status == 401
    assert "You didn't provide an API key" in client.body()["error"]["message"]
    client.close()


def test_a_version_other_than_13_is_426_naming_version_13(server):
    client = RawWebSocket(server.port, server.api_key, Sec_WebSocket_Version="8")
    assert client.status == 426
    assert client.headers["sec-websocket-version"] == "13"
    assert client.body()["error"]["code"] == "unsupported_websocket_version"
    client.close()


@pytest.mark.parametrize("headers", [{"Sec_WebSocket_Key": "c2hvcnQ="}, {"Connection": "keep-alive"}])
def test_a_broken_handshake_is_400(server, headers):
    client = RawWebSocket(server.port, server.api_key, **headers)
    assert client.status == 400
    assert client.body()["error"]["code"] == "invalid_websocket_handshake"
    client.close()


def test_a_plain_get_of_the_websocket_path_is_404_invalid_url(server):
    reply = wire_client_for(server).get("/responses")
    assert openai_error(reply, 404)["message"] == "Invalid URL (GET /v1/responses)"


def test_the_minimal_profile_has_no_websocket_endpoint(start_server):
    server = start_server(profile="minimal")
    client = RawWebSocket(server.port, server.api_key)
    assert client.status == 404
    client.close()


# --- a conversation on one connection --------------------------------------------------------------------

def test_a_raw_socket_holds_a_two_turn_conversation_every_event_valid(server):
    client = RawWebSocket(server.port, server.api_key)
    first = client.turn(input="Say hello.")
    second = client.turn(input="And again.", previous_response_id=first[-1]["response"]["id"])
    for events in (first, second):
        assert [event["sequence_number"] for event in events] == list(range(len(events)))
        assert events[0]["type"] == "response.created" and events[-1]["type"] == "response.completed"
        for event in events:
            validate_server_event(event)
    assert second[-1]["response"]["previous_response_id"] == first[-1]["response"]["id"]
    assert first[-1]["response"]["id"] != second[-1]["response"]["id"]
    client.close()


def test_the_events_are_the_sse_streams_events_in_the_same_order(server):
    """The same generation as POST /v1/responses with stream: true: the same types, in the same order."""
    client = RawWebSocket(server.port, server.api_key)
    over_websocket = [event["type"] for event in client.turn(input="Say hello.")]
    client.close()
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as sdk:
        over_sse = [event.type for event in sdk.responses.create(model=PLAIN_MODEL, input="Say hello.", stream=True)]
    assert over_websocket == over_sse


def test_a_websocket_response_is_stored_and_continued_over_http(server, sdk):
    client = RawWebSocket(server.port, server.api_key)
    response_id = client.turn(input="Remember 7.")[-1]["response"]["id"]
    client.close()
    assert sdk.responses.retrieve(response_id).id == response_id
    assert sdk.responses.create(model=PLAIN_MODEL, input="Which number?",
                                previous_response_id=response_id).previous_response_id == response_id


def test_the_websockets_package_holds_a_two_turn_conversation(server):
    with connect(ws_url(server), additional_headers={"Authorization": f"Bearer {server.api_key}"}) as ws:
        ids = []
        for prompt in ("Say hello.", "And again."):
            previous = {"previous_response_id": ids[-1]} if ids else {}
            ws.send(json.dumps({"type": "response.create", "model": PLAIN_MODEL, "input": prompt, **previous}))
            while (event := json.loads(ws.recv()))["type"] != "response.completed":
                validate_server_event(event)
            ids.append(event["response"]["id"])
    assert len(set(ids)) == 2


def test_the_sdk_holds_a_two_turn_conversation_on_one_connection(server):
    opened = server.connections_opened
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client, \
            client.responses.connect() as connection:
        connection.response.create(model=PLAIN_MODEL, input="Say hello.")
        first = next(event for event in connection if event.type == "response.completed")
        connection.response.create(model=PLAIN_MODEL, input="And again.", previous_response_id=first.response.id)
        second = next(event for event in connection if event.type == "response.completed")
    assert second.response.previous_response_id == first.response.id
    assert second.response.output_text
    assert server.connections_opened == opened + 1


def test_a_ping_is_answered_with_a_pong_carrying_the_same_payload(server):
    client = RawWebSocket(server.port, server.api_key)
    client.send_frame(frames.PING, b"are you there?")
    frame = client.read_frame()
    assert (frame.opcode, frame.payload) == (frames.PONG, b"are you there?")
    client.close()


def test_a_close_frame_is_echoed_and_the_server_closes(server):
    client = RawWebSocket(server.port, server.api_key)
    client.send_frame(frames.CLOSE, frames.close_payload(1000, "done"))
    assert client.close_frame() == (1000, "")
    assert client.closed_by_server()


# --- errors inside the conversation ---------------------------------------------------------------------

def test_a_bad_response_create_is_an_error_event_and_the_connection_goes_on(server):
    client = RawWebSocket(server.port, server.api_key)
    error = client.turn(input="Hi", temperature="hot")[-1]
    validate_server_event(error)
    assert error["status"] == 400 and error["error"]["param"] == "temperature"
    assert client.turn(input="Hi")[-1]["type"] == "response.completed"
    client.close()


def test_an_unknown_previous_response_id_is_an_error_event(server):
    client = RawWebSocket(server.port, server.api_key)
    error = client.turn(input="Hi", previous_response_id="resp_nope")[-1]
    assert (error["status"], error["error"]["code"]) == (400, "previous_response_not_found")
    client.close()


def test_continuing_a_store_false_response_is_refused_saying_the_mock_cannot(server):
    """OpenAI keeps the connection's latest response in memory even with store: false (WebSocket mode
    guide); the mock keeps none, and says so instead of answering previous_response_not_found."""
    client = RawWebSocket(server.port, server.api_key)
    unstored = client.turn(input="Hi", store=False)[-1]["response"]["id"]
    error = client.turn(input="Again", previous_response_id=unstored)[-1]
    validate_server_event(error)
    assert (error["error"]["code"], error["error"]["param"]) == ("unsupported_parameter", "previous_response_id")
    assert "offline mock" in error["error"]["message"]
    client.close()


def test_background_is_refused_over_websocket(server):
    client = RawWebSocket(server.port, server.api_key)
    error = client.turn(input="Hi", background=True)[-1]
    assert error["type"] == "error" and error["error"]["param"] == "background"
    client.close()


def test_an_event_of_unknown_type_is_an_error_event(server):
    client = RawWebSocket(server.port, server.api_key)
    client.send_json({"type": "response.cancel"})
    error = client.read_json()
    validate_server_event(error)
    assert error["error"]["param"] == "type"
    client.close()


def test_steering_is_refused_with_steer_failed_steering_not_supported(server):
    client = RawWebSocket(server.port, server.api_key)
    first = client.turn(input="Say hello.")[-1]["response"]["id"]
    client.send_json({"type": "response.steer", "previous_response_id": first, "input": "Shorter, please."})
    failed = client.read_json()
    validate_server_event(failed)
    assert failed["type"] == "response.steer.failed"
    assert failed["error"]["code"] == "steering_not_supported"
    assert failed["steer"] == {"input": "Shorter, please.", "previous_response_id": first}
    client.close()


def test_events_echo_the_stream_id_of_their_response_create(server):
    client = RawWebSocket(server.port, server.api_key)
    events = client.turn(input="Hi", stream_id="lane-1")
    assert {event["stream_id"] for event in events} == {"lane-1"}
    for event in events:
        validate_server_event(event)
    client.close()


# --- faults --------------------------------------------------------------------------------------------

def test_a_500_queued_during_the_conversation_is_an_error_event_on_the_next_turn(server):
    client = RawWebSocket(server.port, server.api_key)
    server.inject_fault("500")
    error = client.turn(input="Hi")[-1]
    validate_server_event(error)
    assert (error["status"], error["error"]["type"]) == (500, "server_error")
    assert client.turn(input="Hi")[-1]["type"] == "response.completed"
    client.close()


def test_a_disconnect_drops_the_connection_half_way_without_a_close_frame(server):
    with connect(ws_url(server), additional_headers={"Authorization": f"Bearer {server.api_key}"}) as ws:
        server.inject_fault("disconnect")
        ws.send(json.dumps({"type": "response.create", "model": PLAIN_MODEL, "input": "Hi"}))
        received = []
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            while True:
                received.append(json.loads(ws.recv())["type"])
    assert closed.value.rcvd is None  # no close frame: the code the SDK sees is 1006, "abnormal closure"
    assert received and "response.completed" not in received


def test_a_disconnect_queued_before_the_upgrade_cuts_the_first_response(server):
    server.inject_fault("disconnect")
    client = RawWebSocket(server.port, server.api_key)
    assert client.status == 101
    with pytest.raises(EOFError):
        client.turn(input="Hi")


def test_the_sdk_raises_when_the_connection_drops_and_no_on_reconnecting_is_given(server):
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client, \
            client.responses.connect() as connection:
        server.inject_fault("disconnect")
        connection.response.create(model=PLAIN_MODEL, input="Hi")
        with pytest.raises(websockets.ConnectionClosedError):
            for _ in connection:
                pass


def test_the_sdk_reconnects_when_on_reconnecting_is_given_and_sends_what_was_queued(server):
    """The SDK reconnects only with `on_reconnecting` (responses.py, ResponsesConnectionManager.__enter__),
    after a close code it counts as recoverable: 1006 here. What is sent meanwhile waits in its send queue
    and goes out on the new connection; the cut response itself is not asked for again."""
    attempts, live = [], {}

    def on_reconnecting(event):
        attempts.append((event.attempt, event.close_code))
        live["connection"].response.create(model=PLAIN_MODEL, input="Once more.")  # queued until reconnected

    opened = server.connections_opened
    with openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client, \
            client.responses.connect(on_reconnecting=on_reconnecting, initial_delay=0.01) as connection:
        live["connection"] = connection
        server.inject_fault("disconnect")
        connection.response.create(model=PLAIN_MODEL, input="Hi")
        completed = next(event for event in connection if event.type == "response.completed")
    assert attempts == [(1, 1006)]
    assert completed.response.output_text.startswith('You asked: "Once more."')
    assert server.connections_opened == opened + 2


def _as_reply(client: RawWebSocket):
    from tests.mock.support import WireReply

    return WireReply(client.status, client.headers, json.dumps(client.body()).encode())
