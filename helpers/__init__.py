"""Helpers for the lessons of "LLM Calls, Three Ways": a local mock of the OpenAI API and a wire display.

    import helpers
    api = helpers.connect()          # starts the mock (or uses a real provider, see connection.py)
    helpers.show_exchange(api.last_exchange)

The lessons' face is this package's top level: connection.py (where requests go), display.py (what
went over the wire) and charts.py (pictures of time: a stream, retried attempts, many calls). The mock
server itself lives in helpers/mock/, whose docstring is its map; helpers/playground/ is lesson 05's
chat page.
"""

from .connection import MODEL, Connection, connect
from .display import format_exchange, show_exchange
from .mock import MOCK_API_KEY, Exchange, MockServer, RateLimit, start_mock_server

__all__ = [
    "MOCK_API_KEY",
    "MODEL",
    "Connection",
    "Exchange",
    "MockServer",
    "RateLimit",
    "connect",
    "format_exchange",
    "show_exchange",
    "start_mock_server",
]
