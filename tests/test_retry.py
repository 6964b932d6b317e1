"""Retry helpers: the tenacity predicate and wait, and the urllib3 Retry from a profile.

urllib3 tests run against a real HTTP/1.1 server on 127.0.0.1; sleeps are recorded,
not slept, so nothing here depends on the clock.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import requests
import tenacity
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError
from urllib3.response import HTTPResponse

import cloudstatus
import cloudstatus.retry
from cloudstatus._loopback import LoopbackServer, Reply, json_reply
from cloudstatus.retry import (
    DEFAULT_MAX_RETRY_AFTER,
    ProfileRetry,
    is_retryable,
    retryable_statuses,
    urllib3_retry,
    wait_retry_after,
)
from cloudstatus.services import dms

TIMEOUT = 10
THROTTLED = {"error_code": "DMS.00429001", "error_msg": "too many requests, slow down"}


# -- no hard dependency on tenacity ----------------------------------------------------------


def test_tenacity_is_not_imported() -> None:
    """Importing cloudstatus and cloudstatus.retry leaves tenacity unimported."""
    code = "import cloudstatus, cloudstatus.retry, sys; assert 'tenacity' not in sys.modules"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


# -- is_retryable ----------------------------------------------------------------------------


def test_is_retryable_follows_the_error() -> None:
    """The predicate is the error's own retryable, and False for anything else."""
    assert is_retryable(cloudstatus.TooManyRequestsError("slow down")) is True
    assert is_retryable(dms.ServiceUnavailableError("down")) is False
    assert is_retryable(cloudstatus.ConflictError("taken")) is False
    assert is_retryable(requests.ConnectionError("refused")) is False
    assert is_retryable(ValueError("bug")) is False


# -- wait_retry_after in a real tenacity loop ------------------------------------------------


class Flaky:
    """A callable raising the given errors in turn, then returning "ok"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def _run(wait: Any, flaky: Flaky, attempts: int = 5) -> tuple[str, list[float]]:
    slept: list[float] = []
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(is_retryable),
        wait=wait,
        stop=tenacity.stop_after_attempt(attempts),
        sleep=slept.append,
        reraise=True,
    )
    return retrying(flaky), slept


def test_tenacity_uses_the_fallback_without_retry_after() -> None:
    """Errors without retry_after wait what the fallback strategy says."""
    flaky = Flaky(cloudstatus.BadGatewayError("bad"), cloudstatus.GatewayTimeoutError("slow"))
    result, slept = _run(wait_retry_after(tenacity.wait_fixed(0.25)), flaky)
    assert (result, flaky.calls, slept) == ("ok", 3, [0.25, 0.25])


def test_tenacity_uses_retry_after_when_known() -> None:
    """An error's retry_after replaces the fallback for that wait."""
    flaky = Flaky(
        cloudstatus.TooManyRequestsError("slow down", retry_after=7.0),
        cloudstatus.BadGatewayError("bad"),
    )
    result, slept = _run(wait_retry_after(tenacity.wait_fixed(0.5)), flaky)
    assert (result, slept) == ("ok", [7.0, 0.5])


def test_tenacity_caps_retry_after_at_max_wait() -> None:
    """max_wait caps a long Retry-After."""
    flaky = Flaky(cloudstatus.TooManyRequestsError("slow down", retry_after=3600.0))
    _, slept = _run(wait_retry_after(tenacity.wait_fixed(1), max_wait=30), flaky)
    assert slept == [30]


def test_tenacity_numeric_fallback() -> None:
    """A number as fallback is a fixed wait in seconds."""
    flaky = Flaky(cloudstatus.ServiceUnavailableError("down"))
    _, slept = _run(wait_retry_after(2), flaky)
    assert slept == [2.0]


def test_tenacity_default_fallback_is_one_second() -> None:
    """Without a fallback, an error with no retry_after waits one second."""
    flaky = Flaky(cloudstatus.ServiceUnavailableError("down"))
    _, slept = _run(wait_retry_after(), flaky)
    assert slept == [1.0]


def test_tenacity_does_not_retry_what_the_table_forbids() -> None:
    """A DMS 503 (DO_NOT_REPEAT) without Retry-After is raised at once, after a single call."""
    flaky = Flaky(dms.ServiceUnavailableError("down"))
    with pytest.raises(dms.ServiceUnavailableError):
        _run(wait_retry_after(1), flaky)
    assert flaky.calls == 1


def test_tenacity_retries_when_the_server_says_when() -> None:
    """A DMS 503 with Retry-After is retried after that wait: the live signal outranks."""
    flaky = Flaky(dms.ServiceUnavailableError("down", retry_after=1.0))
    assert _run(wait_retry_after(7), flaky) == ("ok", [1.0])
    assert flaky.calls == 2


def test_wait_retry_after_rejects_negative_max_wait() -> None:
    """A negative max_wait is a ValueError."""
    with pytest.raises(ValueError, match="max_wait"):
        wait_retry_after(1, max_wait=-1)


def test_wait_retry_after_repr() -> None:
    """The repr shows the fallback and the cap."""
    assert repr(wait_retry_after(3, max_wait=9)) == "wait_retry_after(3, max_wait=9)"


# -- retryable_statuses ----------------------------------------------------------------------


def test_retryable_statuses_per_service() -> None:
    """Without Retry-After, DMS never retries 503; the standard profile does; 500 never."""
    assert 503 not in retryable_statuses("dms")
    assert {408, 429, 502, 504} <= retryable_statuses("dms")
    assert 413 not in retryable_statuses("dms")  # only with the Retry-After it asks for
    assert {408, 429, 502, 503, 504} <= retryable_statuses()
    assert 503 not in retryable_statuses("mpc")
    for service in (None, "mpc", "dms"):
        assert not {500, 501, 400, 404} & retryable_statuses(service)


# -- ProfileRetry unit behaviour -------------------------------------------------------------


def _response(status: int, retry_after: str | None = None) -> HTTPResponse:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return HTTPResponse(body=b"", headers=headers, status=status, preload_content=False)


def test_new_keeps_service_and_cap() -> None:
    """new(), which urllib3 calls on every attempt, keeps service and max_retry_after."""
    retry = urllib3_retry("dms", total=4, max_retry_after=5)
    later = retry.new(total=1)
    assert isinstance(later, ProfileRetry)
    assert (later.service, later.max_retry_after, later.total) == ("dms", 5, 1)
    assert later.is_retry("GET", 503) is False
    assert urllib3_retry(total=1).new().is_retry("GET", 503) is True


def test_max_retry_after_caps_the_wait() -> None:
    """Retry-After is capped at max_retry_after; None disables the cap."""
    assert urllib3_retry(max_retry_after=5).get_retry_after(_response(429, "3600")) == 5
    assert urllib3_retry(max_retry_after=None).get_retry_after(_response(429, "3600")) == 3600
    assert urllib3_retry().get_retry_after(_response(429, "99999")) == DEFAULT_MAX_RETRY_AFTER
    assert urllib3_retry().get_retry_after(_response(429)) is None


def test_unreadable_retry_after_is_none_not_an_error() -> None:
    """A Retry-After the hook cannot read is None here too, never urllib3's InvalidHeader."""
    retry = urllib3_retry()
    assert retry.get_retry_after(_response(429, "soon")) is None
    assert retry.get_retry_after(_response(429, "-5")) is None
    assert retry.get_retry_after(_response(429, "1.5")) == 1.5


def test_is_retry_edges() -> None:
    """No retry below 400 or with no budget left; total=None leaves it to the profile."""
    retry = urllib3_retry()
    assert retry.is_retry("GET", 302) is False
    assert retry.is_retry("GET", 200) is False
    assert urllib3_retry(total=0).is_retry("GET", 503) is False
    assert ProfileRetry(total=None, status=2).is_retry("GET", 503) is True
    assert retry.is_retry("POST", 503) is False
    assert retry.is_retry("POST", 503, has_retry_after=True) is True


def test_transport_errors_are_counted_not_vetoed() -> None:
    """A connection error goes through urllib3's own counting, not the Retry-After check."""
    retry = urllib3_retry(total=2).increment("GET", "/q", error=ConnectTimeoutError("slow"))
    assert (retry.total, retry.connect) == (1, 1)
    later = urllib3_retry(total=2).increment("GET", "/q", response=_response(503))
    assert later.total == 1


def test_urllib3_retry_options() -> None:
    """The helper returns the response at the end and validates its arguments."""
    retry = urllib3_retry("dms", total=2, backoff_factor=0.1)
    assert retry.raise_on_status is False
    assert retry.respect_retry_after_header is True
    assert retry.status_forcelist == retryable_statuses("dms")
    assert retry.allowed_methods == frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
    assert urllib3_retry(allowed_methods=["GET"]).allowed_methods == frozenset({"GET"})
    with pytest.raises(LookupError, match="unknown service"):
        urllib3_retry("no-such-service")
    with pytest.raises(ValueError, match="total"):
        urllib3_retry(total=-1)


# -- urllib3 Retry against a real server -----------------------------------------------------


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry-After sleeps ProfileRetry asks for, recorded instead of slept."""
    record: list[float] = []
    monkeypatch.setattr(cloudstatus.retry, "time", SimpleNamespace(sleep=record.append))
    return record


def _session(service: str | None = None, **options: Any) -> requests.Session:
    options.setdefault("backoff_factor", 0)
    s = cloudstatus.install(requests.Session(), service=service)
    s.mount("http://", HTTPAdapter(max_retries=urllib3_retry(service, **options)))
    return s


@pytest.fixture
def dms_session() -> Iterator[requests.Session]:
    """A DMS session retrying through urllib3_retry(service="dms", total=3)."""
    with _session("dms", total=3) as s:
        yield s


def _throttled(retry_after: str | None = "0", request_id: str = "req-429") -> Reply:
    headers = [("X-Request-Id", request_id)]
    if retry_after is not None:
        headers.append(("Retry-After", retry_after))
    return json_reply(429, THROTTLED, headers)


@pytest.mark.network
def test_429_twice_then_200_succeeds(
    server: LoopbackServer, dms_session: requests.Session, slept: list[float]
) -> None:
    """Two throttled answers are retried and the third, a 200, is returned."""
    server.sequence("/q", [_throttled("1"), _throttled("1")], then=json_reply(200, {"ok": True}))
    r = dms_session.get(server.url_for("/q"), timeout=TIMEOUT)
    assert r.status_code == 200
    assert r.json() == {"ok": True}
    assert len(server.requests) == 3
    assert slept == [1.0, 1.0]  # Retry-After honoured, once per retry


@pytest.mark.network
def test_retry_after_zero_retries_at_once(server: LoopbackServer, slept: list[float]) -> None:
    """Retry-After: 0 means at once: no sleep, and no backoff either."""
    server.sequence("/q", [_throttled("0")], then=json_reply(200, {}))
    with _session(backoff_factor=1000.0) as s:
        assert s.post(server.url_for("/q"), timeout=TIMEOUT).status_code == 200
    assert len(server.requests) == 2
    assert slept == []


@pytest.mark.network
def test_retry_after_longer_than_the_cap_is_not_retried_early(
    server: LoopbackServer, slept: list[float]
) -> None:
    """Retry-After: 86400 against max_retry_after=60 stops the retries: the error is raised."""
    server.sequence("/q", [_throttled("86400")], then=json_reply(200, {}))
    with (
        _session("dms", max_retry_after=60.0) as s,
        pytest.raises(dms.TooManyRequestsError) as info,
    ):
        s.get(server.url_for("/q"), timeout=TIMEOUT)
    assert len(server.requests) == 1
    assert slept == []
    assert info.value.retry_after == 86400.0


@pytest.mark.network
def test_retry_after_within_the_cap_is_waited_for(
    server: LoopbackServer, slept: list[float]
) -> None:
    """A Retry-After within max_retry_after is slept exactly, then the request is resent."""
    server.sequence("/q", [_throttled("2")], then=json_reply(200, {}))
    with _session("dms", max_retry_after=60.0) as s:
        assert s.get(server.url_for("/q"), timeout=TIMEOUT).status_code == 200
    assert slept == [2.0]


@pytest.mark.network
def test_429_forever_gives_the_typed_error(
    server: LoopbackServer, dms_session: requests.Session, slept: list[float]
) -> None:
    """When retries run out, the last 429 reaches the hook: code, message and request id."""
    replies = [_throttled("0", f"req-{n}") for n in range(1, 4)]
    server.sequence("/q", replies, then=_throttled("0", "req-last"))
    with pytest.raises(cloudstatus.TooManyRequestsError) as info:
        dms_session.post(server.url_for("/q"), json={"m": 1}, timeout=TIMEOUT)
    exc = info.value
    assert isinstance(exc, dms.TooManyRequestsError)
    assert len(server.requests) == 3 + 1  # total + 1
    assert (exc.error_code, exc.request_id) == ("DMS.00429001", "req-last")
    assert exc.error_message == THROTTLED["error_msg"]
    assert exc.retryable is True
    assert exc.response is not None and exc.response.status_code == 429
    assert "DMS.00429001" in str(exc)


@pytest.mark.network
def test_rate_limit_headers_reach_the_error(
    server: LoopbackServer, dms_session: requests.Session, slept: list[float]
) -> None:
    """The final response's rate-limit headers are on the error as rate_limit."""
    headers = [
        ("Retry-After", "0"),
        ("X-RateLimit-Limit", "100"),
        ("X-RateLimit-Remaining", "0"),
        ("X-RateLimit-Reset", "30"),
    ]
    server.route("/q", json_reply(429, THROTTLED, headers))
    with pytest.raises(cloudstatus.TooManyRequestsError) as info:
        dms_session.get(server.url_for("/q"), timeout=TIMEOUT)
    limits = info.value.rate_limit
    assert limits is not None
    assert (limits.limit, limits.remaining, limits.reset) == (100, 0, 30.0)


@pytest.mark.network
def test_dms_503_is_not_retried(server: LoopbackServer, dms_session: requests.Session) -> None:
    """DMS says do not repeat a 503: one request, and the DMS error."""
    server.sequence("/q", [json_reply(503, {"error_code": "DMS.00503000"})], then=Reply(200))
    with pytest.raises(dms.ServiceUnavailableError) as info:
        dms_session.get(server.url_for("/q"), timeout=TIMEOUT)
    assert info.value.retryable is False
    assert len(server.requests) == 1


@pytest.mark.network
def test_standard_503_get_is_retried(server: LoopbackServer) -> None:
    """Without a service, a GET that got 503 is retried."""
    server.sequence("/q", [Reply(503)], then=Reply(200))
    with _session() as s:
        assert s.get(server.url_for("/q"), timeout=TIMEOUT).status_code == 200
    assert len(server.requests) == 2


@pytest.mark.network
def test_post_503_without_retry_after_is_not_retried(server: LoopbackServer) -> None:
    """A POST that got 503 without Retry-After is not repeated."""
    server.sequence("/q", [Reply(503)], then=Reply(200))
    with _session() as s, pytest.raises(cloudstatus.ServiceUnavailableError) as info:
        s.post(server.url_for("/q"), data=b"x", timeout=TIMEOUT)
    assert info.value.retryable is False
    assert len(server.requests) == 1


@pytest.mark.network
def test_post_503_with_retry_after_is_retried(server: LoopbackServer) -> None:
    """A POST that got 503 with Retry-After is repeated, body included."""
    server.sequence("/q", [Reply(503, [("Retry-After", "0")])], then=Reply(200))
    with _session() as s:
        assert s.post(server.url_for("/q"), data=b"x", timeout=TIMEOUT).status_code == 200
    assert [r.body for r in server.requests] == [b"x", b"x"]


@pytest.mark.network
def test_unreadable_retry_after_does_not_make_a_post_retryable(server: LoopbackServer) -> None:
    """A POST 503 with Retry-After: soon is not retried and gives the typed error."""
    server.sequence("/q", [Reply(503, [("Retry-After", "soon")])], then=Reply(200))
    with _session() as s, pytest.raises(cloudstatus.ServiceUnavailableError) as info:
        s.post(server.url_for("/q"), data=b"x", timeout=TIMEOUT)
    assert (info.value.retryable, info.value.retry_after) == (False, None)
    assert len(server.requests) == 1


@pytest.mark.network
def test_unreadable_retry_after_on_dms_413(server: LoopbackServer) -> None:
    """DMS 413 with an unreadable Retry-After is not retried (no urllib3 InvalidHeader)."""
    server.sequence("/q", [Reply(413, [("Retry-After", "-1")])], then=Reply(200))
    with _session("dms") as s, pytest.raises(dms.ContentTooLargeError) as info:
        s.put(server.url_for("/q"), data=b"x", timeout=TIMEOUT)
    assert info.value.retryable is False
    assert len(server.requests) == 1


@pytest.mark.network
def test_unreadable_retry_after_on_429_falls_back_to_backoff(
    server: LoopbackServer, slept: list[float]
) -> None:
    """A 429 is retried whatever its Retry-After says; an unreadable one is not slept on."""
    server.sequence("/q", [_throttled("soon")], then=Reply(200))
    with _session("dms") as s:
        assert s.get(server.url_for("/q"), timeout=TIMEOUT).status_code == 200
    assert len(server.requests) == 2
    assert slept == []


@pytest.mark.network
def test_dms_413_with_retry_after_is_retried(server: LoopbackServer, slept: list[float]) -> None:
    """DMS 413 with a readable Retry-After is retried after it."""
    server.sequence("/q", [Reply(413, [("Retry-After", "3")])], then=Reply(200))
    with _session("dms") as s:
        assert s.put(server.url_for("/q"), data=b"x", timeout=TIMEOUT).status_code == 200
    assert slept == [3.0]
