"""Tests for the fast paths of cloudstatus._parse: each side of every shortcut gives the same."""

from __future__ import annotations

import codecs
import dataclasses
import inspect
import json
import pickle

import pytest
from requests.structures import CaseInsensitiveDict

from cloudstatus import _parse
from cloudstatus._parse import (
    MAX_RETRY_AFTER,
    ErrorBody,
    RateLimit,
    parse_error_body,
    parse_json,
    parse_retry_after,
    parse_text,
    parse_xml,
    rate_limit_in,
    request_id_in,
)

# --- the private ErrorBody constructor ----------------------------------------------


def test_fast_constructor_takes_exactly_the_fields() -> None:
    """_error_body has one keyword per ErrorBody field, with the same defaults."""
    params = inspect.signature(_parse._error_body).parameters
    fields = dataclasses.fields(ErrorBody)
    assert list(params) == [field.name for field in fields]
    assert [p.default for p in params.values()] == [field.default for field in fields]


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"format": "empty"},
        {
            "error_code": "A.1",
            "error_message": "m",
            "request_id": "r",
            "details": {"code": 1},
            "raw_code": 1,
            "format": "json",
            "retry_delay": 2.5,
        },
    ],
)
def test_fast_constructor_builds_the_same_object(values: dict[str, object]) -> None:
    """_error_body and ErrorBody make equal, equally hashed, printed and pickled objects."""
    fast, slow = _parse._error_body(**values), ErrorBody(**values)  # type: ignore[arg-type]
    assert type(fast) is ErrorBody
    assert fast == slow
    assert repr(fast) == repr(slow)
    assert list(vars(fast).items()) == list(vars(slow).items())
    assert pickle.dumps(fast) == pickle.dumps(slow)
    if not isinstance(values.get("details"), dict):
        assert hash(fast) == hash(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.error_code = "x"  # type: ignore[misc]


# --- which parsers run ----------------------------------------------------------------

JSON_BODY = b'{"error_code": "E.1", "error_msg": "m"}'


def test_empty_list_of_parsers_is_the_default_chain() -> None:
    """An empty list of extra parsers gives what the default empty tuple gives."""
    assert parse_error_body(JSON_BODY, "", []) == parse_error_body(JSON_BODY, "", ())


def test_built_in_parser_given_as_extra_reads_the_decoded_text() -> None:
    """A built-in parser passed as an extra one still runs first, on the decoded text."""
    body = "\ufeffplain".encode("utf-16-le")
    parsed = parse_error_body(JSON_BODY, "", (parse_text,))
    assert (parsed.format, parsed.error_message) == ("text", JSON_BODY.decode())
    assert parse_error_body(body, "", (parse_text,)).error_message == "plain"


def test_replaced_default_parsers_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """parse_error_body follows DEFAULT_PARSERS as it is at call time."""
    monkeypatch.setattr(_parse, "DEFAULT_PARSERS", (parse_text, parse_json))
    assert parse_error_body(JSON_BODY).format == "text"


# --- decoding -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (codecs.BOM_UTF8 + b'{"code": "A"}', "A"),
        (codecs.BOM_UTF16_LE + '{"code": "A"}'.encode("utf-16-le"), "A"),
        (codecs.BOM_UTF16_BE + '{"code": "A"}'.encode("utf-16-be"), "A"),
        (codecs.BOM_UTF32_LE + '{"code": "A"}'.encode("utf-32-le"), "A"),
        (codecs.BOM_UTF32_BE + '{"code": "A"}'.encode("utf-32-be"), "A"),
    ],
)
def test_each_bom_still_wins(body: bytes, expected: str) -> None:
    """A body opening with any BOM is decoded by it."""
    assert parse_error_body(body, "application/json; charset=latin-1").error_code == expected


@pytest.mark.parametrize("first", [b"\xef", b"\xfe", b"\xff", b"\x00", b"\xef\xbb"])
def test_bom_like_first_bytes_without_a_bom(first: bytes) -> None:
    """Bytes that only start a BOM are decoded by the declared charset, as before."""
    body = first + b"\xe9"
    assert parse_text(body, "text/plain; charset=latin-1").error_message == (
        body.decode("latin-1").strip() or None
    )


GBK_XML = b'<?xml version="1.0" encoding="GBK"?><Error><Message>\xd6\xd0</Message></Error>'


@pytest.mark.parametrize("lead", [b"", b" \n", b"\x0b", b"\t\r\x0c"])
def test_xml_declaration_after_nothing_or_whitespace(lead: bytes) -> None:
    """The encoding of an XML declaration at the start, after any whitespace, is used."""
    assert parse_xml(lead + GBK_XML, "application/xml").error_message == "\u4e2d"


def test_xml_declaration_after_other_text_is_ignored() -> None:
    """A declaration that does not open the body names no encoding: UTF-8 is used."""
    body = b'x<?xml version="1.0" encoding="GBK"?>\xd6\xd0'
    assert parse_text(body).error_message == body.decode("utf-8", "replace")


@pytest.mark.parametrize("padding", [0, 210, 211, 212, 1000])
def test_content_types_of_any_length(padding: int) -> None:
    """Short (remembered) and long (not remembered) Content-Types are read alike."""
    content_type = "application/problem+json; charset=latin-1; x=" + "y" * padding
    parsed = parse_error_body('{"title": "\u00e9"}'.encode("latin-1"), content_type)
    assert (parsed.format, parsed.error_message) == ("problem+json", "\u00e9")


def test_content_type_memo_stays_small_and_answers_like_a_fresh_reading() -> None:
    """Many distinct Content-Types never grow the memo past its size; long ones stay out;
    a remembered answer equals one worked out afresh."""
    values = [f"application/json; charset=utf-8; n={n}" for n in range(500)]
    long_value = "text/plain; x=" + "y" * _parse._MAX_CACHED_TYPE_CHARS
    for value in [*values, long_value]:
        facts = _parse._type_facts(value)
        assert len(_parse._TYPE_FACTS) <= _parse._TYPE_FACTS_SIZE
        fresh = (_parse._media_type(value), _parse._text_codec(_parse._charset(value)))
        assert tuple(facts) == tuple(_parse._type_facts(value)) == fresh
    assert long_value not in _parse._TYPE_FACTS
    assert values[-1] in _parse._TYPE_FACTS


def test_content_type_str_subclass() -> None:
    """A str subclass as Content-Type is read like the plain string."""

    class Text(str):
        pass

    body = '{"title": "\u00e9"}'.encode("latin-1")
    assert parse_json(body, Text("application/problem+json; charset=latin-1")) == parse_json(
        body, "application/problem+json; charset=latin-1"
    )


# --- JSON decoding ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ('{"code": "A"}', "json"),
        (' \t\r\n{"code": "A"}\n ', "json"),
        ('\u3000{"code": "A"}\x0c\u2028', "json"),
        ('[{"error": {"code": "A"}}]', "json"),
        ('{"code": "A"} x', "text"),
        ('{"code": "A"}}', "text"),
        ('{"code": "A"}{}', "text"),
        ('{"code": "A",}', "text"),
        ('{"code": "A"', "text"),
        ("[1, 2", "text"),
        ("{", "text"),
        ("{}", "json"),
        ("[]", "json"),
    ],
)
def test_bracketed_json_ends_where_the_text_ends(text: str, fmt: str) -> None:
    """A '{' or '[' body is JSON only when one value spans all of it, spaces aside."""
    assert parse_error_body(text.encode(), "").format == fmt


@pytest.mark.parametrize(
    ("text", "fmt", "details"),
    [
        ('"a sentence"', "json", "a sentence"),
        ("42", "json", 42),
        ("null", "json", None),
        ("\ufeff{}", "text", None),
        ("nope", "text", None),
        ('"a" "b"', "text", None),
    ],
)
def test_other_json_goes_through_json_loads(text: str, fmt: str, details: object) -> None:
    """Text not opening with '{' or '[' is JSON only under a JSON type, as json.loads says."""
    body = codecs.BOM_UTF8 + text.encode()  # the BOM of the bytes is dropped, not "\ufeff"
    parsed = parse_error_body(body, "application/json")
    assert (parsed.format, parsed.details) == (fmt, details)


def test_too_deep_json_is_not_json() -> None:
    """JSON nested beyond the recursion limit is not JSON, and no error escapes."""
    body = b"[" * 100_000 + b"]" * 100_000
    assert parse_error_body(body, "application/json").format == "text"


# --- the known-shape lane of JSON objects --------------------------------------------

HUAWEI = {"error_code": "DMS.00409001", "error_msg": "Instance name already exists."}
GOOGLE = {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}}


@pytest.mark.parametrize(
    "doc",
    [
        HUAWEI,
        {"errorCode": " APIGW.0101 ", "errorMsg": " gone ", "requestId": " r "},
        {"code": "A", "message": "m", "request_id": 7},
        {"error_code": 409, "error_message": "m", "status": "IGNORED"},
        {"message": "only a message"},
        {"code": "only a code", "request_id": ""},
        {"code": 0, "message": " ", "status": " "},
        {"code": " ", "errorMessage": "m", "status": "S"},
        {"error_code": "{", "error_msg": "m}"},
        GOOGLE,
        {"error": {"code": 404, "message": "m", "status": " "}},
        {"error": {"code": 429, "message": "m", "status": 429}},
        {"error": {"errorCode": "E", "errorMsg": "m", "requestId": "r"}},
    ],
)
def test_known_shapes_take_the_lane_and_match_the_general_path(doc: dict[str, object]) -> None:
    """The usual objects are read by the lane, to exactly what _dict_body makes of them."""
    fast = _parse._known_shape_body(doc, "application/json; charset=utf-8")
    slow = _parse._dict_body(doc, "application/json; charset=utf-8")
    assert fast is not None
    assert (fast, repr(fast), list(vars(fast))) == (slow, repr(slow), list(vars(slow)))
    assert fast.details is doc


@pytest.mark.parametrize(
    ("doc", "content_type"),
    [
        ({**HUAWEI, "title": "t"}, "application/json"),  # maybe problem details
        ({**HUAWEI, "msg": "second message"}, "application/json"),  # two message members
        ({**HUAWEI, "code": "second code"}, "application/json"),  # two code members
        ({**HUAWEI, "details": []}, "application/json"),  # retry member
        ({**HUAWEI, "error": "invalid_grant"}, "application/json"),  # OAuth error
        ({**HUAWEI, "x": 1}, "application/json"),  # unknown member
        ({"error": GOOGLE["error"], "request_id": "r"}, "application/json"),  # two layers
        ({"error": {**HUAWEI, "type": "T"}}, "application/json"),  # a typed layer's type
        ({"errors": [HUAWEI]}, "application/json"),
        (HUAWEI, "application/problem+json"),
        (HUAWEI, "Application/Problem+JSON; charset=utf-8"),
        ({"error_code": True, "error_msg": "m"}, "application/json"),  # bool code
        ({"error_code": 1.5, "error_msg": "m"}, "application/json"),
        ({"error_code": "A", "error_msg": {"value": "m"}}, "application/json"),  # OData
        ({"error_code": "A", "error_msg": 3}, "application/json"),
        ({"error_code": "A", "error_msg": "m", "request_id": False}, "application/json"),
        ({"error_code": " ", "error_msg": "\t"}, "application/json"),  # no code, no message
        ({"error_msg": None}, "application/json"),
        ({"error_msg": '{"faultstring": "inner"}'}, "application/json"),  # nested JSON
        ({"error_code": "A", "error_msg": " {x"}, "application/json"),
        ({}, "application/json"),
        ({"error": {}}, "application/json"),
    ],
)
def test_other_objects_fall_to_the_general_path(doc: dict[str, object], content_type: str) -> None:
    """Anything at or past a guard is left to _dict_body, whose answer stands."""
    assert _parse._known_shape_body(doc, content_type) is None
    body = json.dumps(doc).encode()
    parsed = parse_error_body(body, content_type)
    assert parsed == _parse._dict_body(doc, content_type.strip().lower())


def test_known_shape_with_a_content_type_of_another_type() -> None:
    """A content type that is not a str leaves the object to _dict_body, whatever it does."""
    assert _parse._known_shape_body(HUAWEI, None) is None  # type: ignore[arg-type]


def test_known_shapes_are_exact_member_sets() -> None:
    """Each shape has at most one member of each kind, and never one of the other keys."""
    others = {"title", "detail", "type", "error", "errors", *_parse._RETRY_MEMBERS}
    for members, (code_key, message_key, id_key) in _parse._KNOWN_SHAPES.items():
        assert not members & others
        assert members - {"status"} == {code_key, message_key, id_key} - {None}
        assert code_key is not None or message_key is not None


# --- request ids and retry delays in layers -----------------------------------------


@pytest.mark.parametrize(
    ("doc", "request_id", "delay"),
    [
        ({"code": "A"}, None, None),
        ({"error": {"code": "A"}, "request_id": "outer"}, "outer", None),
        ({"error": {"code": "A", "requestId": " "}, "RequestId": "outer"}, "outer", None),
        ({"error": {"code": "A", "request-id": "inner"}, "request_id": "outer"}, "inner", None),
        ({"code": "A", "details": "not a list"}, None, None),
        ({"code": "A", "parameters": {"retry_after": 3}}, None, 3.0),
        ({"error": {"code": "A", "parameters": []}, "retryAfter": "4"}, None, 4.0),
        ({"error": {"code": "A", "retryAfter": 1}, "retry_after": 2}, None, 1.0),
        (
            {
                "error": {"code": "A", "retryAfter": 1},
                "details": [{"@type": "x/google.rpc.RetryInfo", "retryDelay": "7s"}],
            },
            None,
            7.0,
        ),
    ],
)
def test_layers_without_the_members_are_skipped(
    doc: dict[str, object], request_id: str | None, delay: float | None
) -> None:
    """Request ids and delays come from the first layer holding them, as before."""
    parsed = parse_error_body(json.dumps(doc).encode(), "application/json")
    assert (parsed.request_id, parsed.retry_delay) == (request_id, delay)


# --- header facts -------------------------------------------------------------------


def test_request_id_in_returns_the_first_present_header() -> None:
    """The first of REQUEST_ID_HEADERS present wins, even when its value is None."""
    assert request_id_in({"x-ms-request-id": "b", "x-obs-request-id": "a"}) == "a"
    assert request_id_in({"x-request-id": None, "x-obs-request-id": "a"}) is None  # type: ignore[dict-item]
    assert request_id_in({}) is None
    assert request_id_in(CaseInsensitiveDict({"X-Amz-Request-Id": "c"})) == "c"


def test_rate_limit_in_plain_dict() -> None:
    """A plain dict without any rate-limit header gives None; with one, a RateLimit."""
    assert rate_limit_in({"content-type": "text/plain", "x-request-id": "r"}) is None
    assert rate_limit_in({}) is None
    assert rate_limit_in({"x-ratelimit-remaining": "3"}) == RateLimit(remaining=3)


def test_rate_limit_in_other_mappings() -> None:
    """A mapping other than a plain dict is asked with ``in``, name by name."""

    class Claims(dict[str, str]):
        def __contains__(self, name: object) -> bool:
            return name == "ratelimit-limit" or super().__contains__(name)

    assert rate_limit_in(CaseInsensitiveDict({"RateLimit-Limit": "5"})) == RateLimit(limit=5)
    assert rate_limit_in(CaseInsensitiveDict({"Server": "x"})) is None
    assert rate_limit_in(Claims()) == RateLimit()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        ("0", 0.0),
        ("05", 5.0),
        (str(int(MAX_RETRY_AFTER)), MAX_RETRY_AFTER),
        (str(int(MAX_RETRY_AFTER) + 1), None),
        ("9" * 15, None),
        ("0" * 14 + "7", 7.0),
        ("0" * 15 + "7", None),
        ("", None),
        (" 5", 5.0),
        ("5 ", 5.0),
        ("+5", None),
        ("5.5", 5.5),
        ("\u0663", None),
        ("\uff15", None),
        ("\u00b2", None),
        (b"5", 5.0),
    ],
)
def test_retry_after_plain_integers(value: str, expected: float | None) -> None:
    """ASCII digits take the short path, everything else the long one, with equal rules."""
    assert parse_retry_after(value) == expected


def test_retry_after_str_subclass() -> None:
    """A str subclass holding digits is read like the plain string."""

    class Text(str):
        pass

    assert parse_retry_after(Text("5")) == 5.0
