"""The public face of `helpers` and `helpers.mock`, pinned (as httpx's tests/test_exported_members.py does):
a name added to or lost from `__all__` is a decision made here, not an accident."""

from __future__ import annotations

import helpers
import helpers.mock

HELPERS = ["MOCK_API_KEY", "MODEL", "Connection", "Exchange", "MockServer", "RateLimit", "connect",
           "format_exchange", "show_exchange", "start_mock_server"]
MOCK = ["DEFAULT_TOKENS_PER_SECOND", "MOCK_API_KEY", "Exchange", "Limits", "MockServer", "RateLimit",
        "start_mock_server"]


def test_helpers_exports_exactly_its_public_names():
    assert sorted(helpers.__all__) == sorted(HELPERS)
    assert all(hasattr(helpers, name) for name in helpers.__all__)


def test_helpers_mock_exports_exactly_its_public_names():
    assert sorted(helpers.mock.__all__) == sorted(MOCK)
    assert all(hasattr(helpers.mock, name) for name in helpers.mock.__all__)

