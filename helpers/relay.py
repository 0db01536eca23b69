"""A counting relay for lesson 16: a TCP port on 127.0.0.1 that passes every byte between a client and a
server and counts them, each way. Point any client at it and it measures what a transport costs on the wire.

    with CountingRelay("127.0.0.1", 8000) as relay:       # the server's host and port
        ... a client talks to 127.0.0.1:{relay.port} ...
        print(relay.sent, relay.received)                  # bytes client -> server, server -> client

Plain TCP only: a client of an https:// server would expect the server's name on the certificate.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
from typing import Any

MAX_CONNECTIONS = 16  # a lesson opens a handful; more wait in the kernel's queue


class CountingRelay:
    """Listens on 127.0.0.1 (a free port); each connection it accepts is joined to a new one to the server."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.sent = 0  # bytes from the clients to the server
        self.received = 0  # bytes from the server to the clients
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._open: set[socket.socket] = set()
        self._closed = False
        threading.Thread(target=self._accept, name="counting-relay", daemon=True).start()

    @property
    def port(self) -> int:
        port: int = self._listener.getsockname()[1]
        return port

    def counts(self) -> tuple[int, int]:
        """(sent, received) so far, read together."""
        with self._lock:
            return self.sent, self.received

    def _accept(self) -> None:
        while not self._closed:
            self._slots.acquire()
            try:
                client, _ = self._listener.accept()
                server = socket.create_connection(self.target, timeout=30)
            except OSError:
                self._slots.release()
                continue  # the listener was closed, or the server refused: nothing to relay
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)  # pass small writes on at once
                sock.settimeout(None)
            with self._lock:
                self.connections += 1
                self._open |= {client, server}
            done = threading.Barrier(2, action=functools.partial(self._finish, client, server))  # this pair's
            threading.Thread(target=self._pipe, args=(client, server, "sent", done), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, "received", done), daemon=True).start()

    def _pipe(self, source: socket.socket, destination: socket.socket, counter: str,
              done: threading.Barrier) -> None:
        """Copy one direction until it ends, counting; then pass the end on (a half-close)."""
        try:
            while data := source.recv(65_536):
                with self._lock:
                    setattr(self, counter, getattr(self, counter) + len(data))
                destination.sendall(data)
            destination.shutdown(socket.SHUT_WR)
        except OSError:  # either side reset the connection: end both directions
            for sock in (source, destination):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(threading.BrokenBarrierError):
            done.wait()

    def _finish(self, client: socket.socket, server: socket.socket) -> None:
        with self._lock:
            self._open -= {client, server}
        client.close()
        server.close()
        self._slots.release()

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        with self._lock:
            still_open = list(self._open)
        for sock in still_open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> CountingRelay:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
