"""The server's loop: accept connections, park idle ones in a selector, hand each complete request to a worker.

A thread per connection would let a crowd of idle keep-alive connections take every thread while doing
nothing. So, as gunicorn's `gthread` worker does, one loop (the thread that runs `serve_forever`) watches
every idle connection with a `selectors` selector: it reads what arrives into the connection's buffer and,
once a whole request head is there, gives the connection to a worker thread (http.Connection.serve). The
worker reads the body, asks the API, writes the answer, and hands the connection back to be parked again.

    accept  ->  parked (the selector)  --head arrived-->  worker: body, answer  --keep-alive-->  parked
                   |  idle too long: closed                  |  closed, or taken over (101)
                   |  head too slow, too big, cut: to a worker for its 408, 414/431, 400

So `Limits.max_connections` bounds work in progress (threads), and `max_open_connections` the sockets
(memory, file descriptors) together with `idle_timeout`; a connection over either cap waits its turn.
"""

from __future__ import annotations

import contextlib
import queue
import selectors
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from .http import LINGER, Api, Connection, Limits, Service, head_complete
from .wire_record import ExchangeLog

if TYPE_CHECKING:  # ssl is imported only by a server that serves https:// (it costs start-up time)
    import ssl

_LISTENER, _WAKE = "listener", "wake"  # the selector's own two sockets; every other key's data is a Connection
_ACCEPT_PAUSE = 0.05  # out of file descriptors: seconds before trying to accept again, instead of spinning


class Workers:
    """At most `size` daemon threads, started as work arrives, each serving connections off one queue.
    (The logic of concurrent.futures.ThreadPoolExecutor, whose threads would hold up interpreter exit.)"""

    def __init__(self, size: int, work: Callable[[Connection], None]) -> None:
        self._size, self._work = size, work
        self._queue: queue.SimpleQueue[Connection | None] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)  # released by each worker that is done and waiting again
        self._threads = 0  # changed only by the server's loop, the one caller of `submit`

    def submit(self, connection: Connection) -> None:
        self._queue.put(connection)
        if self._idle.acquire(blocking=False):
            return  # a worker is free and will take it
        if self._threads < self._size:
            self._threads += 1
            threading.Thread(target=self._run, name="mock-openai-worker", daemon=True).start()
        # else: every worker is busy; the connection waits in the queue for the first one done

    def _run(self) -> None:
        while (connection := self._queue.get()) is not None:
            self._work(connection)
            self._idle.release()

    def waiting(self) -> bool:
        """True while connections wait in the queue for a free worker."""
        return not self._queue.empty()

    def stop(self) -> None:
        for _ in range(self._threads):
            self._queue.put(None)


class MockHTTPServer(socketserver.TCPServer):
    """Listens on one address; `serve_forever` runs the loop above until `shutdown`."""

    allow_reuse_address = True
    request_queue_size = 1_024  # the default of 5 drops clients (a 1 s retry each) when hundreds connect at once

    def __init__(self, address: tuple[str, int], api: Api, limits: Limits, log: ExchangeLog,
                 verbose: bool = False, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(address, socketserver.BaseRequestHandler)
        self.socket.setblocking(False)
        self.limits, self.tls = limits, tls
        self.service = Service(api, limits, log, verbose)
        self.connections_opened = 0  # counted in the loop's thread, the one that accepts
        self._want_read: tuple[type[Exception], ...] = (BlockingIOError,)
        if tls is not None:
            import ssl  # already loaded by whoever made the context

            self._want_read = (BlockingIOError, ssl.SSLWantReadError)
        self._selector = selectors.DefaultSelector()
        self._wake_in, self._wake_out = socket.socketpair()
        self._wake_in.setblocking(False)
        self._wake_out.setblocking(False)
        self._selector.register(self._wake_in, selectors.EVENT_READ, _WAKE)
        self._parked: set[Connection] = set()
        self._unsecured: set[Connection] = set()  # https:// connections waiting for their TLS handshake
        self._next_expiry = 0.0
        self._returned: queue.SimpleQueue[Connection] = queue.SimpleQueue()  # from workers, to park again
        self._open = 0  # sockets open; changed under the lock (workers close connections too)
        self._open_lock = threading.Lock()
        self._listening = False
        self._accept_after = 0.0
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._workers = Workers(limits.max_connections, self._work)

    # --- the loop ---------------------------------------------------------------------------------------

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Run the loop until `shutdown` (which may come first: then it returns at once)."""
        self._stopped.clear()
        try:
            while not self._stop.is_set():
                self._listen_if_room()
                for key, _ in self._selector.select(poll_interval):
                    if key.data is _LISTENER:
                        self._accept()
                    elif key.data is _WAKE:
                        self._take_back()
                    else:
                        self._receive(key.data)
                now = time.monotonic()
                if now >= self._next_expiry:  # a few times a second, not after every request
                    self._next_expiry = now + 0.05
                    self._expire(now)
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop the loop and wait until it has stopped (call it from another thread)."""
        self._stop.set()
        self._wake()
        self._stopped.wait()

    def server_close(self) -> None:
        super().server_close()
        for connection in list(self._parked):
            self._close(connection)
        self._workers.stop()
        self._selector.close()
        self._wake_in.close()
        self._wake_out.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # its buffer is full (the loop is awake already), or it is closed
            self._wake_out.send(b"\0")

    # --- accepting -----------------------------------------------------------------------------------------

    def _listen_if_room(self) -> None:
        """Watch the listening socket only while another connection may open: at the cap, or out of file
        descriptors, new connections wait in the kernel's queue without the loop spinning on them."""
        room = self._open < self.limits.max_open_connections and time.monotonic() >= self._accept_after
        if room and not self._listening:
            self._selector.register(self.socket, selectors.EVENT_READ, _LISTENER)
        elif not room and self._listening:
            self._selector.unregister(self.socket)
        self._listening = room

    def _accept(self) -> None:
        while self._open < self.limits.max_open_connections:
            try:
                sock, address = self.socket.accept()
            except BlockingIOError:
                return  # every waiting connection has been accepted
            except OSError:  # EMFILE, ENFILE: out of file descriptors; or the client already left
                self._accept_after = time.monotonic() + _ACCEPT_PAUSE
                return
            self.connections_opened += 1
            with self._open_lock:
                self._open += 1
            connection = Connection(sock, address, self.service)
            if self.tls is not None:
                self._unsecured.add(connection)
                self._workers.submit(connection)  # its handshake first, in a worker: it may be slow
            else:
                self._park(connection)

    # --- parking -------------------------------------------------------------------------------------------

    def _park(self, connection: Connection) -> None:
        connection.request.setblocking(False)
        self._selector.register(connection.request, selectors.EVENT_READ, connection)
        self._parked.add(connection)

    def _unpark(self, connection: Connection) -> None:
        self._selector.unregister(connection.request)
        self._parked.discard(connection)

    def _receive(self, connection: Connection) -> None:
        """Read what has arrived; hand the connection to a worker once its head is whole (or will never be)."""
        buffer = connection.wire.buffer
        try:
            data = connection.request.recv(65_536)
        except self._want_read:
            return  # a TLS record not yet whole: nothing to read
        except OSError:
            self._unpark(connection)
            self._close(connection)
            return
        if not data:  # the client left: a part of a head is answered 400, an idle connection closed
            self._unpark(connection)
            if buffer.strip():
                self._workers.submit(connection)
            else:
                self._close(connection)
            return
        if not buffer:
            connection.head_started = time.monotonic()
        buffer += data
        too_big = len(buffer) > self.limits.max_request_line + self.limits.max_head_bytes + 16
        if too_big or head_complete(buffer):  # over the size limit: the worker answers 414 or 431 at once
            self._unpark(connection)
            self._workers.submit(connection)

    def _expire(self, now: float) -> None:
        """Close connections idle for longer than `idle_timeout`; hand a head slower than `head_timeout`
        to a worker, whose read finds its deadline passed and answers 408."""
        limits = self.limits
        for connection in list(self._parked):
            if connection.head_started is None:
                if now - connection.idle_since > limits.idle_timeout:
                    self._unpark(connection)
                    self._close(connection)
            elif now - connection.head_started > limits.head_timeout:
                self._unpark(connection)
                self._workers.submit(connection)

    def _take_back(self) -> None:
        """Park the connections workers have answered, now waiting for their next request."""
        try:
            while self._wake_in.recv(4096):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                connection = self._returned.get_nowait()
            except queue.Empty:
                return
            self._park(connection)

    def _close(self, connection: Connection) -> None:
        connection.close()
        with self._open_lock:
            self._open -= 1

    # --- in a worker -----------------------------------------------------------------------------------

    def _work(self, connection: Connection) -> None:
        """Serve the connection's complete requests, then give it back to the loop to park (or close it)."""
        try:
            keep = self._handshake(connection) if connection in self._unsecured else connection.serve(self._linger)
        except Exception:  # a bug in the mock: say so, and keep serving
            traceback.print_exc(file=sys.stderr)
            keep = False
        if not keep or self._stop.is_set():
            self._close(connection)
            if not self._listening:
                self._wake()  # there may be room again: the loop listens for new connections
            return
        self._returned.put(connection)
        self._wake()

    def _linger(self) -> float:
        """How long a worker may wait for its connection's next request: not at all while others wait for a worker."""
        return 0.0 if self._workers.waiting() else LINGER

    def _handshake(self, connection: Connection) -> bool:
        """For https://: the TLS handshake, in a worker so that a slow or refused one never holds up the loop,
        within the head's time limit; then the connection is parked until its first request. False if it failed."""
        assert self.tls is not None
        self._unsecured.discard(connection)
        connection.request.settimeout(self.limits.head_timeout)
        try:
            secure = self.tls.wrap_socket(connection.request, server_side=True)
        except OSError:  # ssl.SSLError included: the client refused the certificate, or hung up
            return False
        connection.request = connection.wire.sock = secure
        connection.idle_since = time.monotonic()
        return True
