"""Helpers for the lessons of "LLM Calls, Three Ways": a local mock of the OpenAI API and a wire display.

    import helpers
    api = helpers.connect()          # starts the mock (or uses a real provider, see connection.py)
    helpers.show_exchange(api.last_exchange)
"""

from .connection import MODEL, Connection, connect
from .display import format_exchange, show_exchange
from .server import MOCK_API_KEY, MockServer, start_mock_server
from .wire_record import Exchange

__all__ = [
    "MODEL",
    "MOCK_API_KEY",
    "Connection",
    "Exchange",
    "MockServer",
    "connect",
    "format_exchange",
    "show_exchange",
    "start_mock_server",
]
