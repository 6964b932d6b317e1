"""Make server- and user-supplied text safe to put in exception messages and logs.

URLs lose credentials, headers lose secrets, and free text loses control characters,
invisible characters and excess length. Nothing here raises on odd input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from urllib.parse import unquote_plus

__all__ = [
    "REDACTED",
    "SECRET_HEADERS",
    "clean_text",
    "redact_headers",
    "redact_url",
    "scrub",
    "secret_values",
]

# Shorter values are too likely to occur by chance in ordinary text to be scrubbed.
_MIN_SECRET_CHARS = 6

#: What a secret is replaced with.
REDACTED = "***"

#: Header names (lowercased) whose values are always secret.
SECRET_HEADERS: frozenset[str] = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-auth-token",
        "x-subject-token",
        "x-security-token",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-amz-security-token",
    }
)

# Vendor headers carrying keys have no fixed names (x-functions-key, X-Auth-Key...).
_SECRET_HEADER_PARTS = (
    "token",
    "secret",
    "password",
    "passwd",
    "credential",
    "signature",
    "api-key",
    "apikey",
    "api_key",
    "auth-key",
    "access-key",
    "private-key",
    "subscription-key",
    "functions-key",
)
_SECRET_PARAM_PARTS = (
    "token",
    "signature",
    "password",
    "passwd",
    "secret",
    "credential",
    "key",
    "auth",
    "session",
)
_SECRET_HEADER_PART = re.compile("|".join(map(re.escape, _SECRET_HEADER_PARTS)))
_SECRET_PARAM_NAMES = frozenset({"sig", "pwd", "pass", "code", "jwt"})
# Leading whitespace too: requests strips it before connecting, so it is still a URL.
_AUTHORITY_START = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//")
_PARAM_SEPARATOR = re.compile(r"([&;])")
_WHITESPACE = re.compile(r"\s+")
_SPACES = re.compile(r" {2,}")
_MARKER_CHARS = len("… [+ chars]")


def redact_url(url: str | None) -> str:
    """Return ``url`` without the secrets it may carry. Never raises.

    * Userinfo is replaced: ``https://user:pass@host:8443/`` becomes
      ``https://***@host:8443/`` (a bare user name is replaced too, as it is often a
      token). Only URLs with an authority (``scheme://`` or ``//``) have userinfo.
    * In the query and in the fragment (OAuth puts tokens there), split on ``&`` and
      ``;``, the value of every parameter whose percent-decoded name, in any case,
      contains ``token``, ``signature``, ``password``, ``passwd``, ``secret``,
      ``credential``, ``key``, ``auth`` or ``session``, or is exactly ``sig``, ``pwd``,
      ``pass``, ``code`` (OAuth authorization codes) or ``jwt``, becomes ``***``.

    The URL is never decoded, validated or re-encoded, so every string has a result
    and everything else comes back character for character (bytes are decoded as
    UTF-8 first, other objects passed to :class:`str`). Secrets in the path (webhook
    URLs) are not detected.

    :returns: the redacted URL; ``""`` for None.
    """
    text = _url_text(url)
    if "@" not in text and "?" not in text and "#" not in text:
        return text  # nothing that could hold a secret: the common case, kept cheap
    base, question_mark, query, hash_mark, fragment = _split_url(text)
    return (
        _redact_userinfo(base)
        + question_mark
        + _redact_params(query)
        + hash_mark
        + _redact_params(fragment)
    )


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return a copy of ``headers`` with secret values replaced by ``***``.

    A header is secret when its lowercased name is in :data:`SECRET_HEADERS` or
    contains ``token``, ``secret``, ``password``, ``passwd``, ``credential``,
    ``signature``, ``api-key``, ``apikey``, ``api_key``, ``auth-key``, ``access-key``,
    ``private-key``, ``subscription-key`` or ``functions-key``. Names keep their case;
    values are converted with :class:`str`.
    Never raises: something that is not a mapping gives ``{}``.
    """
    try:
        items = list(headers.items())
    except Exception:  # not a mapping: nothing to show, nothing to leak
        return {}
    return {
        str(name): REDACTED if _is_secret_header(str(name)) else str(value) for name, value in items
    }


def secret_values(url: object, headers: object) -> tuple[str, ...]:
    """The secrets a request carries, to scrub from what the server echoes back.

    The password and user of the URL's userinfo, the values of secret query and
    fragment parameters (as sent and percent-decoded), and the values of secret
    headers (each word of them too, so the token of ``Bearer <token>`` counts).
    Values shorter than six characters are left out. Never raises.
    """
    found: set[str] = set()
    try:
        text = _url_text(url)
        if "@" in text or "?" in text or "#" in text:
            _url_secrets(text, found)
        if isinstance(headers, Mapping):
            lower_items = getattr(headers, "lower_items", None)
            items = lower_items() if callable(lower_items) else headers.items()
            for name, value in items:
                if isinstance(name, str) and isinstance(value, str) and _is_secret_header(name):
                    found.add(value.strip())
                    found.update(value.split())
    except Exception:  # an odd request object: scrub what was found so far
        pass
    return tuple(sorted((v for v in found if len(v) >= _MIN_SECRET_CHARS), key=len, reverse=True))


def _url_secrets(text: str, found: set[str]) -> None:
    base, _, query, _, fragment = _split_url(text)
    userinfo = _userinfo(base)
    if userinfo is not None:
        parts = userinfo[1].split(":", 1)
        found.update(parts)
        found.update(unquote_plus(part) for part in parts)
    for params in (query, fragment):
        for _, _, value in _secret_params(_PARAM_SEPARATOR.split(params)):
            found.update((value, unquote_plus(value)))


def scrub(text: str | None, secrets: tuple[str, ...]) -> str | None:
    """``text`` with every occurrence of each secret replaced by ``***``.

    Servers echo parts of a request in their error messages ("signature mismatch
    for ...?token=..."); this keeps the request's own credentials out of the message.
    """
    if not text or not secrets:
        return text
    for secret in secrets:  # longest first, so a secret containing another goes whole
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def clean_text(text: str | None, limit: int = 300) -> str:
    """Make text one printable line of at most ``limit`` characters.

    Whitespace of every kind (tabs, newlines, CR, NBSP, U+2028…) becomes a space;
    everything else that :meth:`str.isprintable` rejects is removed: C0/C1 controls,
    bidi overrides and isolates (U+202A to U+202E, U+2066 to U+2069), zero-width characters,
    lone surrogates, private-use and unassigned code points. Runs of spaces collapse to
    one and the ends are stripped.

    A longer result is cut to its first N characters followed by the marker
    ``"… [+K chars]"`` (11 characters plus the digits of K), where K is the number of
    characters cut and N is as large as possible with ``N + len(marker) <= limit``.
    When not even one character fits beside the marker (always for a ``limit`` of 13 or
    less), the result is the first ``limit - 1`` characters followed by ``"…"``. Either way the
    result is never longer than ``limit``; with the default limit of 300 it always has
    the marker form.

    :param text: the text; None gives ``""`` and other objects are passed to :class:`str`.
    :param limit: the maximum length of the result.
    :raises ValueError: if ``limit`` is below 1 (a programming error, not bad input).
    """
    if limit < 1:
        raise ValueError(f"clean_text limit must be at least 1 character, got {limit!r}")
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if len(text) <= limit and text.isprintable() and "  " not in text and text == text.strip():
        return text  # already one clean line: the common case, kept cheap
    spaced = _WHITESPACE.sub(" ", text)
    printable = "".join(filter(str.isprintable, spaced))
    cleaned = _SPACES.sub(" ", printable).strip()
    length = len(cleaned)
    if length <= limit:
        return cleaned
    digits = 1
    while True:
        keep = limit - _MARKER_CHARS - digits
        if keep < 1:
            return cleaned[: limit - 1] + "…"
        cut = length - keep
        # Terminates: once digits covers len(str(length)), any cut fits.
        if len(str(cut)) <= digits:
            return f"{cleaned[:keep]}… [+{cut} chars]"
        digits += 1


def _is_secret_header(name: str) -> bool:
    lowered = name.strip().lower()
    return lowered in SECRET_HEADERS or _SECRET_HEADER_PART.search(lowered) is not None


def _is_secret_param(name: str) -> bool:
    lowered = unquote_plus(name).strip().lower()
    return lowered in _SECRET_PARAM_NAMES or any(part in lowered for part in _SECRET_PARAM_PARTS)


def _url_text(url: object) -> str:
    if url is None:
        return ""
    if isinstance(url, (bytes, bytearray)):
        return bytes(url).decode("utf-8", "replace")
    return url if isinstance(url, str) else str(url)


def _split_url(text: str) -> tuple[str, str, str, str, str]:
    """``(base, "?", query, "#", fragment)``; the separators are empty when absent."""
    before_fragment, hash_mark, fragment = text.partition("#")
    base, question_mark, query = before_fragment.partition("?")
    return base, question_mark, query, hash_mark, fragment


def _userinfo(base: str) -> tuple[int, str, str] | None:
    """Where the authority starts, the userinfo, and what follows its ``@``; or None."""
    start = _AUTHORITY_START.match(base)
    if start is None:
        return None
    authority, slash, path = base[start.end() :].partition("/")
    # The last "@" ends the userinfo: an unencoded "@" in a password must not leak.
    userinfo, at_sign, host = authority.rpartition("@")
    if not at_sign:
        return None
    return start.end(), userinfo, host + slash + path


def _redact_userinfo(base: str) -> str:
    found = _userinfo(base)
    if found is None:
        return base
    start, _, rest = found
    return base[:start] + REDACTED + "@" + rest


def _secret_params(pieces: list[str]) -> Iterator[tuple[int, str, str]]:
    """Index, name and value of each secret parameter in ``_PARAM_SEPARATOR`` pieces."""
    for index in range(0, len(pieces), 2):
        name, equals, value = pieces[index].partition("=")
        if equals and _is_secret_param(name):
            yield index, name, value


def _redact_params(params: str) -> str:
    pieces = _PARAM_SEPARATOR.split(params)
    for index, name, _ in list(_secret_params(pieces)):
        pieces[index] = name + "=" + REDACTED
    return "".join(pieces)
