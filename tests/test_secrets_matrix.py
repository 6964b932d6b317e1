"""No credential of the request reaches anything the error shows: the full matrix (issue 10).

Every secret a request can carry, in several encodings, echoed by the server at 30
places of the response; each case is checked in ``str``, ``repr``, ``url``,
``to_dict``, a formatted log record and the pickle. The budget is zero leaks.
"""

from __future__ import annotations

import base64
import json
import logging
import pickle
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from cloudstatus._core import error_from_facts
from cloudstatus._facts import Facts

if TYPE_CHECKING:
    import cloudstatus

USER_PASSWORD = "pw-Hunter2-9Z"
QUERY_TOKEN = "tok-AAA111bb"
BEARER = "bearer-Zz81qQ-4"
X_AUTH = "xauth-TTT999qq"
BASIC_PASSWORD = "bas1cPassw0rd"
SIGNATURE = "c0ffee5ignature77"
COOKIE = "cookieVal-77xy"
EXTRA = "extraPass-5555"

#: (name, secret): every place a request carries a credential.
SECRETS = [
    ("url-password", USER_PASSWORD),
    ("query-token", QUERY_TOKEN),
    ("bearer", BEARER),
    ("x-auth-token", X_AUTH),
    ("basic-password", BASIC_PASSWORD),
    ("hmac-signature", SIGNATURE),
    ("cookie", COOKIE),
    ("auth-credentials", EXTRA),
]


def _zero_width(secret: str) -> str:
    middle = len(secret) // 2
    return secret[:middle] + "\u200b" + secret[middle:]


def _json_escaped(secret: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in secret)


#: (name, function): how the server writes the secret back.
ENCODINGS = [
    ("raw", lambda s: s),
    ("zero-width", _zero_width),
    ("percent", lambda s: quote(s, safe="")),
    ("json-escape", _json_escaped),
]

VARIANTS = [
    pytest.param(secret, encode, id=f"{name}-{how}")
    for name, secret in SECRETS
    for how, encode in ENCODINGS
]


def _json(echo: str, template: str) -> tuple[str, bytes]:
    # The template holds ECHO where the echo goes; JSON escapes stay escapes.
    return "application/json", template.replace("ECHO", echo).encode()


#: (name, build) -> (content type, body, extra headers, reason): where the echo lands.
def _placements() -> list[tuple[str, Any]]:
    j = _json
    places: list[tuple[str, Any]] = [
        ("huawei-msg", lambda e: (*j(e, '{"error_code": "E.1", "error_msg": "bad ECHO"}'),)),
        ("huawei-code", lambda e: (*j(e, '{"error_code": "ECHO", "error_msg": "m"}'),)),
        ("huawei-request-id", lambda e: (*j(e, '{"error_msg": "m", "request_id": "ECHO"}'),)),
        ("camel", lambda e: (*j(e, '{"errorCode": "E", "errorMsg": "was ECHO"}'),)),
        ("error-message", lambda e: (*j(e, '{"error_code": "E", "error_message": "ECHO"}'),)),
        ("nested-error", lambda e: (*j(e, '{"error": {"code": "E", "message": "ECHO"}}'),)),
        (
            "keystone",
            lambda e: (*j(e, '{"error": {"code": 401, "title": "x", "message": "ECHO"}}'),),
        ),
        (
            "google-details",
            lambda e: (*j(e, '{"error": {"code": 403, "message": "m", "details": ["ECHO"]}}'),),
        ),
        ("details-key", lambda e: (*j(e, '{"error_msg": "m", "ECHO": 1}'),)),
        ("details-deep", lambda e: (*j(e, '{"a": {"b": {"c": ["x", {"d": "ECHO"}]}}}'),)),
        ("problem-detail", lambda e: ("application/problem+json", _pb("detail", e))),
        ("problem-title", lambda e: ("application/problem+json", _pb("title", e))),
        ("problem-type", lambda e: ("application/problem+json", _pb("type", e))),
        ("jsonapi", lambda e: (*j(e, '{"errors": [{"code": "c", "detail": "ECHO"}]}'),)),
        ("wsme", lambda e: (*j(e, '{"faultcode": "Client", "faultstring": "ECHO"}'),)),
        ("fault-wrapper", lambda e: (*j(e, '{"itemNotFound": {"message": "ECHO", "code": 404}}'),)),
        ("encoded-auth", lambda e: (*j(e, '{"encoded_authorization_message": "ECHO"}'),)),
        ("oauth", lambda e: (*j(e, '{"error": "invalid_grant", "error_description": "ECHO"}'),)),
        ("json-string", lambda e: (*j(e, '"ECHO"'),)),
        ("json-list", lambda e: (*j(e, '[{"error": {"message": "ECHO"}}]'),)),
        ("xml-message", lambda e: ("application/xml", _xml("Message", e))),
        ("xml-code", lambda e: ("application/xml", _xml("Code", e))),
        ("xml-request-id", lambda e: ("application/xml", _xml("RequestId", e))),
        (
            "html-title",
            lambda e: ("text/html", f"<html><title>{_plain(e)}</title></html>".encode()),
        ),
        ("html-body", lambda e: ("text/html", f"<html><body><p>{_plain(e)}</p>".encode())),
        ("text", lambda e: ("text/plain", f"denied for {_plain(e)}".encode())),
        ("text-utf16", lambda e: ("text/plain; charset=utf-16", _plain(e).encode("utf-16"))),
        ("header-request-id", lambda e: ("text/plain", b"x", {"X-Request-Id": _plain(e)})),
        ("obs-request-id", lambda e: ("text/plain", b"x", {"x-obs-request-id": _plain(e)})),
        ("reason-phrase", lambda e: ("text/plain", b"x", {}, f"Bad {_plain(e)}")),
    ]
    return places


def _plain(echo: str) -> str:
    # Outside JSON a JSON escape is no escape: decode it back to the characters.
    if echo.startswith("\\u"):
        return json.loads(f'"{echo}"')
    return echo


def _pb(member: str, echo: str) -> bytes:
    doc = {"type": "about:blank", "title": "t", "status": 401, "detail": "d"}
    text = json.dumps(doc).replace(f'"{doc[member]}"', '"ECHO"', 1)
    return text.replace("ECHO", echo).encode()


def _xml(tag: str, echo: str) -> bytes:
    return f"<Error><{tag}>{_plain(echo)}</{tag}></Error>".encode()


PLACEMENTS = _placements()


def _request() -> requests.PreparedRequest:
    return requests.Request(
        "POST",
        f"https://alice:{USER_PASSWORD}@dms.example.com/v2/instances?token={QUERY_TOKEN}",
        headers={
            "X-Auth-Token": X_AUTH,
            "Cookie": f"sid={COOKIE}; lang=en",
            "X-Sdk-Date": "20261130T000000Z",
        },
    ).prepare()


AUTH_HEADERS = {
    BEARER: f"Bearer {BEARER}",
    BASIC_PASSWORD: "Basic " + base64.b64encode(f"alice:{BASIC_PASSWORD}".encode()).decode(),
    SIGNATURE: f"SDK-HMAC-SHA256 Access=AK12345678, SignedHeaders=host, Signature={SIGNATURE}",
}


def _error(secret: str, echo: str, build: Any) -> cloudstatus.CloudStatusError:
    ctype, body, *rest = build(echo)
    headers = {"Content-Type": ctype, **(rest[0] if rest else {})}
    reason = rest[1] if len(rest) > 1 else "Unauthorized"
    request = _request()
    request.headers["Authorization"] = AUTH_HEADERS.get(secret, f"Bearer {BEARER}")
    facts = Facts(
        status_code=401,
        reason=reason,
        method="POST",
        url=request.url,
        headers=CaseInsensitiveDict(headers),
        body=body,
        request_headers=request.headers,
        credentials=(EXTRA,),
    )
    return error_from_facts(facts, response=None, request=None)


def _renderings(e: cloudstatus.CloudStatusError) -> dict[str, str]:
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed: %s", (e,), None)
    formatter = logging.Formatter("%(message)s")
    return {
        "str": str(e),
        "repr": repr(e),
        "url": str(e.url),
        "to_dict": json.dumps(e.to_dict()),
        "log": formatter.format(record) + formatter.formatException((type(e), e, None)),
        "pickle": pickle.dumps(e).decode("latin-1"),
        "pickle-0": pickle.dumps(e, protocol=0).decode("latin-1"),
        "fields": repr(
            [getattr(e, n) for n in ("error_code", "error_message", "request_id", "reason")]
            + [e.details]
        ),
    }


def test_the_matrix_is_large_enough() -> None:
    """At least 30 placements and 30 echo variants are checked."""
    assert len(PLACEMENTS) >= 30
    assert len(VARIANTS) >= 30


@pytest.mark.parametrize(("name", "build"), PLACEMENTS, ids=[p[0] for p in PLACEMENTS])
@pytest.mark.parametrize(("secret", "encode"), VARIANTS)
def test_no_leak(name: str, build: Any, secret: str, encode: Any) -> None:
    """The secret, and the echo as the server wrote it, appear in no rendering of the error."""
    echo = encode(secret)
    e = _error(secret, echo, build)
    leaks = {
        where: text
        for where, text in _renderings(e).items()
        if secret in text or (echo != secret and _plain(echo) in text)
    }
    assert leaks == {}


def test_the_check_can_fail() -> None:
    """A secret the request did not carry is shown as sent: the check above sees text."""
    ctype, body = _json("not-a-secret-123", '{"error_msg": "ECHO"}')
    facts = Facts(status_code=401, headers={"Content-Type": ctype}, body=body)
    e = error_from_facts(facts)
    assert "not-a-secret-123" in _renderings(e)["str"]
