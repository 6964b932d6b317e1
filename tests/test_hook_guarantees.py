"""What an installed session guarantees, against real servers on 127.0.0.1 (issue 10).

Every request raises for an error status, whatever the call passes; the body is read
within ``max_body_seconds``; what arrived before a deadline or a cut connection is
kept.
"""

from __future__ import annotations

import pickle
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import cloudstatus
from cloudstatus._loopback import LoopbackServer, Reply, json_reply, redirect
from cloudstatus.services import dms

pytestmark = pytest.mark.network
TIMEOUT = 10
BODY = b'{"error_code": "DMS.00409001", "error_msg": "Instance name already exists."}'


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        srv.route("/conflict", json_reply(409, {"error_code": "DMS.00409001", "error_msg": "x"}))
        srv.route("/missing", json_reply(404, {"error_code": "DMS.00404001", "error_msg": "no"}))
        srv.route("/old", redirect("/older", 301))
        srv.route("/older", redirect("/gone", 302))
        srv.route("/gone", json_reply(404, {"error_code": "DMS.00404001", "error_msg": "gone"}))
        srv.route("/ok", Reply(200, body=b"fine"))
        yield srv


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield cloudstatus.install(s, service="dms")


def test_a_calls_own_hooks_do_not_switch_the_hook_off(
    server: LoopbackServer, session: requests.Session
) -> None:
    """hooks= on one call replaces the session's hooks in requests; the error still raises."""
    seen: list[int] = []

    def timer(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        seen.append(response.status_code)

    with pytest.raises(dms.NotFoundError) as info:
        session.get(server.url_for("/missing"), hooks={"response": timer}, timeout=TIMEOUT)
    assert seen == [404]
    assert info.value.error_code == "DMS.00404001"


def test_send_of_a_request_prepared_elsewhere_raises(
    server: LoopbackServer, session: requests.Session
) -> None:
    """session.send() of requests.Request(...).prepare() raises like session.post() does."""
    prepared = requests.Request("POST", server.url_for("/conflict"), json={"n": 1}).prepare()
    with pytest.raises(dms.ConflictError) as info:
        session.send(prepared, timeout=TIMEOUT)
    assert info.value.method == "POST"


def test_prepared_request_of_the_session_raises_too(
    server: LoopbackServer, session: requests.Session
) -> None:
    """session.prepare_request() then send() raises, hooks or not."""
    prepared = session.prepare_request(requests.Request("GET", server.url_for("/missing")))
    with pytest.raises(dms.NotFoundError):
        session.send(prepared, timeout=TIMEOUT)


def test_a_followed_redirect_chain_raises_once_with_its_history(
    server: LoopbackServer, session: requests.Session
) -> None:
    """301 -> 302 -> 404 raises one NotFoundError whose response holds both hops."""
    before = len(server.requests)
    with pytest.raises(dms.NotFoundError) as info:
        session.get(server.url_for("/old"), timeout=TIMEOUT)
    history = info.value.response.history
    assert [hop.status_code for hop in history] == [301, 302]
    assert info.value.url == server.url_for("/gone")
    assert len(server.requests) - before == 3


def test_success_is_returned_as_requests_returns_it(
    server: LoopbackServer, session: requests.Session
) -> None:
    """A 2xx comes back read (or unread with stream=True), as without the hook."""
    assert session.get(server.url_for("/ok"), timeout=TIMEOUT).content == b"fine"
    with session.get(server.url_for("/ok"), stream=True, timeout=TIMEOUT) as response:
        assert response.raw.read() == b"fine"


def test_uninstall_restores_plain_requests(server: LoopbackServer) -> None:
    """After uninstall, an error comes back as a response again."""
    with requests.Session() as s:
        cloudstatus.install(s)
        cloudstatus.uninstall(s)
        assert s.get(server.url_for("/missing"), timeout=TIMEOUT).status_code == 404


# --- servers that misbehave on purpose ----------------------------------------------------


class ScriptedServer:
    """A raw socket server on 127.0.0.1 sending a head, then body pieces on a schedule.

    :param head: the status line and headers, as bytes, ending with a blank line.
    :param pieces: ``(bytes, seconds to wait before sending them)`` in order.
    :param close: close the connection after the last piece (else keep it open until
        the client goes away).
    """

    def __init__(self, head: bytes, pieces: list[tuple[bytes, float]], close: bool) -> None:
        self.head = head
        self.pieces = pieces
        self.close = close
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/x"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)
        self.listener.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                try:
                    conn.sendall(self.head)
                    for piece, wait in self.pieces:
                        if self.stop.wait(wait):
                            return
                        conn.sendall(piece)
                    if not self.close:
                        self.stop.wait(30)
                except OSError:
                    pass


def _head(status: int, length: int) -> bytes:
    return (
        f"HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_a_trickled_body_is_cut_at_the_deadline() -> None:
    """A body sent one byte per 100 ms raises after max_body_seconds with what arrived."""
    pieces = [(bytes([b]), 0.1) for b in BODY]  # ~7.5 s for the whole body
    with ScriptedServer(_head(409, len(BODY)), pieces, close=True) as srv, requests.Session() as s:
        cloudstatus.install(s, service="dms", max_body_seconds=1.0)
        start = time.monotonic()
        with pytest.raises(dms.ConflictError) as info:
            s.get(srv.url, stream=True, timeout=(2, 1))
        elapsed = time.monotonic() - start
    kept = info.value.response.content
    assert elapsed < 5  # generous: the point is "not the whole 7.5 s trickle"
    assert 0 < len(kept) < len(BODY)
    assert BODY.startswith(kept)


def test_a_silent_server_is_cut_at_the_deadline() -> None:
    """A server that sends the head and then nothing holds the caller max_body_seconds."""
    silent = ScriptedServer(_head(503, 100), [(b'{"err', 0)], close=False)
    with silent as srv, requests.Session() as s:
        cloudstatus.install(s, max_body_seconds=0.5)
        start = time.monotonic()
        with pytest.raises(cloudstatus.ServiceUnavailableError) as info:
            s.get(srv.url, timeout=(2, 20))
        assert time.monotonic() - start < 5
    assert info.value.response.content == b'{"err'


def test_a_cut_connection_keeps_what_arrived() -> None:
    """Content-Length 1000, 22 bytes sent, then close: the 22 bytes are kept."""
    sent = BODY[:22]
    with ScriptedServer(_head(409, 1000), [(sent, 0)], close=True) as srv, requests.Session() as s:
        cloudstatus.install(s, service="dms")
        with pytest.raises(dms.ConflictError) as info:
            s.get(srv.url, timeout=TIMEOUT)
    assert info.value.response.content == sent


def test_the_session_works_after_a_deadline(server: LoopbackServer) -> None:
    """After a body was cut at the deadline, the same session serves the next request."""
    pieces = [(bytes([b]), 0.1) for b in BODY]
    with ScriptedServer(_head(409, len(BODY)), pieces, close=True) as srv, requests.Session() as s:
        cloudstatus.install(s, max_body_seconds=0.3)
        with pytest.raises(cloudstatus.ConflictError):
            s.get(srv.url, timeout=TIMEOUT)
        assert s.get(server.url_for("/ok"), timeout=TIMEOUT).content == b"fine"


# --- the examples of issue 10, end to end ---------------------------------------------------


def test_two_retry_after_headers_make_a_post_503_retryable(server: LoopbackServer) -> None:
    """A POST 503 with Retry-After sent twice (folded to "1, 1") waits 1 s and is retryable."""
    headers = [("Retry-After", "1"), ("Retry-After", "1")]
    server.route("/busy", json_reply(503, {"error_code": "X.503"}, headers))
    with requests.Session() as s:
        cloudstatus.install(s)
        with pytest.raises(cloudstatus.ServiceUnavailableError) as info:
            s.post(server.url_for("/busy"), timeout=TIMEOUT)
    assert info.value.retry_after == 1.0
    assert info.value.retryable is True
    assert "no Retry-After" not in info.value.retry_reason


def test_a_google_retry_info_delay_is_the_retry_after(server: LoopbackServer) -> None:
    """A 429 whose body carries google.rpc.RetryInfo retryDelay "53s" gives retry_after 53."""
    body = {
        "error": {
            "code": 429,
            "message": "quota",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "53s"}],
        }
    }
    server.route("/quota", json_reply(429, body))
    with requests.Session() as s:
        cloudstatus.install(s)
        with pytest.raises(cloudstatus.TooManyRequestsError) as info:
            s.get(server.url_for("/quota"), timeout=TIMEOUT)
    assert info.value.retry_after == 53.0
    assert info.value.error_code == "RESOURCE_EXHAUSTED"


def test_a_utf8_reason_phrase_is_decoded() -> None:
    """A 520 whose reason phrase arrived as UTF-8 bytes shows text, as requests decodes it."""
    response = requests.Response()
    response.status_code = 520
    response.reason = "Komponenttia ei löydy".encode()  # type: ignore[assignment]
    response._content = b""
    e = cloudstatus.error_from_response(response)
    assert e is not None
    assert e.reason == "Komponenttia ei löydy"
    assert "b'" not in str(e)
    latin = requests.Response()
    latin.status_code = 520
    latin.reason = "Ei löydy".encode("latin-1")  # type: ignore[assignment]
    latin._content = b""
    e2 = cloudstatus.error_from_response(latin)
    assert e2 is not None and e2.reason == "Ei löydy"


def test_an_auth_tuple_password_echoed_back_is_masked(server: LoopbackServer) -> None:
    """The password of auth=("alice", pw), echoed in the body, appears nowhere."""
    password = "s3cret-Hunter2"
    server.route("/login", json_reply(401, {"error_code": "A.1", "error_msg": f"bad {password}"}))
    with requests.Session() as s:
        cloudstatus.install(s)
        with pytest.raises(cloudstatus.UnauthorizedError) as info:
            s.get(server.url_for("/login"), auth=("alice", password), timeout=TIMEOUT)
    e = info.value
    for text in (str(e), repr(e), repr(e.details), repr(e.to_dict()), repr(pickle.dumps(e))):
        assert password not in text
    assert e.error_message == "bad ***"
