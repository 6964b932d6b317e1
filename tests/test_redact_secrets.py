"""Tests for learning a request's credentials and masking their echoes: issue 10, item 5."""

from __future__ import annotations

import base64
import html
import json
import sys
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import pytest
import requests

from cloudstatus._redact import REDACTED, clean_text, redact_url, scrub, scrub_value, secret_values

USER, PASSWORD = "alice-user", "pw-Hunter2-9Z"
HUAWEI_AK = "HPUAEXAMPLEAK0123"
HUAWEI_SIG = "3f5a0c1e9b7d2a4f6e8c0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a"
AWS_AKID = "AKIAIOSFODNN7EXAMPLE"
AWS_SIG = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"


def _secrets_of(headers: dict[str, str], url: str = "https://h/x", extra: object = ()) -> set[str]:
    return set(secret_values(url, headers, extra))  # type: ignore[arg-type]


# --- secret_values: what a request carries -----------------------------------------


def test_basic_auth_of_requests_gives_user_and_password() -> None:
    """The password and user of requests' auth=(user, password) are learned from the header."""
    prepared = requests.Request("GET", "https://h/x", auth=(USER, PASSWORD)).prepare()
    found = _secrets_of(dict(prepared.headers))
    assert {PASSWORD, USER, f"{USER}:{PASSWORD}"} <= found


def test_basic_auth_latin1_password() -> None:
    """A password requests encoded as Latin-1 is decoded back to the same text."""
    prepared = requests.Request("GET", "https://h/x", auth=("bob", "p\u00e4ssw\u00f6rd")).prepare()
    assert "p\u00e4ssw\u00f6rd" in _secrets_of(dict(prepared.headers))


def test_basic_auth_utf8_password() -> None:
    """A password sent as UTF-8 bytes is decoded as UTF-8."""
    token = base64.b64encode("bob:пароль-123".encode()).decode()
    assert "пароль-123" in _secrets_of({"Authorization": f"Basic {token}"})


def test_basic_auth_without_padding_or_colon() -> None:
    """A token without padding or without a colon still gives what it holds."""
    token = base64.b64encode(b"only-a-token-value").decode().rstrip("=")
    assert "only-a-token-value" in _secrets_of({"Proxy-Authorization": f"basic {token}"})


@pytest.mark.parametrize("token", ["!!!not-base64!!!", "A" * 9000, "QQ"])
def test_basic_auth_garbage(token: str) -> None:
    """A Basic token that is not base64 (or absurdly long) is still masked whole."""
    found = _secrets_of({"Authorization": f"Basic {token}"})
    if len(token) >= 6:
        assert token in found
    assert all(len(value) >= 6 for value in found)


def test_header_given_as_bytes() -> None:
    """Header names and values requests keeps as bytes are read as Latin-1 text."""
    prepared = requests.Request(
        "GET", "https://h/x", headers={b"X-Auth-Token": b"bytes-token-1"}
    ).prepare()
    assert "bytes-token-1" in secret_values(prepared.url, prepared.headers)


def test_huawei_aksk_signature() -> None:
    """Huawei's SDK-HMAC-SHA256 header gives its Access key id and Signature, not SignedHeaders."""
    header = (
        f"SDK-HMAC-SHA256 Access={HUAWEI_AK}, "
        f"SignedHeaders=content-type;host;x-sdk-date, Signature={HUAWEI_SIG}"
    )
    found = _secrets_of({"Authorization": header, "X-Sdk-Date": "20240101T000000Z"})
    assert {HUAWEI_AK, HUAWEI_SIG} <= found
    assert "content-type;host;x-sdk-date" not in found
    assert "20240101T000000Z" not in found


def test_aws_sigv4() -> None:
    """AWS4-HMAC-SHA256 gives the signature, the credential and its access key id."""
    credential = f"{AWS_AKID}/20130524/us-east-1/s3/aws4_request"
    header = (
        f"AWS4-HMAC-SHA256 Credential={credential},"
        f"SignedHeaders=host;range;x-amz-date,Signature={AWS_SIG}"
    )
    found = _secrets_of({"Authorization": header})
    assert {AWS_AKID, AWS_SIG, credential} <= found
    assert "host;range;x-amz-date" not in found


def test_obs_v2_pair() -> None:
    """An OBS or AWS v2 'AK:signature' pair gives both halves."""
    found = _secrets_of({"Authorization": "OBS AKEXAMPLE0001:c2lnbmF0dXJlLXZhbHVl"})
    assert {"AKEXAMPLE0001", "c2lnbmF0dXJlLXZhbHVl"} <= found


def test_digest_and_oauth1_parameters() -> None:
    """Digest and OAuth 1 parameters are secret except the public ones."""
    digest = (
        'Digest username="Mufasa-01", realm="testrealm@host.com", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, '
        'nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1"'
    )
    found = _secrets_of({"Authorization": digest})
    assert {"Mufasa-01", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "0a4f113b"} <= found
    assert "6629fae49393a05397450978507c4ef1" in found
    assert {"testrealm@host.com", "/dir/index.html", "00000001"}.isdisjoint(found)
    oauth = (
        'OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_signature="tnnArxj06c%2FjLY%3D"'
    )
    found = _secrets_of({"Authorization": oauth})
    assert {"xvz1evFS4wEEPTGEFPHBog", "tnnArxj06c%2FjLY%3D", "tnnArxj06c/jLY="} <= found


def test_cookie_values() -> None:
    """Every cookie value of a Cookie header is a secret; names are not."""
    found = _secrets_of({"Cookie": 'sid=abcdef123; theme=dark; tok="quoted-value-1"; flag'})
    assert {"abcdef123", "quoted-value-1"} <= found
    assert "sid" not in found
    assert "dark" not in found  # too short to mask safely


def test_extra_strings() -> None:
    """Strings and bytes passed as extra are secrets; other objects are ignored."""
    found = _secrets_of({}, extra=[" pw-extra-123 ", b"bytes-secret-9", 4242424242, None])
    assert {"pw-extra-123", " pw-extra-123 ", "bytes-secret-9"} <= found
    assert "4242424242" not in found


@pytest.mark.parametrize("extra", ["lone-secret-1", b"lone-secret-1"])
def test_lone_extra_string_is_one_secret(extra: object) -> None:
    """A single string or bytes passed as extra is one secret, not a sequence of letters."""
    assert secret_values(None, {}, extra) == ("lone-secret-1",)  # type: ignore[arg-type]


def test_lone_secret_string_in_scrub() -> None:
    """A single string passed as secrets masks that string, not each of its letters."""
    assert scrub(f"a {SECRET} b", SECRET) == f"a {REDACTED} b"
    assert scrub_value([f"a {SECRET}"], SECRET) == [f"a {REDACTED}"]


def test_extra_that_breaks_keeps_the_rest() -> None:
    """An extra iterable that fails midway keeps what it gave and what the request had."""

    def broken() -> Iterator[str]:
        yield "first-secret-1"
        raise RuntimeError("boom")

    found = _secrets_of({"X-Auth-Token": "header-token-1"}, extra=broken())
    assert {"first-secret-1", "header-token-1"} <= found
    assert "header-token-1" in _secrets_of({"X-Auth-Token": "header-token-1"}, extra=42)


def test_odd_url_keeps_headers() -> None:
    """A URL object whose str() fails does not lose the header secrets."""

    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert secret_values(Hostile(), {"X-Auth-Token": "header-token-1"}) == ("header-token-1",)


def test_odd_headers_keep_url_and_extra() -> None:
    """A header mapping that fails while read keeps the URL's and the extra secrets."""

    class Broken(dict):  # type: ignore[type-arg]
        def items(self):  # type: ignore[override]
            raise RuntimeError("no")

    found = secret_values("https://h/x?token=url-token-1", Broken(), ["extra-secret-1"])
    assert set(found) == {"url-token-1", "extra-secret-1"}


def test_secret_values_longest_first() -> None:
    """Secrets come longest first, so a secret containing another is masked whole."""
    found = secret_values("https://h/x?token=abcdef123456&sig=abcdef", {})
    assert found == ("abcdef123456", "abcdef")


SECRET_NAMES = [
    "sign",
    "appkey",
    "AppKey",
    "ticket",
    "appid",
    "app_id",
    "passphrase",
    "pw",
    "PW",
    "api_sig",
    "code_verifier",
    "assertion",
    "client_assertion",
    "client_secret",
    "access_token",
    "refresh_token",
    "id_token",
    "X-Amz-Signature",
    "x-obs-signature",
    "X-Amz-Credential",
    "AWSAccessKeyId",
    "OSSAccessKeyId",
    "SecretAccessKey",
    "private_key",
    "apiKey",
    "APIKey",
    "key",
    "keys",
    "sessionKey",
    "PHPSESSID",
    "x-auth",
    "auth",
    "authorization",
    "ak",
    "sk",
    "otp",
    "sig",
    "jwt",
    "code",
    "pwd",
    "pass",
    "password",
]
HARMLESS_NAMES = [
    "page",
    "keyword",
    "keywords",
    "monkey",
    "author",
    "authority",
    "passport",
    "bypass",
    "codec",
    "signed",
    "limit",
    "marker",
    "state",
    "scope",
    "redirect_uri",
    "client_id",
    "hotkey",
    "username",
    "q",
    "sort",
    "versionId",
    "expires_in",
    "sign_type",
    "signin",
    "ticket_id",
]


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_secret_parameter_names(name: str) -> None:
    """Credential-like query parameters are masked in the URL and learned as secrets."""
    url = f"https://h/x?{name}=s3cr3t-value&page=2"
    assert redact_url(url) == f"https://h/x?{name}=***&page=2"
    assert "s3cr3t-value" in secret_values(url, {})


@pytest.mark.parametrize("name", HARMLESS_NAMES)
def test_harmless_parameter_names(name: str) -> None:
    """Ordinary query parameters, even ones containing 'key' or 'auth', are left alone."""
    url = f"https://h/x?{name}=plain-value-1"
    assert redact_url(url) == url
    assert secret_values(url, {}) == ()


# --- scrub: echoes in server text --------------------------------------------------

SECRET = "tok-AAA111bbb"
INVISIBLES = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\u2063",
    "\u00ad",
    "\u034f",
    "\ufeff",
    "\u3164",
    "\u2800",
    "\u115f",
    "\uffa0",
    "\u17b4",
    "\u180e",
    "\ufe0f",
    "\U000e0041",
    "\U000e0100",
    "\u202e",
    "\x00",
    "\x7f",
    "\x9b",
    "\ue000",
    "\u200b\u2060\u00ad",
]


@pytest.mark.parametrize("invisible", INVISIBLES)
def test_echo_with_invisible_characters_inside(invisible: str) -> None:
    """An echo split by invisible characters is found, and cleaning cannot rejoin it."""
    echo = f"bad token {SECRET[:4]}{invisible}{SECRET[4:8]}{invisible}{SECRET[8:]} given"
    masked = scrub(echo, (SECRET,))
    assert masked == f"bad token {REDACTED} given"
    assert SECRET not in clean_text(masked)


def test_clean_text_would_rejoin_an_unscrubbed_echo() -> None:
    """Without scrubbing first, cleaning turns the split echo into the secret itself."""
    assert SECRET in clean_text(f"{SECRET[:4]}\u200b{SECRET[4:]}")


ODD = 'pa"ss\\wö/rd&<x>+ ?='


@pytest.mark.parametrize(
    "echo",
    [
        pytest.param(quote(ODD, safe=""), id="quote"),
        pytest.param(quote(ODD, safe="").lower(), id="quote-lower-hex"),
        pytest.param(quote(ODD), id="quote-slash-safe"),
        pytest.param(quote_plus(ODD, safe=""), id="quote-plus"),
        pytest.param(quote_plus(ODD, safe="").lower(), id="quote-plus-lower-hex"),
        pytest.param(quote(quote(ODD, safe=""), safe=""), id="quote-twice"),
        pytest.param(json.dumps(ODD)[1:-1], id="json-ascii"),
        pytest.param(json.dumps(ODD)[1:-1].replace("\\u00f6", "\\u00F6"), id="json-upper-hex"),
        pytest.param(json.dumps(ODD, ensure_ascii=False)[1:-1], id="json-unicode"),
        pytest.param(json.dumps(ODD)[1:-1].replace("/", "\\/"), id="json-escaped-slash"),
        pytest.param(html.escape(ODD), id="html"),
        pytest.param(html.escape(ODD, quote=False), id="html-no-quotes"),
        pytest.param(ODD, id="as-is"),
    ],
)
def test_encoded_echoes(echo: str) -> None:
    """Percent-encoded, JSON-escaped and HTML-escaped echoes of a secret are masked."""
    assert scrub(f"[{echo}]", (ODD,)) == f"[{REDACTED}]"


@pytest.mark.parametrize("echo", [SECRET.upper(), SECRET.lower(), SECRET.swapcase()])
def test_echo_in_another_letter_case(echo: str) -> None:
    """An echo whose ASCII letters changed case is masked too."""
    assert scrub(f"got {echo}.", (SECRET,)) == f"got {REDACTED}."


def test_case_folding_keeps_positions_in_non_ascii_text() -> None:
    """Folding only ASCII letters keeps positions right around characters that lowercase longer."""
    text = f"\u0130\u0130 {SECRET.upper()} \u0130"
    assert scrub(text, (SECRET,)) == f"\u0130\u0130 {REDACTED} \u0130"


def test_overlapping_secrets_leave_nothing() -> None:
    """Secrets overlapping in the text are masked as one span, with no part left over."""
    masked = scrub("x abcdef123456 y", ("abcdef12", "ef123456"))
    assert masked == f"x {REDACTED} y"


def test_repeated_and_adjacent_echoes() -> None:
    """Every occurrence is masked, including back-to-back ones."""
    assert scrub(f"{SECRET}{SECRET} and {SECRET}", (SECRET,)) == f"{REDACTED} and {REDACTED}"


def test_text_without_secret_is_unchanged() -> None:
    """Text holding no secret comes back as it was, invisible characters included."""
    text = "nothing\u200b here\x00"
    assert scrub(text, (SECRET,)) is text


@pytest.mark.parametrize(
    ("text", "secrets"),
    [(None, (SECRET,)), ("", (SECRET,)), (42, (SECRET,)), ("text", ()), ("text", ("", 5))],
)
def test_scrub_passes_odd_input_through(text: object, secrets: object) -> None:
    """Non-strings, empty text and unusable secrets give the text back unchanged."""
    assert scrub(text, secrets) is text  # type: ignore[arg-type]


def test_scrub_accepts_a_list_and_non_iterables() -> None:
    """Secrets may be any iterable of strings; something else masks nothing."""
    assert scrub(f"a {SECRET}", [SECRET]) == f"a {REDACTED}"
    assert scrub(f"a {SECRET}", 42) == f"a {SECRET}"  # type: ignore[arg-type]


def test_secret_made_of_invisible_characters_only() -> None:
    """A secret that is nothing but invisible characters cannot match anything."""
    assert scrub("plain text", ("\u200b\u200b",)) == "plain text"


# --- scrub_value: the parsed details ----------------------------------------------


def test_scrub_value_copies_and_masks_everywhere() -> None:
    """Strings in values, keys and lists, and numbers that hold a secret, are masked."""
    details = {
        "error": {"message": f"token {SECRET} rejected", SECRET: [1, f"x{SECRET}", None]},
        "pin": 12345678,
        "ratio": 0.5,
        "ok": True,
        "tuple": ("a", SECRET),
    }
    masked = scrub_value(details, (SECRET, "12345678"))
    assert masked == {
        "error": {"message": f"token {REDACTED} rejected", REDACTED: [1, f"x{REDACTED}", None]},
        "pin": REDACTED,
        "ratio": 0.5,
        "ok": True,
        "tuple": ["a", REDACTED],
    }
    assert details["error"]["message"] == f"token {SECRET} rejected"  # type: ignore[index]


def test_scrub_value_key_collisions_kept_apart() -> None:
    """Keys that scrub to the same text get numbered suffixes instead of overwriting."""
    masked = scrub_value({"tok-one-1": 1, "tok-two-2": 2, "***": 3}, ("tok-one-1", "tok-two-2"))
    assert masked == {REDACTED: 1, f"{REDACTED}~2": 2, f"{REDACTED}~3": 3}


def test_scrub_value_numeric_keys() -> None:
    """A number used as a key is masked like a number value; other keys stay."""
    masked = scrub_value({12345678: "a", 7: "b", (1, 2): "c"}, ("12345678",))
    assert masked == {REDACTED: "a", 7: "b", (1, 2): "c"}


def test_scrub_value_xml_details() -> None:
    """An XML error's {tag: text} details are masked like JSON."""
    masked = scrub_value({"Code": "SignatureDoesNotMatch", "StringToSign": SECRET}, (SECRET,))
    assert masked == {"Code": "SignatureDoesNotMatch", "StringToSign": REDACTED}


def test_scrub_value_without_secrets_returns_value_itself() -> None:
    """With no usable secret nothing is copied."""
    details = {"a": [1]}
    assert scrub_value(details, ()) is details
    assert scrub_value(details, ("",)) is details


def test_scrub_value_other_objects_pass() -> None:
    """Objects that are not JSON values are returned as they are."""
    marker = object()
    assert scrub_value([marker, b"bytes"], (SECRET,)) == [marker, b"bytes"]


def test_scrub_value_shared_and_cyclic() -> None:
    """Shared containers are copied once and cycles are kept, without looping forever."""
    shared = {"k": SECRET}
    loop: list[object] = [SECRET]
    loop.append(loop)
    masked = scrub_value({"a": shared, "b": shared, "loop": loop}, (SECRET,))
    assert isinstance(masked, dict)
    assert masked["a"] is masked["b"]
    assert masked["a"] == {"k": REDACTED}
    assert masked["loop"][0] == REDACTED
    assert masked["loop"][1] is masked["loop"]


def _leaf(value: object, depth: int) -> object:
    for _ in range(depth):
        value = value[0] if isinstance(value, list) else value["a"]  # type: ignore[index]
    return value


def test_scrub_value_600_levels_from_json() -> None:
    """A 600-level document, as json.loads gives it, is masked at the bottom."""
    doc = json.loads('{"a": [' * 300 + json.dumps(SECRET) + "]}" * 300)
    masked = scrub_value(doc, (SECRET,))
    assert _leaf(masked, 600) == REDACTED
    assert _leaf(doc, 600) == SECRET


@pytest.mark.parametrize("kind", [list, dict])
def test_scrub_value_100000_levels(kind: type) -> None:
    """100000 nested containers are walked without recursion."""
    value: object = SECRET
    for _ in range(100_000):
        value = [value] if kind is list else {"a": value}
    masked = scrub_value(value, (SECRET,))
    assert _leaf(masked, 100_000) == REDACTED


@pytest.mark.skipif(
    not hasattr(sys, "set_int_max_str_digits"), reason="every int has a decimal form here"
)
def test_scrub_value_int_without_decimal_form() -> None:
    """An int too long to turn into text is masked rather than kept unchecked."""
    assert scrub_value([10**5000], (SECRET,)) == [REDACTED]


# --- clean_text: invisible printable characters -------------------------------------

# The characters the docstring of clean_text names as invisible though printable.
DOCUMENTED_INVISIBLE = [
    *map(chr, (0x115F, 0x1160, 0x3164, 0xFFA0, 0x034F, 0x2800, 0x17B4, 0x17B5, 0x1D159)),
    *map(chr, (0x180B, 0x180C, 0x180D, 0x180F)),
    *map(chr, range(0xFE00, 0xFE10)),
    *map(chr, range(0xE0100, 0xE01F0)),
]


@pytest.mark.parametrize(
    "char",
    [
        *DOCUMENTED_INVISIBLE[:13],
        "\ufe00",
        "\ufe0f",
        "\U000e0100",
        "\U000e01ef",
        "\u180e",
        "\u2060",
        "\u2061",
        "\u2062",
        "\u2063",
        "\u2064",
        "\U000e0001",
        "\U000e0041",
        "\U000e007f",
    ],
)
def test_clean_text_removes_invisible_characters(char: str) -> None:
    """Invisible characters, printable to Python or not, are removed from the text."""
    assert clean_text(f"a{char}b {char}") == "ab"


def test_clean_text_invisible_only_is_empty() -> None:
    """A text of only invisible characters becomes empty."""
    assert clean_text("\u3164\u2800\u034f" * 50) == ""


def test_clean_text_keeps_every_visible_character() -> None:
    """Every letter, mark, number, punctuation and symbol outside the invisible list is kept."""
    hidden = set(DOCUMENTED_INVISIBLE)
    kept = "".join(
        chr(code)
        for code in range(0x10FFFF + 1)
        if unicodedata.category(chr(code))[0] in "LMNPS" and chr(code) not in hidden
    )
    assert len(kept) > 100_000
    assert clean_text(kept, len(kept)) == kept


@pytest.mark.parametrize(
    "text",
    [
        "ភាសាខ្មែរ",
        "ᠮᠣᠩᠭᠣᠯ ᠬᠡᠯᠡ",
        "한국어 ㄱㅏ",
        "हिन्दी",
        "ภาษาไทย",
        "العربية",
        "עברית",
        "Ελληνικά",
        "Tiếng Việt",
        "日本語のエラー",
        "👍🏽 ok",
    ],
)
def test_clean_text_keeps_real_words(text: str) -> None:
    """Words of every script come through unchanged."""
    assert clean_text(text) == text
