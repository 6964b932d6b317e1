"""The lazy core: every field the same whatever the read order, pickle, copy or thread.

An exception built by the hook keeps the facts of its response and computes its
fields on first read (issue 9). These tests build the same error twice from a few
hundred varied responses and read the copies in different orders, before and after a
pickle, a copy and a deep copy, and from several threads at once.
"""

from __future__ import annotations

import copy
import dataclasses
import html
import json
import pickle
import random
import sys
import threading
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
import requests
from requests.structures import CaseInsensitiveDict

import cloudstatus
from cloudstatus import _fields, _parse
from cloudstatus._core import error_from_facts
from cloudstatus._facts import Facts
from cloudstatus._options import HookOptions
from cloudstatus.services import dms

FIELDS = (
    "status_code",
    "reason",
    "service",
    "method",
    "url",
    "error_code",
    "error_message",
    "request_id",
    "details",
    "retry_after",
    "retryable",
    "advice",
    "retry_reason",
    "rate_limit",
    "error_info",
)
TOKEN = "tok-Zq81sEcret"
PASSWORD = "pw-Hunter2-9Z"

registry = cloudstatus.Registry("test_core")


class NameTaken(dms.ConflictError, error_code="DMS.00409001", registry=registry):
    """A registered DMS code (for the resolution branch that parses the body)."""


class TokenInvalid(cloudstatus.UnauthorizedError, error_code="APIGW.0301", registry=registry):
    """A code registered for every service."""


BODIES: list[tuple[str, bytes]] = [
    ("application/json", b'{"error_code": "DMS.00409001", "error_msg": "exists"}'),
    ("application/json", b'{"error_code": "APIGW.0301", "error_msg": "bad token"}'),
    ("application/json", b'{"errorCode": "APIGW.0308", "errorMsg": "slow down"}'),
    ("application/json", b'{"error": {"code": 404, "title": "Not Found", "message": "gone"}}'),
    (
        "application/json",
        json.dumps({"error_code": "E.1", "error_msg": f"token {TOKEN} rejected"}).encode(),
    ),
    ("application/json", json.dumps({"echo": {"auth": f"Bearer {TOKEN}"}}).encode()),
    ("application/problem+json", b'{"type": "about:blank", "title": "Oops", "detail": "d"}'),
    ("text/html", b"<html><title>502 Bad Gateway</title></html>"),
    ("text/plain", b"plain failure\x00\x1b[31m"),
    ("application/xml", b"<Error><Code>NoSuchKey</Code><Message>m</Message></Error>"),
    ("application/json", b'{"invalid json'),
    ("application/json; charset=latin-1", '{"error_msg": "café"}'.encode("latin-1")),
    ("", b""),
    ("application/json", b"[" * 600 + b"]" * 600),
]
HEADERS: list[dict[str, str]] = [
    {},
    {"X-Request-Id": "req-1", "Retry-After": "3"},
    {"Retry-After": "1, 1", "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"},
    {"X-Apig-RateLimit-Api": "remain:0,limit:10,time:1 minute", "Retry-After": "soon"},
    {"Set-Cookie": f"session={TOKEN}", "x-obs-request-id": "obs-9"},
]
STATUSES = [400, 401, 404, 409, 413, 420, 429, 500, 502, 503, 520]
SERVICES = [None, "dms", "mpc"]
METHODS = ["GET", "POST", "DELETE"]
URLS = [
    "https://dms.example.com/v2/instances",
    f"https://alice:{PASSWORD}@dms.example.com/v2/instances?token={TOKEN}",
]


def _cases(count: int = 300) -> list[dict[str, Any]]:
    rng = random.Random(9)
    return [
        {
            "status": rng.choice(STATUSES),
            "service": rng.choice(SERVICES),
            "method": rng.choice(METHODS),
            "url": rng.choice(URLS),
            "body": rng.choice(BODIES),
            "headers": rng.choice(HEADERS),
            "auth": rng.random() < 0.5,
            "registry": rng.random() < 0.5,
            "overrides": rng.choice([None, {503: True}, {"APIGW.0308": False, 429: True}]),
        }
        for _ in range(count)
    ]


_FIXED = {
    "method": "POST",
    "url": URLS[1],
    "headers": HEADERS[1],
    "auth": True,
    "registry": True,
    "overrides": None,
}
CASES = [
    *_cases(),
    {**_FIXED, "status": 409, "service": "dms", "body": BODIES[0]},
    {**_FIXED, "status": 401, "service": "dms", "body": BODIES[1]},
    {**_FIXED, "status": 401, "service": None, "body": BODIES[1]},
    {**_FIXED, "status": 409, "service": "mpc", "body": BODIES[-1]},
]


def _response(case: dict[str, Any]) -> requests.Response:
    ctype, body = case["body"]
    request = requests.Request(case["method"], case["url"])
    if case["auth"]:
        request.headers["Authorization"] = f"Bearer {TOKEN}"
    response = requests.Response()
    response.status_code = case["status"]
    response.reason = "Whatever"
    response.headers = CaseInsensitiveDict({**case["headers"], "Content-Type": ctype})
    response._content = body
    response.url = case["url"]
    response.request = request.prepare()
    return response


def _error(case: dict[str, Any]) -> cloudstatus.CloudStatusError:
    options: dict[str, Any] = {}
    if case["registry"]:
        options["registry"] = registry
    if case["overrides"] is not None:
        options["retry_overrides"] = case["overrides"]
    e = cloudstatus.error_from_response(_response(case), service=case["service"], **options)
    assert e is not None
    return e


def _values(e: cloudstatus.CloudStatusError, order: list[str]) -> dict[str, Any]:
    values = {name: getattr(e, name) for name in order}
    values["str"] = str(e)
    values["repr"] = repr(e)
    values["to_dict"] = json.dumps(e.to_dict(), sort_keys=True)
    return values


@pytest.mark.parametrize("index", range(len(CASES)))
def test_read_order_pickle_and_copies_agree(index: int) -> None:
    """Forward, reversed and shuffled reads, a pickle, a copy and a deep copy give one value."""
    case = CASES[index]
    forward = _values(_error(case), list(FIELDS))
    backward = _values(_error(case), list(reversed(FIELDS)))
    shuffled = list(FIELDS)
    random.Random(index).shuffle(shuffled)
    fresh = _error(case)
    pickled_unread = pickle.loads(pickle.dumps(fresh))
    read_then_pickled = _error(case)
    _values(read_then_pickled, shuffled)
    expected = forward
    assert backward == expected
    assert _values(pickled_unread, shuffled) == expected
    assert _values(pickle.loads(pickle.dumps(read_then_pickled)), list(FIELDS)) == expected
    assert _values(copy.copy(_error(case)), list(FIELDS)) == expected
    assert _values(copy.deepcopy(_error(case)), list(FIELDS)) == expected
    assert type(pickled_unread) is type(fresh)


@pytest.mark.parametrize("index", range(0, len(CASES), 7))
def test_no_credential_in_any_rendering(index: int) -> None:
    """The token and password the request carried appear in no field, record or pickle."""
    case = {**CASES[index], "auth": True}
    e = _error(case)
    rendered = [
        repr(_values(e, list(FIELDS))),
        pickle.dumps(e).decode("latin-1"),
        repr(vars(e)),
    ]
    for text in rendered:
        assert TOKEN not in text
        if case["url"] == URLS[1]:
            assert PASSWORD not in text


def test_cases_cover_the_branches() -> None:
    """The generated cases include registered classes, shared classes, secrets and 600-deep JSON."""
    kinds = {type(_error(case)).__name__ for case in CASES}
    assert {"NameTaken", "TokenInvalid"} <= kinds
    assert any(case["auth"] and case["url"] == URLS[1] for case in CASES)
    assert any(case["body"] == BODIES[-1] for case in CASES)


def _deep_error(depth: int) -> cloudstatus.CloudStatusError:
    body = ('{"a": ' * depth + "1" + "}" * depth).encode()
    return error_from_facts(
        Facts(status_code=409, headers={"Content-Type": "application/json"}, body=body)
    )


@pytest.mark.parametrize("depth", [600, 900])
def test_deeply_nested_json_pickles_and_copies(depth: int) -> None:
    """A valid JSON body nested hundreds of levels deep pickles, copies and deep-copies."""
    e = _deep_error(depth)
    assert isinstance(e.details, dict)
    for clone in (pickle.loads(pickle.dumps(e)), copy.copy(e), copy.deepcopy(e)):
        assert type(clone) is type(e)
        assert str(clone) == str(e)
        assert clone.details == e.details
    assert e.to_dict()["details"] is None  # too deep for a log record
    json.dumps(e.to_dict())


@pytest.mark.parametrize("below_limit", [60, 20, 5, 0, -20])
def test_json_nested_near_the_recursion_limit_never_escapes(below_limit: int) -> None:
    """JSON nested right up to (and past) the recursion limit maps, masks and pickles."""
    depth = sys.getrecursionlimit() - below_limit
    body = ('{"a": ' * depth + f'"{TOKEN}"' + "}" * depth).encode()
    e = error_from_facts(
        Facts(
            status_code=409,
            headers={"Content-Type": "application/json"},
            body=body,
            request_headers={"X-Auth-Token": TOKEN},
        )
    )
    values = [getattr(e, name) for name in FIELDS]
    for clone in (pickle.loads(pickle.dumps(e)), copy.copy(e), copy.deepcopy(e)):
        assert str(clone) == str(e)
    assert TOKEN not in repr(values[:8] + values[9:])  # all but details: too deep for repr
    assert TOKEN not in str(e) + repr(e) + json.dumps(e.to_dict()) + repr(pickle.dumps(e))


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_one_pass_matches_the_field_functions(case: dict[str, Any]) -> None:
    """The one pass that settles a fresh error gives what each field's own function gives."""
    fast, reference = _error(case), _error(case)
    _fields.settle(fast)
    _fields.settle_each(reference)
    assert _values(fast, list(FIELDS)) == _values(reference, list(FIELDS))
    assert vars(fast).keys() == vars(reference).keys()


def _both_ways(make: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    fast, reference = make(), make()
    _fields.settle(fast)
    _fields.settle_each(reference)
    return _values(fast, list(FIELDS)), _values(reference, list(FIELDS))


def test_one_pass_matches_on_the_rarer_branches() -> None:
    """Retries below the adapter, an undeclared service, odd options, a body parsed first."""
    body = b'{"error_code": "APIGW.0308", "error_msg": "slow down"}'
    headers = {"Content-Type": "application/json"}
    retried = Facts(status_code=429, headers=headers, body=body, attempts=3)
    fast, reference = _both_ways(lambda: error_from_facts(retried))
    assert fast == reference
    assert "sent 3 times" in fast["retry_reason"]

    plain = Facts(status_code=429, headers=headers, body=body)
    undeclared = cloudstatus.TooManyRequestsError._from_facts
    fast, reference = _both_ways(lambda: undeclared(plain, None, "no-such-service"))
    assert fast == reference
    assert fast["error_info"] is not None and fast["error_info"].source == "gateway"

    odd = SimpleNamespace(max_message_chars=0, parsers=(), retry_overrides=None)
    fast, reference = _both_ways(lambda: undeclared(plain, odd, None))
    assert fast == reference

    def parsed_first() -> cloudstatus.CloudStatusError:
        e = error_from_facts(plain)
        assert e._parsed.error_code == "APIGW.0308"
        return e

    fast, reference = _both_ways(parsed_first)
    assert fast == reference


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        # Stable: the pass cleans the masked parse's code and message without masking
        # them again.
        (("Secret1xyz",), "zzab***cyy"),
        # A "*" in a secret: each round of masking may complete another form, so the
        # pass masks the parse's message once more, as the field functions do.
        (("Secret1xyz", "ab***c", "zz***yy"), "***"),
    ],
)
def test_one_pass_masks_again_only_what_may_change(
    credentials: tuple[str, ...], message: str
) -> None:
    """Body text, parsed fields, then the pass: three rounds where a secret holds "*"."""

    def make() -> cloudstatus.CloudStatusError:
        return error_from_facts(
            Facts(
                status_code=409,
                headers={"Content-Type": "application/json", "X-Request-Id": "Secret1xyz"},
                body=b'{"error_code": "E.1", "error_msg": "zzabSecret1xyzcyy"}',
                credentials=credentials,
            )
        )

    fast, reference = _both_ways(make)
    assert fast == reference
    assert (fast["error_message"], fast["request_id"]) == (message, "***")
    assert str(make()).endswith(f"[E.1] {message} (request id: ***)")


@dataclasses.dataclass(frozen=True)
class _UnescapedBody(cloudstatus.ErrorBody):
    """A user's body whose texts change as it is built: not what scrub returned."""

    def __post_init__(self) -> None:
        for name in ("error_code", "error_message"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, html.unescape(value))


def _legacy_parser(body: bytes, content_type: str) -> cloudstatus.ErrorBody | None:
    if not body.startswith(b"ERR="):
        return None
    fields = dict(part.split("=", 1) for part in body.decode().split("|"))
    return _UnescapedBody(error_code=fields["ERR"], error_message=fields.get("MSG"))


def _token_error(body: bytes, parser: Any = None) -> cloudstatus.CloudStatusError:
    """A 400 with a text body for a request carrying the token Secret1xyz."""
    return error_from_facts(
        Facts(
            status_code=400,
            headers={"Content-Type": "text/plain"},
            body=body,
            request_headers={"X-Auth-Token": "Secret1xyz"},
        ),
        HookOptions.build(parsers=[parser]) if parser is not None else None,
    )


def test_one_pass_masks_again_what_a_users_parser_rebuilt() -> None:
    """A parser's body subclass that unescapes as it is built gets masked again: the
    password, escaped twice in the body, shows nowhere."""
    token, password = "tok-Zq81sEcret", "pw-Hunter2-9Z"
    body = f"ERR=E1|MSG=token &#116;{token[1:]} and &amp;#112;{password[1:]}".encode()

    def make() -> cloudstatus.CloudStatusError:
        return error_from_facts(
            Facts(
                status_code=400,
                headers={"Content-Type": "text/x-legacy"},
                body=body,
                request_headers={"X-Auth-Token": token},
                credentials=(password,),
            ),
            HookOptions.build(parsers=[_legacy_parser]),
        )

    fast, reference = _both_ways(make)
    assert fast == reference
    assert fast["error_message"] == "token *** and ***"
    e = make()
    shown = str(e) + repr(e) + json.dumps(e.to_dict()) + repr(pickle.dumps(e))
    assert password not in shown and html.escape(password) not in shown


def test_a_parse_made_before_the_pass_is_masked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parse read (privately) while another parser chain was in place is not taken
    for scrub's own results by a later pass."""
    body = b"ERR=E1|MSG=token &#83;ecret1xyz, again &amp;#83;ecret1xyz"

    def make() -> cloudstatus.CloudStatusError:
        e = _token_error(body)
        with monkeypatch.context() as patch:
            patch.setattr(_parse, "DEFAULT_PARSERS", (_legacy_parser, *_parse.DEFAULT_PARSERS))
            assert e._parsed.error_code == "E1"
        return e

    fast, reference = _both_ways(make)
    assert fast == reference
    assert fast["error_message"] == "token ***, again ***"


def test_a_parser_chain_changed_during_the_parse_is_masked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pass trusts the parse's own type, not a test made before it: a chain changed
    while the body is parsed (as another thread might) is still masked again."""
    built_in = _parse.DEFAULT_PARSERS

    class Body(bytes):
        def startswith(self, *args: Any) -> bool:
            monkeypatch.setattr(_parse, "DEFAULT_PARSERS", (_legacy_parser, *built_in))
            return bytes.startswith(self, *args)

    def make() -> cloudstatus.CloudStatusError:
        monkeypatch.setattr(_parse, "DEFAULT_PARSERS", built_in)
        return _token_error(Body(b"ERR=E1|MSG=token &#83;ecret1xyz, again &amp;#83;ecret1xyz"))

    fast, reference = _both_ways(make)
    assert fast == reference
    assert fast["error_message"] == "token ***, again ***"


class _Unescaping(str):
    """A text that unescapes HTML whenever it is stripped, as a parser's text might."""

    def strip(self, chars: str | None = None) -> str:
        return html.unescape(str.strip(self, chars))


def test_a_str_subclass_text_from_a_users_parser_reads_alike_both_ways() -> None:
    """An exact ErrorBody from a user's parser holding a text of its own kind, whose
    strip unescapes: the pass and the field functions agree, and nothing shows."""

    def parser(body: bytes, content_type: str) -> cloudstatus.ErrorBody:
        return cloudstatus.ErrorBody(
            error_code="E1", error_message=_Unescaping("again &amp;#83;ecret1xyz")
        )

    def make() -> cloudstatus.CloudStatusError:
        return _token_error(b"anything", parser)

    fast, reference = _both_ways(make)
    assert fast == reference
    assert "Secret1xyz" not in str(fast["error_message"])


class _AllEqualMeta(type):
    def __eq__(cls, other: object) -> bool:
        return True

    __hash__ = type.__hash__


class _PassesForStr(str, metaclass=_AllEqualMeta):
    """A text whose class claims equality with str, and which equals anything."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


def test_a_text_whose_class_claims_to_be_str_is_masked_again() -> None:
    """The pass tests a text's type by identity: a metaclass cannot talk it out of the
    second masking that _parsed's (fooled) comparison left to it."""

    def parser(body: bytes, content_type: str) -> cloudstatus.ErrorBody:
        message = _PassesForStr("bad token Secret1xyz here")
        return cloudstatus.ErrorBody(error_code="E1", error_message=message)

    def make() -> cloudstatus.CloudStatusError:
        return _token_error(b"ERR x", parser)

    fast, reference = _both_ways(make)
    assert str.__str__(fast["error_message"]) == "bad token *** here"
    assert str.__str__(reference["error_message"]) == "bad token *** here"
    assert "Secret1xyz" not in str(make())


def test_a_second_pass_keeps_the_first_values() -> None:
    """A pass that finds the error settled (another thread won) stores nothing of its own."""
    e = _error(CASES[-4])
    details = e.details
    facts = e._facts
    assert facts is not None
    _fields._settle_facts(e, facts, vars(e))
    assert e.details is details


def test_first_read_settles_every_field() -> None:
    """Reading one field computes them all, so vars(e) then holds every public field."""
    e = _error(CASES[-4])
    assert vars(e) == {}
    assert e.request_id == "req-1"
    assert vars(e).keys() >= _fields.SETTLED_NAMES
    assert "reason" not in vars(e)  # a status class says its phrase itself


def test_threads_reading_one_fresh_exception_agree() -> None:
    """Three threads reading one fresh exception at once see the same objects."""
    case = {**CASES[0], "body": BODIES[4], "auth": True, "url": URLS[1], "status": 409}

    def read(
        e: cloudstatus.CloudStatusError, barrier: threading.Barrier, seen: list[dict[str, Any]]
    ) -> None:
        barrier.wait()
        seen.append({name: getattr(e, name) for name in FIELDS} | {"str": str(e)})

    for _ in range(20):
        e = _error(case)
        barrier = threading.Barrier(3)
        seen: list[dict[str, Any]] = []
        threads = [threading.Thread(target=read, args=(e, barrier, seen)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert seen[0] == seen[1] == seen[2]
        assert seen[0]["details"] is seen[1]["details"] is seen[2]["details"]


@pytest.mark.parametrize(
    "response",
    [
        mock.sentinel.response,
        mock.create_autospec(requests.Response, instance=True),
        object(),
        "not a response",
    ],
    ids=["sentinel", "autospec", "object", "str"],
)
def test_constructor_takes_any_response_object(response: object) -> None:
    """NotFoundError("m", response=...) accepts any object, as requests.HTTPError does."""
    e = cloudstatus.NotFoundError("m", response=response)
    assert e.response is response
    assert str(e) == "m"
    assert e.status_code == 404
    for name in FIELDS:
        getattr(e, name)
    pickle.loads(pickle.dumps(e))


def test_constructor_takes_an_undeclared_service() -> None:
    """ConflictError("x", service="acme") for a service nobody declared builds and decides."""
    e = cloudstatus.ConflictError("x", service="acme")
    assert e.service == "acme"
    assert e.retryable is False
    assert "standard profile" in e.retry_reason


def test_constructor_refuses_a_status_the_class_cannot_carry() -> None:
    """ConflictError(status_code=404) is a ValueError saying which class to use."""
    with pytest.raises(ValueError, match=r"error_class\(404\)"):
        cloudstatus.ConflictError(status_code=404)
    with pytest.raises(ValueError, match="4xx"):
        cloudstatus.ClientError(status_code=503)
    assert cloudstatus.ClientError(status_code=420).status_code == 420


def test_unknown_attribute_is_an_attribute_error() -> None:
    """Reading a name no field has is an AttributeError, so hasattr() and getattr() work."""
    e = cloudstatus.ConflictError()
    assert not hasattr(e, "no_such_field")
    assert getattr(e, "__deepcopy__", None) is None


def test_raising_does_not_parse_without_error_code_classes() -> None:
    """With no error-code class registered anywhere, the hook resolves without the parser."""
    facts = Facts(status_code=409, body=b'{"error_code": "X"}')
    e = error_from_facts(facts, cloudstatus.HookOptions(registry=cloudstatus.Registry("empty")))
    assert "_parsed" not in vars(e)
    assert e.error_code == "X"
    assert "_parsed" in vars(e)


def test_vars_holds_no_request_facts() -> None:
    """The facts (with the request's credentials) live outside vars(e)."""
    e = _error({**CASES[0], "auth": True, "url": URLS[1]})
    assert {"_facts", "_secrets", "_headers", "_options"}.isdisjoint(vars(e))


def test_unread_error_keeps_only_slots() -> None:
    """An unread hook error keeps its response, request and facts in slots: vars(e) is empty."""
    e = _error({**CASES[0], "auth": True})
    assert vars(e) == {}
    assert e.response is not None and e.request is not None
    assert {"response", "request"}.isdisjoint(vars(e))
    family = error_from_facts(Facts(status_code=420, body=b"{}"))
    assert vars(family) == {"status_code": 420}


def test_repr_names_the_service_namespace() -> None:
    """repr() of a service class says the namespace people import it from."""
    assert repr(dms.ConflictError("x")) == "dms.ConflictError('x')"
    assert repr(cloudstatus.ConflictError("x")) == "ConflictError('x')"


def test_args_hold_the_message() -> None:
    """e.args is (message,), composed on first read, as for any exception."""
    e = _error(CASES[0])
    assert e.args == (str(e),)
    e.args = ("replaced",)
    assert str(e) == "replaced"


@pytest.mark.parametrize("status", [200, 299])
def test_a_non_error_status_from_an_adapter_still_gives_an_error(status: int) -> None:
    """error_from_facts never raises: a 2xx handed over by mistake gives the root class."""
    e = error_from_facts(Facts(status_code=status))
    assert type(e) is cloudstatus.CloudStatusError
    assert e.status_code == status


def test_an_unknown_service_in_the_options_falls_back_to_the_standard_tree() -> None:
    """Options naming a service this process does not know give the standard class."""
    e = error_from_facts(Facts(status_code=409), cloudstatus.HookOptions(service="gone"))
    assert type(e) is cloudstatus.ConflictError
    assert e.service is None


def _override_facts(code: str) -> Facts:
    body = json.dumps({"error_code": code, "error_msg": "server says"}).encode()
    return Facts(409, "Conflict", "GET", "https://h/x", {"Content-Type": "application/json"}, body)


def test_a_subclass_property_for_error_message_reaches_the_message() -> None:
    """A subclass's error_message property is what str(e) shows."""
    registry = cloudstatus.Registry("overrides")

    class Custom(cloudstatus.ConflictError, error_code="B2.1", registry=registry):
        @property
        def error_message(self) -> str:  # type: ignore[override]
            return "custom message"

    e = error_from_facts(_override_facts("B2.1"), cloudstatus.HookOptions(registry=registry))
    assert type(e) is Custom
    assert e.error_message == "custom message"
    assert str(e).endswith("[B2.1] custom message")


def test_a_subclass_class_attribute_is_not_shadowed_by_a_settled_field() -> None:
    """A subclass's own value for a field (retryable = True) outlives the first read."""
    registry = cloudstatus.Registry("overrides")

    class Flag(cloudstatus.ConflictError, error_code="B2.2", registry=registry):
        retryable = True

    e = error_from_facts(_override_facts("B2.2"), cloudstatus.HookOptions(registry=registry))
    assert type(e) is Flag
    assert e.error_code == "B2.2"  # the first field read settles every field
    assert e.retryable is True
    assert e.to_dict()["retryable"] is True


def test_the_one_pass_matches_the_field_functions_for_a_subclass_property() -> None:
    """A subclass hiding its URL with a property keeps it out of the message, both ways."""
    registry = cloudstatus.Registry("overrides")

    class Hidden(cloudstatus.ConflictError, error_code="B2.3", registry=registry):
        @property
        def url(self) -> None:  # type: ignore[override]
            return None  # the path names a customer: keep it out of logs

    facts = Facts(
        409,
        "Conflict",
        "GET",
        "https://h/customers/alice-smith/orders",
        {"Content-Type": "application/json"},
        json.dumps({"error_code": "B2.3", "error_msg": "taken"}).encode(),
    )
    fast = error_from_facts(facts, cloudstatus.HookOptions(registry=registry))
    reference = error_from_facts(facts, cloudstatus.HookOptions(registry=registry))
    _fields.settle(fast)
    _fields.settle_each(reference)
    assert str(reference) == "409 Client Error: Conflict [B2.3] taken"
    assert str(fast) == str(reference)
    assert "alice-smith" not in str(fast)


def test_a_subclass_error_code_property_drives_the_decision_and_the_catalog() -> None:
    """The retry decision and error_info follow an error_code a subclass computes itself."""

    class Renamed(cloudstatus.TooManyRequestsError):
        @property
        def error_code(self) -> str:  # type: ignore[override]
            return "APIGW.0308"  # the gateway's throttling code

    facts = Facts(
        429,
        "Too Many Requests",
        "GET",
        "https://h/x",
        {"Content-Type": "application/json"},
        b'{"error_code": "B2.4", "error_msg": "slow down"}',
    )
    e = Renamed._from_facts(facts, None, None)
    assert e.error_info is not None and e.error_info.error_code == "APIGW.0308"
    assert "[APIGW.0308]" in str(e)
    assert "error_code" not in vars(e)
    assert Renamed._overridden == {"error_code"}


def test_a_mixin_defining_a_field_before_the_status_class_is_honoured() -> None:
    """A field a mixin defines ahead of the status class in the MRO is read through it."""

    class QuietAdvice:
        @property
        def retry_reason(self) -> str:
            return "ask the on-call team"

    class Quiet(QuietAdvice, cloudstatus.ServiceUnavailableError):
        pass

    facts = Facts(503, "Service Unavailable", "GET", "https://h/x", {}, b"down")
    e = Quiet._from_facts(facts, None, None)
    assert Quiet._overridden == {"retry_reason"}
    assert e.retry_reason == "ask the on-call team"
    assert e.to_dict()["retry_reason"] == "ask the on-call team"
    assert e.retryable is True and "retry_reason" not in vars(e)
