"""Tests of the in-process HTTP/1.1 test server in :mod:`cloudstatus._loopback`."""

from __future__ import annotations

import gzip
import socket
import struct
import time
from typing import TYPE_CHECKING

import pytest
import requests

from cloudstatus._loopback import (
    LoopbackServer,
    Reply,
    Request,
    json_reply,
    redirect,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.network

TIMEOUT = 10


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as sess:
        yield sess


def wait_until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return bool(condition())


def test_status_body_and_headers_round_trip(server, session):
    """Status, reason, headers and body arrive as configured."""
    server.route("/x", Reply(418, [("X-Thing", "a b")], b"short and stout", reason="Teapot!"))
    r = session.get(server.url_for("/x"), timeout=TIMEOUT)
    assert (r.status_code, r.reason, r.content) == (418, "Teapot!", b"short and stout")
    assert r.headers["X-Thing"] == "a b"
    assert r.headers["Content-Length"] == "15"


def test_default_and_unknown_reason_phrases(server, session):
    """The reason phrase defaults to the standard one, or Unknown for unassigned codes."""
    server.route("/std", Reply(503))
    server.route("/odd", Reply(599))
    assert session.get(server.url_for("std"), timeout=TIMEOUT).reason == "Service Unavailable"
    assert session.get(server.url_for("/odd"), timeout=TIMEOUT).reason == "Unknown"


def test_repeated_set_cookie_headers(server, session):
    """Two Set-Cookie headers both reach the client."""
    server.route("/c", Reply(200, [("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/")]))
    r = session.get(server.url_for("/c"), timeout=TIMEOUT)
    assert r.raw.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert r.cookies.get_dict() == {"a": "1", "b": "2"}


def test_chunked_body_received_intact(server, session):
    """A chunked body is reassembled byte for byte."""
    body = bytes(range(256)) * 40
    server.route("/chunked", Reply(200, body=body, chunked=True, chunk_size=1000))
    r = session.get(server.url_for("/chunked"), timeout=TIMEOUT)
    assert r.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in r.headers
    assert r.content == body


def test_gzip_body_decoded_by_requests(server, session):
    """A gzip body is sent compressed and decoded by requests."""
    body = b"compress me " * 1000
    server.route("/gz", Reply(200, body=body, gzip=True))
    r = session.get(server.url_for("/gz"), timeout=TIMEOUT)
    assert r.headers["Content-Encoding"] == "gzip"
    assert int(r.headers["Content-Length"]) == len(gzip.compress(body, mtime=0)) < len(body)
    assert r.content == body


def test_corrupt_gzip_raises_content_decoding_error(server, session):
    """A body that claims gzip but is not makes requests raise ContentDecodingError."""
    server.route("/bad", Reply(500, body=b"oops", corrupt_gzip=True))
    with session.get(server.url_for("/bad"), stream=True, timeout=TIMEOUT) as r:
        assert r.headers["Content-Encoding"] == "gzip"
        with pytest.raises(requests.exceptions.ContentDecodingError):
            r.content  # noqa: B018


def test_sequence_then_fallback(server, session):
    """A sequence yields its replies in order, then the fallback forever."""
    server.sequence("/s", [Reply(503), Reply(429)], then=Reply(200, body=b"ok"))
    server.sequence("/t", [Reply(500), Reply(201)])
    url = server.url_for("/s")
    codes = [session.get(url, timeout=TIMEOUT).status_code for _ in range(4)]
    assert codes == [503, 429, 200, 200]
    codes = [session.get(server.url_for("/t"), timeout=TIMEOUT).status_code for _ in range(3)]
    assert codes == [500, 201, 201]


def test_sequence_needs_a_reply():
    """An empty sequence without a fallback is refused."""
    with pytest.raises(ValueError, match="at least one"):
        LoopbackServer().sequence("/s", [])


def test_handler_receives_method_path_body_and_headers(server, session):
    """A handler callable sees the method, path with query, body and lowercase headers."""
    seen: list[Request] = []

    def handler(request: Request) -> Reply:
        seen.append(request)
        return Reply(201, body=request.body.upper())

    server.route("/h", handler)
    r = session.post(
        server.url_for("/h?a=1"), data=b"payload", headers={"X-Token": "t1"}, timeout=TIMEOUT
    )
    assert (r.status_code, r.content) == (201, b"PAYLOAD")
    (request,) = seen
    assert (request.method, request.path, request.body) == ("POST", "/h?a=1", b"payload")
    assert request.headers["x-token"] == "t1"
    assert request.headers["content-length"] == "7"
    assert request.connection_id == 1
    assert server.requests == [request]


def test_chunked_request_body_is_read(server, session):
    """A request body sent with chunked transfer coding is reassembled."""
    server.route("/up", lambda request: Reply(200, body=request.body))
    r = session.put(server.url_for("/up"), data=iter([b"abc", b"", b"defg"]), timeout=TIMEOUT)
    assert r.content == b"abcdefg"
    assert server.requests[0].headers["transfer-encoding"] == "chunked"


def port_of(server: LoopbackServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def exchange(server: LoopbackServer, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port_of(server)), TIMEOUT) as sock:
        sock.sendall(data)
        return b"".join(iter(lambda: sock.recv(65536), b""))


def test_chunked_request_with_extension_and_trailer(server):
    """Chunk extensions and trailer fields of a chunked request body are skipped."""
    server.route("/up", lambda request: Reply(200, body=request.body, close=True))
    answer = exchange(
        server,
        b"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3;ext=1\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.endswith(b"\r\n\r\nabc")


def test_client_reset_and_unencodable_reply_stay_quiet(server, session, capfd):
    """A client reset is ignored and an unencodable reply is recorded, both without output."""
    with socket.create_connection(("127.0.0.1", port_of(server)), TIMEOUT) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.sendall(b"GET /half")
    assert wait_until(lambda: server.connections_open == 0)
    server.route("/bad", Reply(200, [("X-Snowman", "\u2603")]))
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(server.url_for("/bad"), timeout=TIMEOUT)
    assert [type(exc) for exc in server.errors] == [UnicodeEncodeError]
    assert capfd.readouterr().err == ""


def test_unreadable_request_body_gets_400(server):
    """A request with an invalid Content-Length is answered 400 and closed."""
    answer = exchange(server, b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in answer
    assert server.requests == []


def test_keep_alive_reuses_one_connection(server, session):
    """Five sequential GETs on one session use a single TCP connection."""
    server.route("/k", Reply(200, body=b"x" * 1000))
    for _ in range(5):
        assert session.get(server.url_for("/k"), timeout=TIMEOUT).content == b"x" * 1000
    assert server.connections_accepted == 1
    assert {request.connection_id for request in server.requests} == {1}


def test_close_opens_a_new_connection_each_time(server, session):
    """Replies with close=True make the client reconnect for every request."""
    server.route("/c", Reply(200, body=b"bye", close=True))
    for _ in range(3):
        r = session.get(server.url_for("/c"), timeout=TIMEOUT)
        assert (r.content, r.headers["Connection"]) == (b"bye", "close")
    assert server.connections_accepted == 3
    assert [request.connection_id for request in server.requests] == [1, 2, 3]


def test_partially_read_stream_does_not_hurt_the_server(server, session, capfd):
    """Closing a 200 MB stream early ends the server's worker quietly; the server goes on."""
    server.route("/big", Reply(200, stream_size=200 * 1024 * 1024))
    server.route("/small", Reply(200, body=b"still here"))
    with session.get(server.url_for("/big"), stream=True, timeout=TIMEOUT) as r:
        assert r.headers["Content-Length"] == str(200 * 1024 * 1024)
        first = next(r.iter_content(1 << 16))
        assert set(first) == {ord("x")}
    assert wait_until(lambda: server.connections_open == 0)
    assert session.get(server.url_for("/small"), timeout=TIMEOUT).content == b"still here"
    assert server.errors == []
    assert capfd.readouterr().err == ""


def test_stream_is_complete_and_chunked_stream_works(server, session):
    """Streamed filler has the announced size, with Content-Length or chunked."""
    server.route("/s", Reply(200, stream_size=100_000, chunk_size=30_000))
    server.route("/sc", Reply(200, stream_size=100_000, chunk_size=30_000, chunked=True))
    assert session.get(server.url_for("/s"), timeout=TIMEOUT).content == b"x" * 100_000
    r = session.get(server.url_for("/sc"), timeout=TIMEOUT)
    assert (r.headers["Transfer-Encoding"], r.content) == ("chunked", b"x" * 100_000)
    assert server.connections_accepted == 1


def test_stop_interrupts_a_stream_and_idle_connections(session):
    """Stopping ends a stream in progress and idle keep-alive connections within seconds."""
    server = LoopbackServer({"/big": Reply(200, stream_size=1 << 30), "/ok": Reply(204)})
    with server, requests.Session() as idle:
        assert idle.get(server.url_for("/ok"), timeout=TIMEOUT).status_code == 204
        r = session.get(server.url_for("/big"), stream=True, timeout=TIMEOUT)
        next(r.iter_content(1024))
        started = time.monotonic()
    assert time.monotonic() - started < 3
    assert server.connections_open == 0
    with pytest.raises(requests.exceptions.RequestException):
        r.content  # noqa: B018
    r.close()


def test_unknown_path_is_404(server, session):
    """An unknown path gets a 404 with a short text body."""
    r = session.get(server.url_for("/nope?q=1"), timeout=TIMEOUT)
    assert (r.status_code, r.text) == (404, "no route for /nope\n")
    assert r.headers["Content-Type"].startswith("text/plain")


def test_default_reply_replaces_404(session):
    """A default reply answers every unknown path."""
    with LoopbackServer(default=lambda request: Reply(200, body=request.path.encode())) as srv:
        assert session.get(srv.url_for("/any/where"), timeout=TIMEOUT).text == "/any/where"


def test_failing_handler_gives_500_and_records_the_error(server, session):
    """A handler that raises or returns a non-Reply gives 500 and lands in errors."""

    def boom(request: Request) -> Reply:
        raise RuntimeError("kaput")

    server.route("/boom", boom)
    server.route("/wrong", lambda request: "not a reply")
    r = session.get(server.url_for("/boom"), timeout=TIMEOUT)
    assert (r.status_code, r.text) == (500, "loopback handler failed: RuntimeError: kaput\n")
    assert session.get(server.url_for("/wrong"), timeout=TIMEOUT).status_code == 500
    assert [type(exc) for exc in server.errors] == [RuntimeError, TypeError]


def test_head_and_no_body_statuses(server, session):
    """HEAD replies and 204/304 replies carry no body and keep the connection usable."""
    server.route("/h", Reply(200, body=b"twelve bytes"))
    server.route("/n", Reply(204, body=b"ignored"))
    server.route("/m", Reply(304))
    r = session.head(server.url_for("/h"), timeout=TIMEOUT)
    assert (r.headers["Content-Length"], r.content) == ("12", b"")
    r = session.get(server.url_for("/n"), timeout=TIMEOUT)
    assert (r.status_code, r.content, "Content-Length" in r.headers) == (204, b"", False)
    assert session.get(server.url_for("/m"), timeout=TIMEOUT).status_code == 304
    assert session.get(server.url_for("/h"), timeout=TIMEOUT).content == b"twelve bytes"
    assert server.connections_accepted == 1


def test_framing_headers_given_by_the_reply_are_kept(server, session):
    """Explicit Content-Length, Transfer-Encoding and Content-Encoding are sent verbatim."""
    server.route(
        "/cl", Reply(200, [("Content-Length", "3"), ("Content-Encoding", "identity")], b"abc")
    )
    server.route(
        "/te",
        Reply(200, [("Transfer-Encoding", "chunked")], b"2\r\nhi\r\n0\r\n\r\n", gzip=False),
    )
    server.route(
        "/gz", Reply(200, [("Content-Encoding", "gzip")], b"zipped", gzip=True, chunked=True)
    )
    r = session.get(server.url_for("/cl"), timeout=TIMEOUT)
    assert (r.headers["Content-Length"], r.headers["Content-Encoding"], r.content) == (
        "3",
        "identity",
        b"abc",
    )
    assert session.get(server.url_for("/te"), timeout=TIMEOUT).content == b"hi"
    r = session.get(server.url_for("/gz"), timeout=TIMEOUT)
    assert (r.headers["Content-Encoding"], r.content) == ("gzip", b"zipped")


def test_redirect_chain_is_followed(server, session):
    """Requests follows a 302, 302, 200 chain built with redirect()."""
    server.route("/a", redirect("/b"))
    server.route("/b", redirect(server.url_for("/c"), 302))
    server.route("/c", Reply(200, body=b"landed"))
    r = session.get(server.url_for("/a"), timeout=TIMEOUT)
    assert (r.status_code, r.content) == (200, b"landed")
    assert [(h.status_code, h.headers["Location"]) for h in r.history] == [
        (302, "/b"),
        (302, server.url_for("/c")),
    ]


def test_json_reply(server, session):
    """json_reply() serialises the document and sets Content-Type unless given."""
    server.route("/j", json_reply(429, {"error": {"code": 429}}, [("Retry-After", "3")]))
    server.route("/p", json_reply(400, [1], [("Content-Type", "application/problem+json")]))
    r = session.get(server.url_for("/j"), timeout=TIMEOUT)
    assert (r.status_code, r.json(), r.headers["Retry-After"]) == (
        429,
        {"error": {"code": 429}},
        "3",
    )
    assert r.headers["Content-Type"] == "application/json"
    r = session.get(server.url_for("/p"), timeout=TIMEOUT)
    assert (r.json(), r.headers["Content-Type"]) == ([1], "application/problem+json")


def test_server_stops_in_exit():
    """After the with block the port refuses connections."""
    with LoopbackServer() as srv:
        port = port_of(srv)
        socket.create_connection(("127.0.0.1", port), TIMEOUT).close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), TIMEOUT).close()
    srv.stop()


def test_life_cycle_misuse():
    """url before start, a second start and stop without start are handled."""
    srv = LoopbackServer()
    with pytest.raises(RuntimeError, match="not started"):
        srv.url  # noqa: B018
    srv.stop()
    with pytest.raises(RuntimeError, match="only once"):
        srv.start()
    with LoopbackServer().start() as other, pytest.raises(RuntimeError, match="only once"):
        other.start()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"gzip": True, "corrupt_gzip": True}, "exclude"),
        ({"stream_size": -1}, "negative"),
        ({"stream_size": 10, "gzip": True}, "cannot be combined"),
        ({"chunk_size": 0}, "at least 1"),
    ],
)
def test_contradictory_reply_options_are_refused(kwargs, message):
    """Reply rejects contradictory options and out-of-range sizes."""
    with pytest.raises(ValueError, match=message):
        Reply(200, **kwargs)
