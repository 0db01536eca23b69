"""Pictures of time for the lessons: one stream token by token, the attempts of a retried call, many calls
as a Gantt chart, the states of long jobs. Each is drawn from what a cell measured, printed as a short
summary, and shown as a PNG."""

from __future__ import annotations

import io
import itertools
from collections.abc import Mapping, Sequence
from typing import Protocol

from matplotlib.axes import Axes
from matplotlib.figure import Figure

WIDTH_INCHES = 6.4  # at 100 dpi, 640 px: readable in one of three side-by-side columns once scaled
ROW_INCHES = 0.7
COLOURS = {"ok": "tab:green", "error": "tab:red", "wait": "tab:blue"}
PHASE_COLOURS = {"queued": "tab:gray", "validating": "tab:gray", "in_progress": "tab:blue",
                 "finalizing": "tab:purple", "cancelling": "tab:orange"}  # any other state: "ok" if last


class Attempt(Protocol):
    """What a chart needs of one request: the mock's wire record (helpers.Exchange) has these fields."""

    started: float  # time.monotonic() when the request arrived
    answered: float  # time.monotonic() when the answer began
    status: int


# --- one stream, token by token (lesson 03) --------------------------------------------------------------


def stream_timeline(streams: Mapping[str, tuple[Sequence[float], float]]) -> Figure:
    """One row per stream: a tick at each token's arrival (seconds after the request went out), the time
    to first token and the total marked. `streams` maps a label to (token arrival times, total time)."""
    figure, axes = _figure(len(streams), "seconds after the request was sent")
    axes.set_title("Each tick is a token arriving")
    for row, (label, (token_times, total)) in enumerate(streams.items()):
        axes.vlines(token_times, row - 0.3, row + 0.3, color=COLOURS["wait"], linewidth=1.5)
        if token_times:
            first = token_times[0]
            axes.plot([first], [row + 0.38], marker="v", color=COLOURS["ok"], linestyle="none")
            axes.annotate(f"first token {first:.2f} s", (first, row + 0.38), xytext=(4, 2),
                          textcoords="offset points", fontsize=8)
        axes.plot([total], [row], marker="|", markersize=18, color=COLOURS["error"], linestyle="none")
        axes.annotate(f"done {total:.2f} s", (total, row - 0.38), xytext=(4, -8),
                      textcoords="offset points", fontsize=8)
        print(f"{label}: {len(token_times)} tokens, the first after {_ms(token_times[0]) if token_times else '-'},"
              f" all of them after {_ms(total)}")
    _label_rows(axes, list(streams))
    return _show(figure)


# --- the attempts of one call (lesson 04) ----------------------------------------------------------------


def attempts_timeline(calls: Mapping[str, Sequence[Attempt]],
                      planned_waits: Mapping[str, Sequence[float]] | None = None) -> Figure:
    """One row per call: a dot per attempt with its status above it, and a bar for each wait before the next.
    `planned_waits` (optional) are the waits before jitter, drawn as dashed outlines around the real ones."""
    figure, axes = _figure(len(calls), "seconds after the first attempt")
    axes.set_title("Attempts (status) and the waits between them")
    for row, (label, attempts) in enumerate(calls.items()):
        if not attempts:
            continue
        origin = attempts[0].started
        waits = [after.started - before.answered for before, after in itertools.pairwise(attempts)]
        planned = list((planned_waits or {}).get(label, ()))
        for number, wait in enumerate(waits):
            start = attempts[number].answered - origin
            if number < len(planned):  # the full back-off: the jitter is the part of it not waited
                axes.barh(row, planned[number], left=start, height=0.3, fill=False, linestyle="--",
                          edgecolor=COLOURS["wait"])
            axes.barh(row, wait, left=start, height=0.3, color=COLOURS["wait"], alpha=0.6)
            axes.annotate(f"{wait:.2f} s", (start + wait / 2, row + 0.2), ha="center", va="top", fontsize=8)
        for attempt in attempts:
            colour = COLOURS["ok"] if attempt.status < 400 else COLOURS["error"]
            axes.plot([attempt.started - origin], [row], marker="o", color=colour, linestyle="none")
            axes.annotate(str(attempt.status), (attempt.started - origin, row - 0.2), ha="center",
                          va="bottom", fontsize=8)
        print(f"{label}: " + _attempts_summary(attempts, waits, planned))
    _label_rows(axes, list(calls))
    return _show(figure)


def _attempts_summary(attempts: Sequence[Attempt], waits: Sequence[float], planned: Sequence[float]) -> str:
    """`503, wait 0.47 s of 0.50, 200`: each status, and each wait (of the planned one, if known)."""
    parts = [str(attempts[0].status)]
    for number, (wait, attempt) in enumerate(zip(waits, attempts[1:], strict=True)):
        of = f" of {planned[number]:.2f}" if number < len(planned) else ""
        parts += [f"wait {wait:.2f} s{of}", str(attempt.status)]
    return ", ".join(parts)


# --- many calls at once (the concurrency lesson) ---------------------------------------------------------


def calls_gantt(runs: Mapping[str, Sequence[tuple[float, float]]]) -> Figure:
    """One group of bars per way of running the calls (one after another, a thread pool, asyncio): a bar
    per call from its start to its end, in seconds from the run's start, and each run's wall time."""
    rows = sum(len(calls) + 1 for calls in runs.values())  # a blank row between runs
    figure, axes = _figure(rows, "seconds after the run started", row_inches=0.25)
    axes.set_title("One bar per call")
    row, centres = 0, []
    for label, calls in runs.items():
        first = row
        for start, end in calls:
            axes.barh(row, end - start, left=start, height=0.7, color=COLOURS["wait"])
            row += 1
        end = max((end for _, end in calls), default=0.0)
        wall = end - min((start for start, _ in calls), default=0.0)
        axes.annotate(f"wall time {wall:.2f} s", (end, row - 1), xytext=(4, 0), textcoords="offset points",
                      va="center", fontsize=8)
        centres.append((first + row - 1) / 2)
        row += 1
        print(f"{label}: {len(calls)} calls, wall time {_ms(wall)}")
    axes.set_yticks(centres, list(runs))
    axes.invert_yaxis()  # the first run on top, as it was printed
    _time_axis(axes)
    return _show(figure)


# --- long jobs and their states (lesson 15) ---------------------------------------------------------------


def jobs_timeline(jobs: Mapping[str, Sequence[tuple[str, float]]]) -> Figure:
    """One row per job: a bar for each state it was seen in (queued, in progress, ...), from when a poll first
    saw it to when a poll first saw the next, in seconds after the job was created; the last state a mark.
    `jobs` maps a label to the (state, seconds) pairs of its changes, in order."""
    figure, axes = _figure(len(jobs), "seconds after the job was created")
    axes.set_title("Each job's states, as polling saw them")
    for row, (label, changes) in enumerate(jobs.items()):
        for (state, start), (_, end) in itertools.pairwise(changes):
            axes.barh(row, end - start, left=start, height=0.6, color=PHASE_COLOURS.get(state, COLOURS["wait"]))
            axes.annotate(state.replace("_", " "), (start, row), xytext=(2, 0), textcoords="offset points",
                          va="center", fontsize=7, color="white")
        if changes:
            last, at = changes[-1]
            colour = COLOURS["ok"] if last == "completed" else COLOURS["error"]
            axes.plot([at], [row], marker="|", markersize=16, color=colour, linestyle="none")
            axes.annotate(last, (at, row), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
        print(f"{label}: " + " -> ".join(f"{state} ({_ms(at)})" for state, at in changes))
    _label_rows(axes, list(jobs))
    return _show(figure)


# --- shared ----------------------------------------------------------------------------------------------


def _figure(rows: int, x_label: str, row_inches: float = ROW_INCHES) -> tuple[Figure, Axes]:
    """A figure with no pyplot and no global state: each call draws on its own canvas."""
    figure = Figure(figsize=(WIDTH_INCHES, 1.2 + row_inches * max(rows, 1)), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    axes.set_xlabel(x_label)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _label_rows(axes: Axes, labels: list[str]) -> None:
    axes.set_yticks(range(len(labels)), labels)
    axes.set_ylim(len(labels) - 0.4, -0.6)  # the first row on top, room for the annotations
    _time_axis(axes)


def _time_axis(axes: Axes) -> None:
    """Time starts at 0; a margin on the right keeps the last annotation inside the picture."""
    axes.margins(x=0.15)
    axes.set_xlim(left=0)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes (matplotlib's Agg renderer: no display needed)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _show(figure: Figure) -> Figure:
    """Show the figure as a PNG in a notebook (nothing outside one); return it for a test to inspect."""
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:
        return figure
    if get_ipython() is not None:
        display(Image(png(figure)))  # type: ignore[no-untyped-call]  # IPython's display is untyped
    return figure
