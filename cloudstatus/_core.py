"""The client-neutral core: :class:`~cloudstatus._facts.Facts` in, exception out.

Adapters (the requests hook, httpx, aiohttp, Huawei's SDK) read a response into
Facts; :func:`error_from_facts` resolves the most specific class and builds the
exception. It never raises for anything a server sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudstatus._base import CloudStatusError
    from cloudstatus._facts import Facts
    from cloudstatus._hook import HookOptions

__all__ = ["error_from_facts"]


def error_from_facts(
    facts: Facts,
    options: HookOptions | None = None,
    *,
    response: Any = None,
    request: Any = None,
    foreign: type[BaseException] | None = None,
) -> CloudStatusError:
    """The exception for ``facts``; never raises for anything the server sent.

    :param options: validated options (:meth:`HookOptions.build`); the defaults when None.
    :param response: the client's own response object, kept as ``e.response``.
    :param request: the client's own request object, kept as ``e.request``.
    :param foreign: a client library's error class the raised class must also
        subclass (``httpx.HTTPStatusError``); see :func:`cloudstatus._bridge.bridge`.
        The caller fills that class's own attributes on the instance.
    """
    from cloudstatus._hook import DEFAULT_OPTIONS, build_from_facts

    opts = options if options is not None else DEFAULT_OPTIONS
    return build_from_facts(facts, opts, response=response, request=request, foreign=foreign)
