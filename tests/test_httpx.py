"""The httpx adapter: sync and async clients against a real HTTP/1.1 server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import pickle
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

httpx = pytest.importorskip("httpx")

import cloudstatus  # noqa: E402
import cloudstatus.httpx as cs_httpx  # noqa: E402
from cloudstatus._facts import Facts  # noqa: E402
from cloudstatus._hook import HookOptions  # noqa: E402
from cloudstatus._loopback import LoopbackServer, Reply, json_reply, redirect  # noqa: E402
from cloudstatus.services import dms  # noqa: E402
from tests._servers import ServerView, SlowServer  # noqa: E402
from tests.conftest import ALL_CODES  # noqa: E402

TIMEOUT = 10
MIB = 2**20
HUAWEI = {"error_code": "DMS.00409001", "error_msg": "Instance name already exists."}
KINDS = ["sync", "async"]
# Built once: a client makes its own otherwise, which costs more than the request.
SSL = ssl.create_default_context()

Outcome = Any  # an httpx.Response, or the httpx.HTTPStatusError a request raised


def _run(
    kind: str,
    requests: list[tuple[str, str]],
    *,
    client: dict[str, Any] | None = None,
    install: dict[str, Any] | None = None,
    after: Callable[[Any], None] | None = None,
    catch: Any = None,
) -> list[Outcome]:
    """Send ``(method, url)`` requests in turn on one client with the hook installed.

    Each outcome is the response (read to the end) or the error it raised (an
    HTTPStatusError, or any of ``catch``); ``after(client)`` runs before the client
    is closed.
    """
    caught = catch or httpx.HTTPStatusError
    kwargs: dict[str, Any] = {"timeout": TIMEOUT, "verify": SSL, **(client or {})}
    options = install or {}
    outcomes: list[Outcome] = []
    if kind == "sync":
        with httpx.Client(**kwargs) as c:
            cs_httpx.install(c, **options)
            for method, url in requests:
                try:
                    outcomes.append(c.request(method, url))
                except caught as e:
                    outcomes.append(e)
            if after is not None:
                after(c)
        return outcomes

    async def main() -> None:
        async with httpx.AsyncClient(**kwargs) as c:
            cs_httpx.install(c, **options)
            for method, url in requests:
                try:
                    outcomes.append(await c.request(method, url))
                except caught as e:
                    outcomes.append(e)
            if after is not None:
                after(c)

    asyncio.run(main())
    return outcomes


def _one(kind: str, method: str, url: str, **kwargs: Any) -> Outcome:
    return _run(kind, [(method, url)], **kwargs)[0]


def _single_connection() -> dict[str, Any]:
    """Client options for a pool of exactly one connection, waiting at most 5 s for it."""
    return {
        "limits": httpx.Limits(max_connections=1, max_keepalive_connections=1),
        "timeout": httpx.Timeout(TIMEOUT, pool=5.0),
    }


@pytest.fixture(scope="module")
def shared_server() -> Iterator[LoopbackServer]:
    """A real HTTP/1.1 server on 127.0.0.1 for the tests of this module."""
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def server(shared_server: ServerView) -> Iterator[ServerView]:
    """The shared server, counting requests and connections from the start of the test."""
    view = ServerView(shared_server)
    yield view
    assert view.errors == []


pytestmark = pytest.mark.network


# -- what is raised ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_huawei_409_raises_service_class(server: ServerView, kind: str) -> None:
    """A 409 with a Huawei body raises dms.ConflictError, also an httpx.HTTPStatusError."""
    server.route("/v2/instances", json_reply(409, HUAWEI, [("X-Request-Id", "5b4f0c1e")]))
    e = _one(kind, "POST", server.url_for("/v2/instances"), install={"service": "dms"})
    assert type(e).__name__ == "ConflictError"
    assert isinstance(e, dms.ConflictError)
    assert isinstance(e, cloudstatus.ConflictError)
    assert isinstance(e, httpx.HTTPStatusError)
    assert (e.error_code, e.error_message, e.request_id) == (
        "DMS.00409001",
        "Instance name already exists.",
        "5b4f0c1e",
    )
    assert e.service == "dms"
    assert e.method == "POST"
    assert e.url == server.url_for("/v2/instances")
    assert str(e) == (
        f"409 Client Error: Conflict for url: {server.url_for('/v2/instances')} "
        "[DMS.00409001] Instance name already exists. (request id: 5b4f0c1e)"
    )
    # httpx's own attributes, as HTTPStatusError has them.
    assert isinstance(e.response, httpx.Response)
    assert e.response.status_code == 409
    assert e.request is e.response.request
    assert e.response.json() == HUAWEI
    assert e.response.is_closed


@pytest.mark.parametrize("kind", KINDS)
def test_registered_error_code_class_is_raised_bridged(server: ServerView, kind: str) -> None:
    """An error-code class registered for the service is what a matching body raises."""
    scoped = cloudstatus.Registry()

    class InstanceNameTaken(dms.ConflictError, error_code="DMS.00409001", registry=scoped):
        """The instance name is already in use."""

    server.route("/v2/instances", json_reply(409, HUAWEI))
    e = _one(
        kind,
        "POST",
        server.url_for("/v2/instances"),
        install={"service": "dms", "registry": scoped},
    )
    assert isinstance(e, InstanceNameTaken)
    assert isinstance(e, httpx.HTTPStatusError)
    assert type(e).__name__ == "InstanceNameTaken"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("caught", ["HTTPStatusError", "HTTPError", "NotFoundError"])
def test_existing_except_clauses_still_catch(server: ServerView, kind: str, caught: str) -> None:
    """``except httpx.HTTPStatusError`` (or ``httpx.HTTPError``) catches the typed error."""
    server.route("/gone", Reply(404))
    e = _one(kind, "GET", server.url_for("/gone"))
    clause = getattr(cloudstatus, caught, None) or getattr(httpx, caught)
    with pytest.raises(clause) as info:
        raise e
    assert info.value.response.status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_429_retry_after(server: ServerView, kind: str) -> None:
    """A 429 with Retry-After gives retry_after in seconds and a retryable error."""
    server.route(
        "/v2/messages",
        json_reply(
            429, {"error_code": "DMS.00429001", "error_msg": "slow down"}, [("Retry-After", "7")]
        ),
    )
    e = _one(kind, "POST", server.url_for("/v2/messages"), install={"service": "dms"})
    assert isinstance(e, dms.TooManyRequestsError)
    assert e.retry_after == 7.0
    assert e.retryable is True


@pytest.mark.parametrize("kind", KINDS)
def test_success_is_returned_unread_by_the_hook(server: ServerView, kind: str) -> None:
    """A 200 passes the hook untouched: its body is read by httpx as usual."""
    server.route("/ok", Reply(200, body=b"fine" * 1000))
    response = _one(kind, "GET", server.url_for("/ok"))
    assert response.status_code == 200
    assert response.content == b"fine" * 1000


# -- redirects ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_redirect_chain_raises_once_at_the_end(server: ServerView, kind: str) -> None:
    """A followed 302 -> 302 -> 409 chain raises once, for the last URL."""
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/c"))
    server.route("/c", json_reply(409, HUAWEI))
    seen: list[int] = []

    def count(response: Any) -> None:
        seen.append(response.status_code)

    async def acount(response: Any) -> None:
        seen.append(response.status_code)

    hooks = {"response": [count if kind == "sync" else acount]}
    e = _one(
        kind,
        "GET",
        server.url_for("/a"),
        client={"follow_redirects": True, "event_hooks": hooks},
        install={"service": "dms"},
    )
    assert isinstance(e, dms.ConflictError)
    assert [r.path for r in server.requests] == ["/a", "/b", "/c"]
    assert seen == [302, 302, 409]  # httpx ran the hooks on every hop
    assert e.url == server.url_for("/c")
    assert e.error_code == "DMS.00409001"
    # httpx fills history after the hooks; the hook puts the hops there itself.
    assert [str(r.url) for r in e.response.history] == [
        server.url_for("/a"),
        server.url_for("/b"),
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_history_is_not_carried_over_from_a_broken_chain(server: ServerView, kind: str) -> None:
    """Hops of a chain that ended in a transport error do not become a later error's history."""
    # The hook sees the 302 (and remembers it); httpx then fails reading its cut body.
    cut = Reply(302, [("Location", "/b"), ("Content-Length", "100")], b"partial", close=True)
    server.route("/a", cut)
    server.route("/c", json_reply(409, HUAWEI))
    broken, error = _run(
        kind,
        [("GET", server.url_for("/a")), ("GET", server.url_for("/c"))],
        client={"follow_redirects": True},
        catch=(httpx.HTTPStatusError, httpx.TransportError),
    )
    assert isinstance(broken, httpx.RemoteProtocolError)
    assert isinstance(error, cloudstatus.ConflictError)
    assert error.response.history == []


@pytest.mark.parametrize("kind", KINDS)
def test_raise_redirects_waits_for_the_end_of_a_followed_chain(
    server: ServerView, kind: str
) -> None:
    """With raise_redirects=True on a following client, only the final response decides."""
    server.route("/a", redirect("/b"))
    server.route("/b", Reply(200, body=b"ok"))
    response = _one(
        kind,
        "GET",
        server.url_for("/a"),
        client={"follow_redirects": True},
        install={"raise_redirects": True},
    )
    assert response.status_code == 200
    assert [r.path for r in server.requests] == ["/a", "/b"]


@pytest.mark.parametrize("kind", KINDS)
def test_raise_redirects_raises_when_not_following(server: ServerView, kind: str) -> None:
    """With raise_redirects=True on a client that does not follow, a 302 raises FoundError."""
    server.route("/a", redirect("/b"))
    e = _one(kind, "GET", server.url_for("/a"), install={"raise_redirects": True})
    assert isinstance(e, cloudstatus.FoundError)
    assert e.response.headers["Location"] == "/b"


@pytest.mark.parametrize("kind", KINDS)
def test_unfollowed_redirect_is_returned(server: ServerView, kind: str) -> None:
    """Without raise_redirects a 302 the client does not follow is returned, not raised."""
    server.route("/a", redirect("/b"))
    response = _one(kind, "GET", server.url_for("/a"))
    assert response.status_code == 302
    assert response.next_request.url == server.url_for("/b")


# -- bounded reading, connections --------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_50_mib_error_is_capped_and_the_connection_is_not_reused(
    server: ServerView, kind: str
) -> None:
    """A streamed 50 MiB error raises with max_body_bytes read; the next request succeeds."""
    server.route("/big", Reply(500, stream_size=50 * MIB))
    server.route("/ok", Reply(200, body=b"fine"))
    big, ok = _run(
        kind,
        [("GET", server.url_for("/big")), ("GET", server.url_for("/ok"))],
        client=_single_connection(),
        install={"max_body_bytes": 4096, "max_message_chars": 100},
    )
    assert isinstance(big, cloudstatus.InternalServerError)
    assert big.response.content == b"x" * 4096
    assert big.error_message.startswith("x" * 80)
    assert len(big.error_message) < 150  # capped near max_message_chars, not 4096
    assert len(str(big)) < 300
    assert ok.status_code == 200
    assert ok.content == b"fine"
    # The half-read connection was dropped, not handed to the next request.
    assert server.connections_accepted == 2


@pytest.mark.parametrize("kind", KINDS)
def test_pool_of_one_survives_many_errors(server: ServerView, kind: str) -> None:
    """500 errors (status 500) in a row on a pool of one connection: each released, one reused."""
    server.route("/fail", json_reply(500, {"error_code": "E500", "error_msg": "boom"}))
    server.route("/ok", Reply(200, body=b"fine"))
    outcomes = _run(
        kind,
        [("GET", server.url_for("/fail"))] * 500 + [("GET", server.url_for("/ok"))],
        client=_single_connection(),
    )
    assert all(isinstance(o, cloudstatus.InternalServerError) for o in outcomes[:-1])
    assert outcomes[-1].status_code == 200
    assert server.connections_accepted == 1  # bodies read to the end: the connection stayed


@pytest.mark.parametrize("kind", KINDS)
def test_trickled_body_is_cut_at_the_deadline(kind: str) -> None:
    """A 20 s body trickled a byte per 50 ms raises after max_body_seconds with what arrived."""
    with SlowServer(size=400, interval=0.05) as slow:
        start = time.monotonic()
        e = _one(kind, "GET", slow.url + "/slow", install={"max_body_seconds": 0.5})
        elapsed = time.monotonic() - start
    assert isinstance(e, cloudstatus.ConflictError)
    assert elapsed < 5
    assert 0 < len(e.response.content) < 400
    assert set(e.response.content) == {ord("x")}
    assert e.error_message == e.response.text


@pytest.mark.parametrize("kind", KINDS)
def test_silent_server_is_given_up_at_the_deadline(kind: str) -> None:
    """Headers, then silence: the call ends near max_body_seconds, not at the 30 s read timeout."""
    with SlowServer(status=503, size=1, interval=30) as slow:
        start = time.monotonic()
        e = _one(
            kind,
            "GET",
            slow.url + "/stall",
            client={"timeout": 30},
            install={"max_body_seconds": 0.5},
        )
        elapsed = time.monotonic() - start
    assert isinstance(e, cloudstatus.ServiceUnavailableError)
    assert elapsed < 5
    assert e.response.content == b""


@pytest.mark.parametrize("kind", KINDS)
def test_read_timeout_of_the_request_is_put_back(server: ServerView, kind: str) -> None:
    """After the bounded read, e.request carries the read timeout the caller set."""
    server.route("/fail", json_reply(500, {}))
    e = _one(kind, "GET", server.url_for("/fail"), client={"timeout": 30})
    assert e.request.extensions["timeout"]["read"] == 30


@pytest.mark.parametrize("kind", KINDS)
def test_gzip_error_body_is_decoded(server: ServerView, kind: str) -> None:
    """A gzip-encoded error body is decoded before it is parsed."""
    body = json.dumps(HUAWEI).encode()
    server.route("/gz", Reply(409, [("Content-Type", "application/json")], body, gzip=True))
    e = _one(kind, "GET", server.url_for("/gz"), install={"service": "dms"})
    assert e.error_code == "DMS.00409001"
    assert e.response.content == body


@pytest.mark.parametrize("kind", KINDS)
def test_corrupt_gzip_still_raises_the_mapped_error(server: ServerView, kind: str) -> None:
    """A body that claims gzip but is not still raises the mapped class; the pool recovers."""
    server.route(
        "/bad", Reply(502, [("Content-Type", "application/json")], b"{}", corrupt_gzip=True)
    )
    server.route("/ok", Reply(200, body=b"fine"))
    bad, ok = _run(
        kind,
        [("GET", server.url_for("/bad")), ("GET", server.url_for("/ok"))],
        client=_single_connection(),
    )
    assert isinstance(bad, cloudstatus.BadGatewayError)
    assert bad.response.content == b""
    assert bad.error_code is None
    assert ok.content == b"fine"


@pytest.mark.parametrize("kind", KINDS)
def test_cut_connection_keeps_what_arrived(server: ServerView, kind: str) -> None:
    """Content-Length 1000, 22 bytes, then a closed connection: the 22 bytes are kept."""
    said = b"quota exceeded for p1 "
    assert len(said) == 22
    server.route(
        "/cut",
        Reply(403, [("Content-Type", "text/plain"), ("Content-Length", "1000")], said, close=True),
    )
    server.route("/ok", Reply(200, body=b"fine"))
    cut, ok = _run(
        kind,
        [("GET", server.url_for("/cut")), ("GET", server.url_for("/ok"))],
        client=_single_connection(),
    )
    assert isinstance(cut, cloudstatus.ForbiddenError)
    assert cut.response.content == said
    assert cut.error_message == "quota exceeded for p1"
    assert ok.content == b"fine"


@pytest.mark.parametrize("kind", KINDS)
def test_head_error_has_no_body(server: ServerView, kind: str) -> None:
    """A HEAD that gets a 404 raises NotFoundError with an empty body, and the client goes on."""
    server.route("/missing", json_reply(404, {"error_code": "E404"}))
    server.route("/ok", Reply(200, body=b"fine"))
    head, ok = _run(
        kind,
        [("HEAD", server.url_for("/missing")), ("GET", server.url_for("/ok"))],
        client=_single_connection(),
    )
    assert isinstance(head, cloudstatus.NotFoundError)
    assert head.method == "HEAD"
    assert head.response.content == b""
    assert head.error_code is None
    assert ok.content == b"fine"
    assert server.connections_accepted == 1


@pytest.mark.parametrize("kind", KINDS)
def test_cookies_of_an_error_response_are_kept(server: ServerView, kind: str) -> None:
    """A Set-Cookie on an error response lands in the client's cookie jar."""
    server.route("/login", Reply(401, [("Set-Cookie", "route=az2; Path=/")]))
    jar: dict[str, str] = {}
    e = _one(
        kind,
        "GET",
        server.url_for("/login"),
        after=lambda c: jar.update(dict(c.cookies)),
    )
    assert isinstance(e, cloudstatus.UnauthorizedError)
    assert jar == {"route": "az2"}


# -- secrets -----------------------------------------------------------------------------------

USER, PASSWORD = "alice-user-7Q", "pw-Hunter2-9Z"
TOKEN, BEARER = "tok-AAA111", "bearer-III999"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = [PASSWORD, TOKEN, BEARER, BASIC]


def _echo(request: Any) -> Reply:
    """A 401 whose body repeats the request's credentials, as careless servers do."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    decoded = base64.b64decode(token).decode() if scheme == "Basic" else ""
    said = f"bad credentials for {request.path}: {auth} ({decoded})"
    return json_reply(401, {"error_code": "APIGW.0301", "error_msg": said})


def _shown(e: Any) -> list[str]:
    """The secrets found in what an error shows: str, repr, url, args, message."""
    places = [str(e), repr(e), str(e.url), repr(e.args), str(e.error_message)]
    return [s for s in SECRETS if any(s in p for p in places)]


def _pickled(e: Any) -> list[str]:
    """The secrets found in an error's pickle and in its unpickled copy's state."""
    places = [
        pickle.dumps(e).decode("latin-1"),
        pickle.dumps(e, protocol=0).decode("latin-1"),
        repr(vars(pickle.loads(pickle.dumps(e)))),
    ]
    return [s for s in SECRETS if any(s in p for p in places)]


def _secret_request(how: str, url: str) -> tuple[str, dict[str, Any]]:
    """The URL and client options that send credentials the ``how`` way."""
    if how == "auth":
        return url, {"auth": (USER, PASSWORD)}
    if how == "userinfo":
        return url.replace("http://", f"http://{USER}:{PASSWORD}@"), {}
    return url, {"headers": {"Authorization": f"Bearer {BEARER}"}}


HOWS = ["auth", "userinfo", "header"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("how", HOWS)
def test_echoed_credentials_are_masked(server: ServerView, kind: str, how: str) -> None:
    """auth=, URL userinfo and query, and Authorization headers echoed by the server are masked."""
    server.route("/v3/servers", _echo)
    url, client = _secret_request(how, server.url_for(f"/v3/servers?token={TOKEN}&page=2"))
    e = _one(kind, "GET", url, client=client)
    assert isinstance(e, cloudstatus.UnauthorizedError)
    # The secrets did travel, and the server said them back.
    assert TOKEN in server.requests[0].path
    assert PASSWORD in e.response.text or BEARER in e.response.text
    assert _shown(e) == []
    assert e.url is not None and "page=2" in e.url
    assert "bad credentials for /v3/servers?token=***&page=2" in e.error_message


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("how", HOWS)
def test_credentials_are_not_pickled(server: ServerView, kind: str, how: str) -> None:
    """The live request (with its credentials) stays out of the pickle of a bridged error."""
    server.route("/v3/servers", json_reply(403, {"error_code": "APIGW.0302"}))
    url, client = _secret_request(how, server.url_for(f"/v3/servers?token={TOKEN}&page=2"))
    e = _one(kind, "GET", url, client=client)
    assert isinstance(e, cloudstatus.ForbiddenError)
    assert e.request.headers["authorization"] in (f"Basic {BASIC}", f"Bearer {BEARER}")
    assert _shown(e) == []
    assert _pickled(e) == []


# -- pickling ----------------------------------------------------------------------------------


def _offline_error(status: int, body: bytes = b"", service: str | None = None) -> Any:
    """The error the sync hook raises for a response built in memory (no network)."""
    request = httpx.Request("GET", "https://dms.example.com/v2/items?token=tok-AAA111")
    response = httpx.Response(status, request=request, content=body)
    hook = cs_httpx.response_hook(service=service)
    with pytest.raises(httpx.HTTPStatusError) as info:
        hook(response)
    return info.value


@pytest.mark.parametrize("code", [c for c in ALL_CODES if c >= 400])
def test_every_bridged_class_pickles_to_the_same_class(code: int) -> None:
    """Each 4xx/5xx class, bridged with httpx.HTTPStatusError, pickles back to the same class."""
    e = _offline_error(code)
    copy_ = pickle.loads(pickle.dumps(e))
    assert type(copy_) is type(e)
    assert isinstance(copy_, httpx.HTTPStatusError)
    assert str(copy_) == str(e)
    assert copy_.status_code == code


@pytest.mark.parametrize("kind", KINDS)
def test_pickled_error_keeps_fields_and_reads_safely(server: ServerView, kind: str) -> None:
    """An unpickled error keeps the parsed fields; request and response read None, not raise."""
    server.route("/v2/instances", json_reply(409, HUAWEI, [("X-Request-Id", "r-1")]))
    e = _one(kind, "POST", server.url_for("/v2/instances"), install={"service": "dms"})
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        copy_ = pickle.loads(pickle.dumps(e, protocol=protocol))
        assert type(copy_) is type(e)
        assert (copy_.error_code, copy_.request_id, copy_.service) == ("DMS.00409001", "r-1", "dms")
        assert copy_.request is None
        assert copy_.response is None
        assert str(copy_) == str(e)
    assert e.request is not None  # the original keeps its request


def test_deepcopy_goes_through_the_same_reduction() -> None:
    """copy.deepcopy of a bridged error gives the same class without the live request."""
    e = _offline_error(409, json.dumps(HUAWEI).encode(), service="dms")
    copied = copy.deepcopy(e)
    assert type(copied) is type(e)
    assert copied.error_code == "DMS.00409001"
    assert copied.request is None


# -- install, uninstall, hooks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "hook_type"),
    [(httpx.Client, cs_httpx.ResponseHook), (httpx.AsyncClient, cs_httpx.AsyncResponseHook)],
)
def test_install_is_idempotent_and_picks_the_kind(factory: Any, hook_type: type) -> None:
    """install adds one hook of the client's kind, replaces its options when repeated."""
    client = factory(verify=SSL)
    assert cs_httpx.install(client, service="dms") is client
    assert cs_httpx.install(client, service="mpc", max_body_bytes=10) is client
    hooks = client.event_hooks["response"]
    assert [type(h) for h in hooks] == [hook_type]
    assert hooks[0].options.service == "mpc"
    assert hooks[0].options.max_body_bytes == 10
    assert "service='mpc'" in repr(hooks[0])
    assert cs_httpx.uninstall(client) is client
    assert client.event_hooks["response"] == []


def test_install_replaces_a_hook_of_the_wrong_kind() -> None:
    """A sync hook wired into an AsyncClient by hand is swapped for the async one."""
    client = httpx.AsyncClient(verify=SSL, event_hooks={"response": [cs_httpx.response_hook()]})
    cs_httpx.install(client)
    assert [type(h) for h in client.event_hooks["response"]] == [cs_httpx.AsyncResponseHook]


def test_uninstall_leaves_other_hooks() -> None:
    """uninstall removes only cloudstatus hooks."""

    def log(response: Any) -> None:  # pragma: no cover - never called
        pass

    client = httpx.Client(verify=SSL, event_hooks={"response": [log]})
    cs_httpx.install(client)
    assert cs_httpx.uninstall(client).event_hooks["response"] == [log]


@pytest.mark.parametrize("call", [cs_httpx.install, cs_httpx.uninstall])
def test_install_rejects_other_targets(call: Callable[[Any], Any]) -> None:
    """A requests session or anything else is a TypeError saying what to pass."""
    import requests

    with pytest.raises(TypeError, match=r"httpx\.Client or httpx\.AsyncClient, got Session"):
        call(requests.Session())


def test_install_rejects_bad_options() -> None:
    """An unknown service or option raises at install time, before any request."""
    with pytest.raises(LookupError, match="unknown service 'dsm'"):
        cs_httpx.install(httpx.Client(verify=SSL), service="dsm")
    with pytest.raises(TypeError, match="unknown option"):
        cs_httpx.async_response_hook(max_body=1)


def test_is_client() -> None:
    """is_client answers True for both httpx clients and False for anything else."""
    assert cs_httpx.is_client(httpx.Client(verify=SSL))
    assert cs_httpx.is_client(httpx.AsyncClient(verify=SSL))
    assert not cs_httpx.is_client(object())
    assert not cs_httpx.is_client(httpx.Client)


def test_hooks_wired_by_hand(server: ServerView) -> None:
    """response_hook and async_response_hook work in event_hooks without install."""
    server.route("/gone", json_reply(404, {"error_code": "DMS.00404001"}))
    hooks = {"response": [cs_httpx.response_hook(service="dms")]}
    with httpx.Client(verify=SSL, event_hooks=hooks) as c, pytest.raises(dms.NotFoundError):
        c.get(server.url_for("/gone"))

    async def main() -> None:
        hook = cs_httpx.async_response_hook(service="dms")
        async with httpx.AsyncClient(verify=SSL, event_hooks={"response": [hook]}) as c:
            with pytest.raises(dms.NotFoundError):
                await c.get(server.url_for("/gone"))

    asyncio.run(main())


def test_hook_made_without_a_client_raises_every_redirect(server: ServerView) -> None:
    """A hand-wired hook with raise_redirects=True raises on the first hop, even when following."""
    server.route("/a", redirect("/b"))
    hook = cs_httpx.response_hook(raise_redirects=True)
    hooks = {"response": [hook]}
    with (
        httpx.Client(verify=SSL, follow_redirects=True, event_hooks=hooks) as c,
        pytest.raises(cloudstatus.FoundError),
    ):
        c.get(server.url_for("/a"))
    assert len(server.requests) == 1


def test_body_read_before_the_hook_is_used_as_is() -> None:
    """A response already read (by an earlier hook or in memory) is not read again, only capped."""
    request = httpx.Request("GET", "https://example.com/x")
    response = httpx.Response(500, request=request, content=b"y" * 100)
    with pytest.raises(cloudstatus.InternalServerError) as info:
        cs_httpx.response_hook(max_body_bytes=10)(response)
    assert info.value.error_message == "y" * 10


def test_core_failure_still_raises_the_mapped_class(monkeypatch: pytest.MonkeyPatch) -> None:
    """If building the full error fails, the hook raises the bare mapped class, bridged."""
    import cloudstatus._foreign as foreign

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("core bug")

    monkeypatch.setattr(foreign, "error_from_facts", broken)
    e = _offline_error(409, json.dumps(HUAWEI).encode(), service="dms")
    assert isinstance(e, dms.ConflictError)
    assert isinstance(e, httpx.HTTPStatusError)
    assert e.response.status_code == 409
    assert e.request.method == "GET"


def test_core_failure_with_an_odd_service_falls_back_to_the_standard_tree() -> None:
    """build_error answers with the standard class when the service cannot resolve."""
    from cloudstatus._foreign import build_error

    opts = HookOptions()._replace(service="no-such-service")
    e = build_error(
        Facts(status_code=418, url="https://x.example/"),
        opts,
        response=None,
        request=None,
        foreign=cs_httpx._StatusError,
    )
    assert isinstance(e, cloudstatus.ClientError)
    assert isinstance(e, httpx.HTTPStatusError)


# -- packaging ---------------------------------------------------------------------------------


def test_import_cloudstatus_imports_no_client_library() -> None:
    """``import cloudstatus`` and its plain submodules load neither httpx nor aiohttp."""
    code = (
        "import sys, cloudstatus, cloudstatus.retry, cloudstatus.services\n"
        "cloudstatus.error_class(409, service='dms')\n"
        "bad = [m for m in ('httpx', 'httpcore', 'anyio', 'aiohttp') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cloudstatus_install_dispatches_to_httpx(server: ServerView) -> None:
    """cloudstatus.install(httpx.Client()) installs the httpx hook, and uninstall removes it."""
    server.route("/c", json_reply(409, HUAWEI))
    client = cloudstatus.install(httpx.Client(verify=SSL), service="dms")
    with client as c, pytest.raises(dms.ConflictError):
        c.get(server.url_for("/c"))
    assert cloudstatus.uninstall(client).event_hooks["response"] == []


def test_public_names() -> None:
    """__all__ is sorted, and each name exists and documents itself."""
    names = cs_httpx.__all__
    assert names == sorted(names)
    assert set(names) == {
        "AsyncResponseHook",
        "ResponseHook",
        "async_response_hook",
        "install",
        "is_client",
        "response_hook",
        "uninstall",
    }
    assert all((getattr(cs_httpx, n).__doc__ or "").strip() for n in names)
