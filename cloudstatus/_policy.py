"""Whether repeating a request can help: the decision every error carries.

A pure function of the catalog's data and the facts of one response. The order, first
answer wins:

1. the caller's ``retry_overrides`` (an error-code key before a status key);
2. an error-code class's own ``retryable=`` in its class statement;
3. what the server says live: a Retry-After (header, or a retry delay in the body)
   makes the error retryable after that delay, whatever the tables say;
4. static advice, the most specific first: an error-code class's ``advice=``, the
   error-code table's advice for the code (the service's, then the API gateway's), the
   service table's advice for the status. ``DO_NOT_REPEAT`` → no; ``MAY_REPEAT`` → yes,
   whatever the method; ``WAIT_RETRY_AFTER`` → yes for 429 (without a Retry-After
   too), no otherwise (step 3 already took the case with one);
5. the standard profile (the ``retry`` column of the standard table):
   ``never`` → no (every other code, 500 and 501 included); ``always`` → yes (429: the
   server itself says to come back later); ``idempotent`` → yes for idempotent methods
   only (408, 502, 504); ``idempotent_or_retry_after`` → yes for idempotent methods
   (503). Codes the table does not know are not retryable. No method at all (an error
   raised by hand) counts as idempotent; any method RFC 9110 does not call idempotent
   (POST, PATCH, CONNECT, a custom one) does not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cloudstatus._catalog import Advice, error_code_info, get_profile, load_standard

__all__ = ["IDEMPOTENT_METHODS", "Decision", "decide", "decide_safely"]

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


def _code_advice(status: int, service: str | None, error_code: str | None) -> tuple[Advice, str]:
    """The error-code table's advice for ``error_code``, and which table gave it.

    The advice holds for the status the table lists the code with: the gateway sends
    some codes with several statuses (a bad request, and a 502 when the backend is
    down), and the advice of one says nothing of the others.
    """
    if not error_code:
        return Advice.NONE, ""
    info = error_code_info(error_code, service=service)
    if info is None or info.status_code != status:
        return Advice.NONE, ""
    table = "API gateway" if info.source == "gateway" else info.source
    return info.advice, f"the {table} error-code table ({error_code})"


@functools.lru_cache(maxsize=4096)
def decide(
    status: int,
    *,
    service: str | None = None,
    method: str | None = None,
    has_retry_after: bool = False,
    override: bool | Advice | None = None,
    table_advice: Advice | None = None,
    error_code: str | None = None,
    caller: tuple[str, bool] | None = None,
) -> Decision:
    """Decide whether a request that got ``status`` may be sent again.

    :param override: the error-code class's own ``retryable=`` (a bool) or ``advice=``.
    :param table_advice: stands in for the service table's advice (the generator uses
        it to tabulate decisions straight from the catalog files).
    :param error_code: the service's error code, looked up in the error-code tables.
    :param caller: ``(what, retryable)`` from the caller's ``retry_overrides``.
    :raises LookupError: for a service nobody declared.

    Decisions are cached: they depend only on the arguments and the catalog, and every
    error asks.
    """
    if caller is not None:
        what, verdict = caller
        word = "retryable" if verdict else "not retryable"
        return Decision(verdict, Advice.NONE, f"the caller's retry_overrides make {what} {word}")
    if isinstance(override, bool):
        verdict_word = "retryable" if override else "not retryable"
        return Decision(override, Advice.NONE, f"the error-code class declares it {verdict_word}")
    code_advice, code_source = _code_advice(status, service, error_code)
    status_advice = table_advice if table_advice is not None else _profile_advice(service, status)
    if override is not None:
        advice, source = override, "the error-code class"
    elif code_advice is not Advice.NONE:
        advice, source = code_advice, code_source
    else:
        advice = status_advice
        source = f"the {service} table" if service is not None else "the service table"
    if has_retry_after:
        if advice is Advice.NONE:
            why = "the server sent Retry-After: resend after it"
        else:
            why = f"the server sent Retry-After, which outranks {source}: resend after it"
        return Decision(True, advice, why)
    if advice is Advice.DO_NOT_REPEAT:
        return Decision(False, advice, f"{source} says to modify the request before resending")
    if advice is Advice.MAY_REPEAT:
        return Decision(True, advice, f"{source} says it may be resent unchanged at any time")
    if advice is Advice.WAIT_RETRY_AFTER:
        if status == 429:
            return Decision(
                True, advice, f"{source} says to resend later (no Retry-After was sent)"
            )
        return Decision(
            False,
            advice,
            f"{source} says to resend only after a Retry-After, and none was sent",
        )
    return _standard(status, method)


# decide_safely's answers by its arguments. Every error asks, with few distinct arguments,
# and the lru_cache of decide costs more to key with seven keywords. Only decisions
# for a known service (or none) are kept: a profile is never replaced once known, so
# they cannot change; the fallback for an unknown service is not kept, as the
# service may be declared later. Emptied when full, so odd arguments cannot grow it.
_SAFE_DECISIONS: dict[tuple[object, ...], Decision] = {}
_SAFE_DECISIONS_SIZE = 4096


def decide_safely(
    status: int,
    *,
    service: str | None = None,
    method: str | None = None,
    has_retry_after: bool = False,
    override: bool | Advice | None = None,
    error_code: str | None = None,
    caller: tuple[str, bool] | None = None,
) -> Decision:
    """:func:`decide` that never raises: a service nobody declared has no table."""
    key = (status, service, method, has_retry_after, override, error_code, caller)
    known = _SAFE_DECISIONS.get(key)
    if known is not None:
        return known
    try:
        decision = decide(
            status,
            service=service,
            method=method,
            has_retry_after=has_retry_after,
            override=override,
            error_code=error_code,
            caller=caller,
        )
    except LookupError:
        return decide(
            status,
            method=method,
            has_retry_after=has_retry_after,
            override=override,
            error_code=error_code,
            caller=caller,
        )
    if len(_SAFE_DECISIONS) >= _SAFE_DECISIONS_SIZE:
        _SAFE_DECISIONS.clear()
    _SAFE_DECISIONS[key] = decision
    return decision


def _standard(status: int, method: str | None) -> Decision:
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
        why = "and no Retry-After was sent" if rule == "idempotent_or_retry_after" else "here"
        return Decision(
            False,
            Advice.NONE,
            f"standard profile: {verb} is not idempotent, so not retryable {why}",
        )
    return Decision(False, Advice.NONE, f"standard profile: {status} is not retryable")
