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
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from cloudstatus._base import CloudStatusError
from cloudstatus._catalog import load_standard
from cloudstatus._options import check_overrides
from cloudstatus._parse import parse_retry_after
from cloudstatus._policy import IDEMPOTENT_METHODS, Decision, decide

if TYPE_CHECKING:
    from types import TracebackType

    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

__all__ = [
    "ProfileRetry",
    "is_retryable",
    "is_transient",
    "retryable_statuses",
    "urllib3_retry",
    "wait_retry_after",
]

#: Longest Retry-After the urllib3 helper sleeps for by default, in seconds.
DEFAULT_MAX_RETRY_AFTER = 120.0


def is_retryable(exc: BaseException, *, max_wait: float | None = None) -> bool:
    """Whether ``exc`` is a cloudstatus error that says repeating can help.

    A predicate for tenacity's ``retry_if_exception``. Anything that is not a
    :class:`~cloudstatus.CloudStatusError` (a timeout, a bug) gives False; see
    :func:`is_transient` for transport errors too.

    :param max_wait: the longest wait, in seconds, the caller accepts. An error whose
        server asks for a longer one (``Retry-After: 86400`` against 60) is not retried
        early: this gives False and adds a note to the exception saying why, which
        its traceback shows. Use ``functools.partial(is_retryable, max_wait=60)``.
    """
    if not isinstance(exc, CloudStatusError) or not exc.retryable:
        return False
    return _within(exc, max_wait)


def _within(exc: CloudStatusError, max_wait: float | None) -> bool:
    wait = exc.retry_after
    if max_wait is None or wait is None or wait <= max_wait:
        return True
    _note(
        exc,
        f"not retried: the server asked to wait {wait:g} s before resending, longer than "
        f"the {max_wait:g} s the caller allows",
    )
    return False


def _note(exc: BaseException, note: str) -> None:
    """Attach ``note`` to ``exc`` once (``add_note`` from Python 3.11; a list before)."""
    notes = getattr(exc, "__notes__", None)
    if notes is not None and note in notes:
        return
    add = getattr(exc, "add_note", None)
    if add is not None:
        add(note)
    else:  # Python 3.10: the attribute alone, which tracebacks there do not print
        exc.__notes__ = [*(notes or ()), note]  # type: ignore[attr-defined]


def is_transient(exc: BaseException, *, max_wait: float | None = None) -> bool:
    """Whether repeating the request can help: a retryable error, or a transport failure.

    True for a :class:`~cloudstatus.CloudStatusError` that is
    :attr:`~cloudstatus.CloudStatusError.retryable` (within ``max_wait`` seconds, as
    :func:`is_retryable` says), and for connection errors and timeouts: requests'
    ``ConnectionError`` and ``Timeout``, and, when those libraries are in use, httpx's
    ``TransportError`` and aiohttp's ``ClientConnectionError`` and
    ``asyncio.TimeoutError``. Everything else (a bug, an SSL certificate error)
    gives False.
    """
    if isinstance(exc, CloudStatusError):
        return is_retryable(exc, max_wait=max_wait)
    import requests

    if isinstance(exc, requests.exceptions.SSLError):
        return False  # a certificate problem does not go away by retrying
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
        return True
    return isinstance(exc, _other_transport_errors())


def _other_transport_errors() -> tuple[type[BaseException], ...]:
    # Only the client libraries the program already imported: never import one here.
    import asyncio
    import sys

    found: list[type[BaseException]] = []
    httpx = sys.modules.get("httpx")
    if httpx is not None:
        found.append(httpx.TransportError)
    aiohttp = sys.modules.get("aiohttp")
    if aiohttp is not None:
        found.append(aiohttp.ClientConnectionError)
        found.append(asyncio.TimeoutError)
    return tuple(found)


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
        retry_overrides: Mapping[int | str, bool] | None = None,
        **kwargs: Any,
    ) -> None:
        self.service = service
        self.max_retry_after = max_retry_after
        self.retry_overrides = (
            check_overrides(retry_overrides) if retry_overrides is not None else None
        )
        super().__init__(*args, **kwargs)

    def new(self, **kw: Any) -> ProfileRetry:
        """Copy with changes (urllib3 calls this on every attempt)."""
        kw.setdefault("service", self.service)
        kw.setdefault("max_retry_after", self.max_retry_after)
        kw.setdefault("retry_overrides", self.retry_overrides)
        return super().new(**kw)

    def _decide(self, method: str | None, status: int, has_retry_after: bool) -> Decision:
        caller = None
        overrides = self.retry_overrides
        if overrides and status in overrides:
            caller = (f"status {status}", overrides[status])
        return decide(
            status,
            service=self.service,
            method=method,
            has_retry_after=has_retry_after,
            caller=caller,
        )

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        """Whether a response with ``status_code`` to ``method`` should be retried."""
        if status_code < 400 or (self.total is not None and self.total <= 0):
            return False
        return self._decide(method, status_code, has_retry_after).retryable

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
            wait = parse_retry_after(header) if header else None
            if header and wait is None:
                decision = self._decide(method, response.status, has_retry_after=False)
                if not decision.retryable:
                    raise MaxRetryError(
                        _pool,  # type: ignore[arg-type]
                        url or "",
                        ResponseError(f"not retried: {decision.reason}"),
                    )
            cap = self.max_retry_after
            if wait is not None and cap is not None and wait > cap:
                # Resending before the server's time would only be refused again.
                raise MaxRetryError(
                    _pool,  # type: ignore[arg-type]
                    url or "",
                    ResponseError(
                        f"not retried: Retry-After asks for {wait:g} s, more than "
                        f"max_retry_after={cap:g} s"
                    ),
                )
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        """Retry-After in seconds, at most ``max_retry_after``; None when unreadable.

        A longer Retry-After never reaches this: :meth:`increment` stops the retries.
        """
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
    retry_overrides: Mapping[int | str, bool] | None = None,
) -> ProfileRetry:
    """A urllib3 ``Retry`` whose decisions come from ``service``'s profile.

    A Retry-After is waited for; otherwise the wait is exponential backoff. A server
    asking for longer than ``max_retry_after`` seconds is not retried early: the
    retries stop there. When they stop or run out, the last response is returned
    rather than raised (``raise_on_status=False``), so it reaches the cloudstatus hook
    and the caller gets the typed error with the server's code, message and request
    id; its :attr:`~cloudstatus.CloudStatusError.retry_reason` says how many attempts
    were made.

    :param allowed_methods: methods retried after connection or read errors
        (idempotent methods by default). Status-based retries follow the profile.
    :param retry_overrides: status code to retryable, as the hook's option. urllib3
        decides before the body is read, so error-code keys cannot apply here; they
        decide the raised error's :attr:`~cloudstatus.CloudStatusError.retryable`.
    :raises LookupError: for an unknown service.
    :raises TypeError: for a malformed ``retry_overrides``.
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
        "retry_overrides": retry_overrides,
    }
    # urllib3 1.26 has no backoff_max argument (its cap is a class constant).
    if "backoff_max" in inspect.signature(Retry.__init__).parameters:
        options["backoff_max"] = backoff_max
    return ProfileRetry(**options)
