"""Retry decisions with error codes, live signals and the caller's overrides (issue 11).

The table is generated from the catalog files: every (service, status, error code,
method, Retry-After, override) combination is decided by the errors the hook raises
and compared with a plain reading of the rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

import cloudstatus
from cloudstatus._loopback import LoopbackServer, json_reply
from cloudstatus.retry import is_retryable, is_transient, urllib3_retry
from cloudstatus.services import dms, mpc

CATALOG = Path(cloudstatus.__file__).resolve().parent / "catalog"
GATEWAY: dict[str, dict[str, Any]] = {
    row["error_code"]: row
    for row in json.loads((CATALOG / "gateway.json").read_text("utf-8"))["error_codes"]
}
PROFILES = {
    name: {
        row["code"]: row["advice"]
        for row in json.loads((CATALOG / "services" / f"{name}.json").read_text("utf-8"))["codes"]
    }
    for name in ("dms", "mpc")
}
STANDARD = {
    row["code"]: row["retry"]
    for row in json.loads((CATALOG / "standard.json").read_text("utf-8"))["codes"]
}
NOT_IDEMPOTENT = {"POST", "PATCH"}


def expected(
    service: str | None,
    status: int,
    code: str | None,
    method: str,
    retry_after: bool,
    override: dict[Any, bool] | None,
) -> bool:
    """The rules of issue 11 read off the data: overrides, live signal, code, table, standard."""
    if override:
        if code is not None and code in override:
            return override[code]
        if status in override:
            return override[status]
    if retry_after:
        return True
    row = GATEWAY.get(code or "")
    advice = row["advice"] if row is not None and row["status"] == status else "NONE"
    if advice == "NONE" and service is not None:
        advice = PROFILES[service].get(status, "NONE")
    if advice == "DO_NOT_REPEAT":
        return False
    if advice == "MAY_REPEAT":
        return True
    if advice == "WAIT_RETRY_AFTER":
        return status == 429
    rule = STANDARD.get(status, "never")
    if rule == "always":
        return True
    if rule in ("idempotent", "idempotent_or_retry_after"):
        return method not in NOT_IDEMPOTENT
    return False


CODES = [None, "NOT.A.CODE", *sorted(GATEWAY)]
STATUSES = sorted(
    {400, 401, 403, 404, 405, 429, 500, 502, 503, 504} | {row["status"] for row in GATEWAY.values()}
)
OVERRIDES: list[dict[Any, bool] | None] = [
    None,
    {503: True},
    {"APIGW.0308": False, 429: True},
    {"APIGW.0609": True, 500: False},
]


def _table() -> list[Any]:
    rows = []
    for service in (None, "dms", "mpc"):
        for status in STATUSES:
            for code in CODES:
                if (
                    code in GATEWAY
                    and GATEWAY[code]["status"] != status
                    and status
                    not in (
                        429,
                        500,
                    )
                ):
                    continue
                for method in ("GET", "POST"):
                    for ra in (False, True):
                        # Each row gets one of the overrides in turn, so all are exercised.
                        override = OVERRIDES[len(rows) % len(OVERRIDES)]
                        name = f"{service}-{status}-{code}-{method}-{'ra' if ra else 'no'}"
                        rows.append(
                            pytest.param(service, status, code, method, ra, override, id=name)
                        )
    return rows


TABLE = _table()


def _response(status: int, code: str | None, method: str, retry_after: bool) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    headers = {"Content-Type": "application/json"}
    if retry_after:
        headers["Retry-After"] = "1"
    response.headers = CaseInsensitiveDict(headers)
    body: dict[str, Any] = {"error_msg": "m"}
    if code is not None:
        body["error_code"] = code
    response._content = json.dumps(body).encode()
    response.request = requests.Request(method, "https://x.example.com/v2").prepare()
    response.url = "https://x.example.com/v2"
    return response


@pytest.mark.parametrize(("service", "status", "code", "method", "retry_after", "override"), TABLE)
def test_decision_table(
    service: str | None,
    status: int,
    code: str | None,
    method: str,
    retry_after: bool,
    override: dict[Any, bool] | None,
) -> None:
    """The raised error's retryable is what the rules, read off the catalog, say."""
    options = {"retry_overrides": override} if override else {}
    e = cloudstatus.error_from_response(
        _response(status, code, method, retry_after), service=service, **options
    )
    assert e is not None
    assert e.retryable is expected(service, status, code, method, retry_after, override)
    assert e.retry_reason


def test_the_table_is_large() -> None:
    """The table reaches every gateway code, both services and every override."""
    assert len(TABLE) > 1000
    assert {p.values[2] for p in TABLE} >= set(GATEWAY)


def test_error_code_advice_refines_status_advice() -> None:
    """A 500 whose gateway code says the backend is missing is not worth repeating."""
    e = cloudstatus.error_from_response(_response(500, "APIGW.0609", "GET", False))
    assert e is not None
    assert e.retryable is False
    assert "API gateway error-code table (APIGW.0609)" in e.retry_reason
    assert e.error_info is not None and e.error_info.source == "gateway"


def test_error_code_advice_holds_for_its_own_status_only() -> None:
    """APIGW.0201 is a 400 code; on a 502 the gateway's advice for 400 does not apply."""
    e = cloudstatus.error_from_response(_response(502, "APIGW.0201", "GET", False))
    assert e is not None
    assert e.retryable is True  # the standard profile's 502 rule
    assert "standard profile" in e.retry_reason


def test_dms_throttling_code_is_retryable() -> None:
    """A DMS 429 APIGW.0308 is retryable, and says the gateway table decided."""
    e = cloudstatus.error_from_response(_response(429, "APIGW.0308", "POST", False), service="dms")
    assert isinstance(e, dms.TooManyRequestsError)
    assert e.retryable is True


def test_error_code_key_wins_over_status_key() -> None:
    """retry_overrides={429: True, 'APIGW.0308': False}: the error code decides."""
    e = cloudstatus.error_from_response(
        _response(429, "APIGW.0308", "GET", True),
        retry_overrides={429: True, "APIGW.0308": False},
    )
    assert e is not None
    assert e.retryable is False
    assert "retry_overrides" in e.retry_reason


@pytest.mark.parametrize(
    "bad",
    [{503.0: True}, {True: True}, {"": True}, {503: 1}, {(503,): True}, [503], "503"],
    ids=str,
)
def test_bad_overrides_name_the_key(bad: Any) -> None:
    """Override keys that are neither an int nor a non-empty str, or non-bool values: TypeError."""
    with pytest.raises(TypeError, match="retry_overrides"):
        cloudstatus.error_from_response(_response(503, None, "GET", False), retry_overrides=bad)
    with pytest.raises(TypeError, match="retry_overrides"):
        urllib3_retry(retry_overrides=bad)


# --- shared error-code classes across services -------------------------------------------

registry = cloudstatus.Registry("test_retry_codes")


class TokenInvalid(cloudstatus.UnauthorizedError, error_code="APIGW.0301", registry=registry):
    """A gateway code's class, registered once for every service."""


@pytest.fixture(scope="module")
def acme() -> Any:
    return cloudstatus.services.declare(
        {"service": "acmeshared", "codes": [{"code": 401, "name": "Who", "advice": "NONE"}]}
    )


@pytest.mark.parametrize("service", [None, "dms", "mpc", "acmeshared"])
def test_a_shared_class_is_raised_in_every_service(service: str | None, acme: Any) -> None:
    """TokenInvalid is raised on every session, as that service's class too, and pickles."""
    import pickle

    e = cloudstatus.error_from_response(
        _response(401, "APIGW.0301", "GET", False), service=service, registry=registry
    )
    assert isinstance(e, TokenInvalid)
    if service is not None:
        ns = cloudstatus.services.namespace(service)
        assert isinstance(e, ns.UnauthorizedError)
        assert isinstance(e, ns.Error)
        assert e.service == service
        assert type(e) is cloudstatus.error_class(
            401, service=service, error_code="APIGW.0301", registry=registry
        )
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is type(e)
    assert copy.error_code == "APIGW.0301"


def test_shared_class_yields_to_a_service_class() -> None:
    """A class registered for the service itself wins over the shared one."""
    reg = cloudstatus.Registry("own-first")
    shared = type(
        "Shared", (cloudstatus.UnauthorizedError,), {}, error_code="APIGW.0301", registry=reg
    )
    own = type("Own", (mpc.UnauthorizedError,), {}, error_code="APIGW.0301", registry=reg)
    assert cloudstatus.error_class(401, service="mpc", error_code="APIGW.0301", registry=reg) is own
    in_dms = cloudstatus.error_class(401, service="dms", error_code="APIGW.0301", registry=reg)
    assert issubclass(in_dms, shared) and issubclass(in_dms, dms.UnauthorizedError)


# --- helpers -----------------------------------------------------------------------------


def test_is_transient() -> None:
    """Retryable errors and transport failures are transient; bugs and SSL errors are not."""
    assert is_transient(cloudstatus.TooManyRequestsError("slow"))
    assert not is_transient(dms.ServiceUnavailableError("down"))
    assert is_transient(requests.ConnectionError("refused"))
    assert is_transient(requests.Timeout("slow"))
    assert not is_transient(requests.exceptions.SSLError("bad certificate"))
    assert not is_transient(ValueError("bug"))


def test_a_wait_longer_than_allowed_is_not_retried_and_says_why() -> None:
    """Retry-After: 86400 against max_wait=60: not retried, and a note on the error says why."""
    e = cloudstatus.TooManyRequestsError("slow", retry_after=86400)
    assert is_retryable(e) is True
    assert is_retryable(e, max_wait=60) is False
    assert is_transient(e, max_wait=60) is False
    notes = getattr(e, "__notes__", [])
    assert len(notes) == 1
    assert "86400 s" in notes[0] and "60 s" in notes[0]


# --- against a real server -----------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


def _retrying(service: str, **options: Any) -> requests.Session:
    s = cloudstatus.install(requests.Session(), service=service)
    s.mount("http://", HTTPAdapter(max_retries=urllib3_retry(service, backoff_factor=0, **options)))
    return s


@pytest.mark.network
def test_dms_503_with_retry_after_is_retried_and_succeeds(server: LoopbackServer) -> None:
    """A DMS GET answered 503 + Retry-After: 1 + APIGW.0503 is retried, then succeeds."""
    busy = json_reply(503, {"error_code": "APIGW.0503"}, [("Retry-After", "1")])
    server.sequence("/q", [busy], then=json_reply(200, {"ok": True}))
    with _retrying("dms") as s:
        response = s.get(server.url_for("/q"), timeout=10)
    assert response.json() == {"ok": True}
    assert len(server.requests) == 2


@pytest.mark.network
def test_dms_503_without_retry_after_is_not_retried(server: LoopbackServer) -> None:
    """Without the live signal the DMS table stands: one request, not retryable."""
    server.sequence("/q", [json_reply(503, {"error_code": "DMS.1"})], then=json_reply(200, {}))
    with _retrying("dms") as s, pytest.raises(dms.ServiceUnavailableError) as info:
        s.get(server.url_for("/q"), timeout=10)
    assert len(server.requests) == 1
    assert info.value.retryable is False


@pytest.mark.network
def test_status_override_makes_urllib3_retry(server: LoopbackServer) -> None:
    """retry_overrides={503: True} makes urllib3 retry a DMS 503 the table forbids."""
    server.sequence("/q", [json_reply(503, {"error_code": "DMS.1"})], then=json_reply(200, {}))
    with _retrying("dms", retry_overrides={503: True}) as s:
        assert s.get(server.url_for("/q"), timeout=10).status_code == 200
    assert len(server.requests) == 2


@pytest.mark.network
def test_giving_up_says_how_many_attempts(server: LoopbackServer) -> None:
    """After urllib3 gives up, retry_reason says how many times the request was sent."""
    server.route("/q", json_reply(429, {"error_code": "APIGW.0308"}, [("Retry-After", "0")]))
    with _retrying("dms", total=2) as s, pytest.raises(dms.TooManyRequestsError) as info:
        s.get(server.url_for("/q"), timeout=10)
    assert len(server.requests) == 3
    assert "sent 3 times" in info.value.retry_reason
