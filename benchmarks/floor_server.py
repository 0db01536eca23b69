"""The floor: the least an HTTP/1.1 keep-alive server can do, so a client's own cost shows on its own.
Raw sockets, a thread per connection, canned bytes; `python benchmarks/floor_server.py [port]` prints its port.

It reads each request properly (headers up to the blank line, then Content-Length bytes of body), so
`requests` and the openai SDK accept it as a real server; it answers every request with one prepared
chat completion (or, when the body asks for `"stream": true`, a prepared stream, one chunk per write);
a request to /v1/responses gets a prepared response, or its prepared stream of typed events; a request to
/v1/embeddings gets a prepared vector of 1536 numbers, as floats or (when the body asks) as base64.
"""

from __future__ import annotations

import base64
import json
import math
import re
import socket
import struct
import sys
import threading

MODEL = "gpt-5.4-mini"
STREAM_TOKENS = 200
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
_ASKS_FOR_STREAM = re.compile(rb'"stream"\s*:\s*true')
_RESPONSES_PATH = re.compile(rb"^POST /v1/responses ")
_EMBEDDINGS_PATH = re.compile(rb"^POST /v1/embeddings ")
_ASKS_FOR_BASE64 = re.compile(rb'"encoding_format"\s*:\s*"base64"')

# Headers like the mock's (and the real service's), so both answers are about the same size.
_HEADERS = (
    "date: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
    "x-ratelimit-limit-requests: 5000\r\nx-ratelimit-remaining-requests: 4999\r\n"
    "x-ratelimit-reset-requests: 12ms\r\nx-ratelimit-limit-tokens: 2000000\r\n"
    "x-ratelimit-remaining-tokens: 1999975\r\nx-ratelimit-reset-tokens: 0s\r\n"
    "x-request-id: req_00000000000000000000000000000000\r\n"
    "openai-processing-ms: 0\r\nopenai-version: 2020-10-01\r\n"
)


def _completion_body() -> bytes:
    message = {"role": "assistant", "content": "The program packs the prompt into JSON, sends it in an HTTP POST "
               "to the provider's API, the provider runs the model on it, and the reply comes back as JSON.",
               "refusal": None, "annotations": []}
    completion = {
        "id": "chatcmpl-00000000000000000000000000000", "object": "chat.completion", "created": 1767225600,
        "model": MODEL, "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 25, "completion_tokens": 40, "total_tokens": 65,
                  "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
        "service_tier": "default", "system_fingerprint": "fp_0000000000",
    }
    return json.dumps(completion, indent=2).encode()


def canned_completion() -> bytes:
    """The whole response, status line to last byte: what every non-streaming request gets."""
    body = _completion_body()
    head = (f"HTTP/1.1 200 OK\r\ncontent-length: {len(body)}\r\ncontent-type: application/json\r\n"
            f"{_HEADERS}\r\n")
    return head.encode() + body


def canned_stream() -> list[bytes]:
    """A 200-token stream as the writes that carry it: the head, one chunk per event, the last chunk."""

    def chunk(delta: dict, finish_reason: str | None = None) -> bytes:
        event = {"id": "chatcmpl-00000000000000000000000000000", "object": "chat.completion.chunk",
                 "created": 1767225600, "model": MODEL, "service_tier": "default",
                 "system_fingerprint": "fp_0000000000",
                 "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
                 "obfuscation": "abcdef"}
        data = f"data: {json.dumps(event, separators=(',', ':'))}\n\n".encode()
        return b"%x\r\n%s\r\n" % (len(data), data)

    head = (f"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            f"{_HEADERS}\r\n").encode()
    writes = [head, chunk({"role": "assistant", "content": "", "refusal": None})]
    writes += [chunk({"content": " word"}) for _ in range(STREAM_TOKENS)]
    writes += [chunk({}, "stop"), b"%x\r\ndata: [DONE]\n\n\r\n" % len(b"data: [DONE]\n\n"), b"0\r\n\r\n"]
    return writes


_ANSWER = ("The program packs the prompt into JSON, sends it in an HTTP POST to the provider's API, the provider "
           "runs the model on it, and the reply comes back as JSON.")
_HEX = "0" * 50


def _response(status: str, output: list[dict], usage: dict | None) -> dict:
    """A Responses API response with every field the mock's has, so both answers are about the same size."""
    return {
        "id": f"resp_{_HEX}", "object": "response", "created_at": 1767225600, "status": status,
        "background": False, "completed_at": 1767225600 if status == "completed" else None, "error": None,
        "incomplete_details": None, "instructions": None, "max_output_tokens": None, "max_tool_calls": None,
        "model": MODEL, "moderation": None, "output": output, "parallel_tool_calls": True,
        "previous_response_id": None, "prompt_cache_key": None, "prompt_cache_retention": "in_memory",
        "reasoning": {"effort": "medium", "summary": None}, "safety_identifier": None,
        "service_tier": "default", "store": True, "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"}, "tool_choice": "auto",
        "tool_usage": {"image_gen": {"input_tokens": 0, "input_tokens_details": {"image_tokens": 0, "text_tokens": 0},
                                     "output_tokens": 0, "output_tokens_details": {"image_tokens": 0,
                                                                                   "text_tokens": 0},
                                     "total_tokens": 0}, "web_search": {"num_requests": 0}},
        "tools": [], "top_logprobs": 0, "top_p": 1.0, "truncation": "disabled", "usage": usage, "user": None,
        "metadata": {},
    }


def _output(text: str) -> list[dict]:
    part = {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
    return [{"id": f"rs_{_HEX}", "type": "reasoning", "summary": []},
            {"id": f"msg_{_HEX}", "type": "message", "status": "completed", "content": [part], "role": "assistant"}]


_USAGE = {"input_tokens": 25, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
          "output_tokens": 40, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 65}


def canned_response() -> bytes:
    """The whole response to a non-streaming POST /v1/responses, status line to last byte."""
    body = json.dumps(_response("completed", _output(_ANSWER), _USAGE), indent=2).encode()
    head = (f"HTTP/1.1 200 OK\r\ncontent-length: {len(body)}\r\ncontent-type: application/json\r\n"
            f"{_HEADERS}\r\n")
    return head.encode() + body


def canned_response_stream() -> list[bytes]:
    """A 200-token Responses stream as its writes: the head, one chunk per typed event, the last chunk."""
    def chunk(event: dict) -> bytes:
        data = f"event: {event['type']}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n".encode()
        return b"%x\r\n%s\r\n" % (len(data), data)

    started = _response("in_progress", [], None)
    reasoning, message = _output(" word" * STREAM_TOKENS)
    where = {"item_id": message["id"], "output_index": 1, "content_index": 0}
    events = [
        {"type": "response.created", "response": started}, {"type": "response.in_progress", "response": started},
        {"type": "response.output_item.added", "output_index": 0, "item": reasoning},
        {"type": "response.output_item.done", "output_index": 0, "item": reasoning},
        {"type": "response.output_item.added", "output_index": 1, "item": {**message, "content": []}},
        {"type": "response.content_part.added", **where, "part": {**message["content"][0], "text": ""}},
        *({"type": "response.output_text.delta", **where, "delta": " word", "logprobs": [],
           "obfuscation": "abcdef"} for _ in range(STREAM_TOKENS)),
        {"type": "response.output_text.done", **where, "text": message["content"][0]["text"], "logprobs": []},
        {"type": "response.content_part.done", **where, "part": message["content"][0]},
        {"type": "response.output_item.done", "output_index": 1, "item": message},
        {"type": "response.completed", "response": _response("completed", [reasoning, message], _USAGE)},
    ]
    head = (f"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            f"{_HEADERS}\r\n").encode()
    numbered = [{"type": e.pop("type"), "sequence_number": n, **e} for n, e in enumerate(events)]
    return [head, *map(chunk, numbered), b"0\r\n\r\n"]


def canned_embedding(encoded: bool) -> bytes:
    """One 1536-number vector, as the mock writes it: each number to 10 decimal places, or base64 float32."""
    numbers = [math.sin(n) / math.sqrt(768) for n in range(1536)]
    packed = base64.b64encode(struct.pack("<1536f", *numbers)).decode()
    vector = "[\n" + ",\n".join(f"        {x:.10f}" for x in numbers) + "\n      ]"
    body = json.dumps({"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": "@"}],
                       "model": "text-embedding-3-small", "usage": {"prompt_tokens": 17, "total_tokens": 17}},
                      indent=2).replace('"@"', json.dumps(packed) if encoded else vector).encode()
    head = (f"HTTP/1.1 200 OK\r\ncontent-length: {len(body)}\r\ncontent-type: application/json\r\n"
            f"{_HEADERS}\r\n")
    return head.encode() + body


COMPLETION = canned_completion()
EMBEDDING = canned_embedding(encoded=False)
EMBEDDING_BASE64 = canned_embedding(encoded=True)
STREAM = canned_stream()
RESPONSE = canned_response()
RESPONSE_STREAM = canned_response_stream()


def serve_connection(connection: socket.socket) -> None:
    """Answer request after request on one connection until the client closes it."""
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    received = b""
    with connection:
        while True:
            while b"\r\n\r\n" not in received:
                data = connection.recv(65536)
                if not data:
                    return
                received += data
            head, _, received = received.partition(b"\r\n\r\n")
            match = _CONTENT_LENGTH.search(head)
            length = int(match.group(1)) if match else 0
            while len(received) < length:
                data = connection.recv(65536)
                if not data:
                    return
                received += data
            body, received = received[:length], received[length:]
            responses = bool(_RESPONSES_PATH.match(head))
            if _EMBEDDINGS_PATH.match(head):
                connection.sendall(EMBEDDING_BASE64 if _ASKS_FOR_BASE64.search(body) else EMBEDDING)
            elif _ASKS_FOR_STREAM.search(body):
                for write in RESPONSE_STREAM if responses else STREAM:  # one write per event, as it is due
                    connection.sendall(write)
            else:
                connection.sendall(RESPONSE if responses else COMPLETION)


def accept_forever(listener: socket.socket) -> None:
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=serve_connection, args=(connection,), daemon=True).start()


def main(port: int = 0) -> None:
    """Serve on 127.0.0.1 until stdin closes (so the server never outlives the benchmark that started it)."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    print(listener.getsockname()[1], flush=True)
    threading.Thread(target=accept_forever, args=(listener,), daemon=True).start()
    sys.stdin.read()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
