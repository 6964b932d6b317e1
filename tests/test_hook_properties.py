"""Property tests: whatever a server sends, the hook raises exactly the mapped class or returns."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import requests
import urllib3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

import cloudstatus
from cloudstatus import CloudStatusError, error_class
from cloudstatus._hook import HookOptions, _error_for

URL = "https://api.example.com/v1/things?page=1"
MAX_BODY = 4096  # small, so that the cap is often hit by generated bodies

# Modest example counts and no deadline: the suite must stay fast and untimed on 2 cores.
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_KEYS = (
    "error_code",
    "errorCode",
    "code",
    "error_msg",
    "errorMsg",
    "error_message",
    "errorMessage",
    "message",
    "msg",
    "error",
    "error_description",
    "request_id",
    "requestId",
    "detail",
    "title",
    "type",
    "status",
    "details",
    "itemNotFound",
    "encoded_authorization_message",
)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=15,
)
_text = st.text(max_size=60)
_bodies = st.one_of(
    st.binary(max_size=MAX_BODY * 2),
    _json_values.map(lambda v: json.dumps(v).encode()),
    st.tuples(_text, _text, _text).map(
        lambda t: (
            f"<?xml version='1.0'?><Error><Code>{t[0]}</Code><Message>{t[1]}</Message>"
            f"<RequestId>{t[2]}</RequestId></Error>"
        ).encode("utf-8", "surrogatepass")
    ),
    st.tuples(_text, _text).map(
        lambda t: f"<html><head><title>{t[0]}</title></head><body>{t[1]}".encode(
            "utf-8", "surrogatepass"
        )
    ),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
)
_content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/problem+json",
        "application/xml",
        "text/xml; charset=gbk",
        "text/html",
        "text/plain; charset=utf-16",
        "text/plain; charset=no-such-codec",
        "text/plain; charset=base64",
        "application/octet-stream",
        "",
    ]
) | st.text(max_size=30)
_header_names = st.sampled_from(
    [
        "X-Request-Id",
        "x-obs-request-id",
        "X-Openstack-Request-Id",
        "x-amzn-requestid",
        "Retry-After",
        "RateLimit",
        "RateLimit-Policy",
        "X-RateLimit-Reset",
        "X-Apig-RateLimit-Api",
        "retry-after-ms",
        "Set-Cookie",
        "Location",
    ]
) | st.text(
    st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"),
    min_size=1,
    max_size=20,
)
_header_values = st.one_of(
    _text,
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "1.5"]),
)
_headers = st.dictionaries(_header_names, _header_values, max_size=6)
# Only the urllib3 raw looks at these; they make decoding and length checks fail.
_transport_headers = st.fixed_dictionaries(
    {},
    optional={
        "Content-Encoding": st.sampled_from(["gzip", "deflate", "br", "zstd", "identity", "x"]),
        "Content-Length": st.integers(0, MAX_BODY * 3).map(str) | _text,
        "Transfer-Encoding": st.just("chunked"),
    },
)
_methods = st.sampled_from(["GET", "HEAD", "POST", "DELETE"])
_raw_kinds = st.sampled_from(["bytesio", "urllib3", "content"])


def _build(
    status: int,
    body: bytes,
    headers: dict[str, str],
    transport: dict[str, str],
    content_type: str,
    method: str,
    raw_kind: str,
    reason: str | None,
) -> requests.Response:
    """A response as requests' adapter would build it, with one of three body sources."""
    all_headers = {**headers, "Content-Type": content_type}
    response = requests.Response()
    response.status_code = status
    response.reason = reason  # type: ignore[assignment]
    response.url = URL
    response.request = requests.Request(method, URL).prepare()
    if raw_kind == "urllib3":
        all_headers.update(transport)
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(body),
            headers=all_headers,
            status=status,
            preload_content=False,
            decode_content=True,
            request_method=method,
        )
        response.raw = raw
        response.headers = CaseInsensitiveDict(raw.headers)
    else:
        response.headers = CaseInsensitiveDict(all_headers)
        response.raw = io.BytesIO(body)
        if raw_kind == "content":
            response._content = body
    return response


_responses = st.builds(
    _build,
    status=st.integers(400, 599),
    body=_bodies,
    headers=_headers,
    transport=_transport_headers,
    content_type=_content_types,
    method=_methods,
    raw_kind=_raw_kinds,
    reason=st.none() | _text,
)


def _call(entry: str, response: requests.Response, **options: Any) -> BaseException | None:
    """Run one of the three entry points; the exception it raised or returned, else None."""
    try:
        if entry == "raise_for_status":
            cloudstatus.raise_for_status(response, timeout=3, verify=True, **options)
        elif entry == "error_from_response":
            return cloudstatus.error_from_response(response, **options)
        else:
            exc = _error_for(response, HookOptions.build(**options))
            if exc is not None:
                raise exc
    except BaseException as exc:  # the property is about what is raised: catch everything
        return exc
    finally:
        response.close()
    return None


def _check_fields(e: CloudStatusError, response: requests.Response) -> None:
    assert e.status_code == response.status_code
    assert e.response is response
    assert e.error_code is None or isinstance(e.error_code, str)
    assert e.retry_after is None or (math.isfinite(e.retry_after) and e.retry_after >= 0)
    text = str(e)
    assert text.isprintable()
    assert len(text) < 2000
    assert e.error_message is None or len(e.error_message) <= 300


@PROPERTY
@given(
    response=_responses,
    entry=st.sampled_from(["raise_for_status", "error_from_response", "session_hook"]),
    service=st.sampled_from([None, "dms", "mpc"]),
)
def test_error_status_raises_exactly_the_mapped_class(
    response: requests.Response, entry: str, service: str | None
) -> None:
    """For any body, headers and status 400-599 the exact mapped class comes out, nothing else."""
    # An empty registry: no error-code class registered elsewhere can refine the class.
    expected = error_class(response.status_code, service=service)
    e = _call(
        entry, response, service=service, registry=cloudstatus.Registry(), max_body_bytes=MAX_BODY
    )
    assert type(e) is expected, repr(e)
    assert isinstance(e, CloudStatusError)
    _check_fields(e, response)
    assert len(response.content) <= MAX_BODY


@PROPERTY
@given(response=_responses)
def test_default_registry_stays_in_the_status_class(response: requests.Response) -> None:
    """With the default registry, the class raised is always the status's class or a subclass."""
    e = _call("raise_for_status", response)
    assert isinstance(e, error_class(response.status_code)), repr(e)
    assert len(response.content) <= 64 * 1024


@PROPERTY
@given(response=_responses, status=st.integers(600, 999))
def test_600_and_above_raise_the_root(response: requests.Response, status: int) -> None:
    """Any status of 600 or more raises the root class itself."""
    response.status_code = status
    e = _call("raise_for_status", response, registry=cloudstatus.Registry())
    assert type(e) is CloudStatusError, repr(e)
    assert e.status_code == status


@PROPERTY
@given(
    status=st.integers(100, 399),
    body=_bodies,
    headers=_headers,
    content_type=_content_types,
    method=_methods,
)
def test_non_error_status_returns_the_response(
    status: int, body: bytes, headers: dict[str, str], content_type: str, method: str
) -> None:
    """For any status 100-399 the response itself comes back, its body untouched."""
    response = _build(status, body, headers, {}, content_type, method, "bytesio", None)
    try:
        assert cloudstatus.raise_for_status(response) is response
        assert cloudstatus.error_from_response(response) is None
        assert response.raw.tell() == 0
    finally:
        response.close()


@PROPERTY
@given(response=_responses)
def test_error_from_response_agrees_with_the_hook(response: requests.Response) -> None:
    """error_from_response returns what raise_for_status raises, field for field."""
    twin = _build_twin(response)
    raised = _call("raise_for_status", response, registry=cloudstatus.Registry())
    returned = _call("error_from_response", twin, registry=cloudstatus.Registry())
    assert type(raised) is type(returned)
    assert isinstance(raised, CloudStatusError)
    assert isinstance(returned, CloudStatusError)
    fields = ("status_code", "error_code", "error_message", "request_id", "details", "retry_after")
    for name in fields:
        assert _same(getattr(raised, name), getattr(returned, name)), name


def _same(a: object, b: object) -> bool:
    """Equality where NaN (a JSON float the server may send) equals itself."""
    return a == b or json.dumps(a, default=repr) == json.dumps(b, default=repr)


def _build_twin(response: requests.Response) -> requests.Response:
    """A second response with the same status, headers and body, read from a fresh buffer."""
    raw = response.raw
    if isinstance(raw, urllib3.HTTPResponse):
        body = raw._fp.getvalue()  # type: ignore[union-attr]
    else:
        body = response._content if isinstance(response._content, bytes) else raw.getvalue()
    twin = requests.Response()
    twin.status_code = response.status_code
    twin.reason = response.reason
    twin.url = response.url
    twin.request = response.request
    twin.headers = CaseInsensitiveDict(response.headers)
    twin.raw = io.BytesIO(body)
    if isinstance(response._content, bytes):
        twin._content = body
    if isinstance(raw, urllib3.HTTPResponse):
        twin.raw = urllib3.HTTPResponse(
            body=io.BytesIO(body),
            headers=dict(raw.headers),
            status=raw.status,
            preload_content=False,
            decode_content=True,
            request_method=response.request.method,
        )
    return twin
