"""Credentials sent with a request never appear in the exception the hook raises."""

from __future__ import annotations

import base64
import copy
import pickle
import re
from typing import TYPE_CHECKING

import pytest
import requests
import responses

import cloudstatus
from cloudstatus._loopback import LoopbackServer, json_reply

if TYPE_CHECKING:
    from collections.abc import Iterator

TIMEOUT = 10
HOST = "https://api.example.com"
PATH = "/v3/projects/p1/servers"

# Each secret is a distinctive string, so a leak anywhere is found by a substring search.
USER, PASSWORD = "alice-user-7Q", "pw-Hunter2-9Z"
QUERY_SECRETS = {
    "token": "tok-AAA111",
    "Signature": "sig-BBB222",
    "X-Amz-Credential": "cred-CCC333",
    "password": "pwq-DDD444",
    "api_key": "key-EEE555",
    "SECRET": "sec-FFF666",
    "AccessKeyId": "akid-GGG777",
    "X-Amz-Security-Token": "stok-HHH888",
}
HEADER_SECRETS = {
    "Authorization": "Bearer bearer-III999",
    "X-Auth-Token": "xauth-JJJ000",
    "X-Security-Token": "xsec-KKK111",
}
SECRETS = [
    USER,
    PASSWORD,
    *QUERY_SECRETS.values(),
    "bearer-III999",
    *list(HEADER_SECRETS.values())[1:],
    base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),  # what Basic auth would send
]
# responses compares URLs without userinfo only by pattern.
ANY_SERVERS_URL = re.compile(r"https://([^/@]*@)?api\.example\.com/v3/projects/p1/servers(\?.*)?")
QUERY = "&".join(f"{k}={v}" for k, v in QUERY_SECRETS.items()) + "&page=2&limit=10"


def _leaks(e: cloudstatus.CloudStatusError) -> dict[str, list[str]]:
    """Where each secret shows up: str, repr, url, pickled bytes, args, copied state."""
    places = {
        "str": str(e),
        "repr": repr(e),
        "url": str(e.url),
        "args": repr(e.args),
        "pickle": pickle.dumps(e).decode("latin-1"),
        "pickle-protocol-0": pickle.dumps(e, protocol=0).decode("latin-1"),
        "copied-str": str(copy.copy(e)),
        "state": repr({k: v for k, v in vars(e).items() if k not in ("response", "request")}),
    }
    found = {name: [s for s in SECRETS if s in text] for name, text in places.items()}
    return {name: hits for name, hits in found.items() if hits}


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    """Every request in the test is answered by ``responses``."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rm:
        yield rm


def test_no_credentials_in_exception(mock: responses.RequestsMock) -> None:
    """Userinfo, secret query parameters and auth headers appear nowhere in the exception."""
    url = f"https://{USER}:{PASSWORD}@api.example.com{PATH}?{QUERY}"
    mock.add("GET", ANY_SERVERS_URL, status=401, json={"error_code": "APIGW.0301"})
    with requests.Session() as s:
        cloudstatus.install(s)
        with pytest.raises(cloudstatus.UnauthorizedError) as info:
            s.get(url, headers=HEADER_SECRETS, timeout=TIMEOUT)
    e = info.value
    # The secrets did travel with the request, so finding none below means something.
    assert PASSWORD in e.response.url
    assert e.request.headers["X-Auth-Token"] == HEADER_SECRETS["X-Auth-Token"]
    assert _leaks(e) == {}
    # The rest survives: host, path and the ordinary parameters.
    assert e.url is not None
    assert e.url.startswith("https://***@api.example.com" + PATH)
    assert "page=2&limit=10" in e.url
    assert e.error_code == "APIGW.0301"


@pytest.mark.parametrize(
    "name",
    [
        "token",
        "TOKEN",
        "access_token",
        "signature",
        "X-Amz-Signature",
        "password",
        "PassWord",
        "key",
        "sessionKey",
        "secret",
        "client_secret",
        "credential",
        "X-Goog-Credential",
    ],
)
def test_secret_query_parameter_any_case(mock: responses.RequestsMock, name: str) -> None:
    """Each kind of secret query parameter is redacted, whatever its case."""
    mock.add("GET", ANY_SERVERS_URL, status=403)
    with pytest.raises(cloudstatus.ForbiddenError) as info:
        cloudstatus.raise_for_status(
            requests.get(f"{HOST}{PATH}?{name}=s3cr3t-value&x=1", timeout=TIMEOUT)
        )
    e = info.value
    for text in (str(e), repr(e), e.url or "", pickle.dumps(e).decode("latin-1")):
        assert "s3cr3t-value" not in text
    assert "x=1" in (e.url or "")


def test_error_from_response_redacts_too(mock: responses.RequestsMock) -> None:
    """error_from_response gives the same redacted exception as the hook."""
    mock.add("GET", ANY_SERVERS_URL, status=500)
    url = f"https://{USER}:{PASSWORD}@api.example.com{PATH}?{QUERY}"
    with requests.get(url, headers=HEADER_SECRETS, timeout=TIMEOUT) as response:
        e = cloudstatus.error_from_response(response)
    assert isinstance(e, cloudstatus.InternalServerError)
    assert _leaks(e) == {}


@pytest.mark.network
def test_no_credentials_over_the_wire() -> None:
    """Against a real server, credentials reach the server but not the exception."""
    with LoopbackServer({PATH: json_reply(403, {"error_msg": "denied"})}) as server:
        port = server.url.rpartition(":")[2]
        url = f"http://{USER}:{PASSWORD}@127.0.0.1:{port}{PATH}?{QUERY}"
        with requests.Session() as s:
            cloudstatus.install(s)
            with pytest.raises(cloudstatus.ForbiddenError) as info:
                s.get(url, headers=HEADER_SECRETS, timeout=TIMEOUT)
        sent = server.requests[0]
    assert sent.headers["x-auth-token"] == HEADER_SECRETS["X-Auth-Token"]  # they were sent
    assert "tok-AAA111" in sent.path
    assert _leaks(info.value) == {}
    assert server.errors == []


def test_server_echo_of_request_secrets_is_scrubbed():
    """A server that repeats the request's token or password in its message has it masked."""
    echo = (
        f"Signature mismatch for {PATH}?token={QUERY_SECRETS['token']} "
        f"(user {USER}, password {PASSWORD}, header {HEADER_SECRETS['X-Auth-Token']})"
    )
    with responses.RequestsMock() as rsps, requests.Session() as s:
        rsps.add(
            responses.Response(
                "GET",
                ANY_SERVERS_URL,
                status=403,
                json={"error_code": f"APIGW.{QUERY_SECRETS['SECRET']}", "error_msg": echo},
            )
        )
        cloudstatus.install(s)
        with pytest.raises(cloudstatus.ForbiddenError) as info:
            s.get(
                f"https://{USER}:{PASSWORD}@api.example.com{PATH}?{QUERY}",
                headers=HEADER_SECRETS,
            )
    e = info.value
    for secret in (
        QUERY_SECRETS["token"],
        USER,
        PASSWORD,
        "bearer-III999",
        QUERY_SECRETS["SECRET"],
    ):
        assert secret not in str(e)
        assert secret not in (e.error_message or "")
        assert secret not in (e.error_code or "")
    assert "Signature mismatch" in e.error_message
    assert e.error_code == "APIGW.***"


@pytest.mark.parametrize(
    ("url", "headers", "expected"),
    [
        ("https://api.example.com/x", {}, ()),
        ("https://bob:s3cr3t-pw@h/x", {}, ("s3cr3t-pw",)),
        ("https://h/x?sig=abcdef123&page=2", {}, ("abcdef123",)),
        ("https://h/x?token=a%2Bb%2Fcdef", {}, ("a%2Bb%2Fcdef", "a+b/cdef")),
        ("https://h/x", {"Authorization": "Basic QWxhZGRpbjpvcGVu"}, ("QWxhZGRpbjpvcGVu",)),
        ("https://h/x", {"X-Request-Id": "not-a-secret-1"}, ()),
        ("https://h/x?token=abc", {}, ()),  # too short to scrub safely
        (None, None, ()),
        (b"https://h/x?password=hunter22", object(), ("hunter22",)),
    ],
)
def test_secret_values_of_a_request(url, headers, expected):
    """secret_values finds userinfo, secret parameters and secret headers, nothing else."""
    from cloudstatus._redact import secret_values

    found = secret_values(url, headers)
    assert set(expected) <= set(found)
    assert "not-a-secret-1" not in found
    if not expected:
        assert found == ()


def test_scrub_replaces_longest_first():
    """A secret that contains another is masked whole."""
    from cloudstatus._redact import scrub

    assert scrub("x abcdef123456 y abcdef", ("abcdef123456", "abcdef")) == "x *** y ***"
    assert scrub(None, ("abcdef",)) is None
    assert scrub("text", ()) == "text"
