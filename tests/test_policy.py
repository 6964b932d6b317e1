"""The retry decision every error carries: ``_policy.decide`` against the catalog files.

The expected values are computed here, from the catalog's JSON files, by a separate
and deliberately plain reading of the rules (issue 5), never by calling ``decide``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import responses

import cloudstatus
from cloudstatus import Advice
from cloudstatus._cli import explain_data
from cloudstatus._policy import decide
from cloudstatus.services import dms

CATALOG = Path(cloudstatus.__file__).resolve().parent / "catalog"
STANDARD = json.loads((CATALOG / "standard.json").read_text(encoding="utf-8"))
#: The standard profile: the ``retry`` column, by code.
STANDARD_RULES: dict[int, str] = {row["code"]: row["retry"] for row in STANDARD["codes"]}
#: Each service table's advice (an ``Advice`` member name), by code.
PROFILES: dict[str, dict[int, str]] = {
    name: {
        row["code"]: row["advice"]
        for row in json.loads((CATALOG / "services" / f"{name}.json").read_text("utf-8"))["codes"]
    }
    for name in ("mpc", "dms")
}
#: Every standard 4xx and 5xx code that has a class.
ERROR_CODES = sorted(
    row["code"] for row in STANDARD["codes"] if row["code"] >= 400 and row.get("class")
)
SERVICES = [None, "mpc", "dms"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
NOT_IDEMPOTENT = {"POST", "PATCH"}
URL = "https://api.example.test/v2/instances"


def expected_advice(service: str | None, status: int) -> str:
    """The service table's advice for ``status``, ``NONE`` without a service or an entry."""
    return PROFILES[service].get(status, "NONE") if service else "NONE"


def expected_retryable(service: str | None, status: int, method: str, retry_after: bool) -> bool:
    """The issues' rules, read straight off the catalog data.

    A live Retry-After outranks every static advice (issue 11); without one, the
    service table, then the standard profile, decide (issue 5).
    """
    if retry_after:
        return True
    advice = expected_advice(service, status)
    if advice == "DO_NOT_REPEAT":
        return False
    if advice == "MAY_REPEAT":
        return True
    if advice == "WAIT_RETRY_AFTER":
        return retry_after or status == 429
    rule = STANDARD_RULES.get(status, "never")
    if rule == "always":
        return True
    if rule == "idempotent":
        return method not in NOT_IDEMPOTENT
    if rule == "idempotent_or_retry_after":
        return method not in NOT_IDEMPOTENT or retry_after
    return False


TABLE = [
    pytest.param(
        service, status, method, ra, id=f"{service}-{status}-{method}-{'ra' if ra else 'no'}"
    )
    for service in SERVICES
    for status in ERROR_CODES
    for method in METHODS
    for ra in (False, True)
]


@pytest.mark.parametrize(("service", "status", "method", "retry_after"), TABLE)
def test_decision_table_follows_the_catalog(
    service: str | None, status: int, method: str, retry_after: bool
) -> None:
    """decide() gives, per service, status, method and Retry-After, what the catalog implies."""
    d = decide(status, service=service, method=method, has_retry_after=retry_after)
    assert d.retryable is expected_retryable(service, status, method, retry_after)
    assert d.advice is Advice[expected_advice(service, status)]
    assert d.reason


def test_the_table_covers_the_codes_the_issue_names() -> None:
    """The generated parameter list reaches every error code with a class and both services."""
    assert {408, 413, 429, 500, 501, 502, 503, 504} <= set(ERROR_CODES)
    assert 418 not in ERROR_CODES  # "(Unused)": no class of its own
    assert len(TABLE) == len(SERVICES) * len(ERROR_CODES) * len(METHODS) * 2


def test_standard_profile_retries_what_the_issue_lists_for_a_plain_get() -> None:
    """Without a service or a Retry-After, a GET is retried on 408, 429, 502, 503, 504 only."""
    retried = {c for c in ERROR_CODES if decide(c, method="GET").retryable}
    assert retried == {408, 429, 502, 503, 504}


@pytest.mark.parametrize(
    ("status", "service", "method", "retry_after", "retryable"),
    [
        pytest.param(503, "dms", "GET", False, False, id="dms-503"),
        pytest.param(503, "dms", "GET", True, True, id="dms-503-retry-after-outranks-the-table"),
        pytest.param(503, "mpc", "GET", False, False, id="mpc-503"),
        pytest.param(503, None, "GET", False, True, id="standard-503-get"),
        pytest.param(503, None, "POST", False, False, id="standard-503-post"),
        pytest.param(503, None, "POST", True, True, id="standard-503-post-retry-after"),
        pytest.param(503, None, "PATCH", False, False, id="standard-503-patch"),
        pytest.param(408, "dms", "POST", False, True, id="dms-408-post-any-time"),
        pytest.param(413, "dms", "PUT", False, False, id="dms-413"),
        pytest.param(413, "dms", "PUT", True, True, id="dms-413-retry-after"),
        pytest.param(429, None, "POST", False, True, id="standard-429"),
        pytest.param(429, "dms", "POST", False, True, id="dms-429"),
        pytest.param(429, "mpc", "GET", False, True, id="mpc-429-standard"),
        pytest.param(500, None, "GET", False, False, id="standard-500"),
        pytest.param(501, None, "GET", False, False, id="standard-501"),
        pytest.param(500, None, "POST", True, True, id="standard-500-retry-after"),
        pytest.param(500, "dms", "GET", False, False, id="dms-500"),
        pytest.param(501, "mpc", "GET", False, False, id="mpc-501"),
        pytest.param(404, "dms", "GET", False, False, id="dms-404"),
        pytest.param(404, "dms", "GET", True, True, id="dms-404-retry-after"),
        pytest.param(409, None, "GET", False, False, id="standard-409"),
    ],
)
def test_explicit_cases(
    status: int, service: str | None, method: str, retry_after: bool, retryable: bool
) -> None:
    """The cases the issue spells out decide as it says."""
    assert (
        decide(status, service=service, method=method, has_retry_after=retry_after).retryable
        is retryable
    )


def test_dms_503_is_not_retryable_and_says_why() -> None:
    """A DMS 503 carries the table's DO_NOT_REPEAT advice and a reason naming the table."""
    d = decide(503, service="dms", method="GET")
    assert d.advice is Advice.DO_NOT_REPEAT
    assert "dms table" in d.reason


def test_wait_retry_after_without_the_header_explains_itself() -> None:
    """WAIT_RETRY_AFTER on a non-429 without Retry-After says none was sent."""
    d = decide(413, service="dms", method="PUT")
    assert (d.retryable, d.advice) == (False, Advice.WAIT_RETRY_AFTER)
    assert "none was sent" in d.reason


def test_table_advice_stands_in_for_the_profile() -> None:
    """The generator's table_advice replaces the service table without naming a service."""
    d = decide(503, table_advice=Advice.DO_NOT_REPEAT)
    assert (d.retryable, d.advice) == (False, Advice.DO_NOT_REPEAT)
    assert "None" not in d.reason


@pytest.mark.parametrize(
    ("method", "retryable"),
    [(None, True), ("get", True), ("OPTIONS", True), ("CONNECT", False), ("PURGE", False)],
)
def test_method_idempotence(method: str | None, retryable: bool) -> None:
    """No method counts as idempotent; methods outside RFC 9110's idempotent set do not."""
    assert decide(502, method=method).retryable is retryable


def test_codes_outside_the_table_are_not_retryable() -> None:
    """An unregistered status (599) and a 3xx are not retryable."""
    assert decide(599, method="GET").retryable is False
    assert decide(307, method="GET").retryable is False


def test_bool_override_wins_over_the_table() -> None:
    """An error-code class's retryable=True beats DMS's DO_NOT_REPEAT for 503."""
    d = decide(503, service="dms", method="POST", override=True)
    assert d.retryable is True
    assert "error-code class" in d.reason
    assert decide(429, service="dms", override=False).retryable is False


def test_advice_override_is_read_like_table_advice() -> None:
    """advice=MAY_REPEAT on a class makes a DMS 503 POST retryable, with that advice."""
    d = decide(503, service="dms", method="POST", override=Advice.MAY_REPEAT)
    assert (d.retryable, d.advice) == (True, Advice.MAY_REPEAT)
    assert "error-code class" in d.reason


def test_unknown_service_is_a_lookup_error() -> None:
    """decide() refuses a service nobody declared."""
    with pytest.raises(LookupError, match="unknown service"):
        decide(503, service="no-such-service")


# -- the instances the hook builds -------------------------------------------------------

registry = cloudstatus.Registry("test_policy")


class PlainMaintenance(dms.ServiceUnavailableError, error_code="DMS.TEST503", registry=registry):
    """A DMS 503 error code with no retry override."""


class RetryableMaintenance(
    dms.ServiceUnavailableError, error_code="DMS.TEST503R", registry=registry, retryable=True
):
    """A DMS 503 error code the class statement declares retryable."""


class _Retryable(dms.ServiceUnavailableError, retryable=True):
    """A base declaring DMS 503 retryable; its subclasses inherit the override."""


class InheritedRetryable(_Retryable, error_code="DMS.TEST503I", registry=registry):
    """A DMS 503 error code retryable through its base."""


class MayRepeatMaintenance(
    dms.ServiceUnavailableError,
    error_code="DMS.TEST503M",
    registry=registry,
    advice=Advice.MAY_REPEAT,
):
    """A DMS 503 error code whose own advice is MAY_REPEAT."""


class NeverThrottle(
    dms.TooManyRequestsError, error_code="DMS.TEST429", registry=registry, retryable=False
):
    """A DMS 429 error code declared not retryable."""


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    """requests answered by ``responses`` (no network)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def _raised(
    mocked: responses.RequestsMock,
    *,
    service: str | None,
    status: int,
    method: str = "GET",
    retry_after: str | None = None,
    error_code: str | None = None,
) -> cloudstatus.CloudStatusError:
    headers = {"X-Request-Id": "req-1"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    body = {"error_code": error_code or "X.0001", "error_msg": "it failed"}
    mocked.add(method, URL, json=body, status=status, headers=headers)
    with requests.Session() as s:
        cloudstatus.install(s, service=service, registry=registry)
        with pytest.raises(cloudstatus.CloudStatusError) as info:
            s.request(method, URL)
    return info.value


HOOK_CASES = [
    pytest.param(
        service, status, method, ra, id=f"{service}-{status}-{method}-{'ra' if ra else 'no'}"
    )
    for service in SERVICES
    for status in (400, 404, 408, 409, 413, 429, 500, 501, 502, 503, 504)
    for method in ("GET", "POST")
    for ra in (False, True)
]


@pytest.mark.parametrize(("service", "status", "method", "retry_after"), HOOK_CASES)
def test_hook_instances_carry_the_decision(
    mocked: responses.RequestsMock,
    service: str | None,
    status: int,
    method: str,
    retry_after: bool,
) -> None:
    """An error the hook raises has the decision, advice and reason decide() gives."""
    exc = _raised(
        mocked,
        service=service,
        status=status,
        method=method,
        retry_after="2" if retry_after else None,
    )
    assert exc.status_code == status
    assert exc.retry_after == (2.0 if retry_after else None)
    assert exc.retryable is expected_retryable(service, status, method, retry_after)
    assert exc.advice is Advice[expected_advice(service, status)]
    d = decide(status, service=service, method=method, has_retry_after=retry_after)
    assert exc.retry_reason == d.reason


def test_unreadable_retry_after_counts_as_absent(mocked: responses.RequestsMock) -> None:
    """A garbage Retry-After gives retry_after None and the decision without one."""
    exc = _raised(mocked, service=None, status=503, method="POST", retry_after="soon")
    assert exc.retry_after is None
    assert exc.retryable is False


@pytest.mark.parametrize(
    ("error_code", "cls", "method"),
    [
        ("DMS.TEST503R", RetryableMaintenance, "POST"),
        ("DMS.TEST503I", InheritedRetryable, "GET"),
        ("DMS.TEST503M", MayRepeatMaintenance, "POST"),
    ],
)
def test_hook_honours_error_code_class_overrides(
    mocked: responses.RequestsMock, error_code: str, cls: type, method: str
) -> None:
    """A DMS 503 whose error-code class says retryable (or MAY_REPEAT) is retryable."""
    exc = _raised(mocked, service="dms", status=503, method=method, error_code=error_code)
    assert type(exc) is cls
    assert exc.retryable is True
    assert "error-code class" in exc.retry_reason


def test_hook_advice_override_is_exposed(mocked: responses.RequestsMock) -> None:
    """An advice= override shows as the error's advice."""
    exc = _raised(mocked, service="dms", status=503, error_code="DMS.TEST503M")
    assert exc.advice is Advice.MAY_REPEAT


def test_plain_error_code_class_keeps_the_table_decision(mocked: responses.RequestsMock) -> None:
    """An error-code class without an override still follows DMS's DO_NOT_REPEAT for 503."""
    exc = _raised(mocked, service="dms", status=503, error_code="DMS.TEST503")
    assert type(exc) is PlainMaintenance
    assert (exc.retryable, exc.advice) == (False, Advice.DO_NOT_REPEAT)


def test_retryable_false_override_on_429(mocked: responses.RequestsMock) -> None:
    """retryable=False on a DMS 429 class beats WAIT_RETRY_AFTER, even with Retry-After."""
    exc = _raised(mocked, service="dms", status=429, retry_after="1", error_code="DMS.TEST429")
    assert type(exc) is NeverThrottle
    assert exc.retryable is False
    assert exc.retry_after == 1.0


def test_caller_can_decide_when_raising_by_hand() -> None:
    """retryable= passed to the constructor wins and says so."""
    exc = cloudstatus.ServiceUnavailableError("down", retryable=False)
    assert exc.retryable is False
    assert exc.retry_reason == "the caller decided it when raising"
    assert cloudstatus.ServiceUnavailableError("down").retryable is True


def test_explain_shows_advice_and_decisions() -> None:
    """explain's data names the table advice and the per-method verdicts."""
    data = explain_data(503, "dms")
    assert data["advice"] == "DO_NOT_REPEAT"
    verdicts = data["retryable"]
    assert not any(v["retryable"] for k, v in verdicts.items() if "Retry-After" not in k)
    assert all(v["retryable"] for k, v in verdicts.items() if "Retry-After" in k)
    standard = explain_data(503, None)["retryable"]
    assert standard["GET"]["retryable"] is True
    assert standard["POST"]["retryable"] is False
    assert standard["POST + Retry-After"]["retryable"] is True
