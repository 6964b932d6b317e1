"""Retry helpers: tenacity predicates and waits, and a urllib3 ``Retry`` from a profile.

Every :class:`~cloudstatus.CloudStatusError` already knows whether repeating the
request can help (:attr:`~cloudstatus.CloudStatusError.retryable`) and how long the
server asked to wait (:attr:`~cloudstatus.CloudStatusError.retry_after`). This module
hands those answers to the usual retry tools.

tenacity is never imported here: the helpers are plain callables tenacity accepts::

    from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential
    from cloudstatus.retry import is_retryable, wait_retry_after

    @retry(
        retry=retry_if_exception(is_retryable),
        wait=wait_retry_after(wait_exponential(max=30)),
        stop=stop_after_attempt(5),
    )
    def publish(session, url, body):
        return session.post(url, json=body)

For retries below requests, mount :func:`urllib3_retry` on an adapter; when the
retries run out, the last response still reaches the hook, so the caller gets the
typed error with its error code and request id::

    session = cloudstatus.install(requests.Session(), service="dms")
    adapter = requests.adapters.HTTPAdapter(max_retries=urllib3_retry(service="dms"))
    session.mount("https://", adapter)
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from cloudstatus._base import CloudStatusError
from cloudstatus._catalog import load_standard
from cloudstatus._parse import parse_retry_after
from cloudstatus._policy import IDEMPOTENT_METHODS, decide

if TYPE_CHECKING:
    from types import TracebackType

    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

__all__ = [
    "ProfileRetry",
    "is_retryable",
    "retryable_statuses",
    "urllib3_retry",
    "wait_retry_after",
]

#: Longest Retry-After the urllib3 helper sleeps for by default, in seconds.
DEFAULT_MAX_RETRY_AFTER = 120.0


def is_retryable(exc: BaseException) -> bool:
    """Whether ``exc`` is a cloudstatus error that says repeating can help.

    A predicate for tenacity's ``retry_if_exception``. Anything that is not a
    :class:`~cloudstatus.CloudStatusError` (a timeout, a bug) gives False: combine
    with your own predicate to retry transport errors.
    """
    return isinstance(exc, CloudStatusError) and exc.retryable


class wait_retry_after:  # named like tenacity's own wait strategies
    """A tenacity wait strategy: the error's Retry-After when known, else ``fallback``.

    :param fallback: a tenacity wait strategy (any callable taking the retry state)
        or a number of seconds.
    :param max_wait: cap on the wait taken from Retry-After (None: no cap).
    """

    def __init__(
        self, fallback: Callable[[Any], float] | float = 1.0, *, max_wait: float | None = None
    ) -> None:
        if max_wait is not None and max_wait < 0:
            raise ValueError(f"max_wait must be >= 0 or None, got {max_wait!r}")
        self.fallback = fallback
        self.max_wait = max_wait

    def __repr__(self) -> str:
        return f"wait_retry_after({self.fallback!r}, max_wait={self.max_wait!r})"

    def __call__(self, retry_state: Any) -> float:
        """Seconds to wait before the next attempt."""
        outcome = getattr(retry_state, "outcome", None)
        exc = outcome.exception() if outcome is not None and outcome.failed else None
        if isinstance(exc, CloudStatusError) and exc.retry_after is not None:
            wait = exc.retry_after
            return min(wait, self.max_wait) if self.max_wait is not None else wait
        if callable(self.fallback):
            return float(self.fallback(retry_state))
        return float(self.fallback)


def retryable_statuses(service: str | None = None) -> frozenset[int]:
    """Codes a GET is retried on for ``service`` when the response has no Retry-After.

    With a Retry-After, every error status is retryable: the server's live word
    outranks the tables.
    """
    return frozenset(
        code
        for code in load_standard()
        if code >= 400 and decide(code, service=service, method="GET").retryable
    )


class ProfileRetry(Retry):
    """A urllib3 :class:`~urllib3.util.Retry` that asks the service's profile.

    Whether a response is retried is decided exactly as
    :attr:`~cloudstatus.CloudStatusError.retryable` is, method and Retry-After
    included; ``status_forcelist`` is filled in for inspection only. Connection and
    read errors are retried for idempotent methods only (urllib3's own rule).

    Retry-After is read as the hook reads it: a value it cannot parse (``soon``, a
    negative number) counts as absent, both for the decision and for the wait, so
    urllib3 never retries a response the hook would call not retryable and never fails
    on the header. urllib3 itself cannot be told "do not retry" that late, so such a
    response ends the retries as an exhausted budget does: it is returned when
    ``raise_on_status`` is False (as :func:`urllib3_retry` sets it).
    """

    def __init__(
        self,
        *args: Any,
        service: str | None = None,
        max_retry_after: float | None = DEFAULT_MAX_RETRY_AFTER,
        **kwargs: Any,
    ) -> None:
        self.service = service
        self.max_retry_after = max_retry_after
        super().__init__(*args, **kwargs)

    def new(self, **kw: Any) -> ProfileRetry:
        """Copy with changes (urllib3 calls this on every attempt)."""
        kw.setdefault("service", self.service)
        kw.setdefault("max_retry_after", self.max_retry_after)
        return super().new(**kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        """Whether a response with ``status_code`` to ``method`` should be retried."""
        if status_code < 400 or (self.total is not None and self.total <= 0):
            return False
        return decide(
            status_code, service=self.service, method=method, has_retry_after=has_retry_after
        ).retryable

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> ProfileRetry:
        """Count one more attempt; stop when the Retry-After urllib3 saw is unreadable.

        urllib3 tells :meth:`is_retry` only whether a Retry-After header is non-empty;
        here the header itself is at hand and the decision is taken again with the
        hook's reading of it.
        """
        if error is None and response is not None and method and response.status >= 400:
            header = response.headers.get("Retry-After")
            if header and parse_retry_after(header) is None:
                decision = decide(
                    response.status, service=self.service, method=method, has_retry_after=False
                )
                if not decision.retryable:
                    raise MaxRetryError(
                        _pool,  # type: ignore[arg-type]
                        url or "",
                        ResponseError(f"not retried: {decision.reason}"),
                    )
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        """Retry-After in seconds, capped at ``max_retry_after``; None when unreadable."""
        value = parse_retry_after(response.headers.get("Retry-After"))
        if value is None:
            return None
        urllib3_cap = getattr(self, "retry_after_max", None)  # urllib3 >= 2.5 only
        if urllib3_cap is not None:
            value = min(value, float(urllib3_cap))
        if self.max_retry_after is not None:
            value = min(value, self.max_retry_after)
        return value

    def sleep_for_retry(self, response: BaseHTTPResponse) -> bool:
        """Sleep for the Retry-After, when there is one (``0`` means at once, no backoff)."""
        retry_after = self.get_retry_after(response)
        if retry_after is None:
            return False
        if retry_after > 0:
            time.sleep(retry_after)
        return True


def urllib3_retry(
    service: str | None = None,
    *,
    total: int = 3,
    backoff_factor: float = 0.5,
    backoff_max: float = 30.0,
    max_retry_after: float | None = DEFAULT_MAX_RETRY_AFTER,
    allowed_methods: Collection[str] | None = None,
) -> ProfileRetry:
    """A urllib3 ``Retry`` whose decisions come from ``service``'s profile.

    Retry-After is honoured (up to ``max_retry_after`` seconds); otherwise the wait
    is exponential backoff. When the retries run out, the last response is returned
    rather than raised (``raise_on_status=False``), so it reaches the cloudstatus hook
    and the caller gets the typed error with the server's code, message and request id.

    :param allowed_methods: methods retried after connection or read errors
        (idempotent methods by default). Status-based retries follow the profile.
    :raises LookupError: for an unknown service.
    """
    if service is not None:
        from cloudstatus._catalog import get_profile

        get_profile(service)
    if total < 0:
        raise ValueError(f"total must be >= 0, got {total}")
    options: dict[str, Any] = {
        "total": total,
        "connect": total,
        "read": total,
        "status": total,
        "backoff_factor": backoff_factor,
        "status_forcelist": retryable_statuses(service),
        "allowed_methods": frozenset(allowed_methods or IDEMPOTENT_METHODS),
        "respect_retry_after_header": True,
        "raise_on_status": False,
        "raise_on_redirect": False,
        "service": service,
        "max_retry_after": max_retry_after,
    }
    # urllib3 1.26 has no backoff_max argument (its cap is a class constant).
    if "backoff_max" in inspect.signature(Retry.__init__).parameters:
        options["backoff_max"] = backoff_max
    return ProfileRetry(**options)
