"""Make server- and user-supplied text safe to put in exception messages and logs.

URLs lose credentials, headers lose secrets, and free text loses control characters,
invisible characters and excess length. :func:`secret_values` learns the credentials a
request carried, and :func:`scrub` / :func:`scrub_value` mask the server's echoes of
them in text and in parsed details. Nothing here raises on odd input.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import cast
from urllib.parse import quote, quote_plus, unquote_plus

__all__ = [
    "REDACTED",
    "SECRET_HEADERS",
    "clean_text",
    "redact_headers",
    "redact_url",
    "scrub",
    "scrub_cut_end",
    "scrub_is_stable",
    "scrub_value",
    "scrub_value_with",
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
    "appcode",  # Huawei API gateway simple authentication: X-Apig-AppCode
)
# A query parameter is secret when its name contains one of these...
_SECRET_PARAM_PARTS = (
    "token",
    "signature",
    "password",
    "passwd",
    "passphrase",
    "secret",
    "credential",
    "session",
    "sessid",
    "assertion",
    "apikey",
    "api_key",
    "api-key",
    "accesskey",
    "access_key",
    "privatekey",
    "private_key",
)
# ...or has one of these as a word (camelCase, "-" and "_" separate words), so that
# "AccessKeyId", "x-auth" and "api_sig" are secret but "keyword" and "author" are not...
_SECRET_PARAM_WORDS = frozenset({"key", "keys", "auth", "sig", "pw", "pwd", "otp"})
# ...or is exactly one of these.
_SECRET_PARAM_NAMES = frozenset(
    {
        "sig",
        "pwd",
        "pass",
        "pw",
        "code",
        "jwt",
        "appid",
        "app_id",
        "api_sig",
        "code_verifier",
        "ak",
        "sk",
        "authorization",
        "sign",  # the request signature of many API gateways and payment APIs
        "appkey",
        "ticket",  # single sign-on service tickets
    }
)
_PARAM_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SECRET_HEADER_PART = re.compile("|".join(map(re.escape, _SECRET_HEADER_PARTS)))
# Leading whitespace too: requests strips it before connecting, so it is still a URL.
_AUTHORITY_START = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//")
_PARAM_SEPARATOR = re.compile(r"([&;])")
_AUTH_PARAM_SEPARATOR = re.compile(r"[,\s]+")
# Authorization parameters that name things rather than prove anything.
_PUBLIC_AUTH_PARAMS = frozenset({"signedheaders", "algorithm", "realm", "uri", "qop", "nc"})
_MAX_BASIC_CHARS = 8192
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_WHITESPACE = re.compile(r"\s+")
_SPACES = re.compile(r" {2,}")
_MARKER_CHARS = len("… [+ chars]")
# Characters that show nothing. Most are format characters str.isprintable() already
# rejects; the rest are printable to Python yet render as blank space: fillers,
# combining joiners, variation selectors, the blank Braille pattern.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark
    (0x115F, 0x1160),  # Hangul choseong and jungseong fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels, which never render
    (0x180B, 0x180F),  # Mongolian free variation selectors and vowel separator
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner, direction marks
    (0x202A, 0x202E),  # bidirectional embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, isolates, old format controls
    (0x2800, 0x2800),  # blank Braille pattern
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # zero-width no-break space (byte order mark)
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0x1D159, 0x1D159),  # musical symbol null notehead
    (0x1D173, 0x1D17A),  # musical beam, tie, slur and phrase controls
    (0xE0000, 0xE0FFF),  # tag characters and variation selectors supplement
)
_INVISIBLE = re.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _INVISIBLE_RANGES) + "]"
)


def redact_url(url: str | None) -> str:
    """Return ``url`` without the secrets it may carry. Never raises.

    * Userinfo is replaced: ``https://user:pass@host:8443/`` becomes
      ``https://***@host:8443/`` (a bare user name is replaced too, as it is often a
      token). Only URLs with an authority (``scheme://`` or ``//``) have userinfo.
    * In the query and in the fragment (OAuth puts tokens there), split on ``&`` and
      ``;``, the value of every secret parameter becomes ``***``. A parameter is secret
      when its percent-decoded name, in any case,

      - contains ``token``, ``signature``, ``password``, ``passwd``, ``passphrase``,
        ``secret``, ``credential``, ``session``, ``sessid``, ``assertion``, ``apikey``,
        ``api_key``, ``api-key``, ``accesskey``, ``access_key``, ``privatekey`` or
        ``private_key`` (``client_secret``, ``refresh_token``, ``X-Amz-Signature``,
        ``client_assertion``…);
      - has ``key``, ``keys``, ``auth``, ``sig``, ``pw``, ``pwd`` or ``otp`` as a word,
        words being split at ``-``, ``_``, digits and camelCase humps (``AccessKeyId``,
        ``sessionKey``, ``x-auth``), so that ``keyword``, ``monkey``, ``author`` and
        ``passport`` are not secret;
      - or is exactly ``sig``, ``pwd``, ``pass``, ``pw``, ``code`` (OAuth authorization
        codes), ``jwt``, ``appid``, ``app_id``, ``appkey``, ``api_sig``, ``sign``,
        ``ticket``, ``code_verifier``, ``ak``, ``sk`` or ``authorization``.

      A parameter whose value is a URL with userinfo (``callback=https://u:p@h/``, also
      percent-encoded) is secret whatever its name.

    The URL is never decoded, validated or re-encoded, so every string has a result
    and everything else comes back character for character (bytes are decoded as
    UTF-8 first, other objects passed to :class:`str`). Secrets in the path (webhook
    URLs) are not detected.

    :returns: the redacted URL; ``""`` for None.
    """
    text = url if isinstance(url, str) else _url_text(url)
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
    ``private-key``, ``subscription-key``, ``functions-key`` or ``appcode`` (Huawei's
    ``X-Apig-AppCode``). Names keep their case;
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


def secret_values(url: object, headers: object, extra: Iterable[object] = ()) -> tuple[str, ...]:
    """The secrets a request carries, to scrub from what the server echoes back.

    * the user and password of the URL's userinfo, and the values of secret query and
      fragment parameters (see :func:`redact_url`), as sent and percent-decoded;
    * the values of secret headers (see :func:`redact_headers`), whole and word by
      word (also without base64 ``=`` padding), so the token of ``Bearer <token>``
      counts; and from those values:

      - ``Basic``: the base64-decoded ``user:password``, the user and the password;
      - parameters of other schemes, such as Huawei's ``SDK-HMAC-SHA256 Access=…,
        SignedHeaders=…, Signature=…``, AWS's ``AWS4-HMAC-SHA256 Credential=…,
        Signature=…``, Digest and OAuth 1: every parameter value (quotes removed, also
        percent-decoded) except the public ``SignedHeaders``, ``algorithm``, ``realm``,
        ``uri``, ``qop`` and ``nc``, and the key id that starts a ``Credential``;
      - ``AK:signature`` pairs (OBS and AWS version 2 signatures): both halves;
      - ``Cookie``: each cookie's value;

    * each string of ``extra`` (bytes are decoded as UTF-8; a lone string or bytes
      counts as one secret), such as the password of requests'
      ``auth=("alice", password)``.

    Values shorter than six characters are left out: they are too likely to occur by
    chance in ordinary text. Longest first. Never raises: whatever part cannot be
    read is skipped.
    """
    found: set[str] = set()
    try:
        text = url if isinstance(url, str) else _url_text(url)
        if "@" in text or "?" in text or "#" in text:
            _url_secrets(text, found)
    except Exception:  # an odd URL object: the headers and extras still count
        pass
    try:
        # requests' headers (a PreparedRequest's, the common case) are read from their
        # _store, {lowercased name: (name, value)}, skipping the ABC check and the
        # generator: lower_items() would give the loop below each key with pair[1], in
        # the same order, raising the same IndexError for a short tuple. The guards keep
        # it so: requests' own class, learnt below (a subclass may differ); no attribute
        # of the object's own but _store (none shadows lower_items). Anything else breaks
        # off to the loop below, which starts over; it adds the same secrets again in
        # the same order, which changes nothing, as long as reading again gives the same:
        # hence an exact OrderedDict, exact str names and exact tuples, whose reading
        # runs no code of anyone's. Other values (bytes...) are the loop's to decode.
        store: object = None
        if type(headers) is _requests_headers:
            state = headers.__dict__
            store = state.get("_store") if len(state) == 1 else None
        if type(store) is OrderedDict:
            for name, pair in store.items():
                if type(name) is not str or type(pair) is not tuple:
                    break
                value = pair[1]
                if name in _HARMLESS_HEADER_NAMES:
                    continue  # as below
                if type(value) is not str:
                    break
                if name in _SECRET_HEADER_NAMES or _is_secret_header(name):
                    _header_secrets(name.strip().lower(), value, found)
            else:
                store = _READ
        if store is not _READ and isinstance(headers, Mapping):
            lower_items = getattr(headers, "lower_items", None)
            if callable(lower_items) and _requests_headers is None:
                _learn_requests_headers(type(headers))
            items = lower_items() if callable(lower_items) else headers.items()
            for name, value in items:
                if type(name) is str and name in _HARMLESS_HEADER_NAMES:
                    continue  # a name already decided harmless: the test below skips it too
                # requests keeps header names and values given as bytes as they are.
                name = name.decode("latin-1") if isinstance(name, bytes) else name
                value = value.decode("latin-1") if isinstance(value, bytes) else value
                if isinstance(name, str) and isinstance(value, str) and _is_secret_header(name):
                    _header_secrets(name.strip().lower(), value, found)
    except Exception:  # an odd header container: keep what was found so far
        pass
    if type(extra) is not tuple or extra:  # an exact empty tuple (the common case) adds nothing
        try:
            items = (extra,) if isinstance(extra, (str, bytes, bytearray)) else extra
            for item in items:
                if isinstance(item, (bytes, bytearray)):
                    item = _url_text(item)
                # The text of a str subclass, copied without calling its methods: one
                # that hashes, compares or strips oddly cannot hide another secret.
                if issubclass(type(item), str):
                    text = str.__str__(item)
                    found.update((text, text.strip()))
        except Exception:  # not iterable, or an iterator that breaks
            pass
    if not found:
        return ()  # a request without credentials: nothing to sort
    # Sorting first and dropping the short ones from the end keeps the same order as
    # filtering first (the sort is stable), without a generator.
    ordered = sorted(found, key=len, reverse=True)
    while ordered and len(ordered[-1]) < _MIN_SECRET_CHARS:
        ordered.pop()
    if ordered and all(type(secret) is str for secret in ordered):
        return _Secrets(ordered)
    return tuple(ordered)  # a str subclass from a header value: read the careful way


class _Secrets(tuple[str, ...]):
    """What :func:`secret_values` returns when every secret is an exact ``str``.

    Such a tuple is its own key to the forms of its secrets (see :func:`_forms_of`):
    no member can hash or compare as anything but its text.
    """

    __slots__ = ()


def _url_secrets(text: str, found: set[str]) -> None:
    base, _, query, _, fragment = _split_url(text)
    userinfo = _userinfo(base)
    if userinfo is not None:
        parts = userinfo[1].split(":", 1)
        found.update(parts)
        found.update(unquote_plus(part) for part in parts)
    for params in (query, fragment):
        for _, _, value in _secret_params(_PARAM_SEPARATOR.split(params)):
            decoded = unquote_plus(value)
            found.update((value, decoded))
            inner = _userinfo(decoded)  # a URL with credentials, passed as a parameter
            if inner is not None:
                found.update(inner[1].split(":", 1))


def _header_secrets(name: str, value: str, found: set[str]) -> None:
    """Add the secrets in one secret header's value to ``found``."""
    value = value.strip()
    # An exact str (a subclass may have its own methods) makes the shortcuts below safe:
    # each skips a step that could only add again what is already in ``found``.
    exact = type(value) is str
    found.add(value)
    words = value.split()
    # An Authorization scheme ("Bearer", "SDK-HMAC-SHA256") names the scheme, and
    # servers name it in their messages: it is no secret, only what follows it.
    is_scheme = (
        name in ("authorization", "proxy-authorization")
        and len(words) > 1
        and "=" not in words[0]
        and ":" not in words[0]
    )
    secret_words = words[1:] if is_scheme else words
    found.update(secret_words)
    # A base64 token (Basic, many bearer tokens) is echoed without its "=" padding too.
    if not exact or "=" in value:  # without "=", each word is its own rstrip("=")
        found.update(word.rstrip("=") for word in secret_words)
    if name == "cookie":
        for cookie in value.split(";"):
            _, equals, cookie_value = cookie.partition("=")
            if equals:
                cookie_value = cookie_value.strip().strip('"')
                found.update((cookie_value, unquote_plus(cookie_value)))
        return
    if len(words) < 2:
        return
    scheme, rest = words[0].lower(), value[len(words[0]) :].strip()
    if scheme == "basic":
        found.update(_basic_credentials(rest))
        return
    # The words after the first are all in ``rest``: without ":" there is no pair, and
    # without "=" no parameter (Bearer and most tokens), so both loops would add nothing.
    if not exact or ":" in rest:
        for word in words[1:]:
            pair, colon, signature = word.partition(":")
            if colon and "=" not in word:
                found.update((pair, signature))
    if exact and "=" not in rest:
        return
    # str.split() splits at the runs of what \s matches, so on an exact str it gives the
    # regular expression's pieces, less the empty ones (which hold no "=", so are skipped).
    items = rest.replace(",", " ").split() if exact else _AUTH_PARAM_SEPARATOR.split(rest)
    for item in items:
        key, equals, param = item.partition("=")
        key = key.strip().lower()
        if not equals or key in _PUBLIC_AUTH_PARAMS:
            continue
        param = param.strip().strip('"')
        if exact and "%" not in param and "+" not in param:
            found.add(param)  # unquote_plus would give it back as it is
        else:
            found.update((param, unquote_plus(param)))
        if key == "credential":  # AWS: "AKID/20240101/region/service/aws4_request"
            found.add(param.partition("/")[0])


def _basic_credentials(token: str) -> tuple[str, ...]:
    """``user:password``, user and password of a Basic token, or nothing."""
    token = token.strip()
    if not token or len(token) > _MAX_BASIC_CHARS:
        return ()
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
    except (ValueError, binascii.Error):
        return ()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # requests encodes str credentials as Latin-1
        text = raw.decode("latin-1")
    user, colon, password = text.partition(":")
    return (text, user, password) if colon else (text,)


def scrub(text: str | None, secrets: Iterable[str]) -> str | None:
    """``text`` with every occurrence of each secret replaced by ``***``.

    Servers echo parts of a request in their error messages ("signature mismatch
    for ...?token=..."); this keeps the request's own credentials out of the message.

    * Invisible characters (those :func:`clean_text` removes) are taken out of the
      text before searching, so an echo with a zero-width space, soft hyphen or
      U+034F inside the secret is still found, and cannot come together again later.
    * Besides each secret as it is, its percent-encoded forms (``quote`` and
      ``quote_plus``, and encoded twice), its JSON-escaped forms (ASCII or not, ``/``
      escaped or not) and its HTML-escaped forms are replaced, all of them in any
      ASCII letter case (hex digits of escapes come in either case, and some servers
      change the case of what they echo).
    * Overlapping occurrences merge into one ``***``, so no secret survives in part
      because a neighbour was masked first.

    :param text: the text; None, ``""`` and non-strings come back unchanged.
    :param secrets: the strings to mask (see :func:`secret_values`); empty strings
        and non-strings in it are ignored, and a lone string is one secret.
    :returns: the masked text with invisible characters removed when a secret was
        found; ``text`` itself, unchanged, when none was.
    """
    if not isinstance(text, str) or not text:
        return text
    forms = _forms_of(secrets)
    return _scrub_text(text, forms) if forms else text


def scrub_is_stable(secrets: Iterable[str]) -> bool:
    """Whether :func:`scrub` with these secrets leaves its own results unchanged.

    True when no form of any secret contains ``*``. A form found in a scrubbed text
    cannot overlap a ``***`` (it would contain ``*``), so it would lie within one
    piece of the text that scrub kept. But scrub finds each occurrence of each form
    except those overlapping an occurrence of that form it found before, and masks
    them all, so an occurrence within a kept piece would have been masked. False for
    a secret such as ``"pa**word"``, whose forms a masked neighbour may complete.
    """
    return _forms_of(secrets).stable


def scrub_cut_end(text: str, secrets: Iterable[str], min_chars: int = 3) -> str:
    """``text`` cut short (at a byte cap), without a secret's beginning at its end.

    :func:`scrub` finds whole echoes only; when the text was cut in the middle of an
    echo, the part that arrived would still show the secret's first characters. A
    tail of ``text`` of at least ``min_chars`` characters that begins any form of a
    secret (see :func:`scrub`) is replaced by ``***``. Never raises.
    """
    if not isinstance(text, str) or not text:
        return text
    forms = _forms_of(secrets)
    if not forms:
        return text
    end = text.rstrip("\ufffd")  # a multi-byte character cut in half decodes to U+FFFD
    folded = end.translate(_ASCII_LOWER)
    longest = 0
    for form in forms:
        for size in range(min(len(form) - 1, len(folded)), max(min_chars, longest + 1) - 1, -1):
            if folded.endswith(form[:size]):
                longest = size
                break
    return end[: len(end) - longest] + REDACTED if longest else text


def scrub_value(value: object, secrets: Iterable[str]) -> object:
    """A copy of a parsed body's ``details`` with every string scrubbed by :func:`scrub`.

    ``value`` is what the parsers produce: JSON values (dicts, lists, strings,
    numbers, booleans, None) or the ``{tag: text}`` dict of an XML error. Strings are
    scrubbed wherever they are, dict keys included; a number whose decimal form
    contains a secret becomes the scrubbed string of that form. Tuples come back as
    lists. Two keys scrubbed to the same text are kept apart by a ``~2``, ``~3``…
    suffix. Other objects are returned as they are. Shared and cyclic containers are
    copied once, keeping their shape.

    The walk uses its own stack, not recursion, so any depth of nesting works.
    When ``secrets`` holds no usable string, ``value`` itself is returned. Never
    raises on such values.
    """
    return scrub_value_with(value, secrets, {})


def scrub_value_with(value: object, secrets: Iterable[str], scrubbed: dict[str, str]) -> object:
    """:func:`scrub_value`, given texts already scrubbed with the same ``secrets``.

    :param scrubbed: exact ``str`` texts, each to what :func:`scrub` gives for it with
        ``secrets``; the strings of ``value`` are looked up there first, and those
        scrubbed here are added.
    """
    forms = _forms_of(secrets)
    if not forms:
        return value
    if type(value) is str:  # a field's text, before details holds it too
        return _scrub_remembered(value, forms, scrubbed)
    copies: dict[int, object] = {}
    pending: list[tuple[object, dict[object, object] | list[object]]] = []

    def copy(item: object) -> object:
        if type(item) is str:  # parsed text, often a field scrubbed already
            return _scrub_remembered(item, forms, scrubbed)
        if isinstance(item, str):
            return _scrub_text(item, forms)
        if isinstance(item, bool) or item is None:
            return item
        if isinstance(item, (int, float)):
            return _scrub_number(item, forms)
        if isinstance(item, (dict, list, tuple)):
            known = copies.get(id(item))
            if known is not None:
                return known
            target: dict[object, object] | list[object] = {} if isinstance(item, dict) else []
            copies[id(item)] = target
            pending.append((item, target))
            return target
        return item

    result = copy(value)
    while pending:
        source, target = pending.pop()
        if isinstance(target, dict):
            for key, item in list(cast("dict[object, object]", source).items()):
                first = new_key = _scrub_key(key, forms)
                suffix = 2
                while new_key in target:
                    new_key = f"{first}~{suffix}"
                    suffix += 1
                target[new_key] = copy(item)
        else:
            target.extend(copy(item) for item in cast("list[object]", source))
    return result


def _scrub_remembered(text: str, forms: _Forms, scrubbed: dict[str, str]) -> str:
    """``_scrub_text`` of an exact ``str``, looked up in ``scrubbed`` first, added after."""
    done = scrubbed.get(text)
    if done is None:
        done = scrubbed[text] = _scrub_text(text, forms)
    return done


def _scrub_key(key: object, forms: _Forms) -> object:
    if isinstance(key, str):
        return _scrub_text(key, forms)
    if isinstance(key, (int, float)) and not isinstance(key, bool):
        return _scrub_number(key, forms)
    return key


def _scrub_number(number: int | float, forms: _Forms) -> object:
    try:
        text = str(number)
    except ValueError:  # an int too long for str(): it cannot be shown either
        return REDACTED
    masked = _scrub_text(text, forms)
    return number if masked == text else masked


def _scrub_text(text: str, forms: _Forms) -> str:
    # A str subclass is searched as its text: none of its methods decides a search.
    visible = _visible(text if type(text) is str else str.__str__(text))
    # Forms are ASCII-lowercased; lowering only ASCII keeps every position in place.
    folded = visible.lower() if visible.isascii() else visible.translate(_ASCII_LOWER)
    # Every form contains one of the smallest forms, so where none of those is found no
    # form is: text that echoes nothing, the usual case, costs a few searches.
    for form in forms.smallest:
        if form in folded:
            break
    else:
        return text
    spans: list[tuple[int, int]] = []
    for form in forms:
        start = folded.find(form)
        while start >= 0:
            spans.append((start, start + len(form)))
            start = folded.find(form, start + len(form))
    if not spans:
        return text
    spans.sort()
    pieces: list[str] = []
    position = 0
    start, end = spans[0]
    for next_start, next_end in spans[1:]:
        if next_start <= end:
            end = max(end, next_end)
            continue
        pieces += (visible[position:start], REDACTED)
        position, start, end = end, next_start, next_end
    pieces += (visible[position:start], REDACTED, visible[end:])
    return "".join(pieces)


class _Forms(tuple[str, ...]):
    """Forms of some secrets (see :func:`_forms`), longest first, and the smallest ones.

    :attr:`smallest` holds the forms that contain no other form, so that every
    occurrence of a form contains an occurrence of one of them. :attr:`stable` says
    whether no form contains ``*``, the character of :data:`REDACTED`: then scrubbing
    a scrubbed text changes nothing (see :func:`scrub_is_stable`).
    """

    smallest: tuple[str, ...]
    stable: bool

    def __new__(cls, forms: Iterable[str]) -> _Forms:
        self = super().__new__(cls, sorted(set(forms), key=len, reverse=True))
        # Longest first, so a form can only contain forms that come after it.
        self.smallest = tuple(
            form
            for index, form in enumerate(self)
            if not any(other in form for other in self[index + 1 :])
        )
        self.stable = not any("*" in form for form in self)
        return self


_NO_FORMS = _Forms(())


def _forms_of(secrets: Iterable[str]) -> _Forms:
    if type(secrets) is _Secrets:
        # secret_values' own result, the usual argument: exact strings, so the tuple is
        # the key as it stands, with no set and no sort to build one.
        return _forms(secrets)
    if type(secrets) is tuple and not secrets:
        return _NO_FORMS  # a request without credentials
    # Anything else gets a key of exact copies of its strings (str.__str__ copies a
    # subclass's text without calling its methods): no object that compares, hashes or
    # orders as something else shares, sets or reorders a key.
    if isinstance(secrets, str):  # one secret, not a string of one-letter secrets
        secrets = (secrets,)
    try:
        texts = {str.__str__(s) for s in secrets if issubclass(type(s), str)}
    except Exception:  # not iterable: nothing to mask
        return _NO_FORMS
    texts.discard("")
    return _forms(tuple(sorted(texts))) if texts else _NO_FORMS


@lru_cache(maxsize=64)
def _forms(secrets: tuple[str, ...]) -> _Forms:
    """Every form in which the secrets may be echoed, longest first.

    ``secrets`` are exact strings (see :func:`_forms_of`), so every form is one too and
    no method of anyone's decides a search. The order of ``secrets`` changes no form,
    only the order among forms of equal length, which no caller depends on.
    """
    forms: set[str] = set()
    for raw in secrets:
        secret = _visible(raw)
        if not secret:
            continue
        once = quote(secret, safe="")
        encoded = (once, quote_plus(secret, safe=""), quote(secret), quote(once, safe=""))
        escaped = (json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1])
        forms.update((secret, *encoded, *escaped))
        forms.update(form.replace("/", "\\/") for form in escaped)
        forms.update((html.escape(secret), html.escape(secret, quote=False)))
    # Matching ignores ASCII case: hex digits of escapes come in either case, and some
    # servers change the case of what they echo.
    return _Forms(form.translate(_ASCII_LOWER) for form in forms)


def _visible(text: str) -> str:
    """``text`` without the characters :func:`clean_text` removes; whitespace is kept."""
    if text.isprintable() and _INVISIBLE.search(text) is None:
        return text
    text = _INVISIBLE.sub("", text)
    if text.isprintable():
        return text
    return "".join(char for char in text if char.isprintable() or char.isspace())


def clean_text(text: str | None, limit: int = 300) -> str:
    """Make text one printable line of at most ``limit`` characters.

    Whitespace of every kind (tabs, newlines, CR, NBSP, U+2028…) becomes a space;
    everything else that :meth:`str.isprintable` rejects is removed: C0/C1 controls,
    bidi overrides and isolates (U+202A to U+202E, U+2066 to U+2069), zero-width characters,
    lone surrogates, private-use and unassigned code points. So are the characters
    Python counts as printable but that show nothing: the Hangul fillers (U+115F,
    U+1160, U+3164, U+FFA0), the combining grapheme joiner U+034F, the blank Braille
    pattern U+2800, the Khmer inherent vowels U+17B4 and U+17B5, the Mongolian free
    variation selectors, the variation selectors (U+FE00 to U+FE0F, U+E0100 to
    U+E01EF), the null notehead U+1D159 and the tag characters (U+E0000 to U+E007F).
    Letters, digits, marks and symbols of every script are kept. Runs of spaces
    collapse to one and the ends are stripped.

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
    if type(text) is not str:  # one test for the common case, an exact str
        if text is None:
            return ""
        if not isinstance(text, str):
            text = str(text)
    if (
        len(text) <= limit
        and text.isprintable()
        and "  " not in text
        and text == text.strip()
        # Every invisible character is outside ASCII: ASCII text needs no search.
        and (text.isascii() or _INVISIBLE.search(text) is None)
    ):
        return text  # already one clean line: the common case, kept cheap
    spaced = _WHITESPACE.sub(" ", text)
    printable = "".join(filter(str.isprintable, _INVISIBLE.sub("", spaced)))
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


# Header names repeat on every request: each is decided once. Two plain sets that
# secret_values reads inline (``name in`` is one step), each emptied when full, so that
# made-up names cannot grow them without end. Exact str names only: a subclass hashes
# and compares its own way. Names only, never a value.
_HARMLESS_HEADER_NAMES: set[str] = set()
_SECRET_HEADER_NAMES: set[str] = set()
_HEADER_NAMES_SIZE = 1024


# requests.structures.CaseInsensitiveDict, learnt from the first one secret_values meets
# (this module imports nothing but the standard library), for its fast path.
_requests_headers: type | None = None
_READ = object()  # secret_values: the headers were read in full by the fast path


def _learn_requests_headers(cls: type) -> None:
    """Remember ``cls`` if it is requests' own CaseInsensitiveDict, lower_items untouched."""
    global _requests_headers  # set once, read on every request
    try:
        lower_items = vars(cls).get("lower_items")
        if (
            vars(cls).get("__module__") == "requests.structures"
            and cls.__qualname__ == "CaseInsensitiveDict"
            and getattr(lower_items, "__module__", None) == "requests.structures"
        ):
            _requests_headers = cls
    except Exception:  # an odd class: never the fast path's
        pass


def _is_secret_header(name: str) -> bool:
    if type(name) is not str:
        return _secret_header_name(name)
    if name in _HARMLESS_HEADER_NAMES:
        return False
    if name in _SECRET_HEADER_NAMES:
        return True
    secret = _secret_header_name(name)
    names = _SECRET_HEADER_NAMES if secret else _HARMLESS_HEADER_NAMES
    if len(names) >= _HEADER_NAMES_SIZE:
        names.clear()
    names.add(name)
    return secret


@lru_cache(maxsize=1024)
def _secret_header_name(name: str) -> bool:
    lowered = name.strip().lower()
    return lowered in SECRET_HEADERS or _SECRET_HEADER_PART.search(lowered) is not None


def _is_secret_param(name: str) -> bool:
    decoded = unquote_plus(name).strip()
    lowered = decoded.lower()
    return (
        lowered in _SECRET_PARAM_NAMES
        or any(part in lowered for part in _SECRET_PARAM_PARTS)
        or any(word.lower() in _SECRET_PARAM_WORDS for word in _PARAM_WORD.findall(decoded))
    )


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
        if equals and (_is_secret_param(name) or _holds_userinfo(value)):
            yield index, name, value


def _holds_userinfo(value: str) -> bool:
    """Whether a parameter value is a URL with userinfo, as sent or percent-encoded."""
    if "@" not in value and "%40" not in value.upper():
        return False
    return _userinfo(unquote_plus(value)) is not None


def _redact_params(params: str) -> str:
    pieces = _PARAM_SEPARATOR.split(params)
    for index, name, _ in list(_secret_params(pieces)):
        pieces[index] = name + "=" + REDACTED
    return "".join(pieces)
