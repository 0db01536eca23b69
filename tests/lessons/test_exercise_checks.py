"""An exercise's check must fail on a wrong answer, pass on a right one, and never read as a pass while
the learner has written nothing: these run the stored check cells against planted answers."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def tagged(path: Path, tag: str) -> str:
    cells = json.loads(path.read_text())["cells"]
    [source] = ["".join(c["source"]) for c in cells if tag in c.get("metadata", {}).get("tags", [])]
    return source


def stored_output(cell: dict[str, Any]) -> str:
    return "".join("".join(output.get("text", "")) for output in cell.get("outputs", []))


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.rglob("*.ipynb")), ids=lambda p: p.relative_to(NOTEBOOKS).as_posix())
def test_a_check_run_on_an_empty_exercise_says_first_that_nothing_was_checked(path: Path):
    """The stored outputs come from a run with the exercise as the learner finds it: empty."""
    checks = [c for c in json.loads(path.read_text())["cells"] if "check" in c.get("metadata", {}).get("tags", [])]
    for cell in checks:
        shown = stored_output(cell)
        assert shown.startswith("NOT CHECKED YET"), f"the check's first line reads like a pass: {shown[:80]!r}"
        assert "Well done" not in shown


def run_check(path: Path, answer: Any, name: str, **namespace: Any) -> str:
    """Run the notebook's hidden solution and its check with `answer` as the learner's `name`; return
    what the check printed."""
    printed: list[str] = []
    scope: dict[str, Any] = {"print": lambda *parts, **_: printed.append(" ".join(map(str, parts))),
                             **namespace}
    exec(tagged(path, "solution"), scope)
    scope[name] = answer
    exec(tagged(path, "check"), scope)
    return "\n".join(printed)


RETRY_NOTEBOOKS = sorted((NOTEBOOKS / "04_errors_and_retries").glob("*.ipynb"))


@pytest.mark.parametrize("path", RETRY_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_retry_check_fails_a_rule_that_never_reads_the_body(path: Path):
    def status_and_header_only(status, headers, error):  # the lesson's should_retry, body unread
        verdict = headers.get("x-should-retry")
        if verdict in ("true", "false"):
            return verdict == "true"
        return status in (408, 409, 429) or status >= 500

    with pytest.raises(AssertionError, match="decided wrongly"):
        run_check(path, status_and_header_only, "should_retry_error")


@pytest.mark.parametrize("path", RETRY_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_retry_check_fails_a_rule_that_ignores_x_should_retry(path: Path):
    def body_only(status, headers, error):
        if status == 429 and "insufficient_quota" in (error.get("type"), error.get("code")):
            return False
        return status in (408, 409, 429) or status >= 500

    with pytest.raises(AssertionError, match="decided wrongly"):
        run_check(path, body_only, "should_retry_error")


@pytest.mark.parametrize("path", RETRY_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_retry_check_passes_a_right_rule_and_says_whose_it_checked(path: Path):
    scope: dict[str, Any] = {}
    exec(tagged(path, "solution"), scope)
    printed = run_check(path, scope["solution_should_retry_error"], "should_retry_error")
    assert printed.startswith("your should_retry_error: all 12")
    assert "NOT CHECKED" in run_check(path, lambda *_: None, "should_retry_error")


THREAD_NOTEBOOKS = [NOTEBOOKS / "11_many_calls" / f"{way}.ipynb" for way in ("urllib", "requests")]
PACING_SCOPE = {"threading": threading, "time": time, "ThreadPoolExecutor": ThreadPoolExecutor,
                "questions": [f"What is {n} squared?" for n in range(1, 21)],
                "ask": lambda question: f"You asked: {question}", "api": SimpleNamespace(mock=None)}


@pytest.mark.parametrize("path", THREAD_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_pacing_check_fails_threads_that_each_sleep_on_their_own(path: Path):
    def unshared(ask, questions, requests_per_minute, workers):
        def slept_ask(question):
            time.sleep(60 / requests_per_minute)  # every thread wakes at the same moment
            return ask(question)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(slept_ask, questions))

    with pytest.raises(AssertionError, match="started within"):
        run_check(path, unshared, "paced_ask_all", **PACING_SCOPE)


@pytest.mark.parametrize("path", THREAD_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_pacing_check_fails_calls_made_one_after_another_on_one_thread(path: Path):
    def one_thread(ask, questions, requests_per_minute, workers):
        answers = []
        for question in questions:
            time.sleep(60 / requests_per_minute)
            answers.append(ask(question))
        return answers

    with pytest.raises(AssertionError, match="more than one thread"):
        run_check(path, one_thread, "paced_ask_all", **PACING_SCOPE)


@pytest.mark.parametrize("path", THREAD_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_pacing_check_passes_the_shared_lock(path: Path):
    scope = dict(PACING_SCOPE)
    exec(tagged(path, "solution"), scope)
    assert run_check(path, scope["solution_paced_ask_all"], "paced_ask_all", **PACING_SCOPE).startswith(
        "Paced by yours")


COST_NOTEBOOK = NOTEBOOKS / "07_real_providers.ipynb"


def prices_scope() -> dict[str, Any]:
    scope: dict[str, Any] = {}
    exec(tagged(COST_NOTEBOOK, "exercise"), {**scope, "print": lambda *_: None}, scope)
    return {"CACHED_PRICES": scope["CACHED_PRICES"]}


def test_the_cost_check_fails_an_estimate_that_counts_reasoning_tokens_twice():
    def twice(usage, prices):
        input_price, cached_price, output_price = prices
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
        reasoning = (usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
        return ((usage["prompt_tokens"] - cached) * input_price + cached * cached_price
                + (usage["completion_tokens"] + reasoning) * output_price) / 1_000_000

    with pytest.raises(AssertionError, match="dollars"):
        run_check(COST_NOTEBOOK, twice, "cost_with_cache", **prices_scope())


def test_the_cost_check_fails_an_estimate_without_the_cache_and_passes_the_right_one():
    def no_cache(usage, prices):
        return (usage["prompt_tokens"] * prices[0] + usage["completion_tokens"] * prices[2]) / 1_000_000

    with pytest.raises(AssertionError, match="dollars"):
        run_check(COST_NOTEBOOK, no_cache, "cost_with_cache", **prices_scope())
    scope: dict[str, Any] = {}
    exec(tagged(COST_NOTEBOOK, "solution"), scope)
    printed = run_check(COST_NOTEBOOK, scope["solution_cost_with_cache"], "cost_with_cache", **prices_scope())
    assert printed.startswith("your cost_with_cache: four usages priced")
