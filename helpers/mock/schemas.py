"""JSON schemas as Structured Outputs reads them: the strict-mode rules and size limits the real API enforces,
and a value that fits a schema, which is how the mock writes tool arguments and `json_schema` replies."""

from __future__ import annotations

import math
import re
from typing import Any

# The limits OpenAI's Structured Outputs guide documents: "up to 5000 object properties total, with up to
# 10 levels of nesting", checked for strict schemas (chat/validation.py). Any other schema is bounded by the
# JSON body's own limits (json_bodies.MAX_JSON_DEPTH, the body size), and so is the mock's work filling it.
MAX_NESTING = 10
MAX_PROPERTIES = 5000

# A recursive schema ($ref back to an enclosing definition) is filled in this deep, then cut short
# (empty arrays, the null branch of an anyOf), so that the value is finite.
_MAX_FILL_DEPTH = 6


class SchemaProblem(ValueError):
    """Why a schema is refused, in the words the real API uses after "Invalid schema for ...: "."""


# --- what the real API refuses ----------------------------------------------------------------------

def check_is_schema(schema: Any) -> None:
    """A JSON schema is an object (or `true`/`false`); the real API words anything else as JSON Schema's
    own validator does ("None is not of type 'object', 'boolean'.")."""
    if not isinstance(schema, (dict, bool)):
        raise SchemaProblem(f"{schema!r} is not of type 'object', 'boolean'.")


def check_limits(schema: Any) -> None:
    """Raise SchemaProblem for a schema nested deeper than MAX_NESTING or with more than MAX_PROPERTIES."""
    properties, deepest = 0, 0
    # Walked with a list, not recursion: a hostile schema may be nested as deep as the JSON parser allows.
    # Each node is visited once, so the work grows with the size of the request body, which is bounded.
    waiting: list[tuple[Any, int]] = [(schema, 1)]
    while waiting:
        node, depth = waiting.pop()
        if not isinstance(node, dict):
            continue
        if _is_nesting(node):
            deepest = max(deepest, depth)
        if isinstance(node.get("properties"), dict):
            properties += len(node["properties"])
            if properties > MAX_PROPERTIES:
                raise SchemaProblem(f"{properties} object properties exceeds limit of {MAX_PROPERTIES}.")
        step = 1 if _is_nesting(node) else 0
        waiting += [(child, depth + step) for _, child in _subschemas(node)]
    if deepest > MAX_NESTING:
        raise SchemaProblem(f"{deepest} levels of nesting exceeds limit of {MAX_NESTING}.")


def strict_problem(schema: Any) -> str | None:
    """The first rule of strict mode this schema breaks, as the real API words it, or None.

    Strict mode: the root is an object; every object lists every property in `required` and sets
    `additionalProperties: false`; every array says what its `items` are. `context` is where, as a path."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        kind = schema.get("type") if isinstance(schema, dict) else None
        return f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{kind}\"'."
    waiting: list[tuple[Any, tuple[str, ...]]] = [(schema, ())]
    while waiting:
        node, path = waiting.pop(0)
        if not isinstance(node, dict):
            continue
        problem = _strict_node_problem(node)
        if problem:
            return f"In context={path!r}, {problem}"
        waiting += [(child, (*path, *step)) for step, child in _subschemas(node)]
    return None


def _strict_node_problem(node: dict[str, Any]) -> str | None:
    kinds = _kinds(node)
    if "object" in kinds or "properties" in node:
        if node.get("additionalProperties") is not False:
            return "'additionalProperties' is required to be supplied and to be false."
        properties = _member(node, "properties", dict)
        required = _member(node, "required", list)
        missing = [name for name in properties if name not in required]
        if missing or not isinstance(node.get("required"), list):
            missing_text = f" Missing '{missing[0]}'." if missing else ""
            return ("'required' is required to be supplied and to be an array including every key in "
                    f"properties.{missing_text}")
    if "array" in kinds and "items" not in node:
        return "array schema missing items."
    return None


def _subschemas(node: dict[str, Any]) -> list[tuple[tuple[str, ...], Any]]:
    """Each schema directly inside `node`, with the path steps that lead to it (as the API's context shows)."""
    found: list[tuple[tuple[str, ...], Any]] = []
    for keyword in ("properties", "$defs", "definitions"):
        if isinstance(node.get(keyword), dict):
            found += [((keyword, name), sub) for name, sub in node[keyword].items()]
    if isinstance(node.get("items"), dict):
        found.append((("items",), node["items"]))
    for keyword in ("anyOf", "allOf", "oneOf"):
        if isinstance(node.get(keyword), list):
            found += [((keyword, str(i)), sub) for i, sub in enumerate(node[keyword])]
    return found


def _kinds(node: dict[str, Any]) -> list[Any]:
    """The node's `type` as a list: "object" and ["object", "null"] alike."""
    kind = node.get("type")
    return kind if isinstance(kind, list) else [kind]


def _member(node: dict[str, Any], key: str, kind: type[Any]) -> Any:
    """`node[key]` if it is a `kind` (dict, list, int), else an empty one (0 for int)."""
    value = node.get(key)
    return value if isinstance(value, kind) and not isinstance(value, bool) else kind()


def _is_nesting(node: dict[str, Any]) -> bool:
    """Objects and arrays are what the nesting limit counts."""
    kinds = _kinds(node)
    return "object" in kinds or "array" in kinds or "properties" in node or "items" in node


# --- a value that fits ------------------------------------------------------------------------------

def fill(schema: Any, words: dict[str, Any], default_text: str) -> Any:
    """A value that validates against `schema` (after check_limits has passed it).

    `words` offers values by property name (`{"city": "Paris"}`): one is used where it fits the property's
    schema. A property that may be null and is offered no value is null, as a model writes for something
    the prompt does not say. Any other string is `default_text`; numbers are their minimum or 1."""
    return _Filler(schema, words, default_text).value(schema, 0, None)


class _Filler:
    def __init__(self, root: Any, words: dict[str, Any], default_text: str) -> None:
        self.root, self.words, self.default_text = root, words, default_text

    def value(self, schema: Any, depth: int, name: str | None) -> Any:
        if not isinstance(schema, dict):
            return None  # `true` or a non-schema: anything fits, so null does
        if "$ref" in schema:
            return self.value(self.resolve(schema["$ref"]), depth + 1, name)
        if name in self.words and _fits_simply(self.words[name], schema):
            return self.words[name]
        if name is not None and _allows_null(schema):
            return None
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        for keyword in ("anyOf", "oneOf"):
            options = schema.get(keyword)
            if isinstance(options, list) and options:
                return self.value(self.choose(options, depth), depth + 1, name)
        if isinstance(schema.get("allOf"), list) and schema["allOf"]:
            return self.value(schema["allOf"][0], depth + 1, name)
        return self.of_type(schema, self.kind(schema, depth), depth, name)

    def kind(self, schema: dict[str, Any], depth: int) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):  # ["string", "null"]: the first that is not null, unless too deep
            real = [k for k in kind if k != "null"]
            return "null" if not real or (depth > _MAX_FILL_DEPTH and "null" in kind) else str(real[0])
        if isinstance(kind, str):
            return kind
        return "object" if "properties" in schema else "array" if "items" in schema else "string"

    def of_type(self, schema: dict[str, Any], kind: str, depth: int, name: str | None) -> Any:
        if kind == "object":
            properties = _member(schema, "properties", dict)
            return {key: self.value(sub, depth + 1, key) for key, sub in properties.items()}
        if kind == "array":
            return self.array(schema, depth, name)
        if kind == "string":
            return _string(schema, self.default_text)
        if kind in ("integer", "number"):
            return _number(schema)
        if kind == "boolean":
            return True
        return None

    def array(self, schema: dict[str, Any], depth: int, name: str | None) -> list[Any]:
        low: int = _member(schema, "minItems", int)
        high: int = schema["maxItems"] if isinstance(schema.get("maxItems"), int) else 1
        count = max(low, min(1, high)) if depth <= _MAX_FILL_DEPTH else low
        return [self.value(schema.get("items", {}), depth + 1, None) for _ in range(min(count, 100))]

    def choose(self, options: list[Any], depth: int) -> Any:
        """The first option; deep in a recursive schema, the first that does not recurse (often null)."""
        if depth <= _MAX_FILL_DEPTH:
            return options[0]
        plain = [o for o in options if isinstance(o, dict) and "$ref" not in o and not _is_nesting(o)]
        return plain[0] if plain else options[0]

    def resolve(self, ref: Any) -> Any:
        """`#`, `#/$defs/Name` or `#/definitions/Name`, within the root schema; anything else fits nothing."""
        if not isinstance(ref, str) or not ref.startswith("#"):
            return {}
        node = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            node = node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
        return node if isinstance(node, dict) else {}


def _string(schema: dict[str, Any], text: str) -> str:
    formats = {"date-time": "2026-12-01T09:00:00Z", "date": "2026-12-01", "time": "09:00:00",
               "email": "ada@example.com", "uuid": "00000000-0000-4000-8000-000000000000"}
    value = formats.get(str(schema.get("format")), text)
    low: int = _member(schema, "minLength", int)
    high = schema["maxLength"] if isinstance(schema.get("maxLength"), int) else None
    value = value.ljust(min(low, 10_000), "x")
    return value[:high] if high is not None else value


def _number(schema: dict[str, Any]) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    value: int | float = 1
    if isinstance(low, (int, float)) and not isinstance(low, bool):
        value = low + (1 if "minimum" not in schema else 0)
    elif isinstance(high, (int, float)) and not isinstance(high, bool) and high < 1:
        value = high - (1 if "maximum" not in schema else 0)
    return math.ceil(value) if schema.get("type") == "integer" else value


def _allows_null(schema: dict[str, Any]) -> bool:
    """`"type": [..., "null"]`, or an `anyOf` with a `{"type": "null"}` branch."""
    options: list[Any] = _member(schema, "anyOf", list)
    return "null" in _kinds(schema) or any(
        isinstance(option, dict) and option.get("type") == "null" for option in options)


def _fits_simply(value: Any, schema: dict[str, Any]) -> bool:
    """Whether an offered value certainly fits: a plain string, integer, number or boolean schema
    (an enum, if any, naming it), or an array of such without length limits."""
    simple = {"string": str, "integer": int, "number": (int, float), "boolean": bool}
    if set(schema) - {"type", "description", "title", "enum", "items"}:
        return False  # a pattern, a format, a length or a range: not worth the risk
    kind = schema.get("type")
    if kind == "array" and isinstance(value, list) and isinstance(schema.get("items"), dict):
        return all(_fits_simply(item, schema["items"]) for item in value)
    if kind not in simple or isinstance(value, bool) != (kind == "boolean") or isinstance(value, list):
        return False
    if not isinstance(value, simple[kind]):  # type: ignore[arg-type]
        return False
    return not isinstance(schema.get("enum"), list) or value in schema["enum"]


def words_from(prompt: str) -> tuple[list[str], str]:
    """The names a prompt mentions (capitalised words after the first: "Paris", "Tokyo"), and the text
    the mock writes into string fields: the last of those names, or "example"."""
    names = re.findall(r"(?<!^)(?<![.?!] )\b[A-Z][a-z]+\b", prompt)
    return names, names[-1] if names else "example"
