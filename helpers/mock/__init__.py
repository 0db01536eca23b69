"""A mock of the OpenAI API that runs offline, in the standard library only: what a real provider does
with your request, small enough to read in an afternoon.

Start it from Python (`MockServer().start()`, or `helpers.connect()` in a lesson) or on its own
(`python -m helpers.mock --port 8000`, or `make serve`).

Reading order
    server.py         MockServer: start, stop, base_url, api_key, script_reply, inject_fault, exchanges
    http.py           HTTP/1.1: bytes off the socket into a Request, a Response back into bytes
    routes.py         the table of paths, and the way every request takes through the API
    calls.py          what a handler is given: the Call (request, path values, settings) and the Settings
    auth.py           the Bearer key check that decides every 401
    faults.py         429, 500, 503, timeout, disconnect, buffered and html, switched on by a lesson
    rate_limits.py    the account's limits: every answer's x-ratelimit-* headers, the 429s, the limiter
    profiles.py       `openai` (every detail of the real service), or another OpenAI-compatible server as its
                      documentation says it differs: minimal (llama.cpp), local, openrouter, gemini, fastapi,
                      and three combined profiles that hold every difference (README, "Other servers")

  One sub-package per API family, each with the same three names (and more only where it needs them):
    <family>/api.py         the handlers the routes table names: from checked request to answer
    <family>/validation.py  its parameters, checked as the real API checks them
    <family>/shapes.py      its JSON, as pure functions from values to dicts (checked against the SDK's types)
  The families:
    chat/             POST /v1/chat/completions
    responses/        POST /v1/responses and the stored responses (GET, DELETE, input_items, cancel);
                      responses/store.py keeps them, bounded (200 responses, 8 MiB), oldest evicted first
    models/           GET /v1/models and /v1/models/{model} (api.py, shapes.py: nothing to validate)

  Shared by every family:
    parameters.py     the checks every parameter table shares: JSON types, ranges, allowed values
    replies.py        what the mock answers: scripted replies, a fallback, refusals, tool calls (when, and
                      how many: `planned_tool_calls`), answers from tool results, JSON
    schemas.py        JSON schemas: strict mode's rules and size limits in the real API's words, and a
                      value that fits any schema (tool arguments, `json_schema` replies)
    sse.py            server-sent events: `data:` lines, `event:` lines, `data: [DONE]`, pacing, obfuscation
    json_bodies.py    JSON bodies as the real service writes them (indentation), and parsing requests
    errors.py         every error the mock can answer, in the real service's words
    tokens.py         an approximate tokenizer; catalogue.py the model catalogue; ids.py reproducible ids
    wire_record.py    the record of each exchange, keys redacted, bounded in bytes

The path of one request, from bytes to bytes
    http.py reads the request line and headers         (400 bad framing, 408 too slow, 413, 414, 431, 501)
    routes.MockApi.admit, before the body is read:     (the 404 or 401 is answered, the body read past, not kept)
        routes.find_route: method + path -> handler    (404 "Invalid URL" if none)
        auth.authenticate: Authorization: Bearer <key> (401 if missing or wrong)
    http.py reads the body                             -> Request, to routes.MockApi.handle
    rate_limits.RateLimiter.admit, when a limit is set  (429 once the minute's requests or tokens are used)
    faults.requested / before_answer                   (429, 500, 503; `timeout` waits)
    chat/api.create_completion: chat/validation -> replies -> chat/shapes
      (or responses/api.create_response: responses/validation -> replies -> responses/shapes,
       its input items turned into chat messages once, so replies.py answers both APIs alike)
    json_bodies.json_response (whole) or sse.PacedEvents (streamed)  -> Response
    the latency setting's wait, if any, before the first byte
    faults.after_answer                                (`disconnect` cuts, `buffered` holds back, `html` replaces)
    http.py writes the head and the body in one write, or each event as one chunk; wire_record files it

Why two calls across the seam (`admit`, then `handle`): the HTTP layer knows nothing of keys or paths, yet
a request the API will refuse anyway should not cost the server its body. So after the head, http.py asks
the API side whether to read on; the API side answers with a Response (refused) or None (read the body).
Limits on every byte and second a client can cost are in http.Limits (README, "Limits").

What this mock deliberately does not do
    - think: answers are scripted or a fixed fallback, the same for the same request;
    - count tokens exactly: tokens.py approximates a byte-pair tokenizer;
    - HTTP/2, compression, or any endpoint beyond those in routes.ROUTES (https:// only with `tls=True`,
      on a self-signed certificate for localhost: see tls/README.md);
    - store chat completions (`GET /v1/chat/completions` lists none);
    - Responses: background mode, `conversation` and stored `prompt` are refused with a 400 that says
      the mock cannot do them; built-in tools (web_search, file_search, ...) are refused the same way, and
      only function tools are called; input items other than messages, function calls and their outputs
      are refused, and so is `GET /v1/responses/{id}?stream=true` (replaying a stream); a stream never
      fails half-way with an `error` event or `response.failed` (the `disconnect` fault cuts it instead);
    - check images, audio or files beyond their JSON shape;
    - follow a custom tool's grammar or a schema's `pattern`: a custom call's input is the prompt, and a
      string is a plain word (types, enums, consts, ranges, lengths and item counts are kept).
"""

from .rate_limits import RateLimit
from .server import DEFAULT_TOKENS_PER_SECOND, MOCK_API_KEY, MockServer, start_mock_server
from .wire_record import Exchange

__all__ = ["DEFAULT_TOKENS_PER_SECOND", "MOCK_API_KEY", "Exchange", "MockServer", "RateLimit",
           "start_mock_server"]
