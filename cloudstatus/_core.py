"""The client-neutral core: :class:`~cloudstatus._facts.Facts` in, exception out.

Adapters (the requests hook, httpx, aiohttp, Huawei's SDK) read a response into
Facts; :func:`error_from_facts` resolves the most specific class and builds the
exception, which computes its other fields when they are first read. Nothing here
raises for anything a server sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudstatus._base import CloudStatusError
from cloudstatus._bridge import bridge
from cloudstatus._options import DEFAULT_OPTIONS, HookOptions
from cloudstatus._registry import registered_anywhere
from cloudstatus._resolve import error_class, resolve

if TYPE_CHECKING:
    from cloudstatus._facts import Facts
    from cloudstatus._parse import ErrorBody

__all__ = ["error_from_facts", "status_of"]


def status_of(response: object) -> int | None:
    """The ``status_code`` of any response object as a plain int, or None; never raises."""
    try:
        status = response.status_code  # type: ignore[attr-defined]
    except Exception:  # a junk object whose attribute raises: not an error response
        return None
    # An IntEnum (http.HTTPStatus) is a status too; a bool is not.
    if not isinstance(status, int) or isinstance(status, bool):
        return None
    return int(status)


def _may_have_code_classes(opts: HookOptions) -> bool:
    """Whether any registry the lookup would search holds an error-code class at all."""
    if opts.registry is not None:
        return len(opts.registry) > 0
    return registered_anywhere() > 0


def _parse_for_code(facts: Facts, opts: HookOptions) -> tuple[ErrorBody, dict[str, str]] | None:
    """The parsed body and the header map it needed (kept: the exception reuses both)."""
    if not facts.body:
        return None
    from cloudstatus import _parse

    headers: dict[str, str] = _parse.header_map(facts.headers) if facts.headers else {}
    parsed: ErrorBody = _parse.parse_error_body(
        facts.body, headers.get("content-type", ""), opts.parsers
    )
    return parsed, headers


def _code_of(parsed: ErrorBody) -> str | None:
    """The error code as the exception reports it (cleaned as ``e.error_code`` is)."""
    code = parsed.error_code
    if code is None:
        return None
    from cloudstatus._fields import CODE_CHARS
    from cloudstatus._redact import clean_text

    return clean_text(str(code), CODE_CHARS) or None


def error_from_facts(
    facts: Facts,
    options: HookOptions | None = None,
    *,
    response: Any = None,
    request: Any = None,
    foreign: type[BaseException] | None = None,
) -> CloudStatusError:
    """The exception for ``facts``; never raises for anything the server sent.

    Only what resolution needs happens here: the status, and the body only when an
    error-code class is registered that its code could select. Every other field is
    computed when first read.

    :param options: validated options (:meth:`HookOptions.build`); the defaults when None.
    :param response: the client's own response object, kept as ``e.response``.
    :param request: the client's own request object, kept as ``e.request``.
    :param foreign: a client library's error class the raised class must also
        subclass (``httpx.HTTPStatusError``); see :func:`cloudstatus._bridge.bridge`.
        The caller fills that class's own attributes on the instance.
    """
    opts = options if options is not None else DEFAULT_OPTIONS
    status = facts.status_code
    service = opts.service
    found = _parse_for_code(facts, opts) if _may_have_code_classes(opts) else None
    parsed = found[0] if found is not None else None
    code = _code_of(parsed) if parsed is not None else None
    try:
        if type(status) is int and status >= 300:
            cls = resolve(status, service, code, opts.registry)
        else:
            cls = error_class(status, service=service, error_code=code, registry=opts.registry)
    except Exception:  # a service this process no longer knows: the standard tree
        service = None
        try:
            cls = error_class(status)
        except (TypeError, ValueError):  # an adapter handed over a non-error status
            cls = CloudStatusError
    if foreign is not None:
        cls = bridge(cls, foreign)
    exc = cls._from_facts(facts, opts, service, response, request, parsed)
    if found is not None:
        exc._headers = found[1]
    return exc
