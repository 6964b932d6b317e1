"""The response hook against mocked responses (``responses``): parsing, options, install."""

from __future__ import annotations

import email.utils
import functools
import io
import json
import pickle
import tracemalloc
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
import requests
import responses
from requests.structures import CaseInsensitiveDict

import cloudstatus
from cloudstatus import CloudStatusError, ErrorBody
from cloudstatus._hook import _error_for, installed, installed_hook, read_bounded
from cloudstatus.services import dms

if TYPE_CHECKING:
    from collections.abc import Iterator

URL = "https://dms.example.com/v2/proj-1/instances"
TIMEOUT = 10
KIB = 1024


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    """Every request in the test is answered by ``responses``; none reaches a network."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rm:
        yield rm


def _raised(
    session: requests.Session,
    mock: responses.RequestsMock,
    status: int,
    body: bytes | str = b"",
    *,
    content_type: str = "text/plain",
    headers: dict[str, str] | None = None,
    method: str = "GET",
    **request_kwargs: Any,
) -> CloudStatusError:
    """Register one reply, send the request and return what the hook raised."""
    mock.add(method, URL, body=body, status=status, content_type=content_type, headers=headers)
    with pytest.raises(CloudStatusError) as info:
        session.request(method, URL, timeout=TIMEOUT, **request_kwargs)
    return info.value


def _response(
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    method: str = "GET",
    url: str = URL,
) -> requests.Response:
    """A :class:`requests.Response` with an unread in-memory body, as an adapter builds it."""
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(headers or {})
    response.raw = io.BytesIO(body)
    response.url = url
    response.request = requests.Request(method, url).prepare()
    return response


# --- body formats ----------------------------------------------------------------------


def _j(doc: object) -> bytes:
    return json.dumps(doc).encode()


GOOGLE = {
    "error": {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "BUCKET_MISSING"}
        ],
    }
}
ODATA = {
    "error": {
        "code": "BadArgument",
        "message": "The 'top' parameter must be between 1 and 1000.",
        "details": [{"code": "RangeError", "message": "top=5000", "target": "top"}],
    }
}
PROBLEM = {
    "type": "https://example.com/probs/out-of-credit",
    "title": "You do not have enough credit.",
    "detail": "Your current balance is 30, but that costs 50.",
    "instance": "/account/12345/msgs/abc",
    "status": 403,
}
OBS_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
    b"<RequestId>0000018A2B3C4D5E</RequestId><HostId>obs.example.com</HostId>"
    b"<Key>logs/2024/app.log</Key></Error>"
)
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)

# (id, status, content type, body, error_code, error_message, request_id, class)
BODY_FORMATS = [
    (
        "huawei-error_code-error_msg",
        409,
        "application/json",
        _j({"error_code": "DMS.00409001", "error_msg": "Instance name already exists."}),
        "DMS.00409001",
        "Instance name already exists.",
        None,
        cloudstatus.ConflictError,
    ),
    (
        "huawei-errorCode-errorMsg",
        400,
        "application/json;charset=UTF-8",
        _j({"errorCode": "MPC.10212", "errorMsg": "Invalid parameter: bucket."}),
        "MPC.10212",
        "Invalid parameter: bucket.",
        None,
        cloudstatus.BadRequestError,
    ),
    (
        "huawei-error_code-error_message",
        404,
        "application/json",
        _j({"error_code": "DMS.00404022", "error_message": "The instance does not exist."}),
        "DMS.00404022",
        "The instance does not exist.",
        None,
        cloudstatus.NotFoundError,
    ),
    (
        "huawei-errorCode-errorMessage",
        403,
        "application/json",
        _j({"errorCode": "APIGW.0302", "errorMessage": "The IAM user is not authorized."}),
        "APIGW.0302",
        "The IAM user is not authorized.",
        None,
        cloudstatus.ForbiddenError,
    ),
    (
        "nested-error",
        401,
        "application/json",
        _j({"error": {"code": "APIGW.0301", "message": "Incorrect IAM authentication."}}),
        "APIGW.0301",
        "Incorrect IAM authentication.",
        None,
        cloudstatus.UnauthorizedError,
    ),
    (
        "keystone-int-code",
        404,
        "application/json",
        _j(
            {"error": {"code": 404, "message": "Could not find project: p1.", "title": "Not Found"}}
        ),
        "404",
        "Could not find project: p1.",
        None,
        cloudstatus.NotFoundError,
    ),
    (
        "api-gateway-request_id",
        429,
        "application/json",
        _j(
            {
                "error_code": "APIGW.0308",
                "error_msg": "The request is throttled.",
                "request_id": "8f2b9c0e4a1d4e6f",
            }
        ),
        "APIGW.0308",
        "The request is throttled.",
        "8f2b9c0e4a1d4e6f",
        cloudstatus.TooManyRequestsError,
    ),
    (
        "encoded_authorization_message-403",
        403,
        "application/json",
        _j(
            {
                "error": {
                    "code": 403,
                    "title": "Forbidden",
                    "message": "You are not authorized to perform ecs:servers:list.",
                    "encoded_authorization_message": "4a2f9bc0ZW5jb2RlZA",
                }
            }
        ),
        "403",
        "You are not authorized to perform ecs:servers:list.",
        None,
        cloudstatus.ForbiddenError,
    ),
    (
        "encoded_authorization_message-only",
        403,
        "application/json",
        _j({"error": {"code": "IAM.0102", "encoded_authorization_message": "4a2f9bc0ZW5j"}}),
        "IAM.0102",
        "4a2f9bc0ZW5j",
        None,
        cloudstatus.ForbiddenError,
    ),
    (
        "rfc9457-problem+json",
        403,
        "application/problem+json",
        _j(PROBLEM),
        "https://example.com/probs/out-of-credit",
        "Your current balance is 30, but that costs 50.",
        None,
        cloudstatus.ForbiddenError,
    ),
    (
        "google",
        404,
        "application/json; charset=UTF-8",
        _j(GOOGLE),
        "NOT_FOUND",
        "Requested entity was not found.",
        None,
        cloudstatus.NotFoundError,
    ),
    (
        "odata",
        400,
        "application/json; odata.metadata=minimal",
        _j(ODATA),
        "BadArgument",
        "The 'top' parameter must be between 1 and 1000.",
        None,
        cloudstatus.BadRequestError,
    ),
    (
        "openstack-fault-wrapper",
        404,
        "application/json",
        _j({"itemNotFound": {"message": "Instance i-1 could not be found.", "code": 404}}),
        "404",
        "Instance i-1 could not be found.",
        None,
        cloudstatus.NotFoundError,
    ),
    (
        "obs-xml",
        404,
        "application/xml",
        OBS_XML,
        "NoSuchKey",
        "The specified key does not exist.",
        "0000018A2B3C4D5E",
        cloudstatus.NotFoundError,
    ),
    (
        "html-page",
        502,
        "text/html",
        NGINX_502,
        None,
        "502 Bad Gateway",
        None,
        cloudstatus.BadGatewayError,
    ),
    (
        "plain-text",
        503,
        "text/plain; charset=utf-8",
        b"upstream connect error or disconnect/reset before headers\n",
        None,
        "upstream connect error or disconnect/reset before headers",
        None,
        cloudstatus.ServiceUnavailableError,
    ),
]


@pytest.mark.parametrize(
    ("status", "content_type", "body", "code", "message", "request_id", "cls"),
    [pytest.param(*row[1:], id=row[0]) for row in BODY_FORMATS],
)
def test_body_formats(
    session: requests.Session,
    mock: responses.RequestsMock,
    status: int,
    content_type: str,
    body: bytes,
    code: str | None,
    message: str,
    request_id: str | None,
    cls: type[CloudStatusError],
) -> None:
    """Every body format the design lists yields the mapped class and its parsed fields."""
    e = _raised(session, mock, status, body, content_type=content_type)
    assert type(e) is cls
    assert e.error_code == code
    assert e.error_message == message
    assert e.request_id == request_id
    if content_type.endswith("json"):
        assert e.details == json.loads(body)
    said = f"[{code}] {message}" if code else message
    assert str(e).endswith(said + (f" (request id: {request_id})" if request_id else ""))


def test_obs_xml_details_are_the_error_children(
    session: requests.Session, mock: responses.RequestsMock
) -> None:
    """An XML error body's details map each child of <Error> to its text."""
    e = _raised(session, mock, 404, OBS_XML, content_type="application/xml")
    assert e.details["Key"] == "logs/2024/app.log"
    assert e.details["HostId"] == "obs.example.com"


def test_flat_integer_code_becomes_str(
    session: requests.Session, mock: responses.RequestsMock
) -> None:
    """An integer error code in a flat body is reported as a str."""
    e = _raised(
        session, mock, 400, _j({"code": 40001, "message": "bad"}), content_type="application/json"
    )
    assert e.error_code == "40001"
    assert isinstance(e.error_code, str)


def test_message_follows_requests_wording(
    session: requests.Session, mock: responses.RequestsMock
) -> None:
    """The message is requests' wording with the code, server text and request id appended."""
    e = _raised(
        session,
        mock,
        409,
        _j({"error_code": "DMS.00409001", "error_msg": "Instance name already exists."}),
        content_type="application/json",
        headers={"X-Request-Id": "5b4c1e0a9d7f"},
        method="POST",
    )
    assert str(e) == (
        f"409 Client Error: Conflict for url: {URL} [DMS.00409001] "
        "Instance name already exists. (request id: 5b4c1e0a9d7f)"
    )
    assert e.method == "POST"
    assert e.url == URL


def test_message_strips_control_characters(
    session: requests.Session, mock: responses.RequestsMock
) -> None:
    """Control, bidi and escape characters in server text never reach the message."""
    nasty = "line1\nline2\r\n\x1b[31mred\x00\u202egnp.exe\x07"
    e = _raised(
        session,
        mock,
        400,
        _j({"error_code": "E\x1b[0m1", "error_msg": nasty}),
        content_type="application/json",
    )
    for text in (str(e), e.error_message or "", e.error_code or ""):
        assert text.isprintable(), text
    assert "line1 line2" in str(e)


def test_message_is_truncated(session: requests.Session, mock: responses.RequestsMock) -> None:
    """Server text longer than max_message_chars is cut in the message and error_message."""
    cloudstatus.install(session, max_message_chars=40)
    e = _raised(session, mock, 400, _j({"error_msg": "x" * 5000}), content_type="application/json")
    assert e.error_message is not None
    assert len(e.error_message) <= 40
    assert len(str(e)) < len(URL) + 120


def test_default_message_cap(session: requests.Session, mock: responses.RequestsMock) -> None:
    """Without options, server text is capped at 300 characters."""
    e = _raised(session, mock, 500, "y" * 10_000)
    assert e.error_message is not None
    assert len(e.error_message) <= 300


# --- request ids and Retry-After -------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "X-Request-Id",
        "x-request-id",
        "X-REQUEST-ID",
        "x-obs-request-id",
        "X-Obs-Request-Id",
        "X-Openstack-Request-Id",
        "x-openstack-request-id",
        "X-Compute-Request-Id",
        "x-amzn-requestid",
        "X-Amzn-RequestId",
        "x-ms-request-id",
        "X-MS-REQUEST-ID",
    ],
)
def test_request_id_headers(
    session: requests.Session, mock: responses.RequestsMock, header: str
) -> None:
    """Each request-id header, in any case, fills request_id and the message."""
    e = _raised(session, mock, 500, headers={header: "req-7f3a"})
    assert e.request_id == "req-7f3a"
    assert str(e).endswith("(request id: req-7f3a)")


def test_request_id_header_beats_body(
    session: requests.Session, mock: responses.RequestsMock
) -> None:
    """A request id in the headers wins over one in the body."""
    e = _raised(
        session,
        mock,
        429,
        _j({"error_code": "APIGW.0308", "request_id": "from-body"}),
        content_type="application/json",
        headers={"X-Request-Id": "from-header"},
    )
    assert e.request_id == "from-header"


def _http_date(delta: timedelta) -> str:
    return email.utils.format_datetime(datetime.now(timezone.utc) + delta, usegmt=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (" 30 ", 30.0),
        (_http_date(timedelta(days=-1)), 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        ("", None),
        ("12abc", None),
        ("1e3", None),
        ("inf", None),
        ("nan", None),
        ("Mon, 99 Foo 2015 77:28:00 GMT", None),
    ],
    ids=lambda v: repr(v) if isinstance(v, str) else None,
)
def test_retry_after(
    session: requests.Session, mock: responses.RequestsMock, value: str, expected: float | None
) -> None:
    """Retry-After seconds or a past HTTP-date give a float >= 0; garbage and negatives None."""
    e = _raised(session, mock, 503, headers={"Retry-After": value})
    assert e.retry_after == expected


def test_retry_after_future_http_date(
    session: requests.Session, mock: responses.RequestsMock
) -> None:
    """A future HTTP-date Retry-After gives the seconds until then."""
    e = _raised(session, mock, 429, headers={"Retry-After": _http_date(timedelta(hours=1))})
    assert e.retry_after is not None
    assert 3000 < e.retry_after <= 3600


def test_no_retry_after(session: requests.Session, mock: responses.RequestsMock) -> None:
    """Without Retry-After, retry_after is None."""
    assert _raised(session, mock, 503).retry_after is None


# --- odd bodies ------------------------------------------------------------------------


def test_empty_body(session: requests.Session, mock: responses.RequestsMock) -> None:
    """An empty body gives the mapped class with no parsed fields."""
    e = _raised(session, mock, 500, b"", content_type="application/json")
    assert type(e) is cloudstatus.InternalServerError
    assert (e.error_code, e.error_message, e.details, e.request_id) == (None, None, None, None)
    assert str(e) == f"500 Server Error: Internal Server Error for url: {URL}"


def test_invalid_json(session: requests.Session, mock: responses.RequestsMock) -> None:
    """Invalid JSON is kept as text, not an error."""
    e = _raised(
        session, mock, 400, b'{"error_code": "DMS.1", "error_', content_type="application/json"
    )
    assert type(e) is cloudstatus.BadRequestError
    assert e.error_code is None
    assert e.error_message == '{"error_code": "DMS.1", "error_'


def test_json_array(session: requests.Session, mock: responses.RequestsMock) -> None:
    """A JSON array body becomes details, with no code."""
    body = [{"error_code": "X.1", "error_msg": "first"}]
    e = _raised(session, mock, 422, _j(body), content_type="application/json")
    assert type(e) is cloudstatus.UnprocessableContentError
    assert e.details == body
    assert e.error_code is None


def test_json_null(session: requests.Session, mock: responses.RequestsMock) -> None:
    """A JSON ``null`` body gives no fields and no error."""
    e = _raised(session, mock, 500, b"null", content_type="application/json")
    assert (e.error_code, e.error_message, e.details) == (None, None, None)


def test_json_string(session: requests.Session, mock: responses.RequestsMock) -> None:
    """A JSON string body is the message."""
    e = _raised(session, mock, 400, b'"quota exceeded"', content_type="application/json")
    assert e.error_message == "quota exceeded"


def test_non_utf8_bytes(session: requests.Session, mock: responses.RequestsMock) -> None:
    """Undecodable bytes become replacement characters, never an error."""
    e = _raised(session, mock, 400, b"Fehler: Ung\xfcltig \x80\x81\xfe\xff")
    assert type(e) is cloudstatus.BadRequestError
    assert e.error_message is not None
    assert e.error_message.startswith("Fehler: Ung")
    assert str(e).isprintable()


def test_declared_charset_is_used(session: requests.Session, mock: responses.RequestsMock) -> None:
    """A body in the charset its Content-Type declares is decoded with it."""
    e = _raised(
        session, mock, 400, "Ungültige Anfrage".encode("latin-1"),
        content_type="text/plain; charset=iso-8859-1",
    )  # fmt: skip
    assert e.error_message == "Ungültige Anfrage"


def test_ten_megabyte_body(session: requests.Session, mock: responses.RequestsMock) -> None:
    """A 10 MB body leaves at most 64 KiB in e.response.content and a short message."""
    e = _raised(session, mock, 500, b"A" * (10 * 2**20))
    assert len(e.response.content) <= 64 * KIB
    assert e.response.text == "A" * len(e.response.content)
    assert e.error_message is not None
    assert len(e.error_message) <= 300


def test_ten_megabyte_body_streamed(
    session: requests.Session, mock: responses.RequestsMock
) -> None:
    """With stream=True a 10 MB error body is read no further than the cap either."""
    e = _raised(session, mock, 500, b"B" * (10 * 2**20), stream=True)
    assert len(e.response.content) <= 64 * KIB


def test_ten_megabyte_json_message(session: requests.Session, mock: responses.RequestsMock) -> None:
    """A JSON body cut by the cap still gives the mapped class and a bounded message."""
    body = _j({"error_code": "E1", "error_msg": "m" * (10 * 2**20)})
    e = _raised(session, mock, 413, body, content_type="application/json")
    assert type(e) is cloudstatus.ContentTooLargeError
    assert len(e.response.content) <= 64 * KIB
    assert len(str(e)) < 600


def test_hook_memory_is_bounded_on_a_huge_body() -> None:
    """Raising on an unread 10 MB body allocates far less than the body."""
    response = _response(500, b"C" * (10 * 2**20))
    tracemalloc.start()
    try:
        with pytest.raises(cloudstatus.InternalServerError):
            cloudstatus.raise_for_status(response)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 * 2**20
    assert len(response.content) <= 64 * KIB


def test_max_body_bytes_option(session: requests.Session, mock: responses.RequestsMock) -> None:
    """max_body_bytes caps what is read and kept of an error body."""
    cloudstatus.install(session, max_body_bytes=1000)
    e = _raised(session, mock, 500, b"D" * 50_000, stream=True)
    assert len(e.response.content) == 1000


def test_read_bounded_on_already_read_body() -> None:
    """A body that was already read is cut to the cap, not read again."""
    response = _response(500)
    response._content = b"E" * 100
    assert read_bounded(response, 10) == b"E" * 10


def test_read_bounded_on_consumed_stream() -> None:
    """A stream consumed elsewhere gives an empty body instead of an error."""
    response = _response(500, b"abc")
    for _ in response.iter_content(2):
        pass
    response._content = False
    assert read_bounded(response, 10) == b""


def test_broken_raw_still_raises_mapped_class() -> None:
    """A body whose read fails still raises the mapped class."""

    class BrokenRaw(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            raise OSError("connection reset by peer")

    response = _response(502)
    response.raw = BrokenRaw()
    with pytest.raises(cloudstatus.BadGatewayError) as info:
        cloudstatus.raise_for_status(response)
    assert info.value.error_message is None


@pytest.mark.parametrize("body", [b"", b'{"error_code": "E1", "error_msg": "body on HEAD"}'])
def test_head_request(session: requests.Session, mock: responses.RequestsMock, body: bytes) -> None:
    """A HEAD error raises the mapped class and never parses a body."""
    e = _raised(session, mock, 404, body, content_type="application/json", method="HEAD")
    assert type(e) is cloudstatus.NotFoundError
    assert e.method == "HEAD"
    assert (e.error_code, e.error_message) == (None, None)


def test_head_response_body_is_never_parsed() -> None:
    """Whatever bytes come with a HEAD response, they are not parsed as an error body."""
    response = _response(409, _j({"error_code": "E1", "error_msg": "m"}), method="HEAD")
    e = cloudstatus.error_from_response(response)
    assert type(e) is cloudstatus.ConflictError
    assert (e.error_code, e.error_message, e.details) == (None, None, None)


def test_plain_dict_headers_are_read_in_any_case() -> None:
    """Headers given as a plain dict are matched whatever their case."""
    response = _response(503, b"{}")
    response.headers = {  # type: ignore[assignment]
        "content-type": "application/json",
        "RETRY-AFTER": "9",
        "X-Request-ID": "rid-1",
        42: "a non-str name is skipped",
    }
    e = cloudstatus.error_from_response(response)
    assert e is not None
    assert (e.retry_after, e.request_id) == (9.0, "rid-1")


# --- status ranges, redirects ----------------------------------------------------------


@pytest.mark.parametrize("status", [100, 200, 201, 204, 299, 301, 302, 304, 399])
def test_below_400_returns_response(status: int) -> None:
    """A status below 400 returns the very response, body unread."""
    response = _response(status, b"payload")
    assert cloudstatus.raise_for_status(response) is response
    assert response.raw.tell() == 0
    assert cloudstatus.error_from_response(response) is None


@pytest.mark.parametrize("status", [600, 700, 999])
def test_600_and_above_raise_root(
    session: requests.Session, mock: responses.RequestsMock, status: int
) -> None:
    """A status of 600 or more raises the root class itself."""
    e = _raised(session, mock, status, "odd")
    assert type(e) is CloudStatusError
    assert e.status_code == status


def test_redirect_not_raised_by_default(
    session: requests.Session, mock: responses.RequestsMock
) -> None:
    """An unfollowed 302 is returned, not raised."""
    mock.add("GET", URL, status=302, headers={"Location": "/elsewhere"})
    with session.get(URL, allow_redirects=False, timeout=TIMEOUT) as response:
        assert response.status_code == 302


def test_raise_redirects(session: requests.Session, mock: responses.RequestsMock) -> None:
    """With raise_redirects=True, a 3xx reaching the hook raises its class."""
    cloudstatus.install(session, raise_redirects=True)
    e = _raised(session, mock, 302, headers={"Location": "/elsewhere"}, allow_redirects=False)
    assert type(e) is cloudstatus.FoundError
    assert isinstance(e, cloudstatus.RedirectionError)
    assert e.response.headers["Location"] == "/elsewhere"


@pytest.mark.parametrize(
    ("status", "cls"),
    [(304, cloudstatus.NotModifiedError), (300, cloudstatus.MultipleChoicesError)],
)
def test_error_from_response_redirects(status: int, cls: type[CloudStatusError]) -> None:
    """error_from_response gives None for a 3xx unless raise_redirects=True."""
    assert cloudstatus.error_from_response(_response(status)) is None
    assert type(cloudstatus.error_from_response(_response(status), raise_redirects=1)) is cls


def test_status_as_enum() -> None:
    """An http.HTTPStatus status is an error status like its int."""
    response = _response(409)
    response.status_code = HTTPStatus.CONFLICT
    assert type(cloudstatus.error_from_response(response)) is cloudstatus.ConflictError


# --- parsers ---------------------------------------------------------------------------


def test_user_parser_tried_first(session: requests.Session, mock: responses.RequestsMock) -> None:
    """A parser given with parsers= is tried before the built-in ones."""
    seen: list[tuple[bytes, str]] = []

    def mine(body: bytes, content_type: str) -> ErrorBody | None:
        seen.append((body, content_type))
        return ErrorBody(error_code="MINE-1", error_message="from my parser", format="mine")

    cloudstatus.install(session, parsers=[mine])
    body = _j({"error_code": "DMS.00409001", "error_msg": "built-in would say this"})
    e = _raised(session, mock, 409, body, content_type="Application/JSON; Charset=UTF-8")
    assert (e.error_code, e.error_message) == ("MINE-1", "from my parser")
    assert seen == [(body, "application/json; charset=utf-8")]


def test_user_parser_declining_or_failing_falls_through(
    session: requests.Session, mock: responses.RequestsMock
) -> None:
    """A user parser that returns None, junk or raises leaves the built-in parsers to it."""

    def declines(body: bytes, content_type: str) -> None:
        return None

    def junk(body: bytes, content_type: str) -> object:
        return {"error_code": "not an ErrorBody"}

    def fails(body: bytes, content_type: str) -> ErrorBody:
        raise RuntimeError("parser bug")

    cloudstatus.install(session, parsers=(declines, junk, fails))
    e = _raised(
        session,
        mock,
        409,
        _j({"error_code": "C", "error_msg": "M"}),
        content_type="application/json",
    )
    assert (e.error_code, e.error_message) == ("C", "M")


def test_parsers_as_hook_keyword() -> None:
    """raise_for_status honours hook options passed by name, such as parsers=."""

    def mine(body: bytes, content_type: str) -> ErrorBody:
        return ErrorBody(error_code="K")

    with pytest.raises(cloudstatus.ConflictError) as info:
        cloudstatus.raise_for_status(_response(409, b"{}"), parsers=[mine])
    assert info.value.error_code == "K"


def test_requests_hook_keywords_are_ignored() -> None:
    """The keywords requests passes to hooks (timeout, verify...) are accepted and ignored."""
    response = _response(404)
    with pytest.raises(cloudstatus.NotFoundError):
        cloudstatus.raise_for_status(
            response, timeout=5, verify=True, proxies={}, stream=False, cert=None
        )
    ok = _response(200)
    assert cloudstatus.raise_for_status(ok, timeout=5, verify=True) is ok


def test_bare_hook_on_requests_get(mock: responses.RequestsMock) -> None:
    """raise_for_status works as a plain requests hook without install."""
    mock.add("GET", URL, status=409, json={"error_code": "X", "error_msg": "taken"})
    with pytest.raises(cloudstatus.ConflictError) as info:
        requests.get(URL, hooks={"response": cloudstatus.raise_for_status}, timeout=TIMEOUT)
    assert info.value.error_code == "X"


def test_partial_hook_with_options(mock: responses.RequestsMock) -> None:
    """A functools.partial of raise_for_status with options is a valid hook."""
    mock.add("GET", URL, status=500, body="z" * 5000)
    hook = functools.partial(cloudstatus.raise_for_status, max_body_bytes=100)
    with pytest.raises(cloudstatus.InternalServerError) as info:
        requests.get(URL, hooks={"response": hook}, timeout=TIMEOUT)
    assert len(info.value.response.content) == 100


# --- services --------------------------------------------------------------------------


def test_service_namespace(mock: responses.RequestsMock) -> None:
    """With service="dms" the service's class is raised, also catchable as the standard one."""
    with requests.Session() as s:
        cloudstatus.install(s, service="dms")
        e = _raised(
            s, mock, 409, _j({"error_code": "DMS.00409001"}), content_type="application/json"
        )
    assert type(e) is dms.ConflictError
    assert isinstance(e, cloudstatus.ConflictError)
    assert e.service == "dms"


def test_registered_error_code_class(mock: responses.RequestsMock) -> None:
    """A registered error-code class is raised for its code, not when its status disagrees."""
    scoped = cloudstatus.Registry("test_hook")

    class InstanceNameTaken(dms.ConflictError, error_code="DMS.00409001", registry=scoped):
        """The instance name is already in use."""

    body = _j({"error_code": "DMS.00409001", "error_msg": "taken"})
    with requests.Session() as s:
        cloudstatus.install(s, service="dms", registry=scoped)
        assert type(_raised(s, mock, 409, body, content_type="application/json")) is (
            InstanceNameTaken
        )
        mock.replace("GET", URL, body=body, status=404, content_type="application/json")
        with pytest.raises(CloudStatusError) as info:
            s.get(URL, timeout=TIMEOUT)
    assert type(info.value) is dms.NotFoundError


def test_unknown_service_slipping_past_install_falls_back() -> None:
    """Options naming a service that later disappears give the standard class, not a crash."""
    opts = cloudstatus.HookOptions(service="no-such-service")
    with pytest.raises(cloudstatus.ConflictError) as info:
        raise _error_for(_response(409, b'{"error_code": "E"}'), opts)  # type: ignore[misc]
    assert info.value.service is None
    assert type(info.value) is cloudstatus.ConflictError


# --- install / uninstall ---------------------------------------------------------------


def test_install_returns_session_and_is_idempotent() -> None:
    """Installing twice wraps send once, keeps the latest options and returns the session."""
    with requests.Session() as s:
        assert cloudstatus.install(s) is s
        first = installed_hook(s)
        assert cloudstatus.install(s, service="dms", max_body_bytes=2048) is s
        assert installed_hook(s) is first
        assert s.hooks["response"] == []
        options = installed(s)
        assert options is not None
        assert (options.service, options.max_body_bytes) == ("dms", 2048)


def test_installed_hook_repr_and_lookup() -> None:
    """The installed hook names its service, and leaves the session's hooks alone."""
    with requests.Session() as s:
        s.hooks["response"].append(print)
        cloudstatus.install(s, service="mpc")
        assert repr(installed_hook(s)) == "<cloudstatus hook service='mpc'>"
        assert s.hooks["response"] == [print]
        options = installed(s)
        assert options is not None
        assert options.service == "mpc"


def test_install_keeps_other_hooks(mock: responses.RequestsMock) -> None:
    """install leaves the user's hooks in place, a bare callable too, and they still run."""
    seen: list[int] = []

    def user_hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        seen.append(response.status_code)

    mock.add("GET", URL, status=409)
    with requests.Session() as s:
        s.hooks["response"] = user_hook  # type: ignore[assignment]
        cloudstatus.install(s)
        assert s.hooks["response"] is user_hook  # type: ignore[comparison-overlap]
        with pytest.raises(cloudstatus.ConflictError):
            s.get(URL, timeout=TIMEOUT)
    assert seen == [409]


def test_install_keeps_a_send_wrapper_installed_before(mock: responses.RequestsMock) -> None:
    """A send wrapper put on the session before install keeps running, and comes back after."""
    calls: list[str] = []
    mock.add("GET", URL, status=404)
    with requests.Session() as s:
        original = s.send

        def wrapper(request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
            calls.append(request.url or "")
            return original(request, **kwargs)

        s.send = wrapper  # type: ignore[method-assign]
        cloudstatus.install(s)
        with pytest.raises(cloudstatus.NotFoundError):
            s.get(URL, timeout=TIMEOUT)
        cloudstatus.uninstall(s)
        assert s.send is wrapper
    assert calls == [URL]


def test_a_send_wrapper_answering_an_odd_object_is_passed_through() -> None:
    """What a send wrapper answers goes back untouched when its status cannot even be read."""

    class Odd:
        @property
        def status_code(self) -> int:
            raise RuntimeError("no status here")

    odd = Odd()
    with requests.Session() as s:
        s.send = lambda request, **kwargs: odd  # type: ignore[method-assign]
        cloudstatus.install(s)
        assert s.get(URL, stream=True, timeout=TIMEOUT) is odd


def test_uninstall(mock: responses.RequestsMock) -> None:
    """uninstall removes the hook (and a bare raise_for_status) and returns the session."""
    mock.add("GET", URL, status=409)
    with requests.Session() as s:
        cloudstatus.install(s)
        s.hooks["response"].append(cloudstatus.raise_for_status)
        assert cloudstatus.uninstall(s) is s
        assert s.hooks["response"] == []
        assert "send" not in vars(s)
        assert installed(s) is None
        assert cloudstatus.uninstall(s) is s  # a second time is harmless
        with s.get(URL, timeout=TIMEOUT) as response:
            assert response.status_code == 409


def test_install_unknown_service() -> None:
    """An unknown service at install raises LookupError and installs nothing."""
    with requests.Session() as s:
        with pytest.raises(LookupError, match="no-such-service"):
            cloudstatus.install(s, service="no-such-service")
        assert installed(s) is None


@pytest.mark.parametrize(
    "options",
    [
        {"max_body_size": 10},
        {"retries": 3},
        {"max_body_bytes": "64k"},
        {"max_body_bytes": True},
        {"max_body_seconds": "5"},
        {"max_body_seconds": True},
        {"retry_overrides": [503]},
        {"retry_overrides": {503.0: True}},
        {"retry_overrides": {"": True}},
        {"retry_overrides": {503: "yes"}},
        {"parsers": lambda body, ctype: None},
        {"parsers": ["not callable"]},
    ],
    ids=str,
)
def test_install_bad_option(options: dict[str, Any]) -> None:
    """An unknown option or a wrongly typed one raises TypeError."""
    with requests.Session() as s, pytest.raises(TypeError):
        cloudstatus.install(s, **options)


@pytest.mark.parametrize(
    "options",
    [
        {"max_body_bytes": 0},
        {"max_body_bytes": -1},
        {"max_message_chars": -1},
        {"max_body_seconds": 0},
        {"max_body_seconds": -1.5},
        {"max_body_seconds": float("nan")},
        {"max_body_seconds": float("inf")},
    ],
    ids=str,
)
def test_install_bad_option_value(options: dict[str, Any]) -> None:
    """An option of the right type but an impossible value raises ValueError naming it."""
    name = next(iter(options))
    with requests.Session() as s, pytest.raises(ValueError, match=name):
        cloudstatus.install(s, **options)


def test_error_from_response_bad_option() -> None:
    """error_from_response refuses unknown options like install does."""
    with pytest.raises(TypeError):
        cloudstatus.error_from_response(_response(500), colour="red")


# --- error_from_response ---------------------------------------------------------------


def test_error_from_response_returns_without_raising() -> None:
    """error_from_response returns the exception for an error and None for a success."""
    e = cloudstatus.error_from_response(
        _response(404, _j({"error_code": "X", "error_msg": "gone"})), service="dms"
    )
    assert type(e) is dms.NotFoundError
    assert (e.error_code, e.error_message) == ("X", "gone")
    assert cloudstatus.error_from_response(_response(200)) is None


class _RaisingAttributes:
    """Every attribute but status_code raises."""

    status_code = 500

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"no {name} for you")


class _RaisingStatus:
    @property
    def status_code(self) -> int:
        raise RuntimeError("status exploded")


class _BadHeaders:
    status_code = 503
    headers = "not a mapping"
    url = 12345
    request = "nope"
    raw = None
    _content = None


def _junk_responses() -> list[Any]:
    weird_status = _response(200)
    weird_status.status_code = "500"  # type: ignore[assignment]
    bool_status = _response(200)
    bool_status.status_code = True  # type: ignore[assignment]
    no_raw = requests.Response()
    no_raw.status_code = 500
    no_url = _response(418)
    no_url.url = None  # type: ignore[assignment]
    no_url.request = None  # type: ignore[assignment]
    return [
        None,
        object(),
        42,
        "HTTP/1.1 500",
        b"500",
        {"status_code": 500},
        weird_status,
        bool_status,
        no_raw,
        no_url,
        _RaisingAttributes(),
        _RaisingStatus(),
        _BadHeaders(),
    ]


@pytest.mark.parametrize("junk", _junk_responses(), ids=lambda j: type(j).__qualname__)
def test_error_from_response_never_raises(junk: Any) -> None:
    """error_from_response never raises, whatever it is given: an error or None comes back."""
    result = cloudstatus.error_from_response(junk)
    assert result is None or isinstance(result, CloudStatusError)


@pytest.mark.parametrize(
    ("junk", "cls"),
    [
        (_RaisingAttributes(), cloudstatus.InternalServerError),
        (_BadHeaders(), cloudstatus.ServiceUnavailableError),
    ],
    ids=["raising-attributes", "bad-headers"],
)
def test_junk_with_error_status_gives_mapped_class(junk: Any, cls: type) -> None:
    """An object with an error status_code and broken everything else gives the mapped class."""
    assert type(cloudstatus.error_from_response(junk)) is cls


# --- compatibility with requests -------------------------------------------------------


def test_requests_http_error_still_catches(
    session: requests.Session, mock: responses.RequestsMock
) -> None:
    """``except requests.HTTPError`` catches the hook's exceptions."""
    mock.add("GET", URL, status=500)
    with pytest.raises(requests.HTTPError):
        session.get(URL, timeout=TIMEOUT)
    with pytest.raises(requests.RequestException):
        session.get(URL, timeout=TIMEOUT)


def test_response_usable_after_raise(
    session: requests.Session, mock: responses.RequestsMock
) -> None:
    """e.response and e.request work as with requests' own HTTPError."""
    doc = {"error_code": "DMS.00409001", "error_msg": "Instance name already exists."}
    e = _raised(
        session,
        mock,
        409,
        _j(doc),
        content_type="application/json",
        headers={"X-Request-Id": "r1"},
        method="POST",
    )
    response = e.response
    assert response is not None
    assert response.status_code == 409
    assert response.json() == doc
    assert response.text == json.dumps(doc)
    assert response.headers["x-request-id"] == "r1"
    assert response.url == URL
    assert e.request is response.request
    assert e.request.method == "POST"
    with pytest.raises(requests.HTTPError, match="409 Client Error"):
        response.raise_for_status()
    response.close()


def test_pickle_round_trip(session: requests.Session, mock: responses.RequestsMock) -> None:
    """A hook-raised exception pickles with its fields and without response or request."""
    e = _raised(
        session,
        mock,
        429,
        _j({"error_code": "APIGW.0308", "error_msg": "throttled", "request_id": "q"}),
        content_type="application/json",
        headers={"Retry-After": "3"},
    )
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is type(e)
    assert str(copy) == str(e)
    for name in ("status_code", "error_code", "error_message", "request_id", "retry_after", "url"):
        assert getattr(copy, name) == getattr(e, name)
    assert copy.response is None
    assert copy.request is None


def test_a_look_alike_response_is_parsed_too() -> None:
    """A response object with only some of requests' attributes still gives every field."""

    class LookAlike:
        status_code = 409
        headers: ClassVar = {"Content-Type": "application/json", "X-Request-Id": "r-7"}
        _content = b'{"error_code": "E.1", "error_msg": "clash"}'

    e = cloudstatus.error_from_response(LookAlike())  # type: ignore[arg-type]
    assert isinstance(e, cloudstatus.ConflictError)
    assert (e.error_code, e.error_message, e.request_id) == ("E.1", "clash", "r-7")
