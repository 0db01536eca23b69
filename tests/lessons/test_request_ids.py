"""A request id identifies one call, and the lessons say so: no id shown in the stored outputs of one
notebook may appear in another's, and within the collection every mock server a notebook starts makes
its ids from a seed of its own (passed explicitly: a kernel does not know its notebook's name)."""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
# The ids the mock makes per call (ids.py): request, completion, response and its items, tool calls.
CALL_ID = re.compile(r"\b(?:req_[0-9a-f]{32}|chatcmpl-[A-Za-z0-9]{29}|(?:resp|msg|fc|fco|rs)_[0-9a-f]{50}"
                     r"|call_[A-Za-z0-9]{24})\b")
SERVER_STARTERS = {"start_mock_server", "MockServer"}


def notebooks() -> list[Path]:
    """Every notebook, not JupyterLab's checkpoints of them (a copy would show its notebook's ids)."""
    return sorted(path for path in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts)


def name_of(path: Path) -> str:
    """The seed a notebook passes: its path under notebooks/, without .ipynb."""
    return path.relative_to(NOTEBOOKS).with_suffix("").as_posix()


def output_text(output: dict[str, Any]) -> str:
    data = output.get("data", {})
    parts = [output.get("text", ""), data.get("text/plain", ""), data.get("text/html", "")]
    return "".join("".join(part) if isinstance(part, list) else part for part in parts)


def ids_shown(path: Path) -> set[str]:
    cells = json.loads(path.read_text())["cells"]
    return {found for cell in cells for output in cell.get("outputs", [])
            for found in CALL_ID.findall(output_text(output))}


def test_no_id_of_a_call_appears_in_two_notebooks():
    seen: dict[str, set[str]] = defaultdict(set)
    for path in notebooks():
        for found in ids_shown(path):
            seen[found].add(name_of(path))
    repeated = {found: sorted(where) for found, where in seen.items() if len(where) > 1}
    assert not repeated, f"ids shown in more than one notebook (pass each server its own seed): {repeated}"


def _literal(seed: ast.expr | None) -> str | None:
    """A seed written as a string, or as an f-string (one server per profile in a loop: `f"07/survey/{name}"`
    counts by its written form, each `{...}` left as it stands, so it must still differ from every other)."""
    if isinstance(seed, ast.Constant) and isinstance(seed.value, str):
        return seed.value
    if isinstance(seed, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{...}" for part in seed.values)
    return None


def seeds_passed(path: Path) -> list[tuple[str, str | None]]:
    """Each `helpers.connect(...)`, `start_mock_server(...)` or `MockServer(...)` call in the notebook's
    code, with the `seed=` it passes (None without one), in order."""
    calls = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tree = ast.parse("\n".join(line for line in source.splitlines() if not line.startswith(("%", "!"))))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                if name in SERVER_STARTERS or (name == "connect" and "helpers" in ast.unparse(node.func)):
                    seed = next((k.value for k in node.keywords if k.arg == "seed"), None)
                    value = _literal(seed)
                    calls.append((name, value))
    return calls


def test_each_notebook_seeds_the_lessons_server_with_its_own_name():
    for path in notebooks():
        connects = [seed for name, seed in seeds_passed(path) if name == "connect"]
        if connects:
            assert connects[0] == name_of(path), (
                f"{name_of(path)}: its first helpers.connect(...) must pass seed={name_of(path)!r}")


def test_every_other_server_a_notebook_starts_has_a_seed_no_other_server_has():
    seeds: dict[str, list[str]] = defaultdict(list)
    for path in notebooks():
        for name, seed in seeds_passed(path):
            if name in SERVER_STARTERS:
                assert seed, f"{name_of(path)}: {name}(...) without seed=: its ids repeat another server's"
                seeds[seed].append(name_of(path))
    lesson_seeds = {name_of(path) for path in notebooks()}
    shared = {seed: where for seed, where in seeds.items() if len(where) > 1 or seed in lesson_seeds}
    assert not shared, f"seeds used by more than one server: {shared}"
