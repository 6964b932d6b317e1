"""Loopback servers for the adapter tests: one shared per module, and a slow one.

:class:`ServerView` gives each test what looks like a fresh
:class:`cloudstatus._loopback.LoopbackServer` (its own requests and connection count)
on a server started once per module: stopping a server takes a poll interval, which
adds up over many small tests.

:class:`SlowServer` does what ``LoopbackServer`` cannot: it trickles a body a byte at a
time, or sends headers and then nothing.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import TracebackType

    from cloudstatus._loopback import LoopbackServer, Request


class ServerView:
    """One test's view of a shared :class:`LoopbackServer`: what happened since it began.

    Routes, URLs and errors are the shared server's; :attr:`requests` and
    :attr:`connections_accepted` count from the moment the view was made.
    """

    def __init__(self, server: LoopbackServer) -> None:
        self._server = server
        self._first_request = len(server.requests)
        self._first_connection = server.connections_accepted
        self.url = server.url
        self.errors = server.errors

    def route(self, path: str, reply: Any) -> None:
        self._server.route(path, reply)

    def url_for(self, path: str) -> str:
        return self._server.url_for(path)

    @property
    def requests(self) -> list[Request]:
        return self._server.requests[self._first_request :]

    @property
    def connections_accepted(self) -> int:
        return self._server.connections_accepted - self._first_connection


class SlowServer:
    """Answers every request with ``status`` and a body of ``size`` bytes, one per ``interval``.

    The ``Content-Length`` header announces the whole body, so a client waiting for
    the end would wait ``size * interval`` seconds. A large ``interval`` makes the
    server go silent after the headers.

    :param status: the status code sent.
    :param size: bytes in the body (``b"x"`` each).
    :param interval: seconds between two bytes (the first byte too).
    """

    def __init__(self, status: int = 409, size: int = 200, interval: float = 0.1) -> None:
        self.status = status
        self.size = size
        self.interval = interval
        self.bytes_sent = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._conns: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> SlowServer:
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self._lock:
                self._conns.append(conn)
                self._threads.append(worker)
            worker.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                request = b""
                while b"\r\n\r\n" not in request:
                    data = conn.recv(65536)
                    if not data:
                        return
                    request += data
                head = (
                    f"HTTP/1.1 {self.status} Slow\r\n"
                    f"Content-Type: text/plain\r\n"
                    f"Content-Length: {self.size}\r\n\r\n"
                )
                conn.sendall(head.encode("ascii"))
                for _ in range(self.size):
                    if self._stop.wait(self.interval):
                        return
                    conn.sendall(b"x")
                    with self._lock:
                        self.bytes_sent += 1
            except OSError:  # the client gave up and closed: that is the point
                return
