"""Property tests: the layer-0 parsing and redaction functions never raise on any input."""

from __future__ import annotations

import json
import math
import string

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cloudstatus._parse import (
    MAX_RETRY_AFTER,
    ErrorBody,
    parse_error_body,
    parse_rate_limit,
    parse_retry_after,
)
from cloudstatus._redact import REDACTED, clean_text, scrub, scrub_value, secret_values

FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_KEYS = [
    "error",
    "errors",
    "code",
    "error_code",
    "errorCode",
    "message",
    "error_msg",
    "faultstring",
    "faultcode",
    "error_message",
    "status",
    "type",
    "title",
    "detail",
    "details",
    "request_id",
    "@type",
    "retryDelay",
    "retryAfter",
    "retry_after",
    "parameters",
    "seconds",
    "nanos",
    "extensions",
    "encoded_authorization_message",
    "itemNotFound",
]
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["53s", "1.5s", "-1s", "type.googleapis.com/google.rpc.RetryInfo", "{}"])
)
_JSON = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=25,
)
_ANY = st.recursive(
    _SCALARS | st.binary(max_size=20) | st.builds(object),
    lambda children: (
        st.lists(children, max_size=3)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=5) | st.integers(), children, max_size=3)
    ),
    max_leaves=15,
)


@FEW
@given(
    body=st.one_of(
        _JSON.map(lambda doc: json.dumps(doc).encode()),
        _JSON.map(lambda doc: json.dumps([doc]).encode()),
        st.binary(max_size=300),
    ),
    content_type=st.one_of(
        st.none(),
        st.text(max_size=30),
        st.sampled_from(["application/json", "text/plain; charset=punycode", "x; charset=utf-7"]),
    ),
)
def test_parse_error_body_never_raises(body: bytes, content_type: str | None) -> None:
    """Any body gives an ErrorBody with string-or-None fields and a sane retry delay."""
    parsed = parse_error_body(body, content_type)
    assert isinstance(parsed, ErrorBody)
    for field in (parsed.error_code, parsed.error_message, parsed.request_id):
        assert field is None or isinstance(field, str)
    delay = parsed.retry_delay
    assert delay is None or (math.isfinite(delay) and 0 <= delay <= MAX_RETRY_AFTER)


_DATES = st.sampled_from(["Tue, 14 Nov 2023 22:14:20 GMT", "Tuesday, 14-Nov-23 22:14:20 GMT"])


@FEW
@given(
    members=st.lists(
        st.one_of(st.text(max_size=12), st.integers(-5, 10**6).map(str), _DATES), max_size=6
    ),
    separator=st.sampled_from([",", ", ", " ,"]),
    raw=st.one_of(st.none(), st.text(max_size=40), st.binary(max_size=20), st.integers()),
)
def test_parse_retry_after_never_raises(members: list[str], separator: str, raw: object) -> None:
    """Folded or arbitrary Retry-After values give None or seconds within a year."""
    for value in (separator.join(members), raw):
        result = parse_retry_after(value, now=1_700_000_000.0)  # type: ignore[arg-type]
        assert result is None or (math.isfinite(result) and 0 <= result <= MAX_RETRY_AFTER)


@FEW
@given(
    headers=st.one_of(
        st.dictionaries(
            st.sampled_from(["RateLimit", "RateLimit-Policy", "X-RateLimit-Reset", "x"])
            | st.text(max_size=10),
            st.text(max_size=30) | st.binary(max_size=10) | st.integers(),
            max_size=5,
        ),
        _ANY,
    )
)
def test_parse_rate_limit_never_raises(headers: object) -> None:
    """Any header container gives None or a RateLimit."""
    result = parse_rate_limit(headers, now=1_700_000_000.0)  # type: ignore[arg-type]
    assert result is None or result.limit is None or result.limit >= 0


@FEW
@given(
    url=st.one_of(st.text(max_size=60), st.binary(max_size=30), _ANY),
    headers=st.one_of(
        st.dictionaries(
            st.sampled_from(["Authorization", "Cookie", "X-Auth-Token", "Accept"])
            | st.text(max_size=8),
            st.text(max_size=60) | st.integers(),
            max_size=4,
        ),
        _ANY,
    ),
    extra=_ANY,
)
def test_secret_values_never_raises(url: object, headers: object, extra: object) -> None:
    """Any URL, headers and extra give a tuple of strings of six characters or more."""
    found = secret_values(url, headers, extra)  # type: ignore[arg-type]
    assert isinstance(found, tuple)
    assert all(isinstance(value, str) and len(value) >= 6 for value in found)


@FEW
@given(text=st.one_of(st.text(), _ANY), secrets=st.one_of(st.lists(st.text(max_size=10)), _ANY))
def test_scrub_never_raises(text: object, secrets: object) -> None:
    """Any text and secrets give a string for a string, or the input back."""
    result = scrub(text, secrets)  # type: ignore[arg-type]
    assert isinstance(result, str) if isinstance(text, str) else result is text


@FEW
@given(value=_ANY, secrets=st.one_of(st.lists(st.text(max_size=10), max_size=3), _ANY))
def test_scrub_value_never_raises(value: object, secrets: object) -> None:
    """Any value and secrets are copied without error."""
    scrub_value(value, secrets)  # type: ignore[arg-type]


@FEW
@given(text=st.one_of(st.text(), _ANY), limit=st.integers(1, 500))
def test_clean_text_never_raises(text: object, limit: int) -> None:
    """Any object gives one printable line within the limit."""
    result = clean_text(text, limit)  # type: ignore[arg-type]
    assert len(result) <= limit
    assert result.isprintable()


_SECRET = st.text(alphabet=string.ascii_letters + string.digits + "+/=-_.~%&", min_size=6)
_NOISE = st.text(max_size=30)
_SPLITTERS = st.sampled_from(["", "\u200b", "\u00ad", "\u034f", "\u2060", "\x00", "\U000e0020"])


@FEW
@given(secret=_SECRET, before=_NOISE, after=_NOISE, splitter=_SPLITTERS, cut=st.integers(1, 5))
def test_scrub_leaves_no_echo(
    secret: str, before: str, after: str, splitter: str, cut: int
) -> None:
    """An echo of a secret, split by an invisible character or not, never survives cleaning."""
    assume("*" not in before + after)
    echo = f"{before}{secret[:cut]}{splitter}{secret[cut:]}{after}"
    masked = scrub(echo, (secret,))
    assert masked is not None
    assert secret not in masked
    assert secret not in clean_text(masked, 10_000)
    assert REDACTED in masked


@FEW
@given(secret=_SECRET, doc=_JSON)
def test_scrub_value_leaves_no_echo(secret: str, doc: object) -> None:
    """No string or number of the scrubbed details contains the secret."""
    details = {"echo": f"x{secret}y", secret: [doc, secret]}
    stack: list[object] = [scrub_value(details, (secret,))]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            assert secret not in str(item)
