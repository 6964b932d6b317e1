"""The aiohttp adapter: raise_for_status callables against a real HTTP/1.1 server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import json
import pickle
import time
from collections.abc import Iterator
from typing import Any

import pytest

aiohttp = pytest.importorskip("aiohttp")

import cloudstatus  # noqa: E402
import cloudstatus.aiohttp as cs_aiohttp  # noqa: E402
from cloudstatus._loopback import LoopbackServer, Reply, json_reply, redirect  # noqa: E402
from cloudstatus.services import dms  # noqa: E402
from tests._servers import ServerView, SlowServer  # noqa: E402
from tests.conftest import ALL_CODES  # noqa: E402

pytestmark = pytest.mark.network

TIMEOUT = 10
MIB = 2**20
HUAWEI = {"error_code": "DMS.00409001", "error_msg": "Instance name already exists."}


class Got:
    """A response that did not raise: its status and body."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body


def _run(
    requests: list[tuple[str, str]],
    *,
    session: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    per_request: bool = False,
    request: dict[str, Any] | None = None,
    pool_of_one: bool = False,
    cookies: dict[str, str] | None = None,
) -> list[Any]:
    """Send ``(method, url)`` requests in turn on one session; collect what each gave.

    The callable is the session's ``raise_for_status``, or each request's with
    ``per_request``; ``request`` holds further keyword arguments for each request;
    ``cookies`` receives the session's cookies at the end. An outcome is a
    :class:`Got`, or the ClientResponseError raised.
    """
    outcomes: list[Any] = []
    check = cs_aiohttp.raise_for_status(**(options or {}))

    async def main() -> None:
        kwargs: dict[str, Any] = {"timeout": aiohttp.ClientTimeout(total=TIMEOUT)}
        if pool_of_one:
            kwargs["connector"] = aiohttp.TCPConnector(limit=1)
        if cookies is not None:
            # The default jar ignores cookies of IP-address hosts such as 127.0.0.1.
            kwargs["cookie_jar"] = aiohttp.CookieJar(unsafe=True)
        if not per_request:
            kwargs["raise_for_status"] = check
        kwargs.update(session or {})
        async with aiohttp.ClientSession(**kwargs) as s:
            for method, url in requests:
                extra = {"raise_for_status": check} if per_request else {}
                extra.update(request or {})
                try:
                    async with s.request(method, url, **extra) as r:
                        outcomes.append(Got(r.status, await r.read()))
                except aiohttp.ClientResponseError as e:
                    outcomes.append(e)
            if cookies is not None:
                cookies.update({c.key: c.value for c in s.cookie_jar})

    asyncio.run(main())
    return outcomes


def _one(method: str, url: str, **kwargs: Any) -> Any:
    return _run([(method, url)], **kwargs)[0]


@pytest.fixture(scope="module")
def shared_server() -> Iterator[LoopbackServer]:
    """A real HTTP/1.1 server on 127.0.0.1 for the tests of this module."""
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def server(shared_server: LoopbackServer) -> Iterator[ServerView]:
    """The shared server, counting requests and connections from the start of the test."""
    view = ServerView(shared_server)
    yield view
    assert view.errors == []


# -- what is raised ----------------------------------------------------------------------------


@pytest.mark.parametrize("per_request", [False, True], ids=["session", "request"])
def test_huawei_409_raises_service_class(server: ServerView, per_request: bool) -> None:
    """A 409 with a Huawei body raises dms.ConflictError, also an aiohttp.ClientResponseError."""
    server.route("/v2/instances", json_reply(409, HUAWEI, [("X-Request-Id", "5b4f0c1e")]))
    e = _one(
        "POST",
        server.url_for("/v2/instances"),
        options={"service": "dms"},
        per_request=per_request,
    )
    assert type(e).__name__ == "ConflictError"
    assert isinstance(e, dms.ConflictError)
    assert isinstance(e, aiohttp.ClientResponseError)
    assert (e.error_code, e.error_message, e.request_id) == (
        "DMS.00409001",
        "Instance name already exists.",
        "5b4f0c1e",
    )
    assert (e.service, e.method, e.url) == ("dms", "POST", server.url_for("/v2/instances"))
    assert str(e) == (
        f"409 Client Error: Conflict for url: {server.url_for('/v2/instances')} "
        "[DMS.00409001] Instance name already exists. (request id: 5b4f0c1e)"
    )
    # aiohttp's own attributes, as ClientResponseError has them.
    assert e.status == 409
    assert e.message == "Conflict"
    assert e.headers["X-Request-Id"] == "5b4f0c1e"
    assert str(e.request_info.real_url) == server.url_for("/v2/instances")
    assert e.request_info.method == "POST"
    assert e.history == ()
    assert e.response.status == 409
    assert e.details == HUAWEI


def test_registered_error_code_class_is_raised_bridged(server: ServerView) -> None:
    """An error-code class registered for the service is what a matching body raises."""
    scoped = cloudstatus.Registry()

    class InstanceNameTaken(dms.ConflictError, error_code="DMS.00409001", registry=scoped):
        """The instance name is already in use."""

    server.route("/v2/instances", json_reply(409, HUAWEI))
    e = _one(
        "POST", server.url_for("/v2/instances"), options={"service": "dms", "registry": scoped}
    )
    assert isinstance(e, InstanceNameTaken)
    assert isinstance(e, aiohttp.ClientResponseError)
    assert e.status == 409


@pytest.mark.parametrize("caught", ["ClientResponseError", "ClientError", "ConflictError"])
def test_existing_except_clauses_still_catch(server: ServerView, caught: str) -> None:
    """``except aiohttp.ClientResponseError`` (or ``ClientError``) catches the typed error."""
    server.route("/taken", Reply(409))
    e = _one("GET", server.url_for("/taken"))
    clause = getattr(cloudstatus, caught, None) or getattr(aiohttp, caught)
    with pytest.raises(clause) as info:
        raise e
    assert info.value.status == 409


def test_429_retry_after(server: ServerView) -> None:
    """A 429 with Retry-After gives retry_after in seconds and a retryable error."""
    server.route(
        "/v2/messages",
        json_reply(429, {"error_code": "DMS.00429001"}, [("Retry-After", "7")]),
    )
    e = _one("POST", server.url_for("/v2/messages"), options={"service": "dms"})
    assert isinstance(e, dms.TooManyRequestsError)
    assert e.retry_after == 7.0
    assert e.retryable is True


def test_success_passes_untouched(server: ServerView) -> None:
    """A 200 goes through the callable unread: the caller reads the whole body."""
    server.route("/ok", Reply(200, body=b"fine" * 1000))
    got = _one("GET", server.url_for("/ok"))
    assert (got.status, got.body) == (200, b"fine" * 1000)


def test_redirect_chain_raises_once_at_the_end(server: ServerView) -> None:
    """A followed 302 -> 302 -> 409 chain raises once, for the last URL."""
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/c"))
    server.route("/c", json_reply(409, HUAWEI))
    e = _one("GET", server.url_for("/a"), options={"service": "dms"})
    assert isinstance(e, dms.ConflictError)
    assert [r.path for r in server.requests] == ["/a", "/b", "/c"]
    assert e.url == server.url_for("/c")


def test_raise_redirects_raises_an_unfollowed_redirect(server: ServerView) -> None:
    """With raise_redirects=True a redirect aiohttp does not follow raises FoundError."""
    server.route("/a", redirect("/b"))
    e = _one(
        "GET",
        server.url_for("/a"),
        options={"raise_redirects": True},
        request={"allow_redirects": False},
    )
    assert isinstance(e, cloudstatus.FoundError)
    assert e.headers["Location"] == "/b"


def test_unfollowed_redirect_is_returned(server: ServerView) -> None:
    """Without raise_redirects a redirect aiohttp does not follow is returned, not raised."""
    server.route("/a", redirect("/b"))
    got = _one("GET", server.url_for("/a"), request={"allow_redirects": False})
    assert got.status == 302


# -- bounded reading, connections --------------------------------------------------------------


def test_50_mib_error_is_capped_and_the_pool_recovers(server: ServerView) -> None:
    """A streamed 50 MiB error raises with max_body_bytes read; the next request succeeds."""
    server.route("/big", Reply(500, stream_size=50 * MIB))
    server.route("/ok", Reply(200, body=b"fine"))
    big, ok = _run(
        [("GET", server.url_for("/big")), ("GET", server.url_for("/ok"))],
        options={"max_body_bytes": 4096, "max_message_chars": 100},
        pool_of_one=True,
    )
    assert isinstance(big, cloudstatus.InternalServerError)
    assert big.error_message.startswith("x" * 80)
    assert len(big.error_message) < 150  # capped near max_message_chars, not 4096
    assert len(str(big)) < 300
    assert (ok.status, ok.body) == (200, b"fine")
    assert server.connections_accepted == 2  # the half-read connection was dropped


def test_pool_of_one_survives_many_errors(server: ServerView) -> None:
    """500 errors (status 500) in a row on a pool of one connection: each released, one reused."""
    server.route("/fail", json_reply(500, {"error_code": "E500", "error_msg": "boom"}))
    server.route("/ok", Reply(200, body=b"fine"))
    outcomes = _run(
        [("GET", server.url_for("/fail"))] * 500 + [("GET", server.url_for("/ok"))],
        pool_of_one=True,
    )
    assert all(isinstance(o, cloudstatus.InternalServerError) for o in outcomes[:-1])
    assert outcomes[-1].body == b"fine"
    assert server.connections_accepted == 1


def test_trickled_body_is_cut_at_the_deadline() -> None:
    """A 20 s body trickled a byte per 50 ms raises after max_body_seconds with what arrived."""
    with SlowServer(size=400, interval=0.05) as slow:
        start = time.monotonic()
        e = _one("GET", slow.url + "/slow", options={"max_body_seconds": 0.5})
        elapsed = time.monotonic() - start
    assert isinstance(e, cloudstatus.ConflictError)
    assert elapsed < 5
    assert e.error_message is not None
    assert 0 < len(e.error_message) < 400
    assert set(e.error_message) == {"x"}


def test_silent_server_is_given_up_at_the_deadline() -> None:
    """Headers, then silence: the call ends near max_body_seconds, not at the 30 s timeout."""
    with SlowServer(status=503, size=1, interval=30) as slow:
        start = time.monotonic()
        e = _one(
            "GET",
            slow.url + "/stall",
            session={"timeout": aiohttp.ClientTimeout(total=30)},
            options={"max_body_seconds": 0.5},
        )
        elapsed = time.monotonic() - start
    assert isinstance(e, cloudstatus.ServiceUnavailableError)
    assert elapsed < 5
    assert e.error_message is None


def test_gzip_error_body_is_decoded(server: ServerView) -> None:
    """A gzip-encoded error body is decoded before it is parsed."""
    body = json.dumps(HUAWEI).encode()
    server.route("/gz", Reply(409, [("Content-Type", "application/json")], body, gzip=True))
    e = _one("GET", server.url_for("/gz"), options={"service": "dms"})
    assert e.error_code == "DMS.00409001"
    assert e.response._body == body


def test_corrupt_gzip_still_raises_the_mapped_error(server: ServerView) -> None:
    """A body that claims gzip but is not still raises the mapped class; the pool recovers."""
    server.route(
        "/bad", Reply(502, [("Content-Type", "application/json")], b"{}", corrupt_gzip=True)
    )
    server.route("/ok", Reply(200, body=b"fine"))
    bad, ok = _run(
        [("GET", server.url_for("/bad")), ("GET", server.url_for("/ok"))], pool_of_one=True
    )
    assert isinstance(bad, cloudstatus.BadGatewayError)
    assert bad.error_code is None
    assert ok.body == b"fine"


def test_cut_connection_keeps_what_arrived(server: ServerView) -> None:
    """Content-Length 1000, 22 bytes, then a closed connection: the 22 bytes are kept."""
    said = b"quota exceeded for p1 "
    assert len(said) == 22
    server.route(
        "/cut",
        Reply(403, [("Content-Type", "text/plain"), ("Content-Length", "1000")], said, close=True),
    )
    server.route("/ok", Reply(200, body=b"fine"))
    cut, ok = _run(
        [("GET", server.url_for("/cut")), ("GET", server.url_for("/ok"))], pool_of_one=True
    )
    assert isinstance(cut, cloudstatus.ForbiddenError)
    assert cut.error_message == "quota exceeded for p1"
    assert cut.response._body == said
    assert ok.body == b"fine"


def test_head_error_has_no_body(server: ServerView) -> None:
    """A HEAD that gets a 404 raises NotFoundError with no body, and the connection is reused."""
    server.route("/missing", json_reply(404, {"error_code": "E404"}))
    server.route("/ok", Reply(200, body=b"fine"))
    head, ok = _run(
        [("HEAD", server.url_for("/missing")), ("GET", server.url_for("/ok"))], pool_of_one=True
    )
    assert isinstance(head, cloudstatus.NotFoundError)
    assert head.method == "HEAD"
    assert head.error_code is None
    assert ok.body == b"fine"
    assert server.connections_accepted == 1


def test_cookies_of_an_error_response_are_kept(server: ServerView) -> None:
    """A Set-Cookie on an error response lands in the session's cookie jar."""
    server.route("/login", Reply(401, [("Set-Cookie", "route=az2; Path=/")]))
    jar: dict[str, str] = {}
    e = _one("GET", server.url_for("/login"), cookies=jar)
    assert isinstance(e, cloudstatus.UnauthorizedError)
    assert jar == {"route": "az2"}


# -- secrets -----------------------------------------------------------------------------------

USER, PASSWORD = "alice-user-7Q", "pw-Hunter2-9Z"
TOKEN, BEARER = "tok-AAA111", "bearer-III999"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = [PASSWORD, TOKEN, BEARER, BASIC]
HOWS = [
    # aiohttp 3.14 deprecates auth=, which older versions offer as the only way.
    pytest.param("auth", marks=pytest.mark.filterwarnings("ignore:.*auth.*:DeprecationWarning")),
    "userinfo",
    "header",
]


def _echo(request: Any) -> Reply:
    """A 401 whose body repeats the request's credentials, as careless servers do."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    decoded = base64.b64decode(token).decode() if scheme == "Basic" else ""
    said = f"bad credentials for {request.path}: {auth} ({decoded})"
    return json_reply(401, {"error_code": "APIGW.0301", "error_msg": said})


def _secret_request(how: str, url: str) -> tuple[str, dict[str, Any]]:
    """The URL and session options that send credentials the ``how`` way."""
    if how == "auth":
        return url, {"auth": aiohttp.BasicAuth(USER, PASSWORD)}
    if how == "userinfo":
        return url.replace("http://", f"http://{USER}:{PASSWORD}@"), {}
    return url, {"headers": {"Authorization": f"Bearer {BEARER}"}}


def _found(places: list[str]) -> list[str]:
    return [s for s in SECRETS if any(s in p for p in places)]


@pytest.mark.parametrize("how", HOWS)
def test_echoed_credentials_are_masked(server: ServerView, how: str) -> None:
    """auth=, URL userinfo and query, and Authorization headers echoed by the server are masked."""
    server.route("/v3/servers", _echo)
    url, session = _secret_request(how, server.url_for(f"/v3/servers?token={TOKEN}&page=2"))
    e = _one("GET", url, session=session)
    assert isinstance(e, cloudstatus.UnauthorizedError)
    assert TOKEN in server.requests[0].path  # the secrets did travel
    assert server.requests[0].headers["authorization"] in (f"Basic {BASIC}", f"Bearer {BEARER}")
    assert _found([str(e), repr(e), str(e.url), repr(e.args), str(e.error_message)]) == []
    assert "bad credentials for /v3/servers?token=***&page=2" in e.error_message


@pytest.mark.parametrize("how", HOWS)
def test_credentials_are_not_pickled(server: ServerView, how: str) -> None:
    """request_info (with the request's credentials) stays out of the pickle of a bridged error."""
    server.route("/v3/servers", json_reply(403, {"error_code": "APIGW.0302"}))
    url, session = _secret_request(how, server.url_for(f"/v3/servers?token={TOKEN}&page=2"))
    e = _one("GET", url, session=session)
    assert isinstance(e, cloudstatus.ForbiddenError)
    assert _found([repr(e.request_info)]) != []  # the live error does hold them
    pickled = [
        pickle.dumps(e).decode("latin-1"),
        pickle.dumps(e, protocol=0).decode("latin-1"),
        repr(vars(pickle.loads(pickle.dumps(e)))),
    ]
    assert _found([str(e), repr(e), *pickled]) == []


# -- pickling ----------------------------------------------------------------------------------


def test_aiohttp_own_error_does_not_pickle() -> None:
    """The reason for the work below: aiohttp's error with its headers does not pickle."""
    from multidict import CIMultiDict, CIMultiDictProxy

    headers = CIMultiDictProxy(CIMultiDict({"X-Request-Id": "r-1"}))
    plain = aiohttp.ClientResponseError(None, (), status=409, headers=headers)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pickle.dumps(plain)


def test_pickled_error_keeps_fields_and_plain_values(server: ServerView) -> None:
    """An unpickled error is the same class with the parsed fields, and plain aiohttp fields."""
    server.route("/v2/instances", json_reply(409, HUAWEI, [("X-Request-Id", "r-1")]))
    e = _one("POST", server.url_for("/v2/instances"), options={"service": "dms"})
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        copy = pickle.loads(pickle.dumps(e, protocol=protocol))
        assert type(copy) is type(e)
        assert isinstance(copy, aiohttp.ClientResponseError)
        assert (copy.error_code, copy.request_id, copy.service) == ("DMS.00409001", "r-1", "dms")
        assert (copy.status, copy.message) == (409, "Conflict")
        assert (copy.request_info, copy.headers, copy.history) == (None, None, ())
        assert (copy.response, copy.request) == (None, None)
        assert str(copy) == str(e)
        assert repr(copy) == repr(e)


@pytest.mark.parametrize("code", [c for c in ALL_CODES if c >= 400])
def test_every_bridged_class_pickles_to_the_same_class(
    shared_server: LoopbackServer, code: int
) -> None:
    """Each 4xx/5xx class, bridged with aiohttp.ClientResponseError, pickles back to itself."""
    path = f"/status/{code}"
    shared_server.route(path, Reply(code))
    e = _one("GET", shared_server.url_for(path))
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is type(e)
    assert copy.status_code == code
    assert str(copy) == str(e)


# -- the callable ------------------------------------------------------------------------------


def test_raise_for_status_rejects_bad_options() -> None:
    """An unknown service or option raises when the callable is made, before any request."""
    with pytest.raises(LookupError, match="unknown service 'dsm'"):
        cs_aiohttp.raise_for_status(service="dsm")
    with pytest.raises(TypeError, match="unknown option"):
        cs_aiohttp.raise_for_status(max_body=1)


def test_repr_names_the_service() -> None:
    """The callable's repr says which service it resolves in."""
    assert "service='mpc'" in repr(cs_aiohttp.raise_for_status(service="mpc"))


def test_callable_run_twice_reuses_the_body(server: ServerView) -> None:
    """A body already read by an earlier callable is used again, not read twice."""
    server.route("/twice", json_reply(409, HUAWEI))
    first = cs_aiohttp.raise_for_status()
    second = cs_aiohttp.raise_for_status(service="dms", max_body_bytes=15)
    caught: list[Any] = []

    async def both(response: Any) -> None:
        try:
            await first(response)
        except cloudstatus.ConflictError as e:
            caught.append(e)
        await second(response)

    e = _one("GET", server.url_for("/twice"), session={"raise_for_status": both})
    assert caught[0].error_code == "DMS.00409001"
    assert isinstance(e, dms.ConflictError)
    assert e.error_message == '{"error_code":'  # 15 bytes, the trailing space stripped


def test_public_names() -> None:
    """__all__ is sorted, and each name exists and documents itself."""
    assert cs_aiohttp.__all__ == ["RaiseForStatus", "raise_for_status"]
    assert all((getattr(cs_aiohttp, n).__doc__ or "").strip() for n in cs_aiohttp.__all__)


def test_status_and_message_follow_the_cloudstatus_fields() -> None:
    """status is status_code (also when set), message falls back to the reason phrase."""
    from cloudstatus._facts import Facts
    from cloudstatus._foreign import build_error
    from cloudstatus._hook import HookOptions

    e: Any = build_error(
        Facts(status_code=503),
        HookOptions(),
        response=None,
        request=None,
        foreign=cs_aiohttp._ResponseError,
    )
    assert (e.status, e.message) == (503, "Service Unavailable")
    e.status = 504
    assert e.status_code == 504
    e.message = "Busy"
    assert e.message == "Busy"
