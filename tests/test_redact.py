"""Tests for cloudstatus._redact: URLs, headers and free text made safe to show."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from cloudstatus._redact import REDACTED, SECRET_HEADERS, clean_text, redact_headers, redact_url

# --- redact_url ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(None, "", id="none"),
        pytest.param("", "", id="empty"),
        pytest.param(
            "https://dms.example.com/v2/p/instances?limit=10",
            "https://dms.example.com/v2/p/instances?limit=10",
            id="nothing-secret",
        ),
        pytest.param("https://user:pass@host/", "https://***@host/", id="userinfo"),
        pytest.param(" \thttps://u:p@host/", " \thttps://***@host/", id="leading-space"),
        pytest.param(
            "https://user:pa@ss@host:8443/x", "https://***@host:8443/x", id="at-in-password"
        ),
        pytest.param("https://ghp_token@host", "https://***@host", id="user-only-no-path"),
        pytest.param("//u:p@host/x", "//***@host/x", id="scheme-relative"),
        pytest.param("https://host/path/@user", "https://host/path/@user", id="at-in-path"),
        pytest.param("mailto:someone@example.com", "mailto:someone@example.com", id="mailto"),
        pytest.param(
            "https://obs.example.com/b/k?X-Amz-Credential=AK%2F2024&X-Amz-Signature=abc123"
            "&X-Amz-Security-Token=tok&versionId=7",
            "https://obs.example.com/b/k?X-Amz-Credential=***&X-Amz-Signature=***"
            "&X-Amz-Security-Token=***&versionId=7",
            id="presigned",
        ),
        pytest.param(
            "https://acct.blob.example.net/c/b?sv=2022-11-02&se=2024&sig=abc%2Bdef%3D",
            "https://acct.blob.example.net/c/b?sv=2022-11-02&se=2024&sig=***",
            id="sas-sig",
        ),
        pytest.param(
            "https://h/cb?CODE=abc;state=xyz;Pwd=1;PASS=2;jwt=3;codec=h264",
            "https://h/cb?CODE=***;state=xyz;Pwd=***;PASS=***;jwt=***;codec=h264",
            id="exact-names-any-case-semicolons",
        ),
        pytest.param(
            "https://h/?pass%77ord=s3cret&q=a%20b+c&api_key=&flag&session_id=9",
            "https://h/?pass%77ord=***&q=a%20b+c&api_key=***&flag&session_id=***",
            id="encoded-name-untouched-others",
        ),
        pytest.param(
            "https://h/app#access_token=abc&token_type=bearer&expires_in=3600",
            "https://h/app#access_token=***&token_type=***&expires_in=3600",
            id="fragment",
        ),
        pytest.param("https://h/doc#section-2", "https://h/doc#section-2", id="plain-fragment"),
        pytest.param(
            "https://u:p@h/p?client_secret=x&Authorization=y#id_token=z",
            "https://***@h/p?client_secret=***&Authorization=***#id_token=***",
            id="everything",
        ),
        pytest.param("not a url at all", "not a url at all", id="garbage"),
        pytest.param("http://[::1/?token=t", "http://[::1/?token=***", id="broken-ipv6"),
    ],
)
def test_redact_url(url: str | None, expected: str) -> None:
    """Userinfo and secret parameter values are replaced; the rest is kept as is."""
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (b"https://u:p@h/?token=t", "https://***@h/?token=***"),
        (bytearray(b"https://u:p@h/"), "https://***@h/"),
        (12, "12"),
    ],
)
def test_redact_url_non_string(url: object, expected: str) -> None:
    """Bytes are decoded and other objects converted with str before redaction."""
    assert redact_url(url) == expected  # type: ignore[arg-type]


_SECRET = st.text(alphabet=string.ascii_letters + string.digits, min_size=8, max_size=24)
_PLAIN = st.text(alphabet=string.ascii_lowercase + string.digits + "-._~%", max_size=12)


@given(
    user=_PLAIN,
    secret=_SECRET,
    token=_SECRET,
    host=st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5}){1,2}", fullmatch=True),
    port=st.one_of(st.none(), st.integers(1, 65535)),
    path=st.lists(_PLAIN, max_size=3),
    others=st.lists(st.tuples(st.sampled_from(["a", "limit", "marker", "q"]), _PLAIN), max_size=3),
    separator=st.sampled_from(["&", ";"]),
    param_case=st.sampled_from([str.lower, str.upper, str.title]),
    in_fragment=st.booleans(),
)
def test_redact_url_never_leaks(
    user: str,
    secret: str,
    token: str,
    host: str,
    port: int | None,
    path: list[str],
    others: list[tuple[str, str]],
    separator: str,
    param_case: object,
    in_fragment: bool,
) -> None:
    """Passwords in userinfo and password/token parameter values never survive."""
    netloc = f"{host}:{port}" if port else host

    def build(password: str, bearer: str) -> str:
        params = [f"{k}={v}" for k, v in others]
        params.insert(len(params) // 2, f"{param_case('password')}={password}")  # type: ignore[operator]
        params.append(f"{param_case('token')}={bearer}")  # type: ignore[operator]
        query = separator.join(params)
        tail = f"#{query}" if in_fragment else f"?{query}"
        return f"https://{user}:{password}@{netloc}/{'/'.join(path)}{tail}"

    skeleton = build("", "")
    assume(secret not in skeleton and token not in skeleton)
    url = build(secret, token)
    redacted = redact_url(url)
    assert secret not in redacted
    assert token not in redacted
    assert netloc in redacted


# --- redact_headers ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SECRET_HEADERS))
@pytest.mark.parametrize("case", [str.lower, str.upper, str.title])
def test_secret_headers_any_case(name: str, case: object) -> None:
    """Every listed secret header is masked whatever the case of its name."""
    key = case(name)  # type: ignore[operator]
    assert redact_headers({key: "s3cr3t", "Accept": "*/*"}) == {key: REDACTED, "Accept": "*/*"}


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("X-Goog-Api-Key", True),
        ("Ocp-Apim-Subscription-Key", True),
        ("x-functions-key", True),
        ("X-Auth-Key", True),
        ("X-Access-Key", True),
        ("X-Client-Secret", True),
        ("X-Amz-Signature", True),
        ("X-Refresh-Token", True),
        ("Content-Type", False),
        ("X-Request-Id", False),
        ("Idempotency-Key", False),
        ("WWW-Authenticate", False),
    ],
)
def test_secret_header_heuristics(name: str, secret: bool) -> None:
    """Names that look like they carry keys or tokens are masked; ordinary ones are not."""
    assert (redact_headers({name: "v"})[name] == REDACTED) is secret


def test_redact_headers_keeps_input_and_types() -> None:
    """The input is not modified and values are converted to strings."""
    headers = CaseInsensitiveDict({"Authorization": "Bearer x", "Content-Length": 12})
    assert redact_headers(headers) == {  # type: ignore[arg-type]
        "Authorization": REDACTED,
        "Content-Length": "12",
    }
    assert headers["Authorization"] == "Bearer x"


@pytest.mark.parametrize("headers", [None, 42, "Authorization: x"])
def test_redact_headers_garbage(headers: object) -> None:
    """Something that is not a mapping gives an empty dict."""
    assert redact_headers(headers) == {}  # type: ignore[arg-type]


# --- clean_text --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(None, "", id="none"),
        pytest.param("", "", id="empty"),
        pytest.param("  plain text  ", "plain text", id="strip"),
        pytest.param("line one\r\nline\ttwo\n\n", "line one line two", id="newlines-tabs"),
        pytest.param("bell\x07 null\x00 esc\x1b[31m red", "bell null esc[31m red", id="c0"),
        pytest.param("c1\x85next\x9bcsi", "c1 nextcsi", id="c1"),
        pytest.param("admin\u202e\u2066txt.exe\u2069\u202c", "admintxt.exe", id="bidi"),
        pytest.param("pass\u200bword\u200c\u200d\ufeff\u2060", "password", id="zero-width"),
        pytest.param("a\u00a0b\u3000c\u2028d\u2029e", "a b c d e", id="unicode-spaces"),
        pytest.param("a \u200b b", "a b", id="collapse-after-removal"),
        pytest.param(
            "lone \ud800 surrogate \ue000 private",
            "lone surrogate private",
            id="surrogate-private-use",
        ),
        pytest.param("日本語のエラー ✓", "日本語のエラー ✓", id="printable-unicode-kept"),
        pytest.param(404, "404", id="non-string"),
    ],
)
def test_clean_text(text: object, expected: str) -> None:
    """Control, invisible and bidi characters go; whitespace collapses to single spaces."""
    assert clean_text(text) == expected  # type: ignore[arg-type]


def test_clean_text_exact_limit_not_truncated() -> None:
    """Text exactly at the limit is returned whole."""
    assert clean_text("x" * 300) == "x" * 300


@pytest.mark.parametrize(
    ("length", "limit", "expected"),
    [
        (301, 300, "x" * 287 + "… [+14 chars]"),
        (1000, 30, "x" * 16 + "… [+984 chars]"),
        (10**6, 20, "x" * 3 + "… [+999997 chars]"),
        (25, 20, "x" * 7 + "… [+18 chars]"),
        (21, 20, "x" * 7 + "… [+14 chars]"),
        (14, 13, "x" * 12 + "…"),
        (15, 14, "x" + "… [+14 chars]"),
        (100, 12, "x" * 11 + "…"),
        (10, 5, "xxxx…"),
        (2, 1, "…"),
    ],
)
def test_clean_text_truncation(length: int, limit: int, expected: str) -> None:
    """Long text keeps as much as fits beside the marker, never exceeding the limit."""
    result = clean_text("x" * length, limit)
    assert result == expected
    assert len(result) <= limit


def test_clean_text_counts_cleaned_characters() -> None:
    """The cut count refers to the cleaned text, not the raw input."""
    result = clean_text("ab\x00" * 50, 30)
    assert result == ("ab" * 9)[:17] + "… [+83 chars]"


def test_clean_text_large_input() -> None:
    """A megabyte of noisy text is cleaned and cut quickly."""
    result = clean_text("word \x00\u200b\n" * 200_000)
    assert len(result) <= 300
    assert result.endswith("chars]")


@pytest.mark.parametrize("limit", [0, -1, -300])
def test_clean_text_rejects_bad_limit(limit: int) -> None:
    """A limit below 1 is a programming error."""
    with pytest.raises(ValueError, match="at least 1"):
        clean_text("text", limit)


@given(text=st.text(), limit=st.integers(min_value=1, max_value=400))
def test_clean_text_property(text: str, limit: int) -> None:
    """Output is printable, single-spaced, stripped and never longer than the limit."""
    result = clean_text(text, limit)
    assert len(result) <= limit
    assert result.isprintable()
    assert "  " not in result
    assert result == result.strip()
