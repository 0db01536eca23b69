"""Notebook display of one exchange: the request and the response as they crossed the wire, key redacted.
JSON bodies are pretty-printed and long streams trimmed in the middle, so the output stays readable."""

from __future__ import annotations

import json

from .mock import Exchange

NO_WIRE_RECORD = "(No wire record: only the local mock server records exchanges; a real provider keeps none.)"


def _pretty(body: str, max_lines: int) -> str:
    try:
        text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        text = body
    lines = text.splitlines()
    if len(lines) > max_lines:
        lines = [*lines[:max_lines], f"... ({len(lines) - max_lines} more lines)"]
    return "\n".join(lines)


def _trimmed(frames: list[str], max_frames: int) -> list[str]:
    if len(frames) <= max_frames:
        return frames
    head, tail = frames[: max_frames - 3], frames[-3:]
    return [*head, f"... ({len(frames) - max_frames} more events) ...", *tail]


def _unrecorded(size: int) -> str:
    """The note for the part of a body the record left out, to stay small (wire_record.py)."""
    return f"[… {size} bytes not recorded]"


def format_exchange(exchange: Exchange, *, max_lines: int = 40, max_frames: int = 8) -> str:
    parts = [exchange.request_line]
    parts += [f"{name}: {value}" for name, value in exchange.request_headers]
    if exchange.request_body:
        parts += ["", _pretty(exchange.request_body, max_lines)]
    if exchange.request_body_unrecorded:
        parts += ["", _unrecorded(exchange.request_body_unrecorded)]
    parts += ["", f"HTTP/1.1 {exchange.status} {exchange.reason}"]
    parts += [f"{name}: {value}" for name, value in exchange.response_headers]
    parts.append("")
    if exchange.frames:
        parts += [frame for event in _trimmed(exchange.frames, max_frames) for frame in (event, "")]
    elif exchange.response_body:
        parts.append(_pretty(exchange.response_body, max_lines))
    if exchange.response_body_unrecorded:
        parts.append(_unrecorded(exchange.response_body_unrecorded))
    if exchange.frames_unrecorded:
        parts.append(f"[… {exchange.frames_unrecorded} more events not recorded]")
    if exchange.broken_off:
        parts.append("[connection closed before the response was complete]")
    return "\n".join(parts).rstrip() + "\n"


def show_exchange(exchange: Exchange | None, **options: int) -> None:
    """Print one exchange; with no exchange (a real service keeps no record for us) say so and step aside."""
    if exchange is None:
        print(NO_WIRE_RECORD)
        return
    print(format_exchange(exchange, **options), end="")
