"""The lessons' pictures, drawn from fixed sample data: what each chart drew (ticks, bars, labels, axis
titles) and the summary it printed, so the code is tested even though stored images are not compared."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers import charts


@dataclass
class Attempt:
    started: float
    answered: float
    status: int


FAST = ([0.03 + n / 40 for n in range(17)], 0.48)  # token arrival times, total
SLOW = ([0.03 + n / 10 for n in range(17)], 1.66)
RETRIED = [Attempt(10.0, 10.01, 503), Attempt(10.45, 10.46, 503), Attempt(11.4, 11.41, 200)]
TWO_429S = [Attempt(5.0, 5.0, 429), Attempt(6.0, 6.0, 429), Attempt(7.0, 7.01, 200)]


def only_axes(figure: Figure) -> Axes:
    (axes,) = figure.axes
    return axes


def texts(axes: Axes) -> list[str]:
    return [text.get_text() for text in axes.texts]


def tick_labels(axes: Axes) -> list[str]:
    return [label.get_text() for label in axes.get_yticklabels()]


def test_stream_timeline_draws_a_tick_per_token_in_one_row_per_stream() -> None:
    axes = only_axes(charts.stream_timeline({"40 tokens/s": FAST, "10 tokens/s": SLOW}))
    ticks = [collection for collection in axes.collections if isinstance(collection, LineCollection)]
    assert [len(collection.get_segments()) for collection in ticks] == [17, 17]
    assert tick_labels(axes) == ["40 tokens/s", "10 tokens/s"]
    assert axes.get_xlabel() == "seconds after the request was sent"


def test_stream_timeline_marks_first_token_and_total_of_each_stream() -> None:
    axes = only_axes(charts.stream_timeline({"40 tokens/s": FAST, "10 tokens/s": SLOW}))
    assert texts(axes) == ["first token 0.03 s", "done 0.48 s", "first token 0.03 s", "done 1.66 s"]


def test_stream_timeline_prints_a_summary_for_readers_without_images(capsys: pytest.CaptureFixture[str]) -> None:
    charts.stream_timeline({"40 tokens/s": FAST})
    assert capsys.readouterr().out == "40 tokens/s: 17 tokens, the first after 30 ms, all of them after 480 ms\n"


def test_attempts_timeline_marks_each_attempt_with_its_status_and_each_wait() -> None:
    axes = only_axes(charts.attempts_timeline({"503s": RETRIED, "429s": TWO_429S}))
    dots = [line for line in axes.lines if line.get_marker() == "o"]
    assert len(dots) == 6
    assert [dot.get_xdata()[0] for dot in dots[:3]] == pytest.approx([0.0, 0.45, 1.4])
    waits = [patch for patch in axes.patches if isinstance(patch, Rectangle)]
    assert [bar.get_width() for bar in waits] == pytest.approx([0.44, 0.94, 1.0, 1.0])
    assert texts(axes) == ["0.44 s", "0.94 s", "503", "503", "200", "1.00 s", "1.00 s", "429", "429", "200"]
    assert tick_labels(axes) == ["503s", "429s"]
    assert axes.get_xlabel() == "seconds after the first attempt"


def test_attempts_timeline_outlines_the_planned_wait_around_the_jittered_one(
        capsys: pytest.CaptureFixture[str]) -> None:
    axes = only_axes(charts.attempts_timeline({"503s": RETRIED}, planned_waits={"503s": [0.5, 1.0]}))
    bars = [patch for patch in axes.patches if isinstance(patch, Rectangle)]
    assert [bar.get_width() for bar in bars] == pytest.approx([0.5, 0.44, 1.0, 0.94])  # planned, waited
    assert [bar.get_fill() for bar in bars] == [False, True, False, True]
    assert capsys.readouterr().out == "503s: 503, wait 0.44 s of 0.50, 503, wait 0.94 s of 1.00, 200\n"


def test_attempts_timeline_prints_statuses_and_waits(capsys: pytest.CaptureFixture[str]) -> None:
    charts.attempts_timeline({"503s": RETRIED})
    assert capsys.readouterr().out == "503s: 503, wait 0.44 s, 503, wait 0.94 s, 200\n"


def test_calls_gantt_draws_one_bar_per_call_and_the_wall_time_of_each_run(
        capsys: pytest.CaptureFixture[str]) -> None:
    runs = {
        "one after another": [(0.0, 0.5), (0.5, 1.0), (1.0, 1.5)],
        "thread pool": [(0.0, 0.5), (0.01, 0.52), (0.02, 0.53)],
        "asyncio": [(0.0, 0.5), (0.0, 0.5), (0.0, 0.51)],
    }
    axes = only_axes(charts.calls_gantt(runs))
    bars = [patch for patch in axes.patches if isinstance(patch, Rectangle)]
    assert len(bars) == 9
    assert [bar.get_x() for bar in bars[:3]] == [0.0, 0.5, 1.0]
    assert tick_labels(axes) == list(runs)
    assert texts(axes) == ["wall time 1.50 s", "wall time 0.53 s", "wall time 0.51 s"]
    assert axes.get_xlabel() == "seconds after the run started"
    assert capsys.readouterr().out.splitlines() == [
        "one after another: 3 calls, wall time 1500 ms",
        "thread pool: 3 calls, wall time 530 ms",
        "asyncio: 3 calls, wall time 510 ms",
    ]


def test_jobs_timeline_draws_a_bar_per_state_and_marks_the_last(capsys: pytest.CaptureFixture[str]) -> None:
    jobs = {"response": [("queued", 0.0), ("in_progress", 0.2), ("completed", 0.45)],
            "batch": [("validating", 0.0), ("in_progress", 0.2), ("finalizing", 0.4), ("completed", 0.6)]}
    axes = only_axes(charts.jobs_timeline(jobs))
    bars = [patch for patch in axes.patches if isinstance(patch, Rectangle)]
    assert [(bar.get_x(), round(bar.get_width(), 2)) for bar in bars] == [
        (0.0, 0.2), (0.2, 0.25), (0.0, 0.2), (0.2, 0.2), (0.4, 0.2)]
    assert tick_labels(axes) == ["response", "batch"]
    assert texts(axes) == ["queued", "in progress", "completed", "validating", "in progress", "finalizing",
                           "completed"]
    assert capsys.readouterr().out.splitlines() == [
        "response: queued (0 ms) -> in_progress (200 ms) -> completed (450 ms)",
        "batch: validating (0 ms) -> in_progress (200 ms) -> finalizing (400 ms) -> completed (600 ms)",
    ]


def test_a_chart_renders_to_png() -> None:
    assert charts.png(charts.calls_gantt({"asyncio": [(0.0, 0.5)]})).startswith(b"\x89PNG\r\n\x1a\n")
