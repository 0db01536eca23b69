"""The playground's behaviour, driven the way its Send button drives it: set the widgets, call `on_send()`.
No browser: each widget is a Python object whose `value` is what the page shows."""

from __future__ import annotations

import itertools
import json
import socket

import pytest

import helpers
from helpers.display import NO_WIRE_RECORD
from helpers.mock.tokens import split_tokens
from helpers.playground import (
    CSS_CLASSES,
    RESPONSES_WAYS,
    WAYS,
    Finished,
    Playground,
    read_frames,
    text_in_event,
    text_in_frames,
)

HAIKU_PROMPT = "Write a haiku about packets crossing the network."
USER_AGENTS = {"urllib": "Python-urllib/", "requests": "python-requests/", "openai SDK": "OpenAI/Python "}


@pytest.fixture(scope="module")
def server():
    with helpers.start_mock_server(tokens_per_second=0, set_environment=False) as server:
        yield server


@pytest.fixture(autouse=True)
def no_fault_left_over(server):
    yield
    server.clear_faults()


@pytest.fixture
def playground(server):
    connection = helpers.Connection(server.base_url, server.api_key, helpers.MODEL, server)
    return Playground(connection)


def send(playground: Playground, prompt: str, way: str = "urllib") -> None:
    playground.way.value = way
    playground.prompt.value = prompt
    playground.on_send()


def user_agent(exchange: helpers.Exchange) -> str:
    return next(value for name, value in exchange.request_headers if name.lower() == "user-agent")


@pytest.mark.parametrize("way", list(WAYS))
def test_the_chosen_way_is_the_one_that_sends_the_request(playground, server, way):
    send(playground, HAIKU_PROMPT, way)
    assert user_agent(server.last_exchange).startswith(USER_AGENTS[way])
    assert playground.last_error is None


@pytest.mark.parametrize("way", list(WAYS))
def test_the_reply_grows_token_by_token_in_order(playground, way):
    values: list[str] = []
    playground.reply.observe(lambda change: values.append(change["new"]), "value")
    send(playground, HAIKU_PROMPT, way)
    grown = [value for value in values if value]  # the first change empties the box
    assert len(grown) > 5
    assert all(later.startswith(earlier) and later != earlier for earlier, later in itertools.pairwise(grown))
    assert grown[-1] == helpers.mock.replies.SCRIPTED_ANSWERS[HAIKU_PROMPT]


def test_the_request_is_streamed_with_the_chosen_settings(playground, server):
    playground.model.value = "gpt-4.1-mini"
    playground.temperature.value = 0.3
    playground.max_tokens.value = 7
    send(playground, HAIKU_PROMPT, "requests")
    body = json.loads(server.last_exchange.request_body)
    assert (body["model"], body["temperature"], body["max_completion_tokens"], body["stream"]) == (
        "gpt-4.1-mini", 0.3, 7, True)
    assert server.last_exchange.frames[-1] == "data: [DONE]"
    answer = helpers.mock.replies.SCRIPTED_ANSWERS[HAIKU_PROMPT]
    assert playground.reply.value == "".join(split_tokens(answer)[:7])  # cut short at 7 tokens


def test_history_is_kept_and_sent_across_turns(playground, server):
    send(playground, "Give me three tips for writing a good prompt.", "urllib")
    send(playground, "Now make the second tip shorter.", "openai SDK")
    sent = json.loads(server.last_exchange.request_body)["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"].startswith("1. Say who the answer is for")
    assert [m["role"] for m in playground.messages] == ["user", "assistant", "user", "assistant"]
    assert playground.messages[-1]["content"] == "2. Show an example."
    assert "Now make the second tip shorter." in playground.history.value


def test_a_new_conversation_forgets_the_history(playground, server):
    send(playground, HAIKU_PROMPT)
    playground.on_new_conversation()
    send(playground, HAIKU_PROMPT)
    assert len(json.loads(server.last_exchange.request_body)["messages"]) == 1


def test_the_wire_panel_shows_the_last_exchange(playground):
    send(playground, HAIKU_PROMPT, "requests")
    assert "POST /v1/chat/completions HTTP/1.1" in playground.wire.value
    assert "python-requests/" in playground.wire.value
    assert "Bearer [redacted]" in playground.wire.value
    assert "data: [DONE]" in playground.wire.value


@pytest.mark.parametrize("way", list(WAYS))
def test_a_refused_temperature_is_shown_to_the_learner_not_raised(playground, way):
    playground.model.value = "gpt-5.5"  # reasons by default (effort medium): only a temperature of 1
    playground.temperature.value = 0.2
    send(playground, HAIKU_PROMPT, way)
    assert playground.last_error == (
        "HTTP 400: Unsupported value: 'temperature' does not support 0.2 with this model. "
        "Only the default (1) value is supported.")
    assert "Unsupported value" in playground.status.value
    assert playground.messages == []  # the refused turn is not part of the conversation
    assert playground.prompt.value == HAIKU_PROMPT  # kept, to fix a setting and send again
    assert not playground.send_button.disabled


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("fault, shown", [("503", "HTTP 503: The server is currently overloaded"),
                                          ("429", "HTTP 429: Rate limit reached")])
def test_an_injected_fault_is_shown_to_the_learner(playground, server, way, fault, shown):
    server.inject_fault(fault)
    send(playground, HAIKU_PROMPT, way)
    assert playground.last_error.startswith(shown)


@pytest.mark.parametrize("way", list(WAYS))
def test_a_stream_cut_short_is_an_error_not_a_short_reply(playground, server, way):
    server.inject_fault("disconnect")
    send(playground, HAIKU_PROMPT, way)
    assert playground.last_error is not None
    assert playground.messages == []
    send(playground, HAIKU_PROMPT, way)  # the next turn works again
    assert playground.last_error is None


@pytest.mark.parametrize("way, error", [("urllib", "URLError"), ("requests", "ConnectionError"),
                                        ("openai SDK", "APIConnectionError")])
def test_an_unreachable_server_is_an_error_message(way, error):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    playground = Playground(helpers.Connection(f"http://127.0.0.1:{port}/v1", "sk-unused", helpers.MODEL))
    send(playground, HAIKU_PROMPT, way)
    assert playground.last_error.startswith(error)
    assert playground.wire.value.count("No wire record")


def test_an_empty_prompt_sends_nothing(playground, server):
    before = server.last_exchange
    send(playground, "   ")
    assert server.last_exchange is before
    assert playground.last_error == "Type a prompt first."
    assert "Type a prompt first." in playground.status.value


def test_against_a_real_provider_the_wire_panel_says_there_is_no_record(server):
    stand_in = helpers.Connection(server.base_url, server.api_key, helpers.MODEL, mock=None)
    playground = Playground(stand_in)
    send(playground, HAIKU_PROMPT)
    assert playground.last_error is None
    assert NO_WIRE_RECORD.replace("`", "") in playground.wire.value


def test_every_widget_has_its_documented_css_class(playground):
    for attribute, css_class in CSS_CLASSES.items():
        assert css_class in getattr(playground, attribute)._dom_classes


@pytest.mark.parametrize("line, text", [
    ("", ""),
    (": keep-alive comment", ""),
    ('data: {"choices": [{"delta": {"content": "Hi"}}]}', "Hi"),
    ('data: {"choices": [{"delta": {"role": "assistant"}}]}', ""),
    ('data: {"choices": [], "usage": {"total_tokens": 3}}', ""),
    ("data: [DONE]", None),
])
def test_text_in_event_reads_one_line_of_the_stream(line, text):
    assert text_in_event(line) == text


# --- the Responses API as the page's other choice ---------------------------------------------------

def completed_id(exchange: helpers.Exchange) -> str:
    """The id in the last event of a streamed response, as the server sent it."""
    return json.loads(exchange.frames[-1].split("data: ", 1)[1])["response"]["id"]


def send_to_responses(playground: Playground, prompt: str, way: str = "urllib") -> None:
    playground.api.value = "Responses"
    send(playground, prompt, way)


@pytest.mark.parametrize("way", list(RESPONSES_WAYS))
def test_the_responses_choice_posts_a_stream_to_responses_with_the_chosen_way(playground, server, way):
    send_to_responses(playground, HAIKU_PROMPT, way)
    exchange = server.last_exchange
    assert exchange.request_line.startswith("POST /v1/responses ")
    assert user_agent(exchange).startswith(USER_AGENTS[way])
    body = json.loads(exchange.request_body)
    assert (body["input"], body["stream"], body["max_output_tokens"]) == (
        [{"role": "user", "content": HAIKU_PROMPT}], True, 1000)
    assert "messages" not in body and "previous_response_id" not in body
    assert playground.last_error is None
    assert playground.reply.value == helpers.mock.replies.SCRIPTED_ANSWERS[HAIKU_PROMPT]


@pytest.mark.parametrize("way", list(RESPONSES_WAYS))
def test_a_responses_reply_grows_delta_by_delta(playground, way):
    values: list[str] = []
    playground.reply.observe(lambda change: values.append(change["new"]), "value")
    send_to_responses(playground, HAIKU_PROMPT, way)
    grown = [value for value in values if value]
    assert len(grown) > 5
    assert all(later.startswith(earlier) and later != earlier for earlier, later in itertools.pairwise(grown))


def test_a_responses_turn_sends_the_temperature_only_when_it_is_not_the_default(playground, server):
    send_to_responses(playground, HAIKU_PROMPT)
    assert "temperature" not in json.loads(server.last_exchange.request_body)
    playground.model.value, playground.temperature.value = "gpt-4.1-mini", 0.3
    send_to_responses(playground, HAIKU_PROMPT)
    assert json.loads(server.last_exchange.request_body)["temperature"] == 0.3
    assert playground.last_error is None


def test_a_responses_follow_up_sends_only_the_new_message_and_the_previous_id(playground, server):
    send_to_responses(playground, "Give me three tips for writing a good prompt.", "requests")
    first_id = completed_id(server.last_exchange)
    send_to_responses(playground, "Now make the second tip shorter.", "openai SDK")
    body = json.loads(server.last_exchange.request_body)
    assert body["previous_response_id"] == first_id
    assert playground.previous_response_id == completed_id(server.last_exchange) != first_id
    assert body["input"] == [{"role": "user", "content": "Now make the second tip shorter."}]
    assert playground.reply.value == "2. Show an example."  # the server found the first turn
    assert "previous_response_id" in playground.status_text
    assert [m["role"] for m in playground.messages] == ["user", "assistant", "user", "assistant"]


def test_responses_after_chat_turns_sends_the_conversation_the_server_never_saw(playground, server):
    send(playground, "Give me three tips for writing a good prompt.", "urllib")  # Chat Completions
    send_to_responses(playground, "Now make the second tip shorter.", "urllib")
    body = json.loads(server.last_exchange.request_body)
    assert "previous_response_id" not in body
    assert [item["role"] for item in body["input"]] == ["user", "assistant", "user"]
    assert playground.reply.value == "2. Show an example."


def test_a_chat_turn_between_responses_turns_breaks_the_chain(playground, server):
    send_to_responses(playground, "Give me three tips for writing a good prompt.")
    playground.api.value = "Chat Completions"
    send(playground, "Now make the second tip shorter.")
    assert playground.previous_response_id is None  # the server never stored the chat turn
    send_to_responses(playground, HAIKU_PROMPT)
    body = json.loads(server.last_exchange.request_body)
    assert "previous_response_id" not in body and len(body["input"]) == 5


def test_a_new_conversation_forgets_the_previous_response(playground, server):
    send_to_responses(playground, HAIKU_PROMPT)
    playground.on_new_conversation()
    assert playground.previous_response_id is None
    send_to_responses(playground, HAIKU_PROMPT)
    assert "previous_response_id" not in json.loads(server.last_exchange.request_body)


@pytest.mark.parametrize("way", list(RESPONSES_WAYS))
def test_a_responses_error_is_shown_to_the_learner_not_raised(playground, server, way):
    server.inject_fault("503")
    send_to_responses(playground, HAIKU_PROMPT, way)
    assert playground.last_error.startswith("HTTP 503: The server is currently overloaded")
    assert playground.messages == [] and playground.previous_response_id is None


@pytest.mark.parametrize("way", list(RESPONSES_WAYS))
def test_a_responses_stream_cut_short_is_an_error_not_a_short_reply(playground, server, way):
    server.inject_fault("disconnect")
    send_to_responses(playground, HAIKU_PROMPT, way)
    assert playground.last_error is not None
    assert playground.messages == []


@pytest.mark.parametrize("way", list(RESPONSES_WAYS))
def test_a_reply_cut_at_max_output_tokens_is_still_a_reply(playground, server, way):
    playground.max_tokens.value = 16  # the Responses API's smallest limit
    send_to_responses(playground, "Explain what a token is, in two sentences.", way)
    assert playground.last_error is None
    answer = helpers.mock.replies.SCRIPTED_ANSWERS["Explain what a token is, in two sentences."]
    assert playground.reply.value == "".join(split_tokens(answer)[:16])
    assert '"status":"incomplete"' in server.last_exchange.frames[-1].replace(" ", "")


def test_the_wire_panel_shows_the_responses_events(playground):
    send_to_responses(playground, HAIKU_PROMPT, "requests")
    assert "POST /v1/responses HTTP/1.1" in playground.wire.value
    assert "event: response.completed" in playground.wire.value
    assert "[DONE]" not in playground.wire.value


FRAME_LINES = ["event: response.created", 'data: {"type": "response.created", "response": {"id": "resp_1"}}', "",
               ": a comment", "event: response.output_text.delta",
               'data: {"type": "response.output_text.delta", "delta": "Hi"}', ""]


def test_read_frames_pairs_each_event_name_with_its_data():
    assert list(read_frames(FRAME_LINES)) == [
        ("response.created", {"type": "response.created", "response": {"id": "resp_1"}}),
        ("response.output_text.delta", {"type": "response.output_text.delta", "delta": "Hi"}),
    ]


def test_text_in_frames_yields_the_deltas_then_the_finished_id():
    frames = [*read_frames(FRAME_LINES), ("response.completed", {"response": {"id": "resp_1"}})]
    assert list(text_in_frames(frames)) == ["Hi", Finished("resp_1")]


def test_text_in_frames_without_a_terminal_event_is_a_connection_error():
    with pytest.raises(ConnectionError, match=r"response\.completed"):
        list(text_in_frames(read_frames(FRAME_LINES)))


def test_text_in_frames_raises_the_message_of_an_error_event():
    frames = [("error", {"type": "error", "error": {"message": "The server had an error."}})]
    with pytest.raises(RuntimeError, match=r"The server had an error\."):
        list(text_in_frames(frames))


def test_enter_in_the_prompt_box_sends_as_the_button_does(playground):
    playground.prompt.value = HAIKU_PROMPT
    playground.prompt._handle_custom_msg({"event": "submit"}, [])  # what the browser sends on Enter
    assert playground.last_error is None
    assert playground.reply.value == helpers.mock.replies.SCRIPTED_ANSWERS[HAIKU_PROMPT]


def test_labels_are_not_cut_short():
    page = Playground(helpers.Connection("http://127.0.0.1:9/v1", "sk-any", helpers.MODEL))
    assert page.temperature.style.description_width == "initial"
    assert page.max_tokens.style.description_width == "initial"
