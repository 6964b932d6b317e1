"""A small in-process HTTP/1.1 server on 127.0.0.1 for tests and demos.

:class:`LoopbackServer` answers every request with a canned :class:`Reply`, or with the
:class:`Reply` returned by a handler callable, chosen by the request path. It speaks real
HTTP/1.1 over TCP (keep-alive, chunked transfer coding, gzip content coding, streamed bodies of
any size in constant memory), so :mod:`requests` and :mod:`urllib3` behave exactly as against a
remote server.

Example::

    with LoopbackServer({"/v1/items": json_reply(429, {"error": "slow down"})}) as server:
        response = requests.get(server.url_for("/v1/items"), timeout=10)

Everything stops by itself: sockets time out after :data:`SOCKET_TIMEOUT` seconds, all threads
are daemon threads and :meth:`LoopbackServer.stop` (called by ``__exit__``) closes the listening
socket and every open connection, then waits a bounded time for the worker threads.
"""

from __future__ import annotations

import contextlib
import gzip as _gzip
import json
import socket
import socketserver
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import TracebackType

__all__ = [
    "SOCKET_TIMEOUT",
    "Handler",
    "LoopbackServer",
    "Reply",
    "Request",
    "json_reply",
    "redirect",
]

#: Seconds a connection may stay silent (idle keep-alive, stalled read or write) before the
#: server drops it.
SOCKET_TIMEOUT: float = 10.0

#: Seconds :meth:`LoopbackServer.stop` waits, in total, for the server threads to finish.
_JOIN_TIMEOUT = 5.0

#: Prefix of the payload sent for ``corrupt_gzip``: its first byte is not the gzip magic
#: number, so every gzip decoder fails on the very first bytes.
_NOT_GZIP = b"\x00this is not gzip data\x00"

_MAX_LINE = 65536


@dataclass(frozen=True)
class Request:
    """One HTTP request received by a :class:`LoopbackServer`.

    :param method: The request method, e.g. ``"GET"``.
    :param path: The request target as sent, including the query string.
    :param headers: The request headers with lowercase names; repeated headers are joined with
        ``", "``.
    :param body: The request body (read by ``Content-Length`` or chunked transfer coding).
    :param connection_id: 1 for the first TCP connection the server accepted, 2 for the next...
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    connection_id: int


@dataclass
class Reply:
    """A canned HTTP response.

    The server adds the framing headers (``Content-Length`` or ``Transfer-Encoding: chunked``,
    ``Content-Encoding: gzip``, ``Connection: close``) unless :attr:`headers` already has a
    header of that name, in which case the given one is sent verbatim and not checked. Replies
    with status 1xx, 204 or 304 and replies to ``HEAD`` have no body on the wire.

    :param status: The status code.
    :param headers: Headers in order; a name may repeat (two ``Set-Cookie``).
    :param body: The body (before gzip or chunked coding).
    :param reason: The status line phrase; by default the standard one, or ``"Unknown"``.
    :param chunked: Send the body with ``Transfer-Encoding: chunked``, in chunks of
        :attr:`chunk_size` bytes.
    :param gzip: Gzip the body and add ``Content-Encoding: gzip``.
    :param corrupt_gzip: Add ``Content-Encoding: gzip`` but send bytes that are not gzip.
    :param stream_size: If positive, ignore :attr:`body` and send this many filler bytes
        (``b"x"``), generated while sending, never held in memory.
    :param chunk_size: The size of each chunk (and of each write of a streamed body).
    :param close: Send ``Connection: close`` and close the connection after the reply.
    :raises ValueError: If the options contradict each other or sizes are out of range.
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    reason: str | None = None
    chunked: bool = False
    gzip: bool = False
    corrupt_gzip: bool = False
    stream_size: int = 0
    chunk_size: int = 65536
    close: bool = False

    def __post_init__(self) -> None:
        if self.gzip and self.corrupt_gzip:
            raise ValueError("gzip and corrupt_gzip exclude each other")
        if self.stream_size < 0:
            raise ValueError("stream_size must not be negative")
        if self.stream_size and (self.gzip or self.corrupt_gzip):
            raise ValueError("stream_size cannot be combined with gzip or corrupt_gzip")
        if self.chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")


#: A callable that computes the reply to a request.
Handler = Callable[[Request], Reply]


def redirect(location: str, status: int = 302) -> Reply:
    """Return a redirect reply with an empty body.

    :param location: The ``Location`` header, absolute or relative (e.g. ``"/next"``).
    :param status: The status code, 302 unless given.
    :returns: The reply.
    """
    return Reply(status, headers=[("Location", location)])


def json_reply(status: int, doc: object, headers: Sequence[tuple[str, str]] = ()) -> Reply:
    """Return a reply whose body is ``doc`` as JSON.

    :param status: The status code.
    :param doc: Anything :func:`json.dumps` accepts.
    :param headers: More headers; ``Content-Type: application/json`` is added unless they have a
        ``Content-Type``.
    :returns: The reply.
    """
    all_headers = list(headers)
    if not _has_header(all_headers, "content-type"):
        all_headers.insert(0, ("Content-Type", "application/json"))
    return Reply(status, headers=all_headers, body=json.dumps(doc).encode("utf-8"))


def _has_header(headers: Sequence[tuple[str, str]], name: str) -> bool:
    return any(key.lower() == name for key, _ in headers)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _not_found(request: Request) -> Reply:
    path = request.path.partition("?")[0]
    return Reply(
        404,
        headers=[("Content-Type", "text/plain; charset=utf-8")],
        body=f"no route for {path}\n".encode(),
    )


class LoopbackServer:
    """An HTTP/1.1 server on 127.0.0.1 that answers with canned replies.

    Routes map a path (matched exactly, without the query string, whatever the method) to a
    :class:`Reply` or a :data:`Handler`. Unknown paths get ``default``, or a 404 with a short
    text body. A handler that raises, or returns something else than a :class:`Reply`, makes the
    server answer 500; the exception is appended to :attr:`errors`.

    :param routes: The initial routes.
    :param default: The reply (or handler) for unknown paths.
    :param host: The address to listen on.
    :param port: The port to listen on; 0 lets the OS pick a free one.
    """

    def __init__(
        self,
        routes: Mapping[str, Reply | Handler] | None = None,
        *,
        default: Reply | Handler | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._routes: dict[str, Reply | Handler] = dict(routes or {})
        self._default: Reply | Handler = _not_found if default is None else default
        self._address = (host, port)
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._url = ""
        self._accepted = 0
        self._open: dict[socket.socket, int] = {}
        self._workers: set[threading.Thread] = set()
        #: Every request received, in order of arrival.
        self.requests: list[Request] = []
        #: Exceptions raised by handlers (answered with 500) or by the server itself.
        self.errors: list[BaseException] = []

    # -- configuration -------------------------------------------------------------------------

    def route(self, path: str, reply: Reply | Handler) -> None:
        """Answer requests for ``path`` with ``reply``, replacing any earlier route.

        :param path: The path, without query string, e.g. ``"/v1/items"``.
        :param reply: A reply, or a handler computing it.
        """
        with self._lock:
            self._routes[path] = reply

    def sequence(self, path: str, replies: Sequence[Reply], *, then: Reply | None = None) -> None:
        """Answer successive requests for ``path`` with ``replies`` in order, then with ``then``.

        :param path: The path, without query string.
        :param replies: The replies to the first requests.
        :param then: The reply to every later request; the last of ``replies`` unless given.
        :raises ValueError: If both ``replies`` is empty and ``then`` is not given.
        """
        pending = deque(replies)
        if then is None:
            if not pending:
                raise ValueError("sequence() needs at least one reply")
            then = pending[-1]
        final = then
        lock = threading.Lock()

        def next_reply(request: Request) -> Reply:
            with lock:
                return pending.popleft() if pending else final

        self.route(path, next_reply)

    # -- state ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, ``"http://127.0.0.1:PORT"``; it stays valid after :meth:`stop`.

        :raises RuntimeError: If the server was never started.
        """
        if not self._url:
            raise RuntimeError("the server is not started")
        return self._url

    def url_for(self, path: str) -> str:
        """Return the absolute URL of ``path`` (which may carry a query string).

        :param path: The path; a leading ``/`` is added if missing.
        :returns: The URL.
        """
        return self.url + (path if path.startswith("/") else "/" + path)

    @property
    def connections_accepted(self) -> int:
        """How many TCP connections the server accepted so far."""
        with self._lock:
            return self._accepted

    @property
    def connections_open(self) -> int:
        """How many accepted TCP connections are still being served."""
        with self._lock:
            return len(self._open)

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> LoopbackServer:
        """Bind, listen and serve in a daemon thread.

        :returns: The server itself.
        :raises RuntimeError: If the server was started before.
        """
        with self._lock:
            if self._server is not None or self._stopped:
                raise RuntimeError("a LoopbackServer can be started only once")
            server = _Server(self._address, self)
            port = server.server_port
            self._url = f"http://{self._address[0]}:{port}"
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"loopback-server-{port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close every open connection and wait (bounded) for the threads.

        Calling it again, or on a server never started, does nothing.
        """
        with self._lock:
            server, thread = self._server, self._thread
            if server is None or thread is None or self._stopped:
                self._stopped = True
                return
            self._stopped = True
        server.shutdown()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            workers = list(self._workers)
        server.server_close()
        deadline = time.monotonic() + _JOIN_TIMEOUT
        for worker in [thread, *workers]:
            worker.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> LoopbackServer:
        if self._server is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- used by the server threads ------------------------------------------------------------

    def _accepted_connection(self, sock: socket.socket) -> None:
        with self._lock:
            self._accepted += 1
            self._open[sock] = self._accepted

    def _closing_connection(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.pop(sock, None)

    def _connection_id(self, sock: socket.socket) -> int:
        with self._lock:
            return self._open.get(sock, 0)

    def _worker(self, thread: threading.Thread, running: bool) -> None:
        with self._lock:
            if running:
                self._workers.add(thread)
            else:
                self._workers.discard(thread)

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _record_error(self, exc: BaseException) -> None:
        with self._lock:
            self.errors.append(exc)

    def _reply_to(self, request: Request) -> Reply:
        with self._lock:
            target = self._routes.get(request.path.partition("?")[0], self._default)
        if isinstance(target, Reply):
            return target
        try:
            reply = target(request)
            if not isinstance(reply, Reply):
                raise TypeError(f"handler returned {type(reply).__name__}, not Reply")
        except Exception as exc:
            self._record_error(exc)
            text = f"loopback handler failed: {type(exc).__name__}: {exc}\n"
            return Reply(500, [("Content-Type", "text/plain; charset=utf-8")], text.encode())
        return reply


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # LoopbackServer.stop() joins the workers with a time limit
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], owner: LoopbackServer) -> None:
        self.owner = owner
        super().__init__(address, _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind() does a reverse DNS lookup of the host; not needed here.
        socketserver.TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        self.server_name = host
        self.server_port = port

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        # Headers and body go out in separate writes; with Nagle on, the body of a
        # small reply would wait for the client's delayed ACK (40 ms on Linux).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.owner._accepted_connection(sock)
        return sock, address

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        current = threading.current_thread()
        self.owner._worker(current, running=True)
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.owner._worker(current, running=False)

    def shutdown_request(self, request: Any) -> None:
        self.owner._closing_connection(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Called with an exception being handled; a vanished client is business as usual.
        exc = sys.exc_info()[1]
        if exc is not None and not isinstance(exc, (ConnectionError, TimeoutError)):
            self.owner._record_error(exc)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        owner = self.server.owner
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self.send_error(HTTPStatus.BAD_REQUEST, "unreadable request body")
            return
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        request = Request(
            method=self.command,
            path=self.path,
            headers=headers,
            body=body,
            connection_id=owner._connection_id(self.connection),
        )
        owner._record(request)
        self._send(owner._reply_to(request))

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        size = int(length)
        if size < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(size)

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:  # ends at the last chunk, or with ValueError / TimeoutError
            size = int(self.rfile.readline(_MAX_LINE).split(b";", 1)[0].strip(), 16)
            if size == 0:
                break
            parts.append(self.rfile.read(size))
            self.rfile.readline(_MAX_LINE)
        while self.rfile.readline(_MAX_LINE).strip():  # trailer fields, up to the empty line
            pass
        return b"".join(parts)

    def _send(self, reply: Reply) -> None:
        headers = reply.headers
        has_body = not (100 <= reply.status < 200 or reply.status in (204, 304))
        payload = reply.body
        if reply.gzip:
            payload = _gzip.compress(payload, mtime=0)
        elif reply.corrupt_gzip:
            payload = _NOT_GZIP + payload
        try:
            reason = reply.reason if reply.reason is not None else _phrase(reply.status)
            self.send_response_only(reply.status, reason)
            for name, value in headers:
                self.send_header(name, value)
            if (reply.gzip or reply.corrupt_gzip) and not _has_header(headers, "content-encoding"):
                self.send_header("Content-Encoding", "gzip")
            if has_body and not _has_header(headers, "transfer-encoding"):
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                elif not _has_header(headers, "content-length"):
                    length = reply.stream_size or len(payload)
                    self.send_header("Content-Length", str(length))
            if reply.close:
                self.send_header("Connection", "close")
            self.end_headers()
            if not has_body or self.command == "HEAD":
                return
            for piece in _pieces(reply, payload):
                if reply.chunked:
                    self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                else:
                    self.wfile.write(piece)
            if reply.chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            # The client went away (or the server is stopping): drop the connection quietly.
            self.close_connection = True


def _pieces(reply: Reply, payload: bytes) -> Iterator[memoryview]:
    """Yield the body in pieces of at most ``reply.chunk_size`` bytes."""
    size = reply.chunk_size
    if reply.stream_size:
        filler = memoryview(b"x" * min(size, reply.stream_size))
        remaining = reply.stream_size
        while remaining > 0:
            piece = filler[: min(size, remaining)]
            remaining -= len(piece)
            yield piece
    else:
        view = memoryview(payload)
        for start in range(0, len(view), size):
            yield view[start : start + size]
