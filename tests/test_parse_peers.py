"""Body shapes, retry hints and charsets that peer libraries understand, parsed by cloudstatus.

The bodies come from what google-api-core, keystoneauth1, openstacksdk and
huaweicloudsdkcore read (and their tests), written out here in our own words.
"""

from __future__ import annotations

import codecs
import json

import pytest
from urllib3 import HTTPHeaderDict

from cloudstatus import _parse
from cloudstatus._parse import (
    MAX_RETRY_AFTER,
    TEXT_CODECS,
    ErrorBody,
    parse_error_body,
    parse_json,
    parse_retry_after,
    parse_text,
)

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z
RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
WSME = {"faultcode": "Client", "faultstring": "Node 5c9b could not be found.", "debuginfo": None}


def _json(doc: object) -> bytes:
    return json.dumps(doc).encode()


def _fields(parsed: ErrorBody) -> tuple[object, ...]:
    return (parsed.error_code, parsed.error_message, parsed.request_id, parsed.retry_delay)


# --- body shapes -------------------------------------------------------------------

SHAPES = [
    pytest.param(WSME, (None, "Node 5c9b could not be found.", None, None), id="wsme-root"),
    pytest.param(
        {"error_message": WSME},
        (None, "Node 5c9b could not be found.", None, None),
        id="ironic-fault-object",
    ),
    pytest.param(
        {"error_message": json.dumps(WSME)},
        (None, "Node 5c9b could not be found.", None, None),
        id="ironic-fault-encoded-twice",
    ),
    pytest.param(
        {"error_message": json.dumps({"faultstring": "m", "code": "IRONIC.1"})},
        ("IRONIC.1", "m", None, None),
        id="encoded-twice-code-used-when-missing",
    ),
    pytest.param(
        {"error_message": '{"not": "a fault"}'},
        (None, '{"not": "a fault"}', None, None),
        id="json-looking-message-without-fault-kept",
    ),
    pytest.param(
        {"error_message": "{not json}"},
        (None, "{not json}", None, None),
        id="brace-message-not-json-kept",
    ),
    pytest.param(
        {
            "errors": [
                {
                    "status": 409,
                    "code": "placement.concurrent_update",
                    "title": "Conflict",
                    "detail": "generation conflict",
                    "request_id": "req-1",
                }
            ]
        },
        ("placement.concurrent_update", "generation conflict", "req-1", None),
        id="api-sig",
    ),
    pytest.param(
        {
            "errors": [
                {"request_id": "r-a", "code": "phoney.error", "status": 500, "title": "first"},
                {"request_id": "r-b", "code": "other.error", "status": 500, "title": "second"},
            ]
        },
        ("phoney.error", "first", "r-a", None),
        id="api-sig-several-first-reported",
    ),
    pytest.param(
        {"errors": [{"status": 409, "title": "Conflict"}]},
        (None, "Conflict", None, None),
        id="api-sig-title-only",
    ),
    pytest.param({"errors": []}, (None, None, None, None), id="api-sig-empty"),
    pytest.param(
        {"errors": ["name is required", "age is required"]},
        (None, None, None, None),
        id="errors-of-strings-not-a-layer",
    ),
    pytest.param(
        {
            "errors": [
                {
                    "id": "e-1",
                    "status": "422",
                    "code": "invalid",
                    "title": "Invalid Attribute",
                    "detail": "First name must contain at least two characters.",
                    "source": {"pointer": "/data/attributes/firstName"},
                }
            ]
        },
        ("invalid", "First name must contain at least two characters.", None, None),
        id="json-api",
    ),
    pytest.param(
        {"data": None, "errors": [{"message": "Not allowed", "extensions": {"code": "FORBIDDEN"}}]},
        ("FORBIDDEN", "Not allowed", None, None),
        id="graphql-extensions",
    ),
    pytest.param(
        {"message": "Validation Failed", "errors": [{"field": "title", "code": "missing_field"}]},
        ("missing_field", "Validation Failed", None, None),
        id="top-level-message-wins-errors-fill-code",
    ),
    pytest.param(
        {"error": {"code": 404, "title": "Not Found", "message": "Could not find project."}},
        ("404", "Could not find project.", None, None),
        id="keystone",
    ),
    pytest.param(
        {
            "NeutronError": {
                "message": "Network abc could not be found.",
                "type": "NetworkNotFound",
                "detail": "",
            }
        },
        ("NetworkNotFound", "Network abc could not be found.", None, None),
        id="neutron-type-is-code",
    ),
    pytest.param(
        {
            "explanation": "The resource could not be found.",
            "code": 404,
            "error": {
                "message": "The Stack (s1) could not be found.",
                "traceback": None,
                "type": "EntityNotFound",
            },
            "title": "Not Found",
        },
        ("EntityNotFound", "The Stack (s1) could not be found.", None, None),
        id="heat-inner-type-beats-outer-status",
    ),
    pytest.param(
        {"explanation": "The resource could not be found.", "code": "404 Not Found"},
        ("404 Not Found", "The resource could not be found.", None, None),
        id="webob-explanation",
    ),
    pytest.param(
        {"type": "error", "message": "x"},
        (None, "x", None, None),
        id="top-level-type-is-not-a-code",
    ),
    pytest.param(
        {"error": {"message": "m", "type": "not a token at all"}},
        (None, "m", None, None),
        id="sentence-type-is-not-a-code",
    ),
    pytest.param(
        {"computeFault": {"message": "Unexpected API Error.", "code": 500}},
        ("500", "Unexpected API Error.", None, None),
        id="nova-computeFault",
    ),
    pytest.param(
        {
            "overLimit": {
                "code": 413,
                "message": "This request was rate-limited.",
                "retryAfter": "2",
                "details": "Only 10 POST request(s) can be made every minute.",
            }
        },
        ("413", "This request was rate-limited.", None, 2.0),
        id="nova-overLimit-retryAfter",
    ),
    pytest.param(
        {"a": {"message": "one", "code": 7}, "b": {"message": "two", "code": 7}},
        ("7", "one\ntwo", None, None),
        id="wrappers-agreeing-code",
    ),
    pytest.param(
        {"a": {"message": "one", "code": 7}, "b": {"code": 8}},
        (None, "one", None, None),
        id="wrappers-disagreeing-code",
    ),
    pytest.param(
        {"odata.error": {"code": "", "message": {"lang": "en-US", "value": "Not found."}}},
        (None, "Not found.", None, None),
        id="odata-v3-wrapper",
    ),
    pytest.param(
        {"error_code": "DMS.00400001", "error_msg": "Invalid parameter.", "request_id": "r"},
        ("DMS.00400001", "Invalid parameter.", "r", None),
        id="huawei",
    ),
    pytest.param(
        {"errorCode": "MPC.10212", "errorMsg": "Operation failed."},
        ("MPC.10212", "Operation failed.", None, None),
        id="huawei-camel",
    ),
    pytest.param(
        {
            "error_code": "XXX.0001",
            "error_msg": "Some errors occurred.",
            "encoded_authorization_message": "Egpjbi1ub*****GoxMzgrcA==",
        },
        ("XXX.0001", "Some errors occurred.", None, None),
        id="huawei-sdk-flat",
    ),
    pytest.param(
        {
            "error": {
                "code": "XXX.0001",
                "message": "Some errors occurred.",
                "encoded_authorization_message": "Egpjbi1ub*****GoxMzgrcA==",
            }
        },
        ("XXX.0001", "Some errors occurred.", None, None),
        id="huawei-sdk-nested",
    ),
    pytest.param(
        {
            "error": {"code": "XXX.0001", "message": "Some errors occurred."},
            "error_code": "XXX.0001",
            "error_msg": "Some errors occurred.",
            "encoded_authorization_message": "Egpjbi1ub*****GoxMzgrcA==",
        },
        ("XXX.0001", "Some errors occurred.", None, None),
        id="huawei-sdk-both",
    ),
    pytest.param(
        {"encoded_authorization_message": "Egpjbi1ub*****GoxMzgrcA=="},
        (None, "Egpjbi1ub*****GoxMzgrcA==", None, None),
        id="huawei-encoded-authorization-only",
    ),
    pytest.param(
        {"result": {"data": {"error_code": "X.1", "error_msg": "deep", "request_id": "q"}}},
        ("X.1", "deep", "q", None),
        id="huawei-sdk-deeply-nested",
    ),
    pytest.param(
        {"a": {"b": {"c": {"d": {"e": {"message": "too deep"}}}}}},
        (None, None, None, None),
        id="nesting-beyond-four-levels-ignored",
    ),
    pytest.param(
        {"invalid_key": "invalid_value"},
        (None, None, None, None),
        id="huawei-sdk-unknown-object",
    ),
]


@pytest.mark.parametrize(("doc", "expected"), SHAPES)
def test_peer_body_shapes(doc: dict[str, object], expected: tuple[object, ...]) -> None:
    """Each body shape a peer library reads gives its code, message, request id and delay."""
    parsed = parse_error_body(_json(doc), "application/json")
    assert _fields(parsed) == expected
    assert parsed.details == doc
    assert parsed.format == "json"


def test_wsme_faultcode_is_not_the_error_code() -> None:
    """WSME's faultcode only names the side at fault, so it stays in details only."""
    parsed = parse_error_body(_json(WSME))
    assert parsed.error_code is None
    assert parsed.raw_code is None
    assert isinstance(parsed.details, dict)
    assert parsed.details["faultcode"] == "Client"


def test_api_sig_keeps_every_error_in_details() -> None:
    """All API-SIG errors stay in details though only the first is reported."""
    errors = [{"code": f"c.{i}", "title": f"t{i}"} for i in range(3)]
    parsed = parse_error_body(_json({"errors": errors}))
    assert parsed.details == {"errors": errors}
    assert parsed.error_code == "c.0"


def test_many_top_level_strings_are_not_all_decoded() -> None:
    """Wrapper search stops after a bounded number of members."""
    doc = {f"k{i}": json.dumps({"message": f"m{i}"}) for i in range(5000)}
    parsed = parse_error_body(_json(doc))
    assert parsed.error_message is not None
    assert parsed.error_message.count("\n") < 4096


GOOGLE_429 = {
    "error": {
        "code": 429,
        "message": "Quota exceeded for quota metric 'Requests'.",
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
            },
            {"@type": RETRY_INFO, "retryDelay": "53s"},
        ],
    }
}


def test_google_retry_info() -> None:
    """A Google 429 with RetryInfo gives its status as code and the delay in seconds."""
    parsed = parse_error_body(_json(GOOGLE_429), "application/json; charset=UTF-8")
    assert _fields(parsed) == (
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Requests'.",
        None,
        53.0,
    )


def test_google_list_wrapped() -> None:
    """Google's list-wrapped error is read through its first element; details keep the list."""
    parsed = parse_error_body(_json([GOOGLE_429]))
    assert _fields(parsed) == (
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Requests'.",
        None,
        53.0,
    )
    assert parsed.details == [GOOGLE_429]
    assert parsed.format == "json"


@pytest.mark.parametrize(
    "doc",
    [[], [1, 2], [{"error": "invalid_grant"}], [{"error_code": "X"}], [[{"error": {}}]]],
)
def test_other_arrays_have_no_code(doc: list[object]) -> None:
    """Arrays other than Google's wrapped error give details and nothing else."""
    parsed = parse_error_body(_json(doc))
    assert _fields(parsed) == (None, None, None, None)
    assert parsed.details == doc


@pytest.mark.parametrize(
    ("delay", "expected"),
    [
        ("53s", 53.0),
        ("1.5s", 1.5),
        ("0s", 0.0),
        (" 2s ", 2.0),
        ("0.000000001s", 1e-9),
        ({"seconds": 53, "nanos": 0}, 53.0),
        ({"seconds": "53", "nanos": 500_000_000}, 53.5),
        ({"nanos": 250_000_000}, 0.25),
        ({"seconds": 7}, 7.0),
        ({}, 0.0),
        (f"{int(MAX_RETRY_AFTER)}s", MAX_RETRY_AFTER),
    ],
)
def test_retry_info_delay_forms(delay: object, expected: float) -> None:
    """RetryInfo's retryDelay is read as a duration string or a seconds/nanos object."""
    doc = {"error": {"code": 503, "details": [{"@type": RETRY_INFO, "retryDelay": delay}]}}
    assert parse_error_body(_json(doc)).retry_delay == pytest.approx(expected)


@pytest.mark.parametrize(
    "delay",
    [
        "53",
        "-1s",
        "1e3s",
        "s",
        "",
        "1.s",
        "53ms",
        "1.0000000001s",
        "٣s",
        f"{int(MAX_RETRY_AFTER) + 1}s",
        53,
        None,
        True,
        [],
        {"seconds": -1},
        {"seconds": True},
        {"seconds": 1, "nanos": 1_000_000_000},
        {"seconds": 1, "nanos": -1},
        {"seconds": 1, "nanos": False},
        {"seconds": "x"},
        {"seconds": 1.5},
        {"seconds": 10**15},
        {"seconds": "9" * 40},
    ],
)
def test_retry_info_garbage(delay: object) -> None:
    """A malformed, negative or absurd retryDelay gives no delay and no error."""
    doc = {"error": {"code": 429, "details": [{"@type": RETRY_INFO, "retryDelay": delay}]}}
    parsed = parse_error_body(_json(doc))
    assert parsed.retry_delay is None
    assert parsed.format == "json"


@pytest.mark.parametrize(
    "details",
    [
        [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "retryDelay": "5s"}],
        [{"@type": "google.rpc.RetryInfo", "retryDelay": "5s"}],
        [{"retryDelay": "5s"}],
        [{"@type": 5, "retryDelay": "5s"}],
        ["type.googleapis.com/google.rpc.RetryInfo"],
        "5s",
        {"@type": RETRY_INFO, "retryDelay": "5s"},
    ],
)
def test_retry_delay_only_from_retry_info_entries(details: object) -> None:
    """Only an entry typed google.rpc.RetryInfo in a details list gives a delay."""
    doc = {"error": {"code": 429, "details": details}}
    assert parse_error_body(_json(doc)).retry_delay is None


def test_first_valid_retry_info_wins() -> None:
    """A broken RetryInfo entry is skipped for a later valid one."""
    details = [
        {"@type": RETRY_INFO, "retryDelay": "soon"},
        {"@type": RETRY_INFO, "retryDelay": "4s"},
        {"@type": RETRY_INFO, "retryDelay": "9s"},
    ]
    doc = {"error": {"code": 429, "details": details}}
    assert parse_error_body(_json(doc)).retry_delay == 4.0


def test_retry_info_beats_retry_after_members() -> None:
    """RetryInfo is preferred to a retryAfter member of the same body."""
    doc = {"error": {"retryAfter": 9, "details": [{"@type": RETRY_INFO, "retryDelay": "3s"}]}}
    assert parse_error_body(_json(doc)).retry_delay == 3.0


def test_retry_info_in_top_level_status() -> None:
    """A bare google.rpc.Status body (no error wrapper) is read too."""
    doc = {"code": 8, "message": "busy", "details": [{"@type": RETRY_INFO, "retryDelay": "2s"}]}
    assert parse_error_body(_json(doc)).retry_delay == 2.0


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"message": "slow down", "retry_after": 64.57}, 64.57),
        ({"ok": False, "error_code": 429, "parameters": {"retry_after": 35}}, 35.0),
        ({"error": {"message": "m", "retryAfterSeconds": "12"}}, 12.0),
        ({"errors": [{"title": "t", "retry_after_seconds": 0}]}, 0.0),
        ({"message": "m", "retryAfter": "2026-01-01T00:00:00Z"}, None),
        ({"message": "m", "retryAfter": -3}, None),
        ({"message": "m", "retryAfter": True}, None),
        ({"message": "m", "retryAfter": MAX_RETRY_AFTER + 1}, None),
        ({"message": "m", "retryAfter": [5]}, None),
        ({"message": "m", "parameters": "retry_after=5"}, None),
    ],
)
def test_retry_after_members(doc: dict[str, object], expected: float | None) -> None:
    """Seconds in retryAfter-style members give the delay; dates and garbage give None."""
    assert parse_error_body(_json(doc)).retry_delay == expected


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_retry_after_non_finite(value: str) -> None:
    """Non-finite numbers Python's JSON accepts never become a delay."""
    body = b'{"message": "m", "retry_after": ' + value.encode() + b"}"
    assert parse_error_body(body).retry_delay is None


def test_problem_details_retry_after_sec() -> None:
    """A problem+json body's retryAfterSec extension gives the delay."""
    doc = {"type": "urn:problem-type:tooManyRequests", "status": 429, "retryAfterSec": 30}
    parsed = parse_error_body(_json(doc), "application/problem+json")
    assert (parsed.format, parsed.retry_delay) == ("problem+json", 30.0)


def test_retry_delay_field_is_last_and_optional() -> None:
    """retry_delay is the last ErrorBody field, so positional construction still works."""
    body = ErrorBody("C", "m", "r", {}, "C", "json")
    assert body.retry_delay is None
    assert list(ErrorBody.__dataclass_fields__)[-1] == "retry_delay"


# --- Retry-After, repeated or folded -----------------------------------------------

DATE = "Tue, 14 Nov 2023 22:14:20 GMT"  # NOW + 60 s
LATER = "Tue, 14 Nov 2023 22:15:20 GMT"  # NOW + 120 s


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1, 1", 1.0),
        ("1,1", 1.0),
        (" 1 ,  1 ", 1.0),
        ("1, 5", 1.0),
        ("5, 1", 5.0),
        ("soon, 5", 5.0),
        ("1, soon", 1.0),
        (",, 3", 3.0),
        (f"{DATE}, {DATE}", 60.0),
        (f"{DATE}, {LATER}", 60.0),
        (f"{LATER},{DATE}", 120.0),
        (f"120, {DATE}", 120.0),
        (f"{DATE}, 5", 60.0),
        ("Tuesday, 14-Nov-23 22:14:20 GMT, Tuesday, 14-Nov-23 22:15:20 GMT", 60.0),
        ("Tue Nov 14 22:14:20 2023, 7", 60.0),
        ("-1, 4", 4.0),
        ("1" + ", 1" * 10_000, 1.0),
    ],
)
def test_retry_after_folded(value: str, expected: float) -> None:
    """A folded header gives its first member that is valid alone; a date's comma is kept."""
    assert parse_retry_after(value, now=NOW) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value",
    [", ", ",,,", "soon, later", "-1, -2", "1e3, nan", "x," * 100_000, "Tue, soon"],
)
def test_retry_after_folded_garbage(value: str) -> None:
    """A folded header with no valid member gives None."""
    assert parse_retry_after(value, now=NOW) is None


def test_retry_after_members_beyond_the_limit_are_not_read() -> None:
    """Only the first 64 members of a folded header are looked at."""
    assert parse_retry_after("x, " * 70 + "5", now=NOW) is None
    assert parse_retry_after("x, " * 60 + "5", now=NOW) == 5.0


def test_retry_after_as_urllib3_folds_it() -> None:
    """Two Retry-After lines folded by urllib3, as requests hands them over, give 1 second."""
    headers = HTTPHeaderDict()
    headers.add("Retry-After", "1")
    headers.add("Retry-After", "1")
    assert headers["Retry-After"] == "1, 1"
    assert parse_retry_after(headers["Retry-After"]) == 1.0


# --- decoding ----------------------------------------------------------------------

# ASCII text that the rejected codecs would turn into something else if they ran.
_TRICKY = b"QUJD 4142 xn--nxasmq6b \\u0041 =41 begin 644 x "
BODY_64K = (_TRICKY * (65536 // len(_TRICKY) + 1))[:65536]

REJECTED = [
    "punycode",
    "idna",
    "rot13",
    "rot_13",
    "zlib",
    "zip",
    "base64",
    "base_64",
    "uu",
    "bz2",
    "hex",
    "quopri",
    "utf-7",
    "UTF7",
    "undefined",
    "unicode_escape",
    "raw_unicode_escape",
    "mbcs",
    "hz",
    "no-such-codec",
    "utf-8 evil",
    "../../etc/passwd",
    "u" * 200,
    "",
]


@pytest.mark.parametrize("charset", REJECTED)
def test_rejected_charset_falls_back_to_utf8(charset: str) -> None:
    """A 64 KiB body declaring a codec outside the allow-list is read as UTF-8 text."""
    parsed = parse_error_body(BODY_64K, f"text/plain; charset={charset}")
    assert parsed.format == "text"
    assert parsed.error_message == BODY_64K.decode("utf-8").strip()


def test_slow_punycode_body_is_read_as_utf8() -> None:
    """A 64 KiB body that punycode decodes in quadratic time is read as UTF-8 instead."""
    body = b"x" * 32768 + b"-" + b"9" * 32767  # half a second of CPU through punycode
    parsed = parse_error_body(body, "text/plain; charset=punycode")
    assert parsed.error_message == body.decode()


@pytest.mark.parametrize("charset", REJECTED)
def test_rejected_charset_decoder_output(charset: str) -> None:
    """The decoder's own output for a rejected charset is exactly the UTF-8 reading."""
    assert _parse._text_codec(charset or None) is None
    assert _parse._decode(BODY_64K, f"text/plain; charset={charset}") == BODY_64K.decode()


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("utf-8", "Komponenttia ei löydy ✓"),
        ("UTF8", "Komponenttia ei löydy"),
        ('"utf-8"', "quoted label"),
        ("latin1", "Caf\u00e9"),
        ("ISO-8859-15", "20 \u20ac"),
        ("windows-1251", "Ошибка"),
        ("cp1252", "\u201cquoted\u201d"),
        ("koi8-r", "Ошибка"),
        ("koi8-u", "Помилка ґ"),
        ("gbk", "参数错误"),
        ("GB2312", "参数错误"),
        ("gb18030", "参数错误 𠀀"),
        ("big5", "參數錯誤"),
        ("shift_jis", "エラーです"),
        ("sjis", "エラーです"),
        ("cp932", "エラー①"),
        ("euc-jp", "エラーです"),
        ("iso-2022-jp", "エラーです"),
        ("euc-kr", "오류입니다"),
        ("cp949", "오류입니다"),
        ("utf-16-le", "wide text"),
        ("utf-16-be", "wide text"),
        ("utf-32-be", "wider text"),
        ("ascii", "plain"),
    ],
)
def test_allowed_charsets_decode(label: str, text: str) -> None:
    """Text codecs on the allow-list, under any alias, decode the body."""
    codec = label.strip('"')
    body = text.encode(codec)
    assert parse_error_body(body, f"text/plain; charset={label}").error_message == text


@pytest.mark.parametrize("name", sorted(TEXT_CODECS))
def test_text_codecs_are_canonical_names(name: str) -> None:
    """Every allowed codec exists under exactly the name codecs.lookup gives it."""
    assert codecs.lookup(name).name == name
    assert "error".encode(name).decode(name) == "error"


@pytest.mark.parametrize(
    ("body", "declared"),
    [
        ('{"error_msg": "x"}'.encode("utf-32"), "utf-8"),
        (codecs.BOM_UTF32_BE + '{"error_msg": "x"}'.encode("utf-32-be"), "utf-8"),
        ('{"error_msg": "x"}'.encode("utf-16"), "utf-8"),
        ('{"error_msg": "x"}'.encode("utf-8-sig"), "latin-1"),
        ('{"error_msg": "x"}'.encode("utf-16"), "punycode"),
    ],
)
def test_bom_wins(body: bytes, declared: str) -> None:
    """A UTF-32, UTF-16 or UTF-8 byte order mark decides the encoding."""
    parsed = parse_error_body(body, f"application/json; charset={declared}")
    assert parsed.error_message == "x"


def test_utf32_le_bom_is_not_read_as_utf16() -> None:
    """UTF-32-LE's BOM begins like UTF-16-LE's, and UTF-32 still wins."""
    body = "\ufeffok".encode("utf-32-le")
    assert body.startswith(codecs.BOM_UTF16_LE)
    assert parse_text(body).error_message == "ok"


def test_body_decoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """parse_error_body decodes the body once for all built-in parsers."""
    calls: list[int] = []
    real = _parse._decode

    def counting(body: bytes, content_type: str) -> str:
        calls.append(len(body))
        return real(body, content_type)

    monkeypatch.setattr(_parse, "_decode", counting)
    parsed = parse_error_body(b"plain words that no structured parser takes", "text/plain")
    assert parsed.format == "text"
    assert calls == [43]


def test_user_parser_still_gets_bytes() -> None:
    """A user parser receives the raw bytes and the lowercased content type."""
    seen: list[tuple[object, str]] = []

    def spy(body: bytes, content_type: str) -> ErrorBody | None:
        seen.append((body, content_type))
        return None

    parse_error_body(b"\xff", "Text/Plain; Charset=GBK", [spy])
    assert seen == [(b"\xff", "text/plain; charset=gbk")]


def test_public_parsers_accept_str_and_none() -> None:
    """The public parsers tolerate str and None bodies as parse_error_body does."""
    assert parse_json('{"error_code": "A"}', "").error_code == "A"  # type: ignore[arg-type,union-attr]
    assert parse_text(None).format == "empty"  # type: ignore[arg-type]
