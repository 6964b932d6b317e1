"""aiohttp adapter: typed errors through ``ClientSession(raise_for_status=...)``.

aiohttp (3.9 and later) accepts an async callable as ``raise_for_status``, for a
whole session or for one request; :func:`raise_for_status` makes one::

    import aiohttp
    import cloudstatus.aiohttp

    async with aiohttp.ClientSession(
        raise_for_status=cloudstatus.aiohttp.raise_for_status(service="dms")
    ) as session:
        try:
            async with session.post(url, json=body) as response:
                ...
        except cloudstatus.ConflictError as e:   # or: except aiohttp.ClientResponseError
            print(e.error_code, e.error_message, e.request_id)

The raised class is also an ``aiohttp.ClientResponseError``, with its
``status``, ``message``, ``request_info``, ``headers`` and ``history`` filled in.

``import cloudstatus`` never imports this module, nor aiohttp; importing it needs the
``cloudstatus[aiohttp]`` extra.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import aiohttp

from cloudstatus import _fields
from cloudstatus._facts import Facts
from cloudstatus._foreign import ForeignPickling, basic_credentials, build_error, wants_error
from cloudstatus._hook import HookOptions

if TYPE_CHECKING:
    from cloudstatus._base import CloudStatusError

__all__ = ["RaiseForStatus", "raise_for_status"]


class _ResponseError(ForeignPickling, aiohttp.ClientResponseError):
    """The aiohttp side of a bridged class: ``aiohttp.ClientResponseError``.

    ``status`` is the cloudstatus ``status_code`` and ``message`` the response's reason
    phrase (the standard one after a pickle), so neither needs pickling of its own.
    ``request_info``, ``headers`` and ``history`` hold multidicts (which do not pickle:
    aiohttp's own error cannot cross a process boundary), the request's credentials and
    live responses; an unpickled copy has None, None and ``()``. The ``repr`` is the
    cloudstatus one: aiohttp's shows the request's headers, credentials included.
    """

    # What an unpickled copy reads (the instance's own values do not cross a pickle).
    request_info = None  # type: ignore[assignment]
    headers = None
    history = ()

    _plain_after_pickle: ClassVar[Mapping[str, object]] = {
        "request_info": None,
        "headers": None,
        "history": (),
    }

    @property
    def status(self) -> int:
        """The HTTP status, aiohttp's name for ``status_code``."""
        code: Any = getattr(self, "status_code", 0)  # the cloudstatus side's field
        return int(code or 0)

    @status.setter
    def status(self, value: int) -> None:
        self.__dict__["status_code"] = value

    @property
    def message(self) -> str:
        """The reason phrase, as aiohttp's error has it."""
        said = self.__dict__.get("_aiohttp_message")
        if isinstance(said, str):
            return said
        reason: Any = getattr(self, "reason", "")
        return str(reason or "")

    @message.setter
    def message(self, value: str) -> None:
        self.__dict__["_aiohttp_message"] = value

    def __repr__(self) -> str:
        return BaseException.__repr__(self)


class RaiseForStatus:
    """The async callable :func:`raise_for_status` returns.

    aiohttp awaits it with every final response (after redirects), 2xx included: a
    response that does not raise returns at once, untouched. For an error it reads at
    most ``max_body_bytes`` of the body within ``max_body_seconds``, frees the
    connection (back to the pool when the body was read to its end, closed otherwise),
    and raises the mapped :class:`~cloudstatus.CloudStatusError`, also an
    ``aiohttp.ClientResponseError``. ``await e.response.read()`` (and ``text()``,
    ``json()``) give the bytes that were read.

    :ivar options: the :class:`~cloudstatus.HookOptions` in force.
    """

    def __init__(self, options: HookOptions) -> None:
        self.options = options

    def __repr__(self) -> str:
        return f"<cloudstatus aiohttp raise_for_status service={self.options.service!r}>"

    async def __call__(self, response: aiohttp.ClientResponse) -> None:
        status = response.status
        if not wants_error(status, self.options):
            return
        body, complete = await _read(response, self.options)
        raise _error(response, status, body, complete, self.options)


def _error(
    response: aiohttp.ClientResponse,
    status: int,
    body: bytes,
    complete: bool,
    opts: HookOptions,
) -> CloudStatusError:
    info = response.request_info
    request_headers = dict(info.headers)
    facts = Facts(
        status_code=status,
        reason=response.reason,
        method=info.method,
        url=str(info.real_url),
        headers=dict(response.headers),
        body=b"" if info.method == "HEAD" else body,
        body_complete=complete,
        request_headers=request_headers,
        credentials=basic_credentials(request_headers),
    )
    exc = build_error(facts, opts, response=response, request=info, foreign=_ResponseError)
    # aiohttp.ClientResponseError's own attributes.
    err: Any = exc
    err.request_info = info
    # The response's reason phrase, masked as the core masks it: a server may echo a
    # credential there.
    err.message = _fields.reason(exc) if response.reason else ""
    err.headers = response.headers
    err.history = response.history
    err.response = response
    return exc


async def _read(response: aiohttp.ClientResponse, opts: HookOptions) -> tuple[bytes, bool]:
    """At most ``max_body_bytes`` of the (decoded) body within ``max_body_seconds``.

    Returns the bytes and whether the body ended within them, and leaves them as the
    response's body. Transport and decoding errors end the read with what arrived.
    """
    limit = opts.max_body_bytes
    body = getattr(response, "_body", None)
    if isinstance(body, bytes):  # read already, by an earlier callable
        return body[:limit], len(body) <= limit
    kept: list[bytes] = []
    ended = False
    try:
        ended = await asyncio.wait_for(
            _read_into(response.content, kept, limit), opts.max_body_seconds
        )
    except asyncio.TimeoutError:  # the deadline passed: keep what arrived
        pass
    except Exception:  # cut connection, corrupt gzip
        kept.extend(_buffered(response.content))
    if not ended:
        # Unread bytes would poison a pooled connection: drop it. (A body read to its
        # end has given its connection back to the pool already.) The response itself
        # stays open, so that ``await e.response.read()`` hands out what was kept.
        with contextlib.suppress(Exception):
            connection = response.connection
            if connection is not None:
                connection.close()
    data = b"".join(kept)
    complete = ended and len(data) <= limit
    data = data[:limit]
    response._body = data
    return data, complete


async def _read_into(content: aiohttp.StreamReader, kept: list[bytes], limit: int) -> bool:
    """Append chunks of ``content`` to ``kept`` until more than ``limit`` bytes or the end.

    Returns whether the body ended. ``kept`` is filled in place, so what arrived
    before a timeout or an error is not lost.
    """
    size = 0
    while size <= limit:
        chunk = await content.read(limit + 1 - size)
        if not chunk:
            return True
        kept.append(chunk)
        size += len(chunk)
    return False


def _buffered(content: aiohttp.StreamReader) -> list[bytes]:
    """Bytes that arrived but were not read when the stream failed; best effort.

    aiohttp raises a cut connection's error before handing out the bytes it
    buffered ahead of it; they are what the server managed to say, so they are
    taken from the reader's buffer when that is where aiohttp keeps them.
    """
    try:
        buffer = list(getattr(content, "_buffer", ()))
        offset = getattr(content, "_buffer_offset", 0)
        if buffer and isinstance(offset, int) and isinstance(buffer[0], bytes):
            buffer[0] = buffer[0][offset:]
        return [bytes(b) for b in buffer if isinstance(b, (bytes, bytearray, memoryview))]
    except Exception:
        return []


def raise_for_status(service: str | None = None, **options: Any) -> RaiseForStatus:
    """An async callable for ``aiohttp.ClientSession(raise_for_status=...)``.

    Also per request: ``session.get(url, raise_for_status=...)``. Takes the options
    of :func:`cloudstatus.install` (see :class:`~cloudstatus.HookOptions`).

    :param service: resolve classes in this service's namespace (``"dms"``).
    :returns: a :class:`RaiseForStatus`.
    :raises LookupError: for an unknown service.
    :raises TypeError: for an unknown option or a value of the wrong type.
    :raises ValueError: for an out-of-range value.
    """
    return RaiseForStatus(HookOptions.build(service=service, **options))
