"""`GET /v1/responses`: the WebSocket upgrade, answered `101 Switching Protocols`, after which the
connection is the session's (session.py). The key was checked before this handler runs, as for every route,
so a refused key is a real 401 with OpenAI's body, never a WebSocket that closes.
The path of one connection: handshake.py → 101 → http.py hands over the socket → session.py → frames.py."""

from __future__ import annotations

import socket

from .. import errors
from ..calls import Call
from ..http import Response
from . import handshake
from .session import Connection, Session


def connect(call: Call) -> Response:
    """The 101 that switches the connection to WebSocket frames; 426 or 400 for a handshake RFC 6455 does
    not allow. A GET without `Upgrade: websocket` asks for a path this API only serves as a WebSocket:
    the mock answers it as it answers any path it does not have (OpenAI's answer is not documented), and so
    does a profile of another server, none of which documents a WebSocket (profiles.py)."""
    headers = call.request.headers
    if not handshake.wants_upgrade(headers) or not call.settings.profile.websocket:
        raise errors.invalid_url(call.request.method, call.request.path.split("?", 1)[0])
    accept = handshake.check(headers)
    response = Response(101, [("upgrade", "websocket"), ("connection", "Upgrade"),
                              ("sec-websocket-accept", accept)])

    def take_over(sock: socket.socket, leftover: bytes) -> None:
        # A `disconnect` fault that met the upgrade request marked the 101 to be cut: the cut lands
        # half-way through the first response instead, where a stream's cut would land.
        connection = Connection(call, call.faults, cut_first_turn=response.cut_after is not None)
        Session(sock, leftover, connection).run()

    response.takeover = take_over
    return response
