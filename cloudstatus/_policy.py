"""Whether repeating a request can help: the decision every error carries.

The order, first answer wins:

1. an error-code class's own override (``retryable=`` or ``advice=`` in its class statement);
2. the service table's advice for the status, when it gives any:
   ``DO_NOT_REPEAT`` → no; ``MAY_REPEAT`` → yes, whatever the method;
   ``WAIT_RETRY_AFTER`` → yes when the response says when (a Retry-After), and for 429
   also without one;
3. the standard profile (the ``retry`` column of the standard table):
   ``never`` → no (every other code, 500 and 501 included); ``always`` → yes (429: the
   server itself says to come back later); ``idempotent`` → yes for idempotent methods
   only (408, 502, 504); ``idempotent_or_retry_after`` → yes for idempotent methods, and
   for POST or PATCH only when the response carries a Retry-After (503). Codes the table
   does not know are not retryable. No method at all (an error raised by hand) counts
   as idempotent; any method RFC 9110 does not call idempotent (POST, PATCH, CONNECT, a
   custom one) does not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cloudstatus._catalog import Advice, get_profile, load_standard

__all__ = ["IDEMPOTENT_METHODS", "Decision", "decide"]

#: Methods RFC 9110 defines as idempotent.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


@dataclass(frozen=True)
class Decision:
    """A retry decision and why it was made."""

    retryable: bool
    advice: Advice
    reason: str


def _profile_advice(service: str | None, status: int) -> Advice:
    if service is None:
        return Advice.NONE
    entry = get_profile(service).entries.get(status)
    return entry.advice if entry is not None else Advice.NONE


@functools.lru_cache(maxsize=4096)
def decide(
    status: int,
    *,
    service: str | None = None,
    method: str | None = None,
    has_retry_after: bool = False,
    override: bool | Advice | None = None,
    table_advice: Advice | None = None,
) -> Decision:
    """Decide whether a request that got ``status`` may be sent again.

    ``table_advice``, when given, stands in for the service table's advice (the
    generator uses it to tabulate decisions straight from the catalog files).

    Decisions are cached: they depend only on the arguments and the catalog, and every
    error asks.
    """
    if isinstance(override, bool):
        verdict = "retryable" if override else "not retryable"
        return Decision(override, Advice.NONE, f"the error-code class declares it {verdict}")
    if override is not None:
        advice = override
    elif table_advice is not None:
        advice = table_advice
    else:
        advice = _profile_advice(service, status)
    if override is not None:
        source = "the error-code class"
    else:
        source = f"the {service} table" if service is not None else "the service table"
    if advice is Advice.DO_NOT_REPEAT:
        return Decision(False, advice, f"{source} says to modify the request before resending")
    if advice is Advice.MAY_REPEAT:
        return Decision(True, advice, f"{source} says it may be resent unchanged at any time")
    if advice is Advice.WAIT_RETRY_AFTER:
        if has_retry_after:
            return Decision(True, advice, f"{source} says to resend after Retry-After")
        if status == 429:
            return Decision(
                True, advice, f"{source} says to resend later (no Retry-After was sent)"
            )
        return Decision(
            False,
            advice,
            f"{source} says to resend only after a Retry-After, and none was sent",
        )
    return _standard(status, method, has_retry_after)


def _standard(status: int, method: str | None, has_retry_after: bool) -> Decision:
    entry = load_standard().get(status)
    rule = entry.retry if entry is not None and status >= 300 else "never"
    if rule == "always":
        return Decision(True, Advice.NONE, f"standard profile: {status} is always retryable")
    if rule in ("idempotent", "idempotent_or_retry_after"):
        verb = (method or "").upper()
        if not verb or verb in IDEMPOTENT_METHODS:
            return Decision(
                True, Advice.NONE, f"standard profile: {status} is retryable for idempotent methods"
            )
        if rule == "idempotent_or_retry_after" and has_retry_after:
            return Decision(
                True,
                Advice.NONE,
                f"standard profile: {verb} is retryable since Retry-After was sent",
            )
        why = "and no Retry-After was sent" if rule == "idempotent_or_retry_after" else "here"
        return Decision(
            False,
            Advice.NONE,
            f"standard profile: {verb} is not idempotent, so not retryable {why}",
        )
    return Decision(False, Advice.NONE, f"standard profile: {status} is not retryable")
