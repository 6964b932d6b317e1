"""The response hook against a real HTTP/1.1 server on 127.0.0.1 (pooling, streaming, redirects)."""

from __future__ import annotations

import gc
import json
import tracemalloc
from typing import TYPE_CHECKING, Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool
from urllib3.exceptions import EmptyPoolError

import cloudstatus
from cloudstatus._loopback import LoopbackServer, Reply, json_reply, redirect

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.network

TIMEOUT = 10
MIB = 2**20
HUAWEI = {"error_code": "DMS.00409001", "error_msg": "Instance name already exists."}


class _PoolWithTimeout(HTTPConnectionPool):
    """A pool whose wait for a free connection is bounded.

    requests never passes ``pool_timeout`` to urllib3, so with ``pool_block=True`` a
    leaked connection would make the next request wait forever; this makes it raise
    :class:`~urllib3.exceptions.EmptyPoolError` instead, failing the test.
    """

    wait = float(TIMEOUT)

    def _get_conn(self, timeout: float | None = None) -> Any:
        return super()._get_conn(timeout=self.wait if timeout is None else timeout)


def _single_connection_session(wait: float = TIMEOUT) -> requests.Session:
    """A session with the hook and a pool of exactly one connection to the server."""
    pool_class = type("_Pool", (_PoolWithTimeout,), {"wait": wait})
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, pool_block=True)
    adapter.poolmanager.pool_classes_by_scheme = {"http": pool_class}
    session = requests.Session()
    session.mount("http://", adapter)
    cloudstatus.install(session)
    return session


@pytest.fixture
def pooled() -> Iterator[requests.Session]:
    """A session with the hook and a blocking pool of size 1."""
    with _single_connection_session() as s:
        yield s


def _traced_peak(action: Any) -> int:
    """Peak bytes traced by tracemalloc while ``action()`` runs."""
    gc.collect()
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_redirect_chain_raises_once_at_last_hop(
    server: LoopbackServer, session: requests.Session
) -> None:
    """A 302 -> 302 -> 409 chain is followed and raises once, for the final URL."""
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/c"))
    server.route("/c", json_reply(409, HUAWEI))
    hops: list[int] = []
    session.hooks["response"].insert(0, lambda r, *a, **k: hops.append(r.status_code))
    with pytest.raises(cloudstatus.ConflictError) as info:
        session.get(server.url_for("/a"), timeout=TIMEOUT)
    e = info.value
    assert [r.path for r in server.requests] == ["/a", "/b", "/c"]
    assert hops == [302, 302, 409]  # the hook saw every hop and raised only at the last
    assert e.url == server.url_for("/c")
    assert e.response.url == server.url_for("/c")
    assert e.error_code == "DMS.00409001"


def test_unfollowed_redirect_is_returned(server: LoopbackServer, session: requests.Session) -> None:
    """With allow_redirects=False a 302 is returned, not raised."""
    server.route("/a", redirect("/b"))
    with session.get(server.url_for("/a"), allow_redirects=False, timeout=TIMEOUT) as response:
        assert response.status_code == 302
        assert response.headers["Location"] == "/b"
    assert len(server.requests) == 1


def test_raise_redirects_raises_on_first_hop(server: LoopbackServer) -> None:
    """With raise_redirects=True the first redirect raises, even when redirects are followed."""
    server.route("/a", redirect("/b"))
    server.route("/b", Reply(200, body=b"ok"))
    with requests.Session() as s:
        cloudstatus.install(s, raise_redirects=True)
        with pytest.raises(cloudstatus.FoundError) as info:
            s.get(server.url_for("/a"), timeout=TIMEOUT)
    assert info.value.response.headers["Location"] == "/b"
    assert len(server.requests) == 1


def test_streamed_100_mib_error_is_bounded(
    server: LoopbackServer, pooled: requests.Session
) -> None:
    """A streamed 100 MiB error body raises with little memory and a closed connection."""
    server.route("/big", Reply(409, stream_size=100 * MIB))
    server.route("/ok", Reply(200, body=b"fine"))
    caught: list[cloudstatus.CloudStatusError] = []

    def request() -> None:
        try:
            pooled.get(server.url_for("/big"), stream=True, timeout=TIMEOUT)
        except cloudstatus.ConflictError as e:
            caught.append(e)

    peak = _traced_peak(request)
    assert peak < 5 * MIB
    (e,) = caught
    assert len(e.response.content) <= 64 * 1024
    # The unread rest of the body must not poison the pool: the next request works.
    with pooled.get(server.url_for("/ok"), timeout=TIMEOUT) as response:
        assert response.text == "fine"
    assert server.connections_accepted == 2


def test_small_error_bodies_reuse_the_connection(
    server: LoopbackServer, pooled: requests.Session
) -> None:
    """500 small error responses in a row on a pool of one reuse a single connection."""
    server.route("/e", json_reply(500, {"error_code": "SYS.500", "error_msg": "boom"}))
    for _ in range(500):
        with pytest.raises(cloudstatus.InternalServerError):
            pooled.get(server.url_for("/e"), timeout=TIMEOUT)
    assert len(server.requests) == 500
    assert server.connections_accepted == 1


def test_small_streamed_error_bodies_reuse_the_connection(
    server: LoopbackServer, pooled: requests.Session
) -> None:
    """With stream=True too, a small error body is drained and the connection reused."""
    server.route("/e", Reply(503, body=b"x" * 100_000))  # over the cap, drained all the same
    for _ in range(50):
        with pytest.raises(cloudstatus.ServiceUnavailableError):
            pooled.get(server.url_for("/e"), stream=True, timeout=TIMEOUT)
    assert server.connections_accepted == 1


@pytest.mark.parametrize("stream", [False, True])
def test_huge_error_bodies_close_the_connection(
    server: LoopbackServer, pooled: requests.Session, stream: bool
) -> None:
    """A huge error body gets its connection closed instead of read, and nothing hangs."""
    server.route("/huge", Reply(500, stream_size=8 * MIB))
    for _ in range(20):
        with pytest.raises(cloudstatus.InternalServerError) as info:
            pooled.get(server.url_for("/huge"), stream=stream, timeout=TIMEOUT)
        assert len(info.value.response.content) <= 64 * 1024
    assert server.connections_accepted == 20


def test_leaked_connection_fails_instead_of_hanging(server: LoopbackServer) -> None:
    """The pool used above turns a leaked connection into an error, not a hang."""
    server.route("/ok", Reply(200, body=b"y" * 1000))
    with _single_connection_session(wait=0.2) as s:
        leaked = s.get(server.url_for("/ok"), stream=True, timeout=TIMEOUT)  # never read
        try:
            with pytest.raises(EmptyPoolError):
                s.get(server.url_for("/ok"), timeout=TIMEOUT)
        finally:
            leaked.close()


@pytest.mark.parametrize(
    "reply",
    [
        Reply(409, [("Content-Type", "application/json")], json.dumps(HUAWEI).encode(), gzip=True),
        Reply(
            409, [("Content-Type", "application/json")], json.dumps(HUAWEI).encode(), chunked=True
        ),
        Reply(
            409,
            [("Content-Type", "application/json")],
            json.dumps(HUAWEI).encode(),
            chunked=True,
            gzip=True,
            chunk_size=7,
        ),
    ],
    ids=["gzip", "chunked", "chunked-gzip"],
)
def test_encoded_error_bodies_parse(
    server: LoopbackServer, pooled: requests.Session, reply: Reply
) -> None:
    """Gzip-encoded and chunked error bodies are decoded and parsed."""
    server.route("/e", reply)
    for _ in range(3):
        with pytest.raises(cloudstatus.ConflictError) as info:
            pooled.get(server.url_for("/e"), timeout=TIMEOUT)
        assert info.value.error_code == "DMS.00409001"
        assert info.value.error_message == "Instance name already exists."
    assert server.connections_accepted == 1


def test_chunked_huge_error_body(server: LoopbackServer, pooled: requests.Session) -> None:
    """A huge chunked error body is capped and its connection closed."""
    server.route("/e", Reply(502, stream_size=4 * MIB, chunked=True, chunk_size=1000))
    server.route("/ok", Reply(200, body=b"fine"))
    with pytest.raises(cloudstatus.BadGatewayError) as info:
        pooled.get(server.url_for("/e"), timeout=TIMEOUT)
    assert len(info.value.response.content) <= 64 * 1024
    with pooled.get(server.url_for("/ok"), timeout=TIMEOUT) as response:
        assert response.ok


@pytest.mark.parametrize("stream", [False, True])
def test_corrupt_gzip_still_raises_mapped_class(
    server: LoopbackServer, pooled: requests.Session, stream: bool
) -> None:
    """A body that claims gzip but is not still raises the mapped class, and the pool survives."""
    body = json.dumps(HUAWEI).encode()
    server.route("/e", Reply(500, [("Content-Type", "application/json")], body, corrupt_gzip=True))
    server.route("/ok", Reply(200, body=b"fine"))
    with pytest.raises(cloudstatus.InternalServerError) as info:
        pooled.get(server.url_for("/e"), stream=stream, timeout=TIMEOUT)
    assert info.value.error_code is None
    with pooled.get(server.url_for("/ok"), timeout=TIMEOUT) as response:
        assert response.text == "fine"


def test_error_set_cookie_lands_in_jar(server: LoopbackServer, session: requests.Session) -> None:
    """The installed hook stores the error response's Set-Cookie in the session jar."""
    server.route(
        "/login",
        Reply(
            401,
            [("Set-Cookie", "csrf=tok123; Path=/"), ("Set-Cookie", "lang=en; Path=/")],
            b"log in first",
        ),
    )
    server.route("/next", Reply(200, body=b"ok"))
    with pytest.raises(cloudstatus.UnauthorizedError):
        session.get(server.url_for("/login"), timeout=TIMEOUT)
    assert session.cookies.get("csrf") == "tok123"
    assert session.cookies.get("lang") == "en"
    with session.get(server.url_for("/next"), timeout=TIMEOUT):
        pass
    assert "csrf=tok123" in server.requests[-1].headers.get("cookie", "")


def test_set_cookie_from_redirect_hop_and_error(
    server: LoopbackServer, session: requests.Session
) -> None:
    """Cookies set by a redirect hop and by the final error response both land in the jar."""
    server.route("/a", Reply(302, [("Location", "/b"), ("Set-Cookie", "hop=1; Path=/")]))
    server.route("/b", Reply(409, [("Set-Cookie", "final=2; Path=/")], b"conflict"))
    with pytest.raises(cloudstatus.ConflictError):
        session.get(server.url_for("/a"), timeout=TIMEOUT)
    assert session.cookies.get("hop") == "1"
    assert session.cookies.get("final") == "2"


def test_keep_alive_for_successes_after_errors(
    server: LoopbackServer, pooled: requests.Session
) -> None:
    """Successes and errors alternate on one kept-alive connection."""
    server.sequence(
        "/mix",
        [
            Reply(200, body=b"one"),
            json_reply(409, HUAWEI),
            Reply(200, body=b"two"),
            Reply(404, body=b"missing"),
            Reply(200, body=b"three"),
            json_reply(503, {"error_code": "SYS.503"}, [("Retry-After", "2")]),
            Reply(200, body=b"four"),
        ],
    )
    texts = []
    for _ in range(7):
        try:
            with pooled.get(server.url_for("/mix"), timeout=TIMEOUT) as response:
                texts.append(response.text)
        except cloudstatus.CloudStatusError as e:
            texts.append(type(e).__name__)
    assert texts == [
        "one",
        "ConflictError",
        "two",
        "NotFoundError",
        "three",
        "ServiceUnavailableError",
        "four",
    ]
    assert server.connections_accepted == 1


def test_head_error_with_content_length(server: LoopbackServer, pooled: requests.Session) -> None:
    """A HEAD error whose Content-Length announces a body raises without waiting for it."""
    server.route("/h", json_reply(404, HUAWEI))
    for _ in range(3):
        with pytest.raises(cloudstatus.NotFoundError) as info:
            pooled.head(server.url_for("/h"), timeout=TIMEOUT)
        assert info.value.error_code is None
    assert server.connections_accepted == 1


def test_error_with_connection_close(server: LoopbackServer, pooled: requests.Session) -> None:
    """An error sent with Connection: close raises and the next request reconnects."""
    server.route("/e", Reply(500, body=b"bye", close=True))
    for _ in range(3):
        with pytest.raises(cloudstatus.InternalServerError) as info:
            pooled.get(server.url_for("/e"), timeout=TIMEOUT)
        assert info.value.error_message == "bye"
    assert server.connections_accepted == 3


def test_request_id_and_retry_after_over_the_wire(
    server: LoopbackServer, session: requests.Session
) -> None:
    """Real response headers fill request_id and retry_after."""
    server.route(
        "/t",
        json_reply(
            429,
            {"error_code": "APIGW.0308", "error_msg": "throttled"},
            [("x-obs-request-id", "0000ABC"), ("Retry-After", "17")],
        ),
    )
    with pytest.raises(cloudstatus.TooManyRequestsError) as info:
        session.get(server.url_for("/t"), timeout=TIMEOUT)
    assert (info.value.request_id, info.value.retry_after) == ("0000ABC", 17.0)
