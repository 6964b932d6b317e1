"""Read what a server said in an error response: body, request id, retry and rate-limit hints.

Everything here works on plain values (bytes, strings, header mappings) and never
raises on server input: a body or header that cannot be understood simply yields
fewer fields. Nothing is truncated or sanitized here; that is the job of
:func:`cloudstatus._redact.clean_text` when a value is shown to a person.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from html import unescape
from typing import Any, NamedTuple, TypeVar

__all__ = [
    "DEFAULT_PARSERS",
    "MAX_BODY_BYTES",
    "MAX_RETRY_AFTER",
    "REQUEST_ID_HEADERS",
    "TEXT_CODECS",
    "BodyParser",
    "ErrorBody",
    "RateLimit",
    "parse_error_body",
    "parse_html",
    "parse_json",
    "parse_rate_limit",
    "parse_retry_after",
    "parse_text",
    "parse_xml",
    "request_id_from_headers",
]

#: :func:`parse_error_body` looks at no more than this many bytes of a body.
MAX_BODY_BYTES = 1024 * 1024

#: Waits longer than this (one year, in seconds) are treated as garbage, not advice.
MAX_RETRY_AFTER = 365 * 24 * 60 * 60.0

#: The codecs a body's declared ``charset`` may select, by their canonical
#: :func:`codecs.lookup` names: Unicode, ASCII, the ISO 8859 and Windows code pages,
#: KOI8, and the common Chinese, Japanese and Korean encodings. Any other charset,
#: such as ``punycode``, ``idna``, ``utf-7`` or a bytes-to-bytes codec like ``zlib``,
#: is ignored and the body is read as UTF-8.
TEXT_CODECS: frozenset[str] = frozenset(
    {
        "utf-8",
        "utf-8-sig",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
        "utf-32-le",
        "utf-32-be",
        "ascii",
        *(f"iso8859-{part}" for part in (*range(1, 12), *range(13, 17))),
        *(f"cp{page}" for page in range(1250, 1259)),
        "cp437",
        "cp850",
        "cp866",
        "cp874",
        "tis-620",
        "koi8-r",
        "koi8-u",
        "mac-roman",
        "gbk",
        "gb2312",
        "gb18030",
        "big5",
        "big5hkscs",
        "cp932",
        "cp949",
        "cp950",
        "shift_jis",
        "shift_jis_2004",
        "shift_jisx0213",
        "euc_jp",
        "euc_jis_2004",
        "euc_jisx0213",
        "iso2022_jp",
        "euc_kr",
        "johab",
    }
)

#: Response headers that carry a request id, lowercased, in the order they are checked.
REQUEST_ID_HEADERS: tuple[str, ...] = (
    "x-request-id",
    "x-obs-request-id",
    "x-openstack-request-id",
    "x-compute-request-id",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-ms-request-id",
)


@dataclass(frozen=True)
class ErrorBody:
    """What an error body said, as far as it could be understood."""

    #: The service's error code, always a string (an integer ``404`` in the body
    #: becomes ``"404"``), or None.
    error_code: str | None = None
    #: The human-readable message, stripped but otherwise as sent.
    error_message: str | None = None
    #: A request id found inside the body.
    request_id: str | None = None
    #: The decoded document: the JSON value, a ``{tag: text}`` dict of the XML
    #: ``Error`` element's children, or None when nothing was decoded.
    details: object = None
    #: The value :attr:`error_code` came from, with its original type.
    raw_code: object = None
    #: Which parser recognised the body: ``"json"``, ``"problem+json"``, ``"xml"``,
    #: ``"html"``, ``"text"``, ``"empty"``, whatever a user parser puts there, or
    #: ``"none"`` when no parser took it.
    format: str = "none"
    #: Seconds the body asks the client to wait before retrying, or None: from a Google
    #: ``google.rpc.RetryInfo`` entry (``"retryDelay": "53s"``) in a ``details`` list,
    #: or a number of seconds in a ``retryAfter``-style member such as nova's
    #: ``overLimit`` fault carries. A finite float ``>= 0``, at most a year.
    retry_delay: float | None = None


_new_object = object.__new__


def _error_body(
    *,
    error_code: str | None = None,
    error_message: str | None = None,
    request_id: str | None = None,
    details: object = None,
    raw_code: object = None,
    format: str = "none",
    retry_delay: float | None = None,
) -> ErrorBody:
    """``ErrorBody(...)`` without the frozen dataclass ``__init__``, for the parsers here.

    That ``__init__`` sets each field through ``object.__setattr__``, the most of what a
    parsed body costs after ``json.loads``; filling the new instance's ``__dict__`` in
    field order makes the same object (fields, equality, repr, pickle).
    """
    body: ErrorBody = _new_object(ErrorBody)
    state = body.__dict__
    state["error_code"] = error_code
    state["error_message"] = error_message
    state["request_id"] = request_id
    state["details"] = details
    state["raw_code"] = raw_code
    state["format"] = format
    state["retry_delay"] = retry_delay
    return body


#: A body parser: ``(body, lowercased Content-Type or "")`` to an :class:`ErrorBody`,
#: or None when it does not recognise the body.
BodyParser = Callable[[bytes, str], "ErrorBody | None"]


def parse_error_body(
    body: bytes, content_type: str | None = None, parsers: Sequence[BodyParser] = ()
) -> ErrorBody:
    """Parse an error response body. Never raises.

    The first :data:`MAX_BODY_BYTES` bytes are offered to each of ``parsers`` in
    turn, then to :data:`DEFAULT_PARSERS`; the first :class:`ErrorBody` returned
    wins. A parser that raises, or returns anything but an :class:`ErrorBody`, is
    skipped. The body is decoded to text at most once, however many of the built-in
    parsers look at it (see :func:`parse_text` for how it is decoded).

    :param body: the raw body bytes (``None`` and ``str`` are tolerated).
    :param content_type: the ``Content-Type`` header value, if any; parsers receive
        it stripped and lowercased, parameters included.
    :param parsers: extra parsers, tried before the built-in ones.
    :returns: the parsed body; ``ErrorBody()`` (format ``"none"``) if no parser took it.
    """
    data = (body if type(body) is bytes else _as_bytes(body))[:MAX_BODY_BYTES]
    ctype = content_type.strip().lower() if isinstance(content_type, str) else ""
    text: str | None = None
    steps: Sequence[tuple[BodyParser, _TextReader | None]] = _TEXT_READERS
    if type(parsers) is not tuple or parsers or DEFAULT_PARSERS is not _BUILT_IN_PARSERS:
        # Only when something but the built-in chain is to be tried: find which of the
        # parsers are built-in ones that can read the text decoded once.
        steps = tuple(
            (parser, next((reader for known, reader in _TEXT_READERS if known is parser), None))
            for parser in (*parsers, *DEFAULT_PARSERS)
        )
    for parser, on_text in steps:
        try:
            if on_text is None:
                result = parser(data, ctype)
            else:
                if text is None:
                    text = _decode(data, ctype)
                result = on_text(text, ctype)
        except Exception:  # a broken parser must not turn an HTTP error into a crash
            continue
        if isinstance(result, ErrorBody):
            return result
    return _error_body()


def parse_json(body: bytes, content_type: str = "") -> ErrorBody | None:
    """Recognise a JSON error body, whatever the Content-Type says.

    A body is tried when the content type is JSON (``…/json`` or ``…+json``) or when
    it starts with ``{`` or ``[``. Objects are read in this order:

    * RFC 9457 problem details (``application/problem+json``, or an object with
      ``title``/``detail`` and ``type``/``status`` of the RFC's types): the message is
      ``detail`` (else a ``message``-like member, else ``title``); the code is a
      ``code``/``error_code`` extension member, else ``type`` unless it is
      ``about:blank``; format ``"problem+json"``.
    * Other objects are searched in layers, earlier layers winning member by member:
      the inner object of ``{"error": {...}}`` (Google, OData, keystone, Huawei), the
      object itself, then the first object of an ``"errors"`` list (OpenStack API-SIG,
      JSON:API, GraphQL, with that object's ``extensions``), so
      ``{"errors": [{"code": "placement.concurrent_update", "title": …, "detail": …,
      "request_id": …}]}`` gives its code, ``detail`` as the message and its request id.
      All the errors stay in :attr:`ErrorBody.details`.
    * Codes come from ``error_code``/``errorCode``/``code``; in the inner ``error``
      object and in fault wrappers also from a token-like ``type`` (neutron's
      ``{"NeutronError": {"type": "NetworkNotFound", …}}``, Heat's inner error).
      Messages come from ``error_msg``/``errorMsg``/``error_message``/
      ``errorMessage``/``message``/``msg``/``faultstring`` (OpenStack WSME), then
      ``error_description``/``detail``/``explanation``/``title``. WSME's
      ``faultcode`` is not reported: it only says ``"Client"`` or ``"Server"``, which
      the status code already tells.
    * A message that is itself a JSON object (Ironic's doubly encoded
      ``{"error_message": "{\\"faultstring\\": …}"}``) is read once more.
    * When no layer gives a code or a message, fault wrappers are looked for:
      members whose value is an object with such keys, such as nova's
      ``{"itemNotFound": {"message": …, "code": 404}}`` or Ironic's
      ``{"error_message": {"faultstring": …}}``, at the shallowest depth (up to four
      levels, as huaweicloudsdkcore searches nested objects) where any is found. One
      wrapper is read like a layer; several give their messages joined by newlines
      (as openstacksdk does) and their code only when they all agree.
    * ``{"error": "invalid_grant", "error_description": …}`` (OAuth): a token-like
      ``error`` string is the code; a sentence-like one is the message.
    * ``encoded_authorization_message`` (Huawei IAM) is the message only when nothing
      else is.

    An integer code is reported as its string (keystone's ``{"code": 404}`` gives
    ``"404"``), except that Google's string ``status`` (``"NOT_FOUND"``) is preferred
    when it sits beside an integer ``code``; :attr:`ErrorBody.raw_code` holds the value
    used. A request id is taken from ``request_id``/``requestId``/``request-id``/
    ``RequestId`` in any layer.

    :attr:`ErrorBody.retry_delay` comes from a ``google.rpc.RetryInfo`` entry
    (``{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "53s"}``,
    a decimal ``"1.5s"`` or ``{"seconds": 53, "nanos": 0}``) in a layer's ``details``
    list, else from a number of seconds (a JSON number or a decimal string) in a
    layer's ``retryAfter`` (nova's ``overLimit`` fault), ``retry_after``,
    ``retryAfterSec``, ``retryAfterSeconds`` or ``retry_after_seconds``, or in the
    same members of a layer's ``parameters`` object. Anything else there is ignored.

    A JSON array whose first element is an ``{"error": {...}}`` object (Google's
    streaming methods answer ``[{"error": {...}}]``) is read through that object, the
    whole array being the details. Other JSON that is not an object gives format
    ``"json"`` with the value as details, and no code (an array of other objects is
    data, not one error); a JSON string is also the message. Invalid or too deeply
    nested JSON gives None.
    """
    return _json_body(_decode(_as_bytes(body), content_type), content_type)


def parse_xml(body: bytes, content_type: str = "") -> ErrorBody | None:
    """Recognise an XML error body such as OBS/S3 ``<Error><Code>NoSuchKey</Code>…``.

    The ``Error`` element may be the root or nested, with or without a namespace;
    without one, the root element is read instead. :attr:`ErrorBody.details` is a dict
    of the element's children (tag without namespace to its stripped text, first
    occurrence wins). ``Code``/``Message``/``RequestId`` and their common spellings are
    matched case-insensitively; the request id may be anywhere in the document.

    Bodies containing ``<!DOCTYPE`` or ``<!ENTITY`` are never handed to the XML parser,
    so no entity is ever expanded: they are returned as plain text (format ``"text"``).
    HTML documents and bodies that do not start with ``<`` give None.
    """
    return _xml_body(_decode(_as_bytes(body), content_type), content_type)


def parse_html(body: bytes, content_type: str = "") -> ErrorBody | None:
    """Recognise an HTML error page: the ``<title>`` is the message, else the visible text.

    Taken when the content type mentions ``html`` or the start of the body looks like
    HTML. Scripts, styles and comments are skipped; entities are decoded and whitespace
    is collapsed. Only the first 262144 characters are scanned, in a single linear
    pass: the standard library's ``html.parser`` is quadratic on some malformed input
    (minutes for a megabyte of ``<!--``), so it is not used.
    """
    return _html_body(_decode(_as_bytes(body), content_type), content_type)


def parse_text(body: bytes, content_type: str = "") -> ErrorBody:
    """Take any body as plain text: the stripped text is the message.

    An empty or whitespace-only body gives ``ErrorBody(format="empty")``.

    Every built-in parser decodes the same way: a UTF-32, UTF-16 or UTF-8 byte order
    mark wins, then the Content-Type ``charset`` if it names one of
    :data:`TEXT_CODECS` (any alias :func:`codecs.lookup` knows), else UTF-8.
    Undecodable bytes become U+FFFD. Other codecs, such as ``punycode``, ``idna``,
    ``rot13``, ``utf-7``, ``base64``, ``zlib``, ``bz2`` or ``uu``, are never run on
    server bytes: some are not text encodings at all, and some take seconds of CPU
    for a small body.
    """
    return _text_body(_decode(_as_bytes(body), content_type), content_type)


#: The built-in parsers, in the order :func:`parse_error_body` tries them.
DEFAULT_PARSERS: tuple[BodyParser, ...] = (parse_json, parse_xml, parse_html, parse_text)
# DEFAULT_PARSERS as shipped: parse_error_body knows their text readers without a search.
_BUILT_IN_PARSERS = DEFAULT_PARSERS


def request_id_from_headers(headers: Mapping[str, str]) -> str | None:
    """Return the request id from the first of :data:`REQUEST_ID_HEADERS` that is present.

    Header names match in any case, so a plain dict works as well as requests'
    ``CaseInsensitiveDict``; empty values are ignored. Never raises.
    """
    return request_id_in(header_map(headers))


def request_id_in(found: Mapping[str, str]) -> str | None:
    """:func:`request_id_from_headers` on a :func:`header_map` already built."""
    for name in REQUEST_ID_HEADERS:
        if name in found:
            return found[name]
    return None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Turn a ``Retry-After`` value into seconds to wait. Never raises.

    Accepts delta-seconds (ASCII digits; a decimal fraction such as ``"1.5"`` is also
    accepted although RFC 9110 only allows integers) or an HTTP-date in any of the
    three RFC 9110 formats (a date without a zone is taken as UTC). A date is measured
    from ``now`` (default :func:`time.time`) and clamped at ``0.0`` when it is past.

    A header sent more than once reaches us folded into one comma-separated value
    (requests joins two ``Retry-After: 1`` lines into ``"1, 1"``), so a value with a
    comma is read as such a list and its first member that is valid on its own wins,
    as the first line of any other repeated header does: ``"1, 1"`` and ``"1, 5"`` give
    ``1.0``, ``"soon, 5"`` gives ``5.0``. The comma after a date's day name does not
    split the date, so a single date reads as before and two folded dates give the
    first one.

    :returns: seconds as a finite float ``>= 0``, or None for a missing, negative,
        malformed value, or one more than :data:`MAX_RETRY_AFTER` (a year) away.
    """
    if type(value) is str and len(value) <= 15 and value.isdigit() and value.isascii():
        # Plain delta-seconds, the usual form: no space or comma to look for, and the
        # digits _DECIMAL would match; only the one-year bound is left to check.
        delay = float(value)
        return delay if delay <= MAX_RETRY_AFTER else None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return None
    if "," not in value:
        return _retry_after_member(value, now)
    pieces = value[:_MAX_HEADER_CHARS].split(",", _MAX_FOLDED_MEMBERS)[:_MAX_FOLDED_MEMBERS]
    for index, piece in enumerate(pieces):
        seconds = _retry_after_member(piece, now)
        if seconds is None and index + 1 < len(pieces):
            # "Wed, 21 Oct 2015 07:28:00 GMT": the day name is followed by a comma.
            seconds = _retry_after_member(f"{piece},{pieces[index + 1]}", now)
        if seconds is not None:
            return seconds
    return None


def _retry_after_member(value: str, now: float | None) -> float | None:
    """One delta-seconds or HTTP-date, in seconds; None when it is neither."""
    text = value.strip()
    if not text:
        return None
    if _DECIMAL.fullmatch(text):
        seconds = float(text)
    else:
        try:
            when = parsedate_to_datetime(text)
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            seconds = when.timestamp() - (time.time() if now is None else now)
        except Exception:  # each Python version fails on garbage in its own way
            return None
        if not math.isfinite(seconds):
            return None
        seconds = max(0.0, seconds)
    return seconds if seconds <= MAX_RETRY_AFTER else None


@dataclass(frozen=True)
class RateLimit:
    """Rate-limit state a server reported in its headers."""

    #: Requests allowed in the window.
    limit: int | None = None
    #: Requests left in the window.
    remaining: int | None = None
    #: Seconds until the window resets.
    reset: float | None = None
    #: The raw ``RateLimit-Policy`` (or Huawei ``X-Apig-RateLimit-*``) text.
    policy: str | None = None
    #: ``retry-after-ms`` / ``x-ms-retry-after-ms``, in milliseconds.
    retry_after_ms: float | None = None


def parse_rate_limit(headers: Mapping[str, str], *, now: float | None = None) -> RateLimit | None:
    """Collect rate-limit headers into a :class:`RateLimit`. Never raises.

    Sources, earlier ones winning field by field:

    1. IETF ``RateLimit-Limit`` / ``RateLimit-Remaining`` / ``RateLimit-Reset``
       (a leading number is read, so ``"100, 100;w=60"`` gives 100);
    2. the structured ``RateLimit: "default";r=50;t=30`` with
       ``RateLimit-Policy: "default";q=100;w=60`` (the policy named like the first
       ``RateLimit`` item, else the first; the older ``limit=…, remaining=…, reset=…``
       form is read too);
    3. ``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset``;
    4. Huawei API Gateway ``X-Apig-RateLimit-{Api,User,App,Ip,Api-Allenv}:
       remain:99,limit:100,time:1 minute``; when several are present, the one with the
       fewest requests remaining.

    A reset above ``10**9`` is an epoch timestamp and becomes seconds from ``now``
    (default :func:`time.time`), clamped at 0. ``retry-after-ms`` and
    ``x-ms-retry-after-ms`` fill :attr:`RateLimit.retry_after_ms`.

    :returns: None when none of these headers is present; otherwise a
        :class:`RateLimit` whose malformed fields are None.
    """
    return rate_limit_in(header_map(headers), now=now)


def rate_limit_in(found: Mapping[str, str], *, now: float | None = None) -> RateLimit | None:
    """:func:`parse_rate_limit` on a :func:`header_map` already built."""
    if type(found) is dict:
        # A plain dict's keys are what `in` tests, so one set test says whether any of
        # the headers is there: usually none, as most error responses carry no limits.
        if _RATE_LIMIT_HEADER_SET.isdisjoint(found):
            return None
    elif not any(name in found for name in _RATE_LIMIT_HEADERS):
        return None
    base = time.time() if now is None else now
    sf_limit, sf_remaining, sf_reset = _structured_rate_limit(
        found.get("ratelimit"), found.get("ratelimit-policy")
    )
    apig_limit, apig_remaining, apig_policy = _apig_rate_limit(found)
    return RateLimit(
        limit=_first(
            _count(found.get("ratelimit-limit")),
            sf_limit,
            _count(found.get("x-ratelimit-limit")),
            apig_limit,
        ),
        remaining=_first(
            _count(found.get("ratelimit-remaining")),
            sf_remaining,
            _count(found.get("x-ratelimit-remaining")),
            apig_remaining,
        ),
        reset=_first(
            _reset(found.get("ratelimit-reset"), base),
            _reset(sf_reset, base),
            _reset(found.get("x-ratelimit-reset"), base),
        ),
        policy=found.get("ratelimit-policy") or apig_policy,
        retry_after_ms=_first(
            _number(found.get("retry-after-ms")), _number(found.get("x-ms-retry-after-ms"))
        ),
    )


# --- helpers -----------------------------------------------------------------------

_JSON_SUFFIXES = ("/json", "+json")
# What json.loads decodes with when given no options.
_JSON_DECODER = json.JSONDecoder()
# The scanner JSONDecoder.raw_decode calls: (text, index) to (value, end index).
_JSON_SCAN: Callable[[str, int], tuple[object, int]] = _JSON_DECODER.scan_once  # type: ignore[attr-defined]
_CODE_KEYS = ("error_code", "errorCode", "code")
_MESSAGE_KEYS = (
    "error_msg",
    "errorMsg",
    "error_message",
    "errorMessage",
    "message",
    "msg",
    "faultstring",
)
_ALL_MESSAGE_KEYS = (*_MESSAGE_KEYS, "error_description", "detail", "explanation", "title")
_PROBLEM_MESSAGE_KEYS = ("detail", *_MESSAGE_KEYS, "title")
_FAULT_KEYS = frozenset((*_CODE_KEYS, *_MESSAGE_KEYS))
_RETRY_KEYS = (
    "retryAfter",
    "retry_after",
    "retryAfterSec",
    "retryAfterSeconds",
    "retry_after_seconds",
)
_RETRY_MEMBERS = frozenset(("details", "parameters", *_RETRY_KEYS))
_RETRY_INFO_TYPE = "/google.rpc.RetryInfo"
_DURATION = re.compile(r"([0-9]{1,12}(?:\.[0-9]{1,9})?)s", re.ASCII)
_INTEGER = re.compile(r"[0-9]{1,12}", re.ASCII)
_MAX_DETAILS_SCANNED = 64
_MAX_WRAPPER_DEPTH = 4
_MAX_WRAPPER_VISITS = 4096
_MAX_NESTED_JSON_CHARS = 64 * 1024
# A declared charset is looked up only when it looks like a codec name.
_CODEC_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:+\-]{0,39}", re.ASCII)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOM_BYTES = tuple(bom for bom, _ in _BOMS)
# Longer Content-Type values are not remembered: junk must not fill the cache.
_MAX_CACHED_TYPE_CHARS = 256
# An object that may describe the error, and whether a token-like "type" in it is a code.
_Layer = tuple[dict[str, object], bool]
_REQUEST_ID_KEYS = ("request_id", "requestId", "request-id", "RequestId")
_REQUEST_ID_KEY_SET = frozenset(_REQUEST_ID_KEYS)
# The member sets _known_shape_body reads directly, each to its (code, message, request id)
# member names, None for none: one code member and/or one message member, one request id
# member or none, a status member or none.
_KNOWN_SHAPES: dict[frozenset[str], tuple[str | None, str | None, str | None]] = {
    frozenset(name for name in (code_key, message_key, id_key, status) if name): (
        code_key,
        message_key,
        id_key,
    )
    for code_key in (None, *_CODE_KEYS)
    for message_key in (None, *_MESSAGE_KEYS)
    for id_key in (None, *_REQUEST_ID_KEYS)
    for status in (None, "status")
    if code_key or message_key
}
_PROBLEM_TYPES: dict[str, type] = {"type": str, "title": str, "detail": str, "status": int}
_TOKEN = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
_XML_DECLARATION = re.compile(r"<\?xml[^>]*\?>")
_XML_CODE_TAGS = ("code", "errorcode", "error_code")
_XML_MESSAGE_TAGS = ("message", "errormessage", "error_message", "error_msg", "errormsg", "msg")
_XML_REQUEST_ID_TAGS = frozenset({"requestid", "request_id", "request-id"})
_HTML_MARKERS = ("<!doctype html", "<html", "<head", "<body", "<title")
# A "<" not followed by one of these is text, as browsers show it ("1 < 2").
_HTML_MARKUP = re.compile(r"<[A-Za-z/!?]")
_HTML_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9:_-]*)")
# An error page says what it has to say early; the message is cut short later anyway.
_HTML_SCAN_CHARS = 256 * 1024
_HTML_RAW_TEXT = {
    name: re.compile(rf"</{name}\b", re.IGNORECASE) for name in ("script", "style", "title")
}
_DECIMAL = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,9})?", re.ASCII)
_LEADING_TOKEN = re.compile(r"[,;]")
_MAX_HEADER_CHARS = 4096
# A folded Retry-After longer than this is garbage; the first members decide anyway.
_MAX_FOLDED_MEMBERS = 64
_APIG_HEADERS = tuple(
    f"x-apig-ratelimit-{scope}" for scope in ("api", "user", "app", "ip", "api-allenv")
)
_RATE_LIMIT_HEADERS = (
    "ratelimit",
    "ratelimit-policy",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after-ms",
    "x-ms-retry-after-ms",
    *_APIG_HEADERS,
)
_RATE_LIMIT_HEADER_SET = frozenset(_RATE_LIMIT_HEADERS)
_EPOCH_THRESHOLD = 10**9
_T = TypeVar("_T")


def _as_bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8", "surrogatepass")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    return b""


def _media_type(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


class _TypeFacts(NamedTuple):
    """What the parsers read from one Content-Type value, worked out once."""

    #: The media type alone, lowercased.
    media: str
    #: The canonical name of the allowed text codec its charset names, or None.
    codec: str | None


# Content-Type value -> its facts, for the few values a process sees; emptied when full,
# so junk cannot grow it. A plain dict: a hit is one lookup, cheaper than lru_cache's.
_TYPE_FACTS: dict[str, _TypeFacts] = {}
_TYPE_FACTS_SIZE = 64


def _type_facts(content_type: str) -> _TypeFacts:
    """The :class:`_TypeFacts` of a Content-Type value (a ``str``), remembered when short."""
    known = _TYPE_FACTS.get(content_type)
    if known is not None:
        return known
    facts = _TypeFacts(_media_type(content_type), _text_codec(_charset(content_type)))
    if len(content_type) <= _MAX_CACHED_TYPE_CHARS:
        if len(_TYPE_FACTS) >= _TYPE_FACTS_SIZE:
            _TYPE_FACTS.clear()
        _TYPE_FACTS[content_type] = facts
    return facts


def _media_of(content_type: str) -> str:
    """:func:`_media_type`, remembered for the few Content-Type values a process sees."""
    if type(content_type) is str:
        return _type_facts(content_type).media
    return _media_type(content_type)


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("'\"") or None
    return None


def _decode(body: bytes, content_type: str) -> str:
    """Decode a body once: a BOM wins, then an allowed Content-Type charset, then the
    encoding an XML declaration names (``<?xml version="1.0" encoding="GBK"?>``), then
    UTF-8.

    Undecodable bytes become U+FFFD rather than an error.
    """
    # One test for all the BOMs first: most bodies have none, so no search for which.
    if body.startswith(_BOM_BYTES):
        # UTF-32-LE's BOM starts with UTF-16-LE's, so the longer ones are checked first.
        bom, codec = next(pair for pair in _BOMS if body.startswith(pair[0]))
        return body[len(bom) :].decode(codec, "replace")
    # The allowed codec the charset names, remembered for the usual Content-Type values.
    if type(content_type) is str:
        known = _TYPE_FACTS.get(content_type)
        declared = (known or _type_facts(content_type)).codec
    else:
        declared = _text_codec(_charset(content_type))
    if declared is None:
        declared = _xml_codec(body)
    return body.decode(declared or "utf-8", "replace")


_XML_ENCODING = re.compile(
    rb"\s*<\?xml\s[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._-]{1,40})[\"']"
)


def _xml_codec(body: bytes) -> str | None:
    """The allowed text codec an XML declaration at the start of ``body`` names, or None."""
    first = body[:1]
    if first != b"<" and not first.isspace():  # the declaration pattern cannot match
        return None
    found = _XML_ENCODING.match(body[:256])
    codec = _text_codec(found.group(1).decode("ascii")) if found else None
    # A declaration readable as ASCII is not in UTF-16 or UTF-32, whatever it claims.
    return None if codec is None or codec.startswith(("utf-16", "utf-32")) else codec


@lru_cache(maxsize=64)
def _text_codec(label: str | None) -> str | None:
    """The canonical name of the text codec ``label`` names, if it is an allowed one."""
    if label is None or not _CODEC_LABEL.fullmatch(label):
        return None
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError, TypeError):
        return None
    return name if name in TEXT_CODECS else None


def _json_body(text: str, content_type: str) -> ErrorBody | None:
    text = text.strip()
    bracketed = text.startswith(("{", "["))
    if not (bracketed or _media_of(content_type).endswith(_JSON_SUFFIXES)):
        return None
    try:
        if bracketed:
            # json.loads less the steps that cannot change the outcome here: no BOM comes
            # before "{" or "[", and a stripped text has no JSON whitespace at either end,
            # so the value must end where the text does ("Extra data" otherwise). The
            # scanner is what JSONDecoder.raw_decode calls, which turns its StopIteration
            # ("Expecting value") into a ValueError.
            doc, end = _JSON_SCAN(text, 0)
            if end != len(text):
                return None
        else:
            doc = json.loads(text)
    except (ValueError, StopIteration, RecursionError):
        return None
    if isinstance(doc, dict):
        return _known_shape_body(doc, content_type) or _dict_body(doc, content_type)
    if (
        isinstance(doc, list)
        and doc
        and isinstance(doc[0], dict)
        and isinstance(doc[0].get("error"), dict)
    ):
        return replace(_object_body(doc[0]), details=doc)
    message = _as_text(doc) if isinstance(doc, str) else None
    return _error_body(error_message=message, details=doc, format="json")


def _known_shape_body(doc: dict[str, object], content_type: str) -> ErrorBody | None:
    """What :func:`_dict_body` gives for the usual error objects, in a few steps; else None.

    Taken only when the members of ``doc``, or of ``doc["error"]`` when that is its only
    member and an object, are exactly one of the sets in :data:`_KNOWN_SHAPES`, their
    values are str (codes and request ids also int), and a code or a message is found.
    Each guard leaves out what could make the general path give something else:

    * no ``title``/``detail``/``type`` member and no ``problem`` in the Content-Type:
      not problem details, and no ``type`` is read as a code;
    * no ``error`` string, ``errors`` list, retry or ``parameters`` member: the layers
      are the inner object (if any) then ``doc``, with no OAuth code and no retry delay;
    * one member of each kind: the first one the general path looks for is that one;
    * a code or a message found: no fault wrappers are looked for; a message starting
      with ``{`` might be nested JSON, so it is left to the general path.
    """
    layer: dict[Any, object] = doc
    if len(doc) == 1 and type(doc.get("error")) is dict:
        layer = doc["error"]  # type: ignore[assignment]
    shape = _KNOWN_SHAPES.get(frozenset(layer))
    # Wider than _dict_body's test of the media type for application/problem+json; any
    # other type of content_type is left to _dict_body, to fail there as it always did.
    if shape is None or type(content_type) is not str or "problem" in content_type.lower():
        return None
    code_key, message_key, id_key = shape  # None for no such member: .get gives None
    raw, message, request_id = layer.get(code_key), layer.get(message_key), layer.get(id_key)
    code: str | None = None
    if type(raw) is str:
        code = raw.strip() or None
    elif type(raw) is int:  # not bool, which is never a code
        code = str(raw)
        status = layer.get("status")
        # Google pairs the HTTP status number with the meaningful name (as _pick_code).
        if code_key == "code" and type(status) is str and status.strip():
            code, raw = status.strip(), status
    elif raw is not None:
        return None
    if type(message) is str:
        message = message.strip() or None
    elif message is not None:
        return None
    if type(request_id) is str:
        request_id = request_id.strip() or None
    elif type(request_id) is int:
        request_id = str(request_id)
    elif request_id is not None:
        return None
    if message is None:
        if code is None:
            return None
    elif message[0] == "{":
        return None
    return _error_body(
        error_code=code,
        error_message=message,
        request_id=request_id,
        details=doc,
        raw_code=raw if code is not None else None,
        format="json",
    )


def _dict_body(doc: dict[str, object], content_type: str) -> ErrorBody:
    if _media_of(content_type) == "application/problem+json" or _is_problem(doc):
        return _problem_body(doc)
    return _object_body(doc)


def _xml_body(text: str, content_type: str) -> ErrorBody | None:
    text = text.lstrip()
    if not text.startswith("<") or "html" in _media_of(content_type) or _looks_html(text):
        return None
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        return _text_body(text, content_type)
    # The text is already decoded, so a declared encoding would only mislead expat.
    declaration = _XML_DECLARATION.match(text)
    if declaration is not None:
        text = text[declaration.end() :]
    try:
        parser = ET.XMLParser()
        parser.feed(text)
        root = parser.close()
    except Exception:  # ParseError, and anything else expat may throw at garbage
        return None
    element = next((e for e in root.iter() if _local_name(e.tag).lower() == "error"), root)
    children: dict[str, str] = {}
    for child in element:
        children.setdefault(_local_name(child.tag), "".join(child.itertext()).strip())
    folded = {name.lower(): value for name, value in reversed(children.items())}
    code = next((folded[k] for k in _XML_CODE_TAGS if folded.get(k)), None)
    message = next((folded[k] for k in _XML_MESSAGE_TAGS if folded.get(k)), None)
    if message is None and code is None and len(element) == 0:
        message = (element.text or "").strip() or None
    request_id = next(
        (
            value
            for e in root.iter()
            if _local_name(e.tag).lower() in _XML_REQUEST_ID_TAGS
            and (value := "".join(e.itertext()).strip())
        ),
        None,
    )
    return _error_body(
        error_code=code,
        error_message=message,
        request_id=request_id,
        details=children,
        raw_code=code,
        format="xml",
    )


def _html_body(text: str, content_type: str) -> ErrorBody | None:
    if "html" not in _media_of(content_type) and not _looks_html(text):
        return None
    title, visible = _html_text(text)
    return _error_body(error_message=title or visible or None, format="html")


def _text_body(text: str, content_type: str) -> ErrorBody:
    text = text.strip()
    if not text:
        return _error_body(format="empty")
    return _error_body(error_message=text, format="text")


# parse_error_body hands these the text it decoded once instead of the bytes.
_TextReader = Callable[[str, str], "ErrorBody | None"]
_TEXT_READERS: tuple[tuple[BodyParser, _TextReader], ...] = (
    (parse_json, _json_body),
    (parse_xml, _xml_body),
    (parse_html, _html_body),
    (parse_text, _text_body),
)


def _as_code(value: object) -> str | None:
    if isinstance(value, bool):  # a bool is an int to Python, but never a code
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _as_text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):  # OData v3: "message": {"lang": "en-US", "value": "..."}
        return _as_text(value.get("value"))
    return None


def _first_text(layers: Sequence[_Layer], keys: Sequence[str]) -> str | None:
    for layer, _ in layers:
        for key in keys:
            value = layer.get(key)
            if value is None:  # absent (or null): no text, and no call to find that out
                continue
            text = _as_text(value)
            if text is not None:
                return text
    return None


def _pick_code(layers: Sequence[_Layer]) -> tuple[str | None, object]:
    for layer, typed in layers:
        for key in _CODE_KEYS:
            raw = layer.get(key)
            code = None if raw is None else _as_code(raw)
            if code is None:
                continue
            status = layer.get("status")
            # Google pairs the HTTP status number with the meaningful name.
            if (
                key == "code"
                and isinstance(raw, int)
                and isinstance(status, str)
                and status.strip()
            ):
                return status.strip(), status
            return code, raw
        kind = layer.get("type") if typed else None
        if isinstance(kind, str) and _TOKEN.fullmatch(kind.strip()):
            return kind.strip(), kind
    return None, None


def _request_id(layers: Sequence[_Layer]) -> str | None:
    for layer, _ in layers:
        if layer.keys().isdisjoint(_REQUEST_ID_KEY_SET):  # most bodies carry no request id
            continue
        for key in _REQUEST_ID_KEYS:
            found = _as_code(layer.get(key))
            if found is not None:
                return found
    return None


def _is_problem(doc: dict[str, object]) -> bool:
    if not ("title" in doc or "detail" in doc) or not ("type" in doc or "status" in doc):
        return False
    return all(
        isinstance(doc[name], kind) and not isinstance(doc[name], bool)
        for name, kind in _PROBLEM_TYPES.items()
        if name in doc
    )


def _problem_body(doc: dict[str, object]) -> ErrorBody:
    layers: tuple[_Layer, ...] = ((doc, False),)
    code, raw = _pick_code(layers)
    problem_type = _as_text(doc.get("type"))
    if code is None and problem_type is not None and problem_type != "about:blank":
        code, raw = problem_type, doc["type"]
    return _error_body(
        error_code=code,
        error_message=_first_text(layers, _PROBLEM_MESSAGE_KEYS),
        request_id=_request_id(layers),
        details=doc,
        raw_code=raw,
        format="problem+json",
        retry_delay=_retry_delay(layers),
    )


def _layers(doc: dict[str, object]) -> list[_Layer]:
    """The objects of ``doc`` that may describe the error, most specific first."""
    layers: list[_Layer] = []
    inner = doc.get("error")
    if isinstance(inner, dict):
        layers.append((inner, True))
    layers.append((doc, False))
    errors = doc.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first: dict[str, object] = errors[0]
        layers.append((first, True))
        extensions = first.get("extensions")
        if isinstance(extensions, dict):  # GraphQL: {"extensions": {"code": ...}}
            layers.append((extensions, True))
    return layers


def _describe(layers: Sequence[_Layer]) -> tuple[str | None, object, str | None]:
    code, raw = _pick_code(layers)
    return code, raw, _first_text(layers, _ALL_MESSAGE_KEYS)


def _object_body(doc: dict[str, object], *, nested: bool = False) -> ErrorBody:
    layers = _layers(doc)
    code, raw, message = _describe(layers)
    if message is not None and not nested and message.startswith("{") and message.endswith("}"):
        inner = _decoded_object(message)
        if inner is not None:  # Ironic once sent its WSME fault as a JSON string
            again = _object_body(inner, nested=True)
            if again.error_message is not None:
                message = again.error_message
            if code is None and again.error_code is not None:
                code, raw = again.error_code, again.raw_code
    if code is None and message is None:
        wrappers = _fault_wrappers(doc, nested=nested)
        if len(wrappers) == 1:
            layers = [(wrappers[0], True), *layers]
            code, raw, message = _describe(layers)
        elif wrappers:
            found = [_describe([(wrapper, True)]) for wrapper in wrappers]
            message = "\n".join(text for _, _, text in found if text is not None) or None
            codes = {each for each, _, _ in found}
            if len(codes) == 1:
                code, raw = found[0][0], found[0][1]
            layers = [*((wrapper, True) for wrapper in wrappers), *layers]
    oauth = _as_text(doc.get("error")) if isinstance(doc.get("error"), str) else None
    if oauth is not None:
        if _TOKEN.fullmatch(oauth):
            if code is None:
                code, raw = oauth, doc.get("error")
        elif message is None:
            message = oauth
    if message is None:
        message = _first_text(layers, ("encoded_authorization_message",))
    return _error_body(
        error_code=code,
        error_message=message,
        request_id=_request_id(layers),
        details=doc,
        raw_code=raw,
        format="json",
        retry_delay=_retry_delay(layers),
    )


def _is_fault(value: object) -> bool:
    return isinstance(value, dict) and any(key in value for key in _FAULT_KEYS)


def _decoded_object(text: str) -> dict[str, object] | None:
    """``text`` as a JSON object, or None; long strings are not tried."""
    if len(text) > _MAX_NESTED_JSON_CHARS or not text.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _fault_wrappers(doc: dict[str, object], *, nested: bool) -> list[dict[str, object]]:
    """The objects with error keys at the shallowest depth where there are any."""
    level: list[dict[str, object]] = [doc]
    visited = 0
    for depth in range(_MAX_WRAPPER_DEPTH):
        found: list[dict[str, object]] = []
        below: list[dict[str, object]] = []
        for parent in level:
            for value in parent.values():
                visited += 1
                if visited > _MAX_WRAPPER_VISITS:
                    return found
                if isinstance(value, str) and depth == 0 and not nested:
                    decoded = _decoded_object(value)
                    if decoded is not None and _is_fault(decoded):
                        found.append(decoded)
                elif isinstance(value, dict):
                    (found if _is_fault(value) else below).append(value)
        if found:
            return found
        level = below
    return []


def _retry_delay(layers: Sequence[_Layer]) -> float | None:
    """The wait a body asks for, in seconds (see :func:`parse_json`), or None."""
    for layer, _ in layers:
        if not layer.keys().isdisjoint(_RETRY_MEMBERS):
            break
    else:  # no layer has any member read below (most bodies): no delay to find
        return None
    for layer, _ in layers:
        details = layer.get("details")
        if isinstance(details, list):
            for entry in details[:_MAX_DETAILS_SCANNED]:
                if (
                    isinstance(entry, dict)
                    and isinstance(entry.get("@type"), str)
                    and str(entry["@type"]).endswith(_RETRY_INFO_TYPE)
                ):
                    delay = _duration(entry.get("retryDelay"))
                    if delay is not None:
                        return delay
    for layer, _ in layers:
        for holder in (layer, layer.get("parameters")):
            if not isinstance(holder, dict):
                continue
            for key in _RETRY_KEYS:
                delay = _seconds(holder.get(key))
                if delay is not None:
                    return delay
    return None


def _seconds(value: object) -> float | None:
    """A JSON number, or a decimal string, of seconds within the allowed range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        value = float(text) if _DECIMAL.fullmatch(text) else None
    if isinstance(value, (int, float)) and math.isfinite(value) and 0 <= value <= MAX_RETRY_AFTER:
        return float(value)
    return None


def _duration(value: object) -> float | None:
    """A protobuf ``Duration`` in its JSON forms: ``"53s"``, ``"1.5s"``, or an object."""
    if isinstance(value, str):
        match = _DURATION.fullmatch(value.strip())
        return _seconds(match.group(1)) if match else None
    if not isinstance(value, dict):
        return None
    seconds = value.get("seconds", 0)
    nanos = value.get("nanos", 0)
    if isinstance(seconds, str) and _INTEGER.fullmatch(seconds.strip()):
        seconds = int(seconds)  # proto3 JSON writes int64 as a string
    if (
        isinstance(seconds, bool)
        or isinstance(nanos, bool)
        or not isinstance(seconds, int)
        or not isinstance(nanos, int)
        or not 0 <= nanos < 1_000_000_000
    ):
        return None
    return _seconds(seconds + nanos / 1e9) if 0 <= seconds <= MAX_RETRY_AFTER else None


def _local_name(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def _looks_html(text: str) -> bool:
    head = text[:1024].lower()
    return any(marker in head for marker in _HTML_MARKERS)


def _html_text(text: str) -> tuple[str, str]:
    """Return the collapsed title and visible text of the start of an HTML document.

    Every search starts where the previous one ended, and a failed search ends the
    scan, so the work is linear in the length of the text.
    """
    title: list[str] = []
    visible: list[str] = []
    text = text[:_HTML_SCAN_CHARS]
    pos, end = 0, len(text)
    while pos < end:
        markup = _HTML_MARKUP.search(text, pos)
        if markup is None:
            visible.append(text[pos:])
            break
        start = markup.start()
        visible.append(text[pos:start])
        visible.append(" ")  # tags separate words: "<h1>502</h1><hr>nginx"
        if text.startswith("<!--", start):
            close = text.find("-->", start + 4)
            if close < 0:
                break  # everything after an unclosed comment is comment
            pos = close + 3
            continue
        close = text.find(">", start + 1)
        if close < 0:
            break
        pos = close + 1
        tag = _HTML_TAG.match(text, start)
        raw_text = _HTML_RAW_TEXT.get(tag.group(1).lower()) if tag else None
        if raw_text is not None:
            found = raw_text.search(text, pos)
            stop = end if found is None else found.start()
            if raw_text is _HTML_RAW_TEXT["title"]:
                title.append(text[pos:stop])
            after = -1 if found is None else text.find(">", found.end())
            pos = end if after < 0 else after + 1
    return _collapse(unescape("".join(title))), _collapse(unescape("".join(visible)))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def header_map(headers: Mapping[str, str]) -> dict[str, str]:
    """Lowercased name to stripped value; the first non-empty value of a name wins.

    Built once per response by the hook and handed to the ``*_in`` functions, so the
    headers are scanned once however many facts are read from them. Never raises.
    """
    found: dict[str, str] = {}
    try:
        store = getattr(headers, "_store", None)
    except Exception:  # an object whose attribute lookup raises: the careful walk decides
        store = None
    if isinstance(store, dict):  # an OrderedDict in requests
        # requests' CaseInsensitiveDict keeps {lowercased name: (name, value)}: one pass,
        # names already unique and lowercased (the common case, on every error).
        for key, pair in store.items():
            value = pair[1] if type(pair) is tuple and len(pair) == 2 else None
            if type(value) is str and type(key) is str and key == key.strip():
                text = value.strip()
                if text:
                    found[key] = text
                continue
            break  # anything unusual: the careful walk below
        else:
            return found
        found = {}
    try:
        # requests' CaseInsensitiveDict hands out lowercased names without copying.
        lower_items = getattr(headers, "lower_items", None)
        items = list(lower_items() if callable(lower_items) else headers.items())
    except Exception:  # not a mapping at all: treat as no headers
        return found
    for name, value in items:
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if not isinstance(name, str) or not isinstance(value, str):
            continue
        key, text = name.strip().lower(), value.strip()
        if text and key not in found:
            found[key] = text
    return found


def _first(*values: _T | None) -> _T | None:
    return next((value for value in values if value is not None), None)


def _number(text: str | None) -> float | None:
    """A non-negative decimal number leading a header value, or None."""
    if text is None:
        return None
    value = _LEADING_TOKEN.split(text[:_MAX_HEADER_CHARS], maxsplit=1)[0].strip()
    return float(value) if _DECIMAL.fullmatch(value) else None


def _count(text: str | None) -> int | None:
    value = _number(text)
    return int(value) if value is not None and value.is_integer() else None


def _reset(text: str | None, base: float) -> float | None:
    value = _number(text)
    if value is None or value <= _EPOCH_THRESHOLD:
        return value
    seconds = value - base
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _split_unquoted(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside double-quoted strings (with backslash escapes)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def _sf_list(text: str | None) -> list[tuple[str, dict[str, str]]]:
    """Read a structured-field list leniently: ``item;key=value, item;key=value``."""
    items: list[tuple[str, dict[str, str]]] = []
    if not text:
        return items
    for member in _split_unquoted(text[:_MAX_HEADER_CHARS], ","):
        bare, *params = _split_unquoted(member, ";")
        parsed: dict[str, str] = {}
        for param in params:
            key, _, value = param.partition("=")
            parsed.setdefault(key.strip().lower(), _unquote(value))
        items.append((_unquote(bare), parsed))
    return items


def _structured_rate_limit(
    ratelimit: str | None, policy: str | None
) -> tuple[int | None, int | None, str | None]:
    """Limit, remaining and raw reset text from ``RateLimit`` and ``RateLimit-Policy``."""
    items = _sf_list(ratelimit)
    # Older drafts put "limit=10, remaining=5, reset=30" in one RateLimit header.
    members = {
        key.strip().lower(): value.strip()
        for key, sep, value in (bare.partition("=") for bare, _ in items)
        if sep
    }
    named = [(name, params) for name, params in items if "=" not in name]
    name, params = named[0] if named else (None, {})
    policies = _sf_list(policy)
    quota = next((p for n, p in policies if n == name), policies[0][1] if policies else {})
    return (
        _first(_count(members.get("limit")), _count(quota.get("q"))),
        _first(_count(members.get("remaining")), _count(params.get("r"))),
        members.get("reset") or params.get("t"),
    )


def _apig_rate_limit(found: Mapping[str, str]) -> tuple[int | None, int | None, str | None]:
    """Limit, remaining and raw text of the tightest Huawei ``X-Apig-RateLimit-*`` header."""
    best: tuple[int | None, int | None, str | None] = (None, None, None)
    for name in _APIG_HEADERS:
        raw = found.get(name)
        if raw is None:
            continue
        fields: dict[str, str] = {}
        for pair in raw[:_MAX_HEADER_CHARS].split(","):
            key, _, value = pair.partition(":")
            fields.setdefault(key.strip().lower(), value)
        limit, remaining = _count(fields.get("limit")), _count(fields.get("remain"))
        if best[2] is None or (remaining is not None and (best[1] is None or remaining < best[1])):
            best = (limit, remaining, raw)
    return best
