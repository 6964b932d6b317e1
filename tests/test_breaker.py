"""Defects found by trying to break the library, one test each."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import pickle
import socket
import threading
import time
import types
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import cloudstatus
from cloudstatus._core import error_from_facts
from cloudstatus._facts import Facts
from cloudstatus._loopback import LoopbackServer, Reply, Request, json_reply
from cloudstatus._options import HookOptions

TOKEN = "Zq7XkP3mW9vR2tY8uLabcdefghijkl"


def _unauthorized(
    content_type: str, body: bytes, request_headers: dict[str, str], *, complete: bool = True
) -> Facts:
    """The facts of a 401 to GET https://h/x, for a request with ``request_headers``."""
    return Facts(
        401,
        "Unauthorized",
        "GET",
        "https://h/x",
        {"Content-Type": content_type},
        body,
        complete,
        request_headers,
    )


def _exposed(e: cloudstatus.CloudStatusError) -> str:
    """Everything of ``e`` a log line or a task queue could show, as one string."""
    return " ".join(
        (str(e), repr(e), json.dumps(e.to_dict()), repr(vars(e)), repr(pickle.dumps(e)))
    )


@pytest.mark.network
def test_huawei_app_code_echo_is_masked() -> None:
    """An echoed X-Apig-AppCode (Huawei API gateway simple authentication) is masked."""

    def echo(request: Request) -> Reply:
        said = f"bad app code {request.headers.get('x-apig-appcode', '')}"
        return Reply(401, headers=[("Content-Type", "text/plain")], body=said.encode())

    with LoopbackServer(default=echo) as server:
        session = cloudstatus.install(requests.Session())
        with pytest.raises(cloudstatus.UnauthorizedError) as info:
            session.get(server.url_for("/x"), headers={"X-Apig-AppCode": TOKEN}, timeout=10)
    assert TOKEN not in _exposed(info.value)


def test_a_secret_cut_by_the_body_cap_leaves_no_prefix() -> None:
    """A credential echo cut short by max_body_bytes shows no part of the credential."""
    body = ("x" * 90 + " token " + TOKEN).encode()
    facts = _unauthorized("text/plain", body[:110], {"X-Auth-Token": TOKEN}, complete=False)
    e = error_from_facts(facts, HookOptions(max_body_bytes=110))
    assert TOKEN[:8] not in _exposed(e)


@pytest.mark.network
def test_aiohttp_message_masks_an_echoed_credential() -> None:
    """The aiohttp side's message (aiohttp's reason field) masks an echo in the reason phrase."""
    aiohttp = pytest.importorskip("aiohttp")
    import cloudstatus.aiohttp as cs_aiohttp

    def echo(request: Request) -> Reply:
        token = request.headers.get("authorization", "")[len("Bearer ") :]
        return Reply(401, body=b"no", reason=f"Bad token {token}")

    async def main(url: str) -> Any:
        hook = cs_aiohttp.raise_for_status()
        async with aiohttp.ClientSession(raise_for_status=hook) as session:
            try:
                await session.get(url, headers={"Authorization": f"Bearer {TOKEN}"})
            except cloudstatus.CloudStatusError as e:
                return e
        return None

    with LoopbackServer(default=echo) as server:
        e = asyncio.run(main(server.url_for("/x")))
    assert e is not None
    assert TOKEN not in e.message
    assert TOKEN not in repr(vars(e).get("_aiohttp_message"))


def test_vars_holds_no_unmasked_parse() -> None:
    """vars(e) holds no unmasked copy of what the server echoed (a JSON-escaped credential)."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in TOKEN)
    body = f'{{"error_code": "E1", "error_msg": "bad {escaped}"}}'.encode()
    facts = _unauthorized("application/json", body, {"X-Auth-Token": TOKEN})
    e = error_from_facts(facts, HookOptions())
    assert e.error_message == "bad ***"
    assert TOKEN not in repr(vars(e))


def test_pickle_holds_no_html_encoded_credential() -> None:
    """A pickle carries no credential the server echoed as HTML character references."""
    encoded = "".join(f"&#{ord(c)};" for c in TOKEN)
    body = f"<html><title>bad {encoded}</title></html>".encode()
    facts = _unauthorized("text/html", body, {"X-Auth-Token": TOKEN})
    e = error_from_facts(facts, HookOptions())
    assert e.error_message == "bad ***"
    assert encoded.encode() not in pickle.dumps(e)
    assert pickle.loads(pickle.dumps(e)).error_message == "bad ***"


def test_deep_details_with_a_user_parser_pickle_and_deepcopy() -> None:
    """With parsers= in use, an error whose body nests 900 deep still pickles and deep-copies."""

    def declines(body: bytes, content_type: str) -> None:
        return None

    depth = 900
    body = ('{"error_code": "E1", "d": ' + "[" * depth + "1" + "]" * depth + "}").encode()
    facts = Facts(409, "Conflict", "GET", "https://h/x", {"Content-Type": "application/json"}, body)
    e = error_from_facts(facts, HookOptions.build(parsers=[declines]))
    assert isinstance(e.details, dict)
    assert pickle.loads(pickle.dumps(e)).details == e.details
    assert copy.deepcopy(e).details == e.details


def test_headers_whose_attributes_raise_do_not_break_str() -> None:
    """str(e) works for a response whose headers object raises on attribute lookup."""

    class Headers:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError(name)

    response = types.SimpleNamespace(
        status_code=404,
        headers=Headers(),
        _content=b'{"error_code": "E1"}',
        url="https://h/x",
        reason="Not Found",
        request=None,
        raw=None,
    )
    e = cloudstatus.error_from_response(response)  # type: ignore[arg-type]
    assert e is not None
    assert str(e).startswith("404 Client Error")
    assert e.retry_after is None


@pytest.mark.network
def test_an_installed_session_used_inside_another_sessions_hook_raises() -> None:
    """An installed session called from a response hook of another installed session raises."""
    routes = {
        "/token": json_reply(500, {"error_code": "E", "error_msg": "token service down"}),
        "/api": json_reply(200, {"ok": True}),
    }
    with LoopbackServer(routes) as server:
        tokens = cloudstatus.install(requests.Session())
        api = cloudstatus.install(requests.Session())
        raised: list[BaseException] = []

        def refresh(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            try:
                tokens.post(server.url_for("/token"), timeout=10)
            except cloudstatus.CloudStatusError as e:
                raised.append(e)

        api.hooks["response"].append(refresh)
        api.get(server.url_for("/api"), timeout=10)
    assert len(raised) == 1
    assert isinstance(raised[0], cloudstatus.InternalServerError)


def test_a_lone_surrogate_beside_an_escaped_echo_does_not_break_str() -> None:
    """str(e) works for a JSON body holding a lone surrogate escape and an escaped echo."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in TOKEN)
    body = f'{{"error_code": "E1", "a": "\\ud800", "error_msg": "bad {escaped}"}}'.encode()
    facts = _unauthorized("application/json", body, {"X-Auth-Token": TOKEN})
    e = error_from_facts(facts, HookOptions())
    assert str(e).endswith("[E1] bad ***")
    assert pickle.loads(pickle.dumps(e)).details == e.details


@pytest.mark.skipif(not hasattr(BaseException, "add_note"), reason="add_note is Python 3.11+")
def test_notes_survive_pickle_and_deepcopy() -> None:
    """Notes added to an error survive pickle and deepcopy, as on any exception."""
    e = cloudstatus.ConflictError("taken", error_code="E1")
    e.add_note("while syncing instance 42")
    assert pickle.loads(pickle.dumps(e)).__notes__ == ["while syncing instance 42"]
    assert copy.deepcopy(e).__notes__ == ["while syncing instance 42"]


def test_error_class_and_status_info_take_an_http_status() -> None:
    """error_class and status_info take an http.HTTPStatus, an int the hook already accepts."""
    from http import HTTPStatus

    assert cloudstatus.error_class(HTTPStatus.CONFLICT) is cloudstatus.ConflictError
    assert cloudstatus.status_info(HTTPStatus.CONFLICT).code == 409
    with pytest.raises(TypeError):
        cloudstatus.error_class(True)  # type: ignore[arg-type]


def test_a_str_status_is_refused_when_building_not_when_printing() -> None:
    """A non-int status_code fails at construction with TypeError, never later in str(e)."""
    with pytest.raises(TypeError):
        cloudstatus.CloudStatusError(status_code="409")  # type: ignore[arg-type]


def test_to_dict_never_fails_for_a_hand_built_rate_limit() -> None:
    """to_dict() of an error built by hand with a rate_limit that is no RateLimit does not raise."""
    e = cloudstatus.TooManyRequestsError("slow down", rate_limit="10/min")  # type: ignore[arg-type]
    assert json.dumps(e.to_dict())


def test_an_echo_of_a_basic_token_without_its_padding_is_masked() -> None:
    """A server echo of the Basic token with its base64 '=' padding dropped is masked."""
    token = "YWxpY2U6czNjcjN0cGFzc3c="  # alice:s3cr3tpassw
    body = f"bad auth {token.rstrip('=')}".encode()
    facts = _unauthorized("text/plain", body, {"Authorization": f"Basic {token}"})
    e = error_from_facts(facts, HookOptions())
    assert token.rstrip("=") not in _exposed(e)


def test_userinfo_of_a_url_in_a_query_parameter_is_masked() -> None:
    """The userinfo of a URL passed as a query parameter value stays out of e.url and echoes."""
    url = "https://api.example/hooks?callback=https://hookuser:hookpass99@hooks.example/p"
    body = b"cannot reach callback: login hookpass99 refused"
    facts = Facts(400, "Bad Request", "POST", url, {"Content-Type": "text/plain"}, body)
    e = error_from_facts(facts, HookOptions())
    assert "hookpass99" not in _exposed(e)


def test_an_xml_body_is_decoded_by_its_own_encoding_declaration() -> None:
    """An XML error body without a charset parameter is read in the encoding its prolog declares."""
    body = (
        '<?xml version="1.0" encoding="GBK"?>'
        "<Error><Code>K</Code><Message>名称已存在</Message></Error>"
    )
    facts = Facts(
        409,
        "Conflict",
        "PUT",
        "https://h/x",
        {"Content-Type": "application/xml"},
        body.encode("gbk"),
    )
    e = error_from_facts(facts, HookOptions())
    assert e.error_message == "名称已存在"
    assert pickle.loads(pickle.dumps(e)).details == {"Code": "K", "Message": "名称已存在"}


def test_the_raised_class_agrees_with_the_error_code_it_reports() -> None:
    """A code sent with an invisible character raises the class of the code e.error_code shows."""
    from cloudstatus.services import dms

    registry = cloudstatus.Registry("breaker")

    class Taken(dms.ConflictError, error_code="DMS.00409001", registry=registry):
        """The instance name is taken."""

    body = json.dumps({"error_code": "DMS.\u200b00409001", "error_msg": "taken"}).encode()
    facts = Facts(
        409, "Conflict", "POST", "https://h/x", {"Content-Type": "application/json"}, body
    )
    e = error_from_facts(facts, HookOptions(service="dms", registry=registry))
    assert e.error_code == "DMS.00409001"
    assert isinstance(e, Taken)


@contextlib.contextmanager
def _silent_gzip_server(seconds: float = 20.0) -> Iterator[str]:
    """A 500 whose gzip body trickles empty deflate blocks: bytes arrive, nothing decodes."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)

    def serve(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
            conn.sendall(b"%x\r\n%s\r\n" % (len(header), header))
            end = time.monotonic() + seconds
            while time.monotonic() < end and not stop.wait(0.05):
                empty_block = b"\x00\x00\x00\xff\xff"  # a stored block of no bytes
                conn.sendall(b"%x\r\n%s\r\n" % (len(empty_block), empty_block))

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.mark.network
def test_deadline_holds_for_a_gzip_body_that_decodes_to_nothing_requests() -> None:
    """An installed session gives up within max_body_seconds on a gzip body that never decodes."""
    with _silent_gzip_server() as url, requests.Session() as session:
        cloudstatus.install(session, max_body_seconds=0.5)
        start = time.monotonic()
        with pytest.raises(cloudstatus.InternalServerError) as info:
            session.get(url, timeout=10)
        assert time.monotonic() - start < 3
    assert info.value.response.content == b""


@pytest.mark.network
def test_deadline_holds_for_a_gzip_body_that_decodes_to_nothing_httpx() -> None:
    """An httpx.Client gives up within max_body_seconds on a gzip body that never decodes."""
    httpx = pytest.importorskip("httpx")
    with _silent_gzip_server() as url, httpx.Client(timeout=10) as client:
        cloudstatus.install(client, max_body_seconds=0.5)
        start = time.monotonic()
        with pytest.raises(cloudstatus.InternalServerError):
            client.get(url)
        assert time.monotonic() - start < 3


@pytest.mark.network
def test_deadline_holds_for_a_gzip_body_that_decodes_to_nothing_huawei() -> None:
    """The Huawei SDK adapter's capped read gives up within its deadline on such a body too."""
    pytest.importorskip("huaweicloudsdkcore")
    from cloudstatus.huaweicloud import read_capped

    with _silent_gzip_server() as url, requests.Session() as session:
        response = session.get(url, stream=True, timeout=10)
        start = time.monotonic()
        body, complete = read_capped(response, 64 * 1024, 0.5)
        assert time.monotonic() - start < 3
    assert (body, complete) == (b"", False)


def test_the_authorization_scheme_name_is_not_masked() -> None:
    """The scheme word of an Authorization header (Bearer, SDK-HMAC-SHA256) is no secret."""
    said = "expected SDK-HMAC-SHA256 or Bearer scheme"
    body = json.dumps({"error_code": "APIGW.0301", "error_msg": said}).encode()
    for auth in (
        "Bearer abcdefghijklmnop",
        "SDK-HMAC-SHA256 Access=AKAKAKAK, Signature=abcdef0123",
    ):
        facts = _unauthorized("application/json", body, {"Authorization": auth})
        assert error_from_facts(facts, HookOptions()).error_message == said
