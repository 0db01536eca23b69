"""Record once, replay in class: the mock as a recording proxy to a real provider, and as a player of what it
recorded. Real prose, real token counts and a real provider's headers, with no key and no network on the day.

Reading order
    cassette.py  the file: one exchange a JSON line, no credential in it; how a request finds its match
    proxy.py     recording: forward to the provider, pass its answer on as it arrives, append the exchange
    player.py    replaying: the matching answer, its stream at the recorded pace; a clear 400 when none matches
    tee.py       recording the mock itself (record= without upstream=): every lesson, replayed in the tests
    drift.py     `make check-real`: the mock's answers held against the real API's, field by field

What it does not do: record a WebSocket or register a webhook with a provider (both refused with a 400 that
says why; replaying, the mock's own WebSocket answers an upgrade); decide a match by any request header; keep
compression (bodies are stored and replayed decoded).
"""

from __future__ import annotations

import dataclasses
import os

from .cassette import CassetteWriter
from .player import Replayer
from .proxy import Recorder, Upstream
from .tee import Tee

UPSTREAM_KEY_VARIABLE = "OPENAI_API_KEY"


def source(record: str | os.PathLike[str] | None, upstream: str | Upstream | None,
           replay: str | os.PathLike[str] | None, timing: str = "recorded",
           upstream_key: str | None = None) -> Recorder | Replayer | Tee | None:
    """The handler that answers in place of the mock's own API, or None for the mock itself.
    `upstream_key`: the provider's key as the learner set OPENAI_API_KEY, not as a mock set it (server.py)."""
    if record is not None and replay is not None:
        raise ValueError("record= and replay= exclude each other: record a cassette first, then replay it")
    if replay is not None:
        return Replayer(replay, timing)
    if record is None:
        if upstream is not None:
            raise ValueError("upstream= is where record= sends requests; give record=FILE too")
        return None
    if upstream is None:  # the mock's own answers, kept as a client gets them (tee.py)
        return Tee(CassetteWriter(record))
    key = upstream_key if upstream_key is not None else os.environ.get(UPSTREAM_KEY_VARIABLE, "")
    if not key:
        raise ValueError(f"recording needs the provider's key in {UPSTREAM_KEY_VARIABLE} (never on a command line)")
    target = Upstream(upstream) if isinstance(upstream, str) else upstream
    return Recorder(dataclasses.replace(target, api_key=key), CassetteWriter(record))


__all__ = ["CassetteWriter", "Recorder", "Replayer", "Tee", "Upstream", "source"]
