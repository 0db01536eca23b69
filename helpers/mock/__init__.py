"""A mock of the OpenAI API that runs offline, in the standard library only: what a real provider does
with your request, small enough to read in an afternoon.

Start it from Python (`MockServer().start()`, or `helpers.connect()` in a lesson) or on its own
(`python -m helpers.mock --port 8000`, or `make serve`).

Reading order
    server.py         MockServer: start, stop, base_url, api_key, script_reply, inject_fault, exchanges
    http.py           HTTP/1.1: bytes off the socket into a Request, a Response back into bytes
    routes.py         the table of paths, and the way every request takes through the API
    auth.py           the Bearer key check that decides every 401
    faults.py         429, 500, 503, timeout and disconnect, switched on by a lesson
    rate_limits.py    the account's limits: the 200s' x-ratelimit-* headers and the 429's, from one place
    profiles.py       `openai` (every detail of the real service) or `minimal` (a plain compatible server)
    chat.py           POST /v1/chat/completions, from checked request to reply
    validation.py     every parameter the SDK can send, checked as the real API checks it
    replies.py        what the mock answers: scripted replies, a fallback, tool calls, JSON
    openai_shapes.py  the JSON of a completion, its streamed chunks, models
    sse.py            server-sent events: `data:` lines, `data: [DONE]`, pacing, obfuscation
    json_bodies.py    JSON bodies as the real service writes them (indentation), and parsing requests
    errors.py         every error the mock can answer, in the real service's words
    tokens.py         an approximate tokenizer; models.py the model catalogue; ids.py reproducible ids
    wire_record.py    the record of each exchange, keys redacted; context.py what a handler is given

The path of one request, from bytes to bytes
    http.py reads the request line, headers and body   -> Request
    routes.find_route: method + path -> handler        (404 "Invalid URL" if none)
    auth.authenticate: Authorization: Bearer <key>     (401 if missing or wrong)
    faults.requested / before_answer                   (429, 500, 503; `timeout` waits; `disconnect` marks)
    chat.create_completion: validation -> replies -> openai_shapes
    json_bodies.json_response (whole) or sse.PacedEvents (streamed)  -> Response
    http.py writes the head and the body in one write, or each event as one chunk; wire_record files it

What this mock deliberately does not do
    - think: answers are scripted or a fixed fallback, the same for the same request;
    - count tokens exactly: tokens.py approximates a byte-pair tokenizer;
    - HTTPS, HTTP/2, compression, or any endpoint beyond those in routes.ROUTES;
    - store chat completions (`GET /v1/chat/completions` lists none);
    - check images, audio or files beyond their JSON shape.
"""

from .server import DEFAULT_TOKENS_PER_SECOND, MOCK_API_KEY, MockServer, start_mock_server
from .wire_record import Exchange

__all__ = ["DEFAULT_TOKENS_PER_SECOND", "MOCK_API_KEY", "Exchange", "MockServer", "start_mock_server"]
