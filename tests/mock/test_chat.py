"""Plain (not streamed) chat completions and the model catalogue, as urllib, requests and the SDK see them.
Each reply is checked against the SDK's own types, strictly."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import jsonschema
import openai
import pytest
import requests
from openai.types import Model
from openai.types.chat import ChatCompletion

import helpers
from helpers.mock.replies import SCRIPTED_ANSWERS
from tests.mock.support import chat_body, validate_strictly, wire_client_for

CHAT_MODEL = "gpt-4.1-mini"
REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["city", "unit"],
        },
    },
}
TIME_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}


def test_urllib_gets_a_chat_completion(wire):
    reply = wire.post("/chat/completions", chat_body())
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    completion = validate_strictly(ChatCompletion, reply.json())
    assert completion.id.startswith("chatcmpl-")
    assert completion.model == CHAT_MODEL
    [choice] = completion.choices
    assert choice.index == 0 and choice.finish_reason == "stop"
    assert choice.message.role == "assistant" and choice.message.content
    usage = completion.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0


def test_requests_gets_the_answer_urllib_gets(server, wire):
    by_urllib = wire.post("/chat/completions", chat_body("Why is the sky blue?")).json()
    by_requests = requests.post(f"{server.base_url}/chat/completions", json=chat_body("Why is the sky blue?"),
                                headers={"Authorization": f"Bearer {server.api_key}"}, timeout=10)
    assert by_requests.status_code == 200
    completion = validate_strictly(ChatCompletion, by_requests.json())
    assert completion.choices[0].message.content == by_urllib["choices"][0]["message"]["content"]
    assert completion.id != by_urllib["id"]  # a new response, a new id


def test_sdk_returns_a_chat_completion(sdk, wire):
    completion = sdk.chat.completions.create(model=CHAT_MODEL, messages=chat_body("Why is the sky blue?")["messages"])
    assert isinstance(completion, ChatCompletion)
    by_urllib = wire.post("/chat/completions", chat_body("Why is the sky blue?")).json()
    assert completion.choices[0].message.content == by_urllib["choices"][0]["message"]["content"]


def test_sdk_reports_the_request_id_the_server_sent(server, sdk):
    completion = sdk.chat.completions.create(model=CHAT_MODEL, messages=[{"role": "user", "content": "Hi"}])
    assert REQUEST_ID.fullmatch(completion._request_id)
    assert ("x-request-id", completion._request_id) in server.last_exchange.response_headers


@pytest.mark.anyio
async def test_async_sdk_returns_a_chat_completion(server, wire):
    async with openai.AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0) as client:
        completion = await client.chat.completions.create(model=CHAT_MODEL, messages=chat_body("Hi")["messages"])
    assert isinstance(completion, ChatCompletion)
    by_urllib = wire.post("/chat/completions", chat_body("Hi")).json()
    assert completion.choices[0].message.content == by_urllib["choices"][0]["message"]["content"]


@pytest.mark.parametrize("prompt", list(SCRIPTED_ANSWERS))
def test_the_lessons_prompts_get_their_scripted_answers(sdk, prompt):
    completion = sdk.chat.completions.create(model=helpers.MODEL, messages=[{"role": "user", "content": prompt}])
    assert completion.choices[0].message.content == SCRIPTED_ANSWERS[prompt]


def test_a_scripted_reply_answers_the_next_request_only(server, wire):
    server.script_reply("Scripted for this test.")
    first = wire.post("/chat/completions", chat_body()).json()
    second = wire.post("/chat/completions", chat_body()).json()
    assert first["choices"][0]["message"]["content"] == "Scripted for this test."
    assert second["choices"][0]["message"]["content"] != "Scripted for this test."


def test_any_other_prompt_gets_a_fallback_that_quotes_it(wire):
    reply = wire.post("/chat/completions", chat_body("What is a packet?")).json()
    assert "What is a packet?" in reply["choices"][0]["message"]["content"]


def test_every_role_is_accepted_and_a_tool_result_is_answered(wire):
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'}}
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "developer", "content": "Answer in English."},
        {"role": "user", "content": "Weather in Oslo?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Snow, -3 C"},
    ]
    reply = wire.post("/chat/completions", chat_body(messages=messages, tools=[WEATHER_TOOL]))
    assert reply.status == 200
    choice = reply.json()["choices"][0]
    assert choice["finish_reason"] == "stop"  # the model answers from the tool's result, no second call
    assert "Snow, -3 C" in choice["message"]["content"]


def test_content_parts_are_read_like_the_same_text_as_a_string(wire):
    prompt = "Write a haiku about packets crossing the network."
    as_parts = chat_body(messages=[{"role": "user", "content": [{"type": "text", "text": prompt}]}])
    by_parts = wire.post("/chat/completions", as_parts).json()
    by_string = wire.post("/chat/completions", chat_body(prompt)).json()
    assert by_parts["choices"][0]["message"] == by_string["choices"][0]["message"]
    assert by_parts["usage"]["prompt_tokens"] == by_string["usage"]["prompt_tokens"]


def test_n_gives_that_many_distinct_choices(wire):
    completion = validate_strictly(ChatCompletion, wire.post("/chat/completions", chat_body(n=3)).json())
    assert [choice.index for choice in completion.choices] == [0, 1, 2]
    assert len({choice.message.content for choice in completion.choices}) == 3


@pytest.mark.parametrize(("model", "limit"), [(CHAT_MODEL, "max_tokens"), (CHAT_MODEL, "max_completion_tokens"),
                                               (helpers.MODEL, "max_completion_tokens")])
def test_a_token_limit_cuts_the_reply_short_with_finish_reason_length(wire, model, limit):
    full = wire.post("/chat/completions", chat_body(model=model)).json()
    cut = wire.post("/chat/completions", chat_body(model=model, **{limit: 5})).json()
    assert cut["choices"][0]["finish_reason"] == "length"
    assert cut["usage"]["completion_tokens"] == 5
    full_text, cut_text = full["choices"][0]["message"]["content"], cut["choices"][0]["message"]["content"]
    assert full_text.startswith(cut_text) and len(cut_text) < len(full_text)


def test_a_limit_longer_than_the_reply_changes_nothing(wire):
    full = wire.post("/chat/completions", chat_body()).json()
    roomy = wire.post("/chat/completions", chat_body(max_tokens=full["usage"]["completion_tokens"])).json()
    assert roomy["choices"][0]["finish_reason"] == "stop"
    assert roomy["choices"][0]["message"] == full["choices"][0]["message"]


@pytest.mark.parametrize("as_list", [False, True])
def test_stop_ends_the_reply_before_the_stop_sequence(wire, as_list):
    full = wire.post("/chat/completions", chat_body()).json()["choices"][0]["message"]["content"]
    stop = full.split()[3]
    reply = wire.post("/chat/completions", chat_body(stop=[stop, "never there"] if as_list else stop)).json()
    assert reply["choices"][0]["message"]["content"] == full[: full.index(stop)]
    assert reply["choices"][0]["finish_reason"] == "stop"


def test_sampling_parameters_are_accepted_and_the_mock_stays_deterministic(wire):
    plain = wire.post("/chat/completions", chat_body()).json()
    tuned = wire.post("/chat/completions", chat_body(temperature=0, top_p=0.5, seed=42, user="learner-1",
                                                 frequency_penalty=0.5, presence_penalty=-0.5))
    assert tuned.status == 200
    assert tuned.json()["choices"][0]["message"] == plain["choices"][0]["message"]


@pytest.mark.parametrize("temperature", [0, 1, 2, 0.7])
def test_temperature_from_0_to_2_is_accepted(wire, temperature):
    assert wire.post("/chat/completions", chat_body(temperature=temperature)).status == 200


def test_a_tool_call_is_well_formed(wire):
    reply = wire.post("/chat/completions", chat_body("What is the weather in Paris?", tools=[WEATHER_TOOL]))
    completion = validate_strictly(ChatCompletion, reply.json())
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    [call] = choice.message.tool_calls
    assert call.id.startswith("call_") and call.type == "function"
    assert call.function.name == "get_weather"
    arguments = json.loads(call.function.arguments)
    jsonschema.validate(arguments, WEATHER_TOOL["function"]["parameters"])


def test_tool_choice_names_the_tool_to_call(wire):
    reply = wire.post("/chat/completions", chat_body("What time is it?", tools=[WEATHER_TOOL, TIME_TOOL],
                                                tool_choice={"type": "function", "function": {"name": "get_time"}}))
    [call] = reply.json()["choices"][0]["message"]["tool_calls"]
    assert call["function"]["name"] == "get_time"
    assert json.loads(call["function"]["arguments"]) == {}


def test_tool_choice_none_answers_in_text(wire):
    reply = wire.post("/chat/completions", chat_body("Weather in Paris?", tools=[WEATHER_TOOL], tool_choice="none"))
    choice = reply.json()["choices"][0]
    assert choice["finish_reason"] == "stop" and "tool_calls" not in choice["message"]
    assert choice["message"]["content"]


def test_sdk_parses_a_tool_call(sdk):
    completion = sdk.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": "Weather in Rome?"}], tools=[WEATHER_TOOL],
        tool_choice="required")
    call = completion.choices[0].message.tool_calls[0]
    assert json.loads(call.function.arguments)["unit"] in ("celsius", "fahrenheit")


def test_json_object_mode_answers_with_a_json_object(wire):
    reply = wire.post("/chat/completions", chat_body("Reply in JSON: what is HTTP?",
                                                response_format={"type": "json_object"}))
    assert reply.status == 200
    assert isinstance(json.loads(reply.json()["choices"][0]["message"]["content"]), dict)


def test_json_schema_mode_answers_with_json_that_fits_the_schema(wire):
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "population": {"type": "integer"},
            "districts": {"type": "array", "items": {"type": "string"}},
            "capital": {"type": "boolean"},
            "size": {"type": "string", "enum": ["small", "large"]},
        },
        "required": ["city", "population", "districts", "capital", "size"],
        "additionalProperties": False,
    }
    response_format = {"type": "json_schema", "json_schema": {"name": "city", "strict": True, "schema": schema}}
    reply = wire.post("/chat/completions", chat_body("Tell me about Lyon.", response_format=response_format))
    jsonschema.validate(json.loads(reply.json()["choices"][0]["message"]["content"]), schema)


def test_models_lists_every_chat_and_embedding_model_the_sdk_knows(wire):
    reply = wire.get("/models")
    assert reply.status == 200
    catalogue = reply.json()
    assert set(catalogue) == {"object", "data"} and catalogue["object"] == "list"
    models = [validate_strictly(Model, entry) for entry in catalogue["data"]]
    assert [model.id for model in models] == [*helpers.mock.catalogue.chat_model_ids(),
                                              *helpers.mock.catalogue.EMBEDDING_MODELS]
    assert helpers.MODEL in {model.id for model in models}


def test_sdk_lists_and_retrieves_models(sdk):
    ids = [model.id for model in sdk.models.list()]
    assert CHAT_MODEL in ids
    model = sdk.models.retrieve(CHAT_MODEL)
    assert model.id == CHAT_MODEL and model.object == "model"


def test_a_dated_model_is_created_on_its_date(wire):
    model = validate_strictly(Model, wire.get("/models/gpt-4o-2024-08-06").json())
    assert model.created == datetime(2024, 8, 6, tzinfo=UTC).timestamp()


def test_every_response_carries_a_distinct_request_id(wire):
    replies = [
        wire.post("/chat/completions", chat_body()),                    # 200
        wire.post("/chat/completions", chat_body(temperature=9)),       # 400
        wire.get("/models/no-such-model"),                         # 404
        wire.get("/nowhere"),                                      # 404, unknown path
        wire.send("GET", "/models", None, {"Authorization": ""}),  # 401
    ]
    assert [reply.status for reply in replies] == [200, 400, 404, 404, 401]
    request_ids = [reply.headers["x-request-id"] for reply in replies]
    assert all(REQUEST_ID.fullmatch(request_id) for request_id in request_ids)
    assert len(set(request_ids)) == len(request_ids)


def test_ids_are_unique_within_one_server(wire):
    replies = [wire.post("/chat/completions", chat_body("Weather in Oslo?", n=2, tools=[WEATHER_TOOL]))
               for _ in range(10)]
    completion_ids = [reply.json()["id"] for reply in replies]
    call_ids = [choice["message"]["tool_calls"][0]["id"] for reply in replies for choice in reply.json()["choices"]]
    assert len(set(completion_ids)) == 10
    assert len(set(call_ids)) == 20


def test_two_fresh_servers_answer_the_same_requests_with_the_same_ids(start_server):
    def conversation(server: helpers.MockServer) -> list[tuple[str, str, str]]:
        wire = wire_client_for(server)
        requests_ = [chat_body("Hi"), chat_body("What is the weather in Oslo?", tools=[WEATHER_TOOL]), chat_body(n=2)]
        replies = [wire.post("/chat/completions", request) for request in requests_]
        return [(reply.headers["x-request-id"], reply.json()["id"], json.dumps(reply.json()["choices"]))
                for reply in replies]

    first, second = conversation(start_server()), conversation(start_server())
    assert first == second
