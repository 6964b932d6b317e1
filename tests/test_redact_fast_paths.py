"""The shortcuts of cloudstatus._redact answer exactly as the general path does, on both sides."""

from __future__ import annotations

import pytest
from requests.structures import CaseInsensitiveDict

from cloudstatus import _redact
from cloudstatus._redact import clean_text, redact_url, scrub, scrub_value, secret_values

# --- clean_text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Instance name already exists.", "Instance name already exists.", id="ascii"),
        pytest.param("Komponenttia ei löydy", "Komponenttia ei löydy", id="non-ascii-clean"),
        pytest.param("in\u00advisible", "invisible", id="non-ascii-soft-hyphen"),
        pytest.param("zero\u200bwidth", "zerowidth", id="non-ascii-zero-width"),
        pytest.param("tab\there", "tab here", id="ascii-control"),
        pytest.param("two  spaces", "two spaces", id="ascii-double-space"),
        pytest.param(" padded", "padded", id="ascii-padded"),
        pytest.param("", "", id="empty"),
    ],
)
def test_clean_text_skips_the_invisible_search_only_for_ascii(text: str, expected: str) -> None:
    """ASCII text takes the shortcut, other text is still searched for invisible characters."""
    assert clean_text(text) == expected


def test_clean_text_shortcut_keeps_the_length_limit() -> None:
    """A clean ASCII line longer than the limit is still cut."""
    assert clean_text("a" * 20, 14) == "a… [+19 chars]"
    assert clean_text("a" * 14, 14) == "a" * 14


# --- redact_url and scrub --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://h/x", "https://h/x", id="str"),
        pytest.param(b"https://u:p@h/x", "https://***@h/x", id="bytes"),
        pytest.param(None, "", id="none"),
    ],
)
def test_redact_url_converts_only_what_is_not_a_str(url: object, expected: str) -> None:
    """A str is read as it is; bytes and None are converted first."""
    assert redact_url(url) == expected  # type: ignore[arg-type]


def test_scrub_with_an_empty_tuple_returns_the_text_itself() -> None:
    """No secrets (what secret_values gives without credentials): the same object comes back."""
    text = "a message with tok-123456 in it"
    assert scrub(text, ()) is text
    assert scrub(text, []) is text
    assert scrub_value({"m": text}, ()) == {"m": text}
    assert scrub(text, ("tok-123456",)) == "a message with *** in it"


# --- secret_values ---------------------------------------------------------------------

URL = "https://dms.example.com/v2/proj-1/instances"


def test_a_request_without_credentials_has_no_secrets() -> None:
    """Known harmless headers are skipped, and nothing found gives an empty tuple."""
    headers = CaseInsensitiveDict({"Content-Length": "13", "Content-Type": "application/json"})
    assert secret_values(URL, headers) == ()
    assert secret_values(URL, headers) == ()  # the names are known now
    assert secret_values(URL, {"short": "x"}, ("abc",)) == ()  # found, but too short


def test_a_header_name_known_harmless_is_still_read_as_bytes_or_secret() -> None:
    """The memo skips only exact str names it decided harmless."""
    secret_values(URL, {"accept": "text/plain"})
    assert secret_values(URL, {b"authorization": b"Bearer tok-abcdef"}) == (
        "Bearer tok-abcdef",
        "tok-abcdef",
    )
    assert secret_values(URL, {"x-auth-token": "tok-abcdef", "accept": "abcdefgh"}) == (
        "tok-abcdef",
    )


def test_short_values_are_dropped_from_the_end_of_the_longest_first_order() -> None:
    """Values under six characters go, whether some longer ones stay or none do."""
    assert secret_values("https://alice:pw-secret-1@h/", {}) == ("pw-secret-1",)
    assert secret_values("https://alice:pw@h/", {}) == ()
    assert secret_values(URL, {}, ("bb-long", "aa-long", "short", "x")) in (
        ("bb-long", "aa-long"),
        ("aa-long", "bb-long"),
    )


def test_the_header_name_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Made-up header names cannot grow the memo past its size; answers stay right."""
    monkeypatch.setattr(_redact, "_SECRET_HEADER_MEMO", {})
    monkeypatch.setattr(_redact, "_SECRET_HEADER_MEMO_SIZE", 8)
    for index in range(50):
        assert secret_values(URL, {f"X-Name-{index}": "harmless-value"}) == ()
        assert len(_redact._SECRET_HEADER_MEMO) <= 8
    assert secret_values(URL, {"X-Api-Key": "key-123456"}) == ("key-123456",)
    assert _redact._is_secret_header("X-Name-1") is False
    assert _redact._is_secret_header(" Cookie ") is True


class _OddName(str):
    """A header name that lowercases to a secret one: answered apart from the plain name."""

    def strip(self, chars: str | None = None) -> str:
        return "authorization"


def test_a_str_subclass_header_name_is_not_answered_from_the_plain_names_memo() -> None:
    """The memo holds exact str names only; a subclass equal to one gets its own answer."""
    assert _redact._is_secret_header("x-odd-name") is False
    assert _redact._is_secret_header(_OddName("x-odd-name")) is True
    assert _redact._is_secret_header("x-odd-name") is False
