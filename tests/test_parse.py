"""Tests for cloudstatus._parse: error bodies, request ids, Retry-After and rate limits."""

from __future__ import annotations

import json
import math
import time
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from cloudstatus import _parse
from cloudstatus._parse import (
    DEFAULT_PARSERS,
    MAX_BODY_BYTES,
    MAX_RETRY_AFTER,
    REQUEST_ID_HEADERS,
    ErrorBody,
    RateLimit,
    parse_error_body,
    parse_html,
    parse_json,
    parse_rate_limit,
    parse_retry_after,
    parse_text,
    parse_xml,
    request_id_from_headers,
)

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def _json(doc: object) -> bytes:
    return json.dumps(doc).encode()


# --- JSON bodies -------------------------------------------------------------------

JSON_CASES = [
    pytest.param(
        {"error_code": "DMS.00400001", "error_msg": "Invalid parameter."},
        None,
        ("DMS.00400001", "Invalid parameter.", None, "json"),
        id="huawei-error_code-error_msg",
    ),
    pytest.param(
        {"errorCode": "MPC.10212", "errorMsg": "Operation failed."},
        None,
        ("MPC.10212", "Operation failed.", None, "json"),
        id="huawei-camelCase-msg",
    ),
    pytest.param(
        {"error_code": "ECS.0114", "error_message": "Flavor not found."},
        None,
        ("ECS.0114", "Flavor not found.", None, "json"),
        id="huawei-error_message",
    ),
    pytest.param(
        {"errorCode": "VPC.0101", "errorMessage": "Quota exceeded."},
        None,
        ("VPC.0101", "Quota exceeded.", None, "json"),
        id="huawei-camelCase-message",
    ),
    pytest.param(
        {"code": "SMN.00010001", "message": "Topic not found."},
        None,
        ("SMN.00010001", "Topic not found.", None, "json"),
        id="flat-code-message",
    ),
    pytest.param(
        {"code": "CBR.1001", "msg": "Vault busy."},
        None,
        ("CBR.1001", "Vault busy.", None, "json"),
        id="flat-code-msg",
    ),
    pytest.param(
        {"error": {"error_code": "DMS.10240015", "error_msg": "Name in use."}},
        None,
        ("DMS.10240015", "Name in use.", None, "json"),
        id="nested-huawei",
    ),
    pytest.param(
        {"error": {"code": 404, "message": "Could not find user.", "title": "Not Found"}},
        "application/json",
        ("404", "Could not find user.", None, "json"),
        id="keystone-int-code",
    ),
    pytest.param(
        {
            "error_code": "APIG.0101",
            "error_msg": "The API does not exist or has not been published.",
            "request_id": "d4ec6e33148bdeffe8f55b43472d1251",
        },
        "application/json;charset=UTF-8",
        (
            "APIG.0101",
            "The API does not exist or has not been published.",
            "d4ec6e33148bdeffe8f55b43472d1251",
            "json",
        ),
        id="apig-request_id",
    ),
    pytest.param(
        {"errorCode": "X.1", "errorMsg": "m", "requestId": "req-1"},
        None,
        ("X.1", "m", "req-1", "json"),
        id="requestId",
    ),
    pytest.param(
        {"error": {"code": "X.2", "message": "m"}, "request-id": "req-2"},
        None,
        ("X.2", "m", "req-2", "json"),
        id="request-id-outside-nested-error",
    ),
    pytest.param(
        {"error": {"code": 403, "title": "Forbidden"}},
        None,
        ("403", "Forbidden", None, "json"),
        id="keystone-title-only",
    ),
    pytest.param(
        {
            "error_code": "IAM.0003",
            "error_msg": "Policy doesn't allow this action.",
            "encoded_authorization_message": "4Yx3aZ...",
        },
        None,
        ("IAM.0003", "Policy doesn't allow this action.", None, "json"),
        id="encoded-authorization-not-preferred",
    ),
    pytest.param(
        {"error_code": "IAM.0003", "encoded_authorization_message": "4Yx3aZ..."},
        None,
        ("IAM.0003", "4Yx3aZ...", None, "json"),
        id="encoded-authorization-as-last-resort",
    ),
    pytest.param(
        {
            "error": {
                "code": 404,
                "message": "Requested entity was not found.",
                "status": "NOT_FOUND",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo"}],
            }
        },
        None,
        ("NOT_FOUND", "Requested entity was not found.", None, "json"),
        id="google-status-preferred",
    ),
    pytest.param(
        {
            "error": {
                "code": "ResourceNotFound",
                "message": "The resource was not found.",
                "details": [],
                "innererror": {"trace": "x"},
            }
        },
        None,
        ("ResourceNotFound", "The resource was not found.", None, "json"),
        id="odata",
    ),
    pytest.param(
        {"error": {"code": "42", "message": {"lang": "en-US", "value": "Bad key."}}},
        None,
        ("42", "Bad key.", None, "json"),
        id="odata-v3-message-object",
    ),
    pytest.param(
        {"error": "invalid_grant", "error_description": "Refresh token expired."},
        None,
        ("invalid_grant", "Refresh token expired.", None, "json"),
        id="oauth",
    ),
    pytest.param(
        {"error": "invalid_client"},
        None,
        ("invalid_client", None, None, "json"),
        id="oauth-code-only",
    ),
    pytest.param(
        {"error": "Service temporarily unavailable"},
        None,
        (None, "Service temporarily unavailable", None, "json"),
        id="error-sentence-is-message",
    ),
    pytest.param(
        {"status": 404, "error": "Not Found", "message": "No handler", "path": "/x"},
        None,
        (None, "No handler", None, "json"),
        id="spring-boot",
    ),
    pytest.param(
        {"code": "C1", "error": "invalid_request"},
        None,
        ("C1", None, None, "json"),
        id="oauth-error-not-overriding-code",
    ),
    pytest.param(
        {"itemNotFound": {"message": "Instance could not be found", "code": 404}},
        None,
        ("404", "Instance could not be found", None, "json"),
        id="openstack-itemNotFound",
    ),
    pytest.param(
        {"badRequest": {"message": "Invalid flavorRef provided.", "code": 400}},
        None,
        ("400", "Invalid flavorRef provided.", None, "json"),
        id="openstack-badRequest",
    ),
    pytest.param(
        {"computeFault": {"message": "Unexpected API Error.", "code": 500, "details": "tb"}},
        None,
        ("500", "Unexpected API Error.", None, "json"),
        id="openstack-computeFault",
    ),
    pytest.param(
        {"a": {"message": "one"}, "b": {"message": "two"}},
        None,
        (None, "one\ntwo", None, "json"),
        id="two-wrappers-messages-joined",
    ),
    pytest.param(
        {"data": [], "success": False},
        None,
        (None, None, None, "json"),
        id="unrecognised-object",
    ),
    pytest.param(
        {"code": True, "message": "  spaced  "},
        None,
        (None, "spaced", None, "json"),
        id="bool-code-ignored-message-stripped",
    ),
    pytest.param(
        {"code": 1.5, "message": 7, "request_id": 12345},
        None,
        (None, None, "12345", "json"),
        id="odd-types",
    ),
    pytest.param(
        {
            "type": "https://example.com/probs/out-of-credit",
            "title": "You do not have enough credit.",
            "status": 403,
            "detail": "Your current balance is 30, but that costs 50.",
            "instance": "/account/12345/msgs/abc",
        },
        "application/problem+json",
        (
            "https://example.com/probs/out-of-credit",
            "Your current balance is 30, but that costs 50.",
            None,
            "problem+json",
        ),
        id="problem-details",
    ),
    pytest.param(
        {"type": "about:blank", "title": "Not Found", "status": 404},
        None,
        (None, "Not Found", None, "problem+json"),
        id="problem-sniffed-about-blank",
    ),
    pytest.param(
        {
            "type": "urn:x",
            "title": "Conflict",
            "status": 409,
            "code": "DMS.0409",
            "request_id": "r",
        },
        "application/problem+json",
        ("DMS.0409", "Conflict", "r", "problem+json"),
        id="problem-code-extension",
    ),
    pytest.param(
        {"title": "Bad", "status": "400"},
        None,
        (None, "Bad", None, "json"),
        id="problem-lookalike-with-wrong-types",
    ),
    pytest.param(
        {"title": "Only a title"},
        None,
        (None, "Only a title", None, "json"),
        id="title-without-type-or-status",
    ),
]


@pytest.mark.parametrize(("doc", "content_type", "expected"), JSON_CASES)
def test_json_bodies(doc: object, content_type: str | None, expected: tuple[object, ...]) -> None:
    """Each JSON error style yields its code, message, request id and format."""
    parsed = parse_error_body(_json(doc), content_type)
    assert (parsed.error_code, parsed.error_message, parsed.request_id, parsed.format) == expected
    assert parsed.details == doc


def test_keystone_raw_code_keeps_int() -> None:
    """An integer code is a string in error_code and an int in raw_code."""
    parsed = parse_error_body(b'{"error": {"code": 404, "message": "m"}}')
    assert parsed.error_code == "404"
    assert parsed.raw_code == 404


def test_google_raw_code_is_status() -> None:
    """When Google's status wins, raw_code is that status string."""
    parsed = parse_error_body(b'{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}')
    assert (parsed.error_code, parsed.raw_code) == ("RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED")


def test_oauth_raw_code_is_error_string() -> None:
    """An OAuth error string used as code is also the raw code."""
    assert parse_error_body(b'{"error": "invalid_grant"}').raw_code == "invalid_grant"


def test_problem_type_raw_code() -> None:
    """A problem type used as code is kept as raw_code."""
    parsed = parse_error_body(b'{"type": "urn:p", "detail": "d"}', "application/problem+json")
    assert parsed.raw_code == "urn:p"


@pytest.mark.parametrize(
    ("body", "content_type", "details", "message"),
    [
        (b"[1, 2]", None, [1, 2], None),
        (b"null", "application/json", None, None),
        (b"404", "application/json", 404, None),
        (b"true", "text/json", True, None),
        (b'"Gateway timeout "', "application/json", "Gateway timeout ", "Gateway timeout"),
        (b'""', "application/json", "", None),
        (b"  \n[]", None, [], None),
        (b'[{"error_code": "X"}]', "application/problem+json", [{"error_code": "X"}], None),
    ],
)
def test_json_non_objects(
    body: bytes, content_type: str | None, details: object, message: str | None
) -> None:
    """JSON that is not an object is format json with the value as details."""
    parsed = parse_error_body(body, content_type)
    assert parsed.format == "json"
    assert parsed.details == details
    assert parsed.error_message == message
    assert parsed.error_code is None


def test_json_scalar_without_json_content_type_is_text() -> None:
    """A bare scalar is only JSON when the content type says so."""
    assert parse_error_body(b"404", "text/plain") == ErrorBody(error_message="404", format="text")


@pytest.mark.parametrize(
    "body",
    [b'{"error_code": "X", ', b"{not json}", b"[1, 2", b'{"a": 1} trailing', b"{" + b"1" * 5000],
)
def test_invalid_json_falls_through_to_text(body: bytes) -> None:
    """Invalid JSON starting with a brace is read as text."""
    parsed = parse_error_body(body, "application/json")
    assert parsed.format == "text"
    assert parsed.error_message == body.decode().strip()


def test_huge_integer_json_is_not_fatal() -> None:
    """An integer too long for int() makes the JSON invalid, not the parse fail."""
    parsed = parse_error_body(b'{"code": ' + b"9" * 5000 + b"}")
    assert parsed.format == "text"


def test_deeply_nested_json_does_not_crash() -> None:
    """100000 nested arrays hit the recursion limit and fall back to text."""
    body = b"[" * 100_000 + b"]" * 100_000
    parsed = parse_error_body(body, "application/json")
    assert parsed.format == "text"
    assert parse_json(body, "application/json") is None


def test_json_with_utf8_bom() -> None:
    """A UTF-8 byte order mark before JSON is skipped."""
    parsed = parse_error_body(b"\xef\xbb\xbf" + _json({"error_code": "A", "error_msg": "b"}))
    assert (parsed.error_code, parsed.error_message, parsed.format) == ("A", "b", "json")


def test_json_whatever_the_content_type() -> None:
    """A JSON object is recognised even when labelled text/html."""
    parsed = parse_error_body(_json({"error_code": "A", "error_msg": "b"}), "text/html")
    assert parsed.format == "json"


def test_json_in_declared_charset() -> None:
    """The Content-Type charset is used to decode the body."""
    body = '{"error_msg": "参数错误"}'.encode("gbk")
    parsed = parse_error_body(body, "application/json; charset=GBK")
    assert parsed.error_message == "参数错误"


def test_json_utf16_with_bom() -> None:
    """A UTF-16 byte order mark wins over the declared charset."""
    body = '{"error_msg": "x"}'.encode("utf-16")
    assert parse_error_body(body, "application/json; charset=utf-8").error_message == "x"


# --- XML bodies --------------------------------------------------------------------

OBS_ERROR = b"""<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The specified key does not exist.</Message>
  <RequestId>0000018A2B3C4D5E6F</RequestId>
  <HostId>obs.cn-north-4.myhuaweicloud.com</HostId>
  <Key>photos/2024/cat.jpg</Key>
</Error>"""


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        pytest.param(
            OBS_ERROR,
            "application/xml",
            ("NoSuchKey", "The specified key does not exist.", "0000018A2B3C4D5E6F"),
            id="obs",
        ),
        pytest.param(
            b'<Error xmlns="http://obs.myhwclouds.com/doc/2015-06-30/"><Code>AccessDenied</Code>'
            b"<Message>Access Denied</Message><RequestId>r9</RequestId></Error>",
            None,
            ("AccessDenied", "Access Denied", "r9"),
            id="obs-namespaced-no-content-type",
        ),
        pytest.param(
            b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
            b"<Message>Rate exceeded</Message></Error><RequestId>abc-1</RequestId>"
            b"</ErrorResponse>",
            "text/xml",
            ("Throttling", "Rate exceeded", "abc-1"),
            id="nested-error-request-id-outside",
        ),
        pytest.param(
            b"<error><code>E1</code><msg>lower case</msg><request_id>q</request_id></error>",
            "application/xml",
            ("E1", "lower case", "q"),
            id="lowercase-tags",
        ),
        pytest.param(
            b"<Fault><ErrorCode>F</ErrorCode><ErrorMessage>broken</ErrorMessage></Fault>",
            "application/xml",
            ("F", "broken", None),
            id="no-error-element-root-used",
        ),
        pytest.param(
            b"<string>Service is down</string>",
            "application/xml",
            (None, "Service is down", None),
            id="leaf-root-text",
        ),
        pytest.param(
            b"<empty/>",
            "application/xml",
            (None, None, None),
            id="empty-element",
        ),
        pytest.param(
            '<?xml version="1.0" encoding="ISO-8859-1"?><Error><Code>C</Code>'
            "<Message>Caf\xe9</Message></Error>".encode("latin-1"),
            "application/xml; charset=iso-8859-1",
            ("C", "Café", None),
            id="declared-encoding",
        ),
        pytest.param(
            b"<Error><Code>C</Code><Code>D</Code><Detail><Item>a</Item><Item>b</Item></Detail>"
            b"<RequestId></RequestId><RequestId>later</RequestId></Error>",
            None,
            ("C", None, "later"),
            id="duplicates-first-wins-empty-id-skipped",
        ),
    ],
)
def test_xml_bodies(body: bytes, content_type: str | None, expected: tuple[object, ...]) -> None:
    """XML error documents yield code, message and request id."""
    parsed = parse_error_body(body, content_type)
    assert parsed.format == "xml"
    assert (parsed.error_code, parsed.error_message, parsed.request_id) == expected


def test_xml_details_are_children() -> None:
    """details maps each child tag, namespace stripped, to its text."""
    parsed = parse_error_body(OBS_ERROR)
    assert parsed.details == {
        "Code": "NoSuchKey",
        "Message": "The specified key does not exist.",
        "RequestId": "0000018A2B3C4D5E6F",
        "HostId": "obs.cn-north-4.myhuaweicloud.com",
        "Key": "photos/2024/cat.jpg",
    }
    assert parsed.raw_code == "NoSuchKey"


def test_xml_nested_children_text_joined() -> None:
    """A child with sub-elements contributes all its text."""
    parsed = parse_error_body(b"<Error><Detail><A>x</A><B>y</B></Detail></Error>")
    assert parsed.details == {"Detail": "xy"}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Error><Code>&lol9;</Code></Error>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Error [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Error><Code>&xxe;</Code></Error>"""


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(BILLION_LAUGHS, id="billion-laughs"),
        pytest.param(XXE, id="external-entity"),
        pytest.param(b'<!ENTITY x "y"><Error/>', id="bare-entity"),
        pytest.param(b"<!doctype error><Error/>", id="lowercase-doctype"),
    ],
)
def test_xml_with_dtd_is_text_not_expanded(body: bytes) -> None:
    """A DOCTYPE or ENTITY is never parsed as XML: the body comes back as text."""
    parsed = parse_error_body(body, "application/xml")
    assert parsed.format == "text"
    assert parsed.error_code is None
    assert parsed.error_message == body.decode().strip()
    assert "lollollol" not in parsed.error_message
    assert "root:" not in parsed.error_message


def test_xml_in_utf16_cannot_hide_a_doctype() -> None:
    """A DOCTYPE is found after decoding, so UTF-16 cannot smuggle one past the check."""
    parsed = parse_error_body(XXE.decode().encode("utf-16"), "application/xml")
    assert parsed.format == "text"


@pytest.mark.parametrize(
    ("body", "content_type", "expected_format"),
    [
        (b"<Error><Code>X</Code>", "application/xml", "text"),
        (b"<a><b></a>", None, "text"),
        (b"Not XML", "application/xml", "text"),
        (b"<?xml version='1.0'?><Error><Code>A</Code></Error><?xml?>", None, "text"),
    ],
)
def test_malformed_xml_falls_through(
    body: bytes, content_type: str | None, expected_format: str
) -> None:
    """Malformed XML, or a non-XML body labelled XML, is read as text."""
    assert parse_error_body(body, content_type).format == expected_format
    assert parse_xml(body, content_type or "") is None


def test_deeply_nested_xml_does_not_crash() -> None:
    """100000 nested elements are parsed without recursion trouble."""
    body = b"<a>" * 100_000 + b"</a>" * 100_000
    parsed = parse_error_body(body, "application/xml")
    assert parsed.format == "xml"


# --- HTML bodies -------------------------------------------------------------------

NGINX_502 = b"""<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        pytest.param(NGINX_502, "text/html", "502 Bad Gateway", id="nginx"),
        pytest.param(
            b"<!DOCTYPE html><html><head><style>body{color:red}</style>"
            b"<script>var a = '<title>no</title>';</script></head>"
            b"<body><h1>Service&nbsp;Unavailable</h1><p>Try   again &amp; later.</p>"
            b"<!-- hidden --></body></html>",
            None,
            "Service Unavailable Try again & later.",
            id="no-title-visible-text",
        ),
        pytest.param(
            b"<HTML><HEAD><TITLE> Access &lt;Denied&gt; </TITLE></HEAD></HTML>",
            None,
            "Access <Denied>",
            id="uppercase-tags-entities",
        ),
        pytest.param(
            b"<html><body>1 < 2 and <3 </ > done <? pi ?><!decl></body></html>",
            None,
            "1 < 2 and <3 done",
            id="stray-angle-brackets",
        ),
        pytest.param(b"<html><body>before<!-- never closed", None, "before", id="unclosed-comment"),
        pytest.param(b"<html><body>before<p class='x", None, "before", id="unclosed-tag"),
        pytest.param(b"<html><title>Half a title", None, "Half a title", id="unclosed-title"),
        pytest.param(b"<html><body>shown<script>hidden", None, "shown", id="unclosed-script"),
        pytest.param(
            b"<html><body>a<style>x</style b>c</body></html>", None, "a c", id="style-end-attr"
        ),
        pytest.param(b"<html><style>x</style", None, None, id="style-end-unclosed"),
        pytest.param(b"<html></html>", None, None, id="empty-page"),
        pytest.param(b"Just words", "text/html; charset=utf-8", "Just words", id="plain-as-html"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
            b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'
            b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>403 - Forbidden</title>'
            b"</head></html>",
            "application/xhtml+xml",
            "403 - Forbidden",
            id="xhtml",
        ),
    ],
)
def test_html_bodies(body: bytes, content_type: str | None, message: str | None) -> None:
    """HTML pages give their title, else their visible text, as the message."""
    parsed = parse_error_body(body, content_type)
    assert parsed == ErrorBody(error_message=message, format="html")


@pytest.mark.parametrize(
    "unit",
    ["<!--", "<a b='", "<a", "</", "<?", "<!", "<", "<a>", "<script>", "</scrip", "<title>"],
)
def test_html_scan_is_linear_on_malformed_input(unit: str) -> None:
    """A megabyte of pathological markup is scanned in linear time, not minutes."""
    body = ("<html>" + unit * (MAX_BODY_BYTES // len(unit))).encode()
    started = time.perf_counter()
    parsed = parse_error_body(body, "text/html")
    assert time.perf_counter() - started < 2.0
    assert parsed.format == "html"


def test_html_scan_stops_after_its_budget() -> None:
    """Markup beyond the first 262144 characters is not looked at."""
    body = b"<html><body>" + b"filler " * 40_000 + b"<title>late</title></body></html>"
    message = parse_error_body(body).error_message
    assert message is not None
    assert "late" not in message
    assert message.startswith("filler filler")


def test_html_billion_laughs_not_expanded() -> None:
    """Entities declared in an HTML doctype stay unexpanded text."""
    body = BILLION_LAUGHS.replace(b"<!DOCTYPE lolz", b"<!DOCTYPE html").replace(
        b"<Error><Code>&lol9;</Code></Error>", b"<html><title>&lol9;</title></html>"
    )
    assert parse_error_body(body).error_message == "&lol9;"


# --- text, empty, encodings, limits ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (
            b"Service Unavailable\n",
            "text/plain",
            ErrorBody(error_message="Service Unavailable", format="text"),
        ),
        (
            b"upstream connect error",
            None,
            ErrorBody(error_message="upstream connect error", format="text"),
        ),
        (b"", None, ErrorBody(format="empty")),
        (b" \r\n\t ", "text/plain", ErrorBody(format="empty")),
        (b"\xef\xbb\xbf", None, ErrorBody(format="empty")),
    ],
)
def test_text_and_empty(body: bytes, content_type: str | None, expected: ErrorBody) -> None:
    """Other bodies are stripped text; empty or blank ones are format empty."""
    assert parse_error_body(body, content_type) == expected


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"caf\xe9 \xff\xfe\xfa", None, "caf\ufffd \ufffd\ufffd\ufffd"),
        ("服务不可用".encode("gbk"), "text/plain; charset=gbk", "服务不可用"),
        ("服务不可用".encode("gbk"), 'text/plain; charset="GB18030"', "服务不可用"),
        (b"caf\xc3\xa9", "text/plain; charset=no-such-codec", "café"),
        (b"caf\xc3\xa9", "text/plain; charset=base64", "café"),
        (b"caf\xc3\xa9", "text/plain; charset=idna", "café"),
        (b"caf\xc3\xa9", "text/plain; charset=", "café"),
        (b"caf\xc3\xa9", "text/plain; format=flowed", "café"),
    ],
)
def test_text_decoding(body: bytes, content_type: str | None, message: str) -> None:
    """Bodies decode by charset when it works, else as UTF-8 with replacement."""
    assert parse_error_body(body, content_type).error_message == message


def test_ten_megabyte_body_is_bounded() -> None:
    """A 10 MB body is cut to MAX_BODY_BYTES before parsing."""
    parsed = parse_error_body(b"x" * (10 * 1024 * 1024), "text/plain")
    assert parsed.format == "text"
    assert parsed.error_message is not None
    assert len(parsed.error_message) == MAX_BODY_BYTES


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, ErrorBody(format="empty")),
        (
            '{"code": "S"}',
            ErrorBody(error_code="S", details={"code": "S"}, raw_code="S", format="json"),
        ),
        (bytearray(b"text"), ErrorBody(error_message="text", format="text")),
        (memoryview(b"text"), ErrorBody(error_message="text", format="text")),
        (12, ErrorBody(format="empty")),
    ],
)
def test_body_types_tolerated(body: object, expected: ErrorBody) -> None:
    """None, str and other buffers are accepted in place of bytes."""
    assert parse_error_body(body, None) == expected  # type: ignore[arg-type]


def test_content_type_non_string_ignored() -> None:
    """A content type that is not a string is treated as absent."""
    assert parse_error_body(b"x", 42).format == "text"  # type: ignore[arg-type]


# --- user parsers ------------------------------------------------------------------


def test_user_parser_tried_first() -> None:
    """A user parser sees the bounded bytes and lowercased content type before the built-ins."""
    seen: list[tuple[bytes, str]] = []

    def vendor(body: bytes, content_type: str) -> ErrorBody | None:
        seen.append((body, content_type))
        return ErrorBody(error_code="V1", format="vendor")

    parsed = parse_error_body(b'{"error_code": "X"}', " Application/JSON ", [vendor])
    assert parsed == ErrorBody(error_code="V1", format="vendor")
    assert seen == [(b'{"error_code": "X"}', "application/json")]


def test_user_parser_declining_falls_back() -> None:
    """A user parser returning None, or a non-ErrorBody, leaves the built-ins to work."""
    parsers = [lambda body, ct: None, lambda body, ct: {"not": "an ErrorBody"}]
    parsed = parse_error_body(b"plain", "text/plain", parsers)  # type: ignore[arg-type]
    assert parsed.format == "text"


def test_raising_user_parser_is_skipped() -> None:
    """A parser that raises is skipped and the next one is tried."""

    def broken(body: bytes, content_type: str) -> ErrorBody | None:
        raise RuntimeError("bug in user code")

    def second(body: bytes, content_type: str) -> ErrorBody | None:
        return ErrorBody(error_message="second", format="second")

    assert parse_error_body(b"x", None, [broken, second]).format == "second"


def test_no_parser_takes_the_body(monkeypatch: pytest.MonkeyPatch) -> None:
    """When every parser declines, the result is an empty ErrorBody of format none."""
    monkeypatch.setattr(_parse, "DEFAULT_PARSERS", ())
    assert parse_error_body(b"x") == ErrorBody()


def test_default_parsers_order() -> None:
    """The built-in chain is JSON, XML, HTML, text."""
    assert (parse_json, parse_xml, parse_html, parse_text) == DEFAULT_PARSERS


@pytest.mark.parametrize("parser", [parse_json, parse_xml, parse_html])
def test_builtin_parsers_decline_plain_text(parser: object) -> None:
    """The JSON, XML and HTML parsers return None for plain text."""
    assert parser(b"plain words", "text/plain") is None  # type: ignore[operator]


_BODIES = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "error",
                        "code",
                        "error_code",
                        "message",
                        "status",
                        "type",
                        "title",
                        "detail",
                        "request_id",
                        "errorMsg",
                        "value",
                        "x",
                    ]
                ),
                children,
                max_size=5,
            )
        ),
        max_leaves=20,
    ).map(lambda doc: json.dumps(doc).encode()),
    st.lists(
        st.sampled_from(
            [
                "<Error>",
                "</Error>",
                "<Code>",
                "</Code>",
                "x",
                "<!--",
                "-->",
                "<html>",
                "<title>",
                "</title>",
                "<script>",
                "&amp;",
                "<",
                ">",
                "<!DOCTYPE",
                "<?xml ?>",
            ]
        ),
        max_size=30,
    ).map(lambda parts: "".join(parts).encode()),
)
_CONTENT_TYPES = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(
        [
            "application/json",
            "application/problem+json",
            "application/xml",
            "text/html",
            "text/plain; charset=gbk",
            "text/plain; charset=utf-16",
            "text/plain; charset=x",
        ]
    ),
)


@given(body=_BODIES, content_type=_CONTENT_TYPES)
def test_parse_error_body_never_raises(body: bytes, content_type: str | None) -> None:
    """Any bytes with any content type give an ErrorBody with a string-or-None code."""
    parsed = parse_error_body(body, content_type)
    assert isinstance(parsed, ErrorBody)
    assert parsed.error_code is None or isinstance(parsed.error_code, str)
    assert parsed.error_message is None or isinstance(parsed.error_message, str)
    assert parsed.format in {"json", "problem+json", "xml", "html", "text", "empty"}


# --- request ids -------------------------------------------------------------------


@pytest.mark.parametrize("name", REQUEST_ID_HEADERS)
@pytest.mark.parametrize("case", [str.lower, str.upper, str.title, lambda s: s])
def test_request_id_headers_any_case(name: str, case: object) -> None:
    """Every request-id header is found in a plain dict whatever its case."""
    headers = {case(name): " req-123 ", "Content-Type": "text/plain"}  # type: ignore[operator]
    assert request_id_from_headers(headers) == "req-123"


@pytest.mark.parametrize(
    "name",
    [
        "X-Request-Id",
        "x-obs-request-id",
        "X-Openstack-Request-Id",
        "X-Compute-Request-Id",
        "x-amzn-RequestId",
        "x-amz-request-id",
        "x-ms-request-id",
    ],
)
def test_request_id_case_insensitive_dict(name: str) -> None:
    """requests' CaseInsensitiveDict works as well as a dict."""
    assert request_id_from_headers(CaseInsensitiveDict({name: "abc"})) == "abc"


def test_request_id_order() -> None:
    """X-Request-Id wins over the vendor-specific headers."""
    headers = {"x-ms-request-id": "ms", "X-OBS-REQUEST-ID": "obs", "X-Request-ID": "generic"}
    assert request_id_from_headers(headers) == "generic"


def test_request_id_empty_values_ignored() -> None:
    """An empty or blank header is skipped in favour of the next one."""
    headers = {"X-Request-Id": "  ", "x-request-id": "", "X-Openstack-Request-Id": "req-os"}
    assert request_id_from_headers(headers) == "req-os"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"Server": "nginx"}, None),
        (None, None),
        (42, None),
        ({b"X-Request-Id": "bytes-name", 7: "x"}, None),
        ({"X-Request-Id": b"byte-value"}, "byte-value"),
        ({"X-Request-Id": 5}, None),
    ],
)
def test_request_id_garbage_headers(headers: object, expected: str | None) -> None:
    """Odd header containers and values never raise."""
    assert request_id_from_headers(headers) == expected  # type: ignore[arg-type]


# --- Retry-After -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (b"7", 7.0),
        ("Tue, 14 Nov 2023 22:14:20 GMT", 60.0),
        ("Tuesday, 14-Nov-23 22:14:20 GMT", 60.0),
        ("Tue Nov 14 22:14:20 2023", 60.0),
        ("Tue, 14 Nov 2023 23:14:20 +0100", 60.0),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0),
        (str(int(MAX_RETRY_AFTER)), MAX_RETRY_AFTER),
    ],
)
def test_retry_after_valid(value: str, expected: float) -> None:
    """Delta-seconds and all three HTTP-date formats become seconds from now."""
    assert parse_retry_after(value, now=NOW) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "soon",
        "-5",
        "+5",
        "1e3",
        "nan",
        "inf",
        "1.",
        ".5",
        "٣",  # an Arabic-Indic digit is not an ASCII digit
        "99999999999",
        str(int(MAX_RETRY_AFTER) + 1),
        "9" * 400,
        "Sun, 06 Nov 9999 08:49:37 GMT",
        "Mon, 31 Feb 2024 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 +9999",
        12,
    ],
)
def test_retry_after_garbage(value: object) -> None:
    """Negative, malformed, non-finite and absurdly large values give None."""
    assert parse_retry_after(value, now=NOW) is None  # type: ignore[arg-type]


def test_retry_after_date_uses_clock_by_default() -> None:
    """Without now, a date is measured from the current time."""
    when = datetime.fromtimestamp(time.time() + 3600, tz=timezone.utc)
    seconds = parse_retry_after(format_datetime(when, usegmt=True))
    assert seconds is not None
    assert 3500 < seconds <= 3600


def test_retry_after_non_finite_now() -> None:
    """A non-finite now cannot produce a non-finite result."""
    assert parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", now=math.nan) is None


@given(
    value=st.one_of(st.none(), st.text(max_size=60), st.from_regex(r"-?[0-9]{1,25}(\.[0-9]*)?")),
    now=st.one_of(
        st.none(), st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=4e9)
    ),
)
def test_retry_after_property(value: str | None, now: float | None) -> None:
    """Any input gives None or a finite float of at least 0 and at most a year."""
    result = parse_retry_after(value, now=now)
    assert result is None or (math.isfinite(result) and 0.0 <= result <= MAX_RETRY_AFTER)


# --- rate limits -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param(
            {"RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "30"},
            RateLimit(limit=100, remaining=0, reset=30.0),
            id="ietf-separate",
        ),
        pytest.param(
            {"ratelimit-limit": "10, 10;w=1, 50;w=60", "ratelimit-remaining": "9;w=1"},
            RateLimit(limit=10, remaining=9),
            id="ietf-separate-with-policies",
        ),
        pytest.param(
            {"RateLimit": '"default";r=50;t=30', "RateLimit-Policy": '"default";q=100;w=60'},
            RateLimit(limit=100, remaining=50, reset=30.0, policy='"default";q=100;w=60'),
            id="ietf-structured",
        ),
        pytest.param(
            {
                "RateLimit": '"burst";r=1;t=2, "day";r=900;t=3600',
                "RateLimit-Policy": '"day";q=1000;w=86400, "burst";q=5;w=10',
            },
            RateLimit(
                limit=5, remaining=1, reset=2.0, policy='"day";q=1000;w=86400, "burst";q=5;w=10'
            ),
            id="ietf-structured-policy-by-name",
        ),
        pytest.param(
            {"RateLimit": '"a";r=3', "RateLimit-Policy": '"b";q=7'},
            RateLimit(limit=7, remaining=3, policy='"b";q=7'),
            id="ietf-structured-policy-name-mismatch-uses-first",
        ),
        pytest.param(
            {"RateLimit": '"we\\"ird, name";r=4;t=5'},
            RateLimit(remaining=4, reset=5.0),
            id="ietf-structured-quoted-comma",
        ),
        pytest.param(
            {"RateLimit-Policy": "q=9"},
            RateLimit(policy="q=9"),
            id="policy-only-garbage",
        ),
        pytest.param(
            {"RateLimit": "limit=10, remaining=5, reset=30"},
            RateLimit(limit=10, remaining=5, reset=30.0),
            id="ietf-older-combined",
        ),
        pytest.param(
            {
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": "4999",
                "X-RateLimit-Reset": "60",
            },
            RateLimit(limit=5000, remaining=4999, reset=60.0),
            id="x-ratelimit-delta",
        ),
        pytest.param(
            {"x-ratelimit-reset": str(int(NOW) + 90)},
            RateLimit(reset=90.0),
            id="x-ratelimit-epoch",
        ),
        pytest.param(
            {"x-ratelimit-reset": str(int(NOW) - 90)},
            RateLimit(reset=0.0),
            id="x-ratelimit-epoch-past",
        ),
        pytest.param(
            {"X-Apig-Ratelimit-Api": "remain:99,limit:100,time:1 minute"},
            RateLimit(limit=100, remaining=99, policy="remain:99,limit:100,time:1 minute"),
            id="apig",
        ),
        pytest.param(
            {
                "X-Apig-Ratelimit-Api": "remain:99,limit:100,time:1 minute",
                "X-Apig-Ratelimit-User": "remain:3,limit:10,time:1 second",
                "X-Apig-Ratelimit-Api-Allenv": "remain:14999,limit:15000,time:1 second",
            },
            RateLimit(limit=10, remaining=3, policy="remain:3,limit:10,time:1 second"),
            id="apig-tightest",
        ),
        pytest.param(
            {
                "X-Apig-RateLimit-api": "garbage",
                "X-Apig-RateLimit-ip": "remain:9,limit:10,time:10 second",
            },
            RateLimit(limit=10, remaining=9, policy="remain:9,limit:10,time:10 second"),
            id="apig-garbage-then-valid",
        ),
        pytest.param(
            {"X-Apig-RateLimit-app": "limit:10"},
            RateLimit(limit=10, policy="limit:10"),
            id="apig-no-remaining",
        ),
        pytest.param(
            {
                "X-Apig-RateLimit-api": "remain:1,limit:10",
                "X-Apig-RateLimit-user": "limit:99",
            },
            RateLimit(limit=10, remaining=1, policy="remain:1,limit:10"),
            id="apig-second-without-remaining-ignored",
        ),
        pytest.param(
            {
                "RateLimit-Limit": "60",
                "X-RateLimit-Limit": "99",
                "X-Apig-Ratelimit-Api": "remain:1,limit:2,time:1 second",
            },
            RateLimit(limit=60, remaining=1, policy="remain:1,limit:2,time:1 second"),
            id="precedence",
        ),
        pytest.param(
            {"retry-after-ms": "1500"}, RateLimit(retry_after_ms=1500.0), id="retry-after-ms"
        ),
        pytest.param(
            {"x-ms-retry-after-ms": "250.5"},
            RateLimit(retry_after_ms=250.5),
            id="x-ms-retry-after-ms",
        ),
        pytest.param(
            {
                "RateLimit-Limit": "lots",
                "RateLimit-Remaining": "-1",
                "RateLimit-Reset": "soon",
                "X-RateLimit-Limit": "1.5",
                "retry-after-ms": "nan",
            },
            RateLimit(),
            id="garbage",
        ),
        pytest.param({"RateLimit": ""}, None, id="empty-value-is-absent"),
        pytest.param({"Content-Type": "text/plain"}, None, id="none-present"),
        pytest.param(None, None, id="not-a-mapping"),
    ],
)
def test_rate_limit(headers: object, expected: RateLimit | None) -> None:
    """Each rate-limit header family fills the matching fields."""
    assert parse_rate_limit(headers, now=NOW) == expected  # type: ignore[arg-type]


def test_rate_limit_epoch_with_non_finite_now() -> None:
    """An epoch reset measured from a non-finite now is None."""
    assert parse_rate_limit({"X-RateLimit-Reset": "1700000000"}, now=math.inf) == RateLimit()


def test_rate_limit_default_clock() -> None:
    """Without now, an epoch reset is measured from the current time."""
    parsed = parse_rate_limit({"X-RateLimit-Reset": str(int(time.time()) + 100)})
    assert parsed is not None
    assert parsed.reset is not None
    assert 90 < parsed.reset <= 100


def test_rate_limit_case_insensitive_dict() -> None:
    """requests' CaseInsensitiveDict is accepted."""
    headers = CaseInsensitiveDict({"X-RATELIMIT-REMAINING": "3"})
    assert parse_rate_limit(headers, now=NOW) == RateLimit(remaining=3)


@given(
    headers=st.dictionaries(
        st.sampled_from(
            [
                "RateLimit",
                "RateLimit-Policy",
                "RateLimit-Limit",
                "RateLimit-Reset",
                "X-RateLimit-Reset",
                "X-Apig-Ratelimit-Api",
                "retry-after-ms",
                "X",
            ]
        ),
        st.text(max_size=40),
    )
)
def test_rate_limit_never_raises(headers: dict[str, str]) -> None:
    """Arbitrary header values give None or a RateLimit with sane fields."""
    parsed = parse_rate_limit(headers, now=NOW)
    if parsed is not None:
        assert parsed.reset is None or (math.isfinite(parsed.reset) and parsed.reset >= 0)
        assert parsed.limit is None or parsed.limit >= 0


def test_header_map_reads_requests_headers_like_any_mapping() -> None:
    """A CaseInsensitiveDict (the fast path) and a plain dict of the same headers agree."""
    from requests.structures import CaseInsensitiveDict

    from cloudstatus._parse import header_map

    raw = {"Content-Type": "a/b", "X-Request-Id": " r-1 ", "Empty": " ", " Padded ": "v"}
    assert header_map(CaseInsensitiveDict(raw)) == header_map(dict(raw))
    odd = CaseInsensitiveDict({"A": "x"})
    odd._store["b"] = ("B", b"bytes")  # requests keeps bytes values as given
    assert header_map(odd) == {"a": "x", "b": "bytes"}
