"""Checks every request parameter against a table of its JSON type, range and allowed values, in the real
API's words. Each family's validation.py has a table; `checked_body` is the whole check of the smaller ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import errors

# Each kind of JSON value a table names, and how to recognise it. A bool is not a number here, as in JSON.
TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "decimal": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string or array": lambda v: isinstance(v, (str, list)),
    "string or object": lambda v: isinstance(v, (str, dict)),
}

Table = dict[str, tuple[str, bool]]  # name -> (JSON kind, whether null is allowed)


def check_type(table: Table, name: str, value: Any) -> None:
    kind, nullable = table[name]
    if value is None and nullable:
        return
    if not TYPE_CHECKS[kind](value):
        article = "an" if kind[0] in "aeiou" else "a"
        raise errors.invalid_type(name, f"{article} {kind}", value)


def checked_body(body: Any, table: Table, required: tuple[str, ...]) -> dict[str, Any]:
    """A request body as the smaller families check it: a JSON object whose every field the table knows, with
    the required ones there and each of its JSON type; the first that is not is the 400."""
    if not isinstance(body, dict):
        raise errors.invalid_type("body", "an object", body)
    for name in body:
        if name not in table:
            raise errors.unknown_parameter(name)
    return _required_and_typed(body, table, required)


def known_fields(body: Any, table: Table, required: tuple[str, ...], strict: bool = True) -> dict[str, Any]:
    """A request body as Chat Completions and embeddings check it: a JSON object; fields the table does not
    know refused all together (`strict`) or dropped, as a plain compatible server ignores them; the required
    ones there; each of its JSON type. Returns the known fields."""
    if not isinstance(body, dict):
        raise errors.invalid_type("body", "an object", body)
    unknown = [name for name in body if name not in table]
    if unknown and strict:
        raise errors.unrecognized_arguments(unknown)
    known: dict[str, Any] = {name: value for name, value in body.items() if name in table}
    return _required_and_typed(known, table, required)


def _required_and_typed(fields: dict[str, Any], table: Table, required: tuple[str, ...]) -> dict[str, Any]:
    """The checks both kinds of body share, once its unknown fields are dealt with: the required fields there
    (the first missing is the 400), then each field of its JSON type. Returns the fields."""
    for name in required:
        if name not in fields:
            raise errors.missing_parameter(name)
    for name, value in fields.items():
        check_type(table, name, value)
    return fields


def page_size(query: dict[str, list[str]]) -> int:
    """A list's `limit` (20 when not given), 1 to 100; otherwise a 400 in the mock's words."""
    text = query.get("limit", ["20"])[0]
    if not (text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= 100):
        raise errors.invalid_request(f"Invalid 'limit': expected an integer from 1 to 100, got '{text[:20]}'.",
                                     param="limit")
    return int(text)


def check_ranges_and_choices(body: dict[str, Any], table: Table, ranges: dict[str, tuple[float, float]],
                             choices: dict[str, list[str]]) -> None:
    for name, (low, high) in ranges.items():
        value = body.get(name)
        if value is None:
            continue
        kind = table[name][0]
        if value > high:
            raise errors.out_of_range(name, value, high, above=True, kind=kind)
        if value < low:
            raise errors.out_of_range(name, value, low, above=False, kind=kind)
    for name, allowed in choices.items():
        value = body.get(name)
        if value is not None and value not in allowed:
            raise errors.invalid_value(name, value, allowed)
