"""A mock of the OpenAI API that runs offline, in the standard library only: what a real provider does
with your request, small enough to read in an afternoon.

Start it from Python (`MockServer().start()`, or `helpers.connect()` in a lesson) or on its own
(`python -m helpers.mock --port 8000`, or `make serve`).

Reading order
    server.py         MockServer: start, stop, base_url, api_key, script_reply, inject_fault, exchanges
    serving.py        the server's loop: accept, park idle connections in a selector, hand whole requests to workers
    http.py           HTTP/1.1: bytes off the socket into a Request, a Response back into bytes; `Api`, the seam
    routes.py         the table of paths, and the way every request takes through the API (MockApi, the `Api`)
    calls.py          what a handler is given: the Call (request, path values, settings) and the Settings
    auth.py           the Bearer key check that decides every 401
    faults.py         429, 500, 503, timeout, disconnect, buffered and html, switched on by a lesson; and
                      streams that fail after their 200 (an error event, response.failed or .incomplete,
                      a stream ended before its terminal event), played by each family's stream code
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
                      responses/store.py keeps them, bounded (200 responses, 8 MiB), oldest evicted first;
                      responses/background.py runs `background: true` on the mock's clock (`job_seconds`):
                      queued, in progress, done; cancel; a streamed one replayed from `starting_after`
                      window.py the context window (`truncation`), input_tokens.py POST .../input_tokens
    conversations/    /v1/conversations and its items; store.py keeps them, bounded (100, 8 MiB),
                      shared with `conversation` on /v1/responses
    models/           GET /v1/models and /v1/models/{model} (api.py, shapes.py: nothing to validate)
    embeddings/       POST /v1/embeddings: floats or base64 (little-endian float32), `dimensions`; vectors.py
                      makes them from the words of the text (not its meaning), the same on every run
    files/            POST /v1/files (multipart/form-data: files/multipart.py reads it strictly), GET list,
                      GET /{id}, GET /{id}/content, DELETE; files/store.py keeps them, bounded (100 files,
                      32 MiB) and refusing, not evicting, when full; other families put and get files there
    batches/          POST /v1/batches over a file of purpose "batch" (validated first: a bad line fails it
                      whole), GET, list, cancel; each line run through the endpoint's own handler, results
                      in output and error files; batches/store.py keeps them (100, 16 MiB) and their clock
    webhooks/         POST/GET/DELETE /v1/webhook_endpoints (loopback URLs only); events.py is told what
                      happened, delivery.py signs (Standard Webhooks) and sends it from 2 worker threads,
                      retried with back-off (5 attempts), at most 256 waiting, recorded in the wire record
    websocket/        GET /v1/responses upgraded to a WebSocket (RFC 6455): handshake.py (the 101, the accept
                      key, 426), frames.py (frames, fragments, close codes), session.py (response.create
                      answered with the SSE stream's own events, through responses/ and its store)

  Shared by every family:
    parameters.py     the checks every parameter table shares: JSON types, ranges, allowed values
    replies.py        what the mock answers: scripted replies, a fallback, refusals, tool calls (when, and
                      how many: `planned_tool_calls`), answers from tool results, JSON
    schemas.py        JSON schemas: strict mode's rules and size limits in the real API's words, and a
                      value that fits any schema (tool arguments, `json_schema` replies)
    sse.py            server-sent events: `data:` lines, `event:` lines, `data: [DONE]`, pacing, obfuscation
    json_bodies.py    JSON bodies as the real service writes them (indentation), and parsing requests
    errors.py         every error the mock can answer, in the real service's words
    attachments.py    images and files in Chat and Responses inputs: data URLs checked, then measured
    tokens.py         an approximate tokenizer; catalogue.py the model catalogue; ids.py reproducible ids
    prompt_cache.py   the prompt cache behind `cached_tokens` (both APIs): 1,024 tokens at least, steps of 128
    wire_record.py    the record of each exchange, keys redacted, bounded in bytes

The path of one request, from bytes to bytes
    serving.py, while the connection is idle:          bytes into its buffer until the head is whole (no thread)
    a worker thread (at most max_connections at once): http.Connection.serve
    http.py reads the request line and headers         (400 bad framing, 408 too slow, 413, 414, 431, 501)
    routes.MockApi.admit(head), before the body:       the route and the key, decided once
        routes.find_route: method + path -> handler    (404 "Invalid URL" if none)
        auth.authenticate: Authorization: Bearer <key> (401 if missing or wrong)
      -> a Response (the 404 or 401: sent, the body read past, never kept), or the answer function
    http.py reads the body                             -> Request, to the answer function (MockApi._handle)
    calls.Call: the request, its path values; Call.json() parses the body once, for all who read it
    rate_limits.RateLimiter.admit, when a limit is set  (429 once the minute's requests or tokens are used)
    faults.requested / before_answer                   (429, 500, 503; `timeout` waits)
    chat/api.create_completion: chat/validation -> replies -> chat/shapes
      (or responses/api.create_response: responses/validation -> replies -> responses/shapes,
       its input items turned into chat messages once, so replies.py answers both APIs alike)
    json_bodies.json_response (whole) or sse.PacedEvents (streamed)  -> Response
    routes: the x-ratelimit-* headers of a model's answer  (the one place they are written)
    the latency setting's wait, if any, before the first byte
    faults.after_answer                                (`disconnect` cuts, `buffered` holds back, `html` replaces)
    http.py writes the head and the body in one write, or each event as one chunk; wire_record files it
      (or, for a 101 with a `takeover`, the head, then the socket is the takeover's: a WebSocket's way in)
    the worker waits 2 ms for the next request, then gives the connection back to serving.py to park

Why one interface in two steps (`Api.admit(head)`, then the answer it returns): the HTTP layer knows nothing
of keys or paths, yet a request the API will refuse anyway should not cost the server its body. So after
the head, http.py asks the API once; the API decides the route and the key there and answers with a
Response (refused) or the function that answers once the body is read, so nothing is decided twice.
An answer is bytes with a length (JSON, a file's contents), a stream of events, or an upgrade (`takeover`).
Limits on every byte and second a client can cost are in http.Limits (README, "Limits").

What this mock deliberately does not do
    - think: answers are scripted or a fixed fallback, the same for the same request;
    - count tokens exactly: tokens.py approximates a byte-pair tokenizer;
    - miss the prompt cache: within its lifetime a repeated prefix is always found (the real one may not be);
    - HTTP/2, compression, or any endpoint beyond those in routes.ROUTES (https:// only with `tls=True`,
      on a self-signed certificate for localhost: see tls/README.md);
    - store chat completions (`GET /v1/chat/completions` lists none);
    - Responses: stored `prompt` and `prompt_cache_options.prewarm` are refused with a 400 that says the
      mock cannot do them; compaction (`context_management`, /v1/responses/compact) is not imitated;
      built-in tools (web_search, file_search, ...) are refused the same way, and only function tools
      are called; input items other than messages, function calls and their outputs are refused, and so is
      replaying the stream of a response that was not created with `background` and `stream`; a stream
      fails half-way (an `error` event, `response.failed`) only when a lesson injects a stream fault, and
      a background stream never does; a background response never fails or expires, and keeps no partial
      output when cancelled;
    - Batches: only /v1/chat/completions, /v1/responses and /v1/embeddings, at most 1000 requests, no
      streams or background inside; nothing expires (`expires_at` is written, never reached); the
      validation errors' codes and words are the mock's own;
    - Webhooks: deliveries only to 127.0.0.1, ::1 or localhost (the real service wants a public HTTPS URL);
      a few retries on a short clock, not days of them; no `update`, `rotate_secret`, `test` or event-type
      list; only response.* and batch.* events;
    - see images or read files: attachments.py checks them as the real API does and answers with what it
      measured (format, width x height, bytes, PDF pages); audio is not checked beyond its JSON shape;
    - embed meaning: its vectors come from the words of a text (embeddings/vectors.py), so texts that share
      words are close and texts that mean the same in other words are not; embeddings are not rate limited;
    - WebSocket: steering (`response.steer` gets `response.steer.failed`, `steering_not_supported`),
      `generate: false`, `background`, extensions (no permessage-deflate) and subprotocols; continuing a
      `store: false` response from the connection's memory (refused with an `error` event that says so);
      the rate limiter counts HTTP requests only; frames after the 101 are not in the wire record;
    - follow a custom tool's grammar or a schema's `pattern`: a custom call's input is the prompt, and a
      string is a plain word (types, enums, consts, ranges, lengths and item counts are kept).
"""

from .http import Limits
from .rate_limits import RateLimit
from .server import DEFAULT_TOKENS_PER_SECOND, MOCK_API_KEY, MockServer, start_mock_server
from .wire_record import Exchange

__all__ = ["DEFAULT_TOKENS_PER_SECOND", "MOCK_API_KEY", "Exchange", "Limits", "MockServer", "RateLimit",
           "start_mock_server"]
