"""What the httpx and aiohttp adapters share; imports no client library.

The adapters read a response into :class:`~cloudstatus._facts.Facts` their own way
(sync or async, each client's stream API); turning the facts into an exception that
is also the client's own error, and making that exception safe to pickle, is the
same for both and lives here.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, SupportsIndex

from cloudstatus._base import CloudStatusError
from cloudstatus._bridge import bridge
from cloudstatus._core import error_from_facts
from cloudstatus._resolve import error_class

if TYPE_CHECKING:
    from cloudstatus._facts import Facts
    from cloudstatus._hook import HookOptions

__all__ = ["ForeignPickling", "basic_credentials", "build_error", "wants_error"]

# Shorter passwords are left to the header masking: scrubbing every "abc" from a
# message would mangle it more than it protects.
_MIN_PASSWORD_CHARS = 4


def wants_error(status: int, opts: HookOptions) -> bool:
    """Whether a response of ``status`` raises under ``opts`` (4xx, 5xx; 3xx when asked)."""
    return status >= 400 or (300 <= status < 400 and opts.raise_redirects)


def basic_credentials(headers: object) -> tuple[str, ...]:
    """The password (and ``user:password``) inside an ``Authorization: Basic`` header.

    The header value itself is masked by the core; a server that echoes the decoded
    password would slip past that, so the adapters hand it over as a credential.
    Never raises: an unreadable header gives ``()``.
    """
    if not isinstance(headers, Mapping):
        return ()
    try:
        value = headers.get("authorization") or headers.get("Authorization")
        if not isinstance(value, str):
            return ()
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "basic" or not token:
            return ()
        pair = base64.b64decode(token.strip(), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError, TypeError, AttributeError):
        return ()
    _, colon, password = pair.partition(":")
    if not colon or len(password) < _MIN_PASSWORD_CHARS:
        return ()
    return (pair, password)


def build_error(
    facts: Facts,
    opts: HookOptions,
    *,
    response: Any,
    request: Any,
    foreign: type[BaseException],
) -> CloudStatusError:
    """The bridged exception for ``facts``; never raises.

    When the core fails on something unforeseen, the bare mapped class (bridged all
    the same) is the answer, so the hook still raises nothing but the mapped error;
    the caller sets ``response`` and ``request`` on it as on any other.
    """
    try:
        return error_from_facts(facts, opts, response=response, request=request, foreign=foreign)
    except Exception:
        try:
            cls = error_class(facts.status_code, service=opts.service, registry=opts.registry)
        except Exception:
            cls = error_class(facts.status_code)
        bridged = bridge(cls, foreign)
        return bridged(status_code=facts.status_code, method=facts.method, url=facts.url)


def _restore(
    ours: type[CloudStatusError], theirs: type[BaseException], args: tuple[Any, ...]
) -> CloudStatusError:
    """Unpickling: a bare instance of ``bridge(ours, theirs)``; its state follows."""
    cls = bridge(ours, theirs)
    exc = cls.__new__(cls, *args)
    exc.args = args
    return exc


class ForeignPickling:
    """Mixin for the client-error side of a bridged class: pickle to the same class.

    A bridged class is not importable by name, so the core's own reduction (which
    names ``type(self)``) cannot be loaded back. This one rebuilds the class through
    :func:`~cloudstatus._bridge.bridge` and keeps the core's state, except that the
    client's attributes named in :attr:`_plain_after_pickle` (live requests, header
    multidicts, response history: credentials and sockets) are replaced by plain
    values. Defined as ``__reduce_ex__`` because the core class, first in the bridged
    class's order, defines ``__reduce__``.
    """

    #: Attribute name to the plain value the unpickled copy carries instead.
    _plain_after_pickle: ClassVar[Mapping[str, object]] = {}

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        reduced = self.__reduce__()
        cls = type(self)
        bases = cls.__bases__
        bridged = (
            len(bases) == 2
            and issubclass(bases[0], CloudStatusError)
            and issubclass(bases[1], ForeignPickling)
        )
        if not bridged or not isinstance(reduced, tuple) or reduced[0] is not cls:
            return reduced
        args = tuple(reduced[1]) if len(reduced) > 1 else ()
        state: dict[str, Any] = dict(reduced[2] or {}) if len(reduced) > 2 else {}
        state.update(self._plain_after_pickle)
        return (_restore, (bases[0], bases[1], args), state)
