"""httpx adapter: typed errors from an ``httpx.Client`` or ``httpx.AsyncClient``.

Install it on a client and every error response raises the mapped cloudstatus class,
which is also an ``httpx.HTTPStatusError``::

    import httpx
    import cloudstatus.httpx

    client = cloudstatus.httpx.install(httpx.Client(), service="dms")
    try:
        client.post(url, json=body)
    except cloudstatus.ConflictError as e:        # or: except httpx.HTTPStatusError
        print(e.error_code, e.error_message, e.request_id)

:func:`install` picks the sync or the async hook by the client's type. Wiring
``event_hooks`` yourself, use :func:`response_hook` on a ``httpx.Client`` and
:func:`async_response_hook` on an ``httpx.AsyncClient``.

``import cloudstatus`` never imports this module, nor httpx; importing it needs the
``cloudstatus[httpx]`` extra.
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
import time
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import anyio
import httpx

from cloudstatus._facts import Facts
from cloudstatus._foreign import ForeignPickling, basic_credentials, build_error, wants_error
from cloudstatus._hook import DeadlineCut, HookOptions

if TYPE_CHECKING:
    from cloudstatus._base import CloudStatusError

__all__ = [
    "AsyncResponseHook",
    "ResponseHook",
    "async_response_hook",
    "install",
    "is_client",
    "response_hook",
    "uninstall",
]


class _StatusError(ForeignPickling, httpx.HTTPStatusError):
    """The httpx side of a bridged class: ``httpx.HTTPStatusError``, safe to read.

    httpx's ``request`` property raises :class:`RuntimeError` when unset, which it is
    on an unpickled copy (a live request holds credentials and is never pickled). On a
    bridged class the cloudstatus side comes first, so ``e.request`` and ``e.response``
    are the core's own attributes: None on such a copy, as on every cloudstatus error.
    """


class _Hook:
    """What the sync and async hooks share: the options, the client, the facts."""

    def __init__(self, options: HookOptions, client: httpx.Client | httpx.AsyncClient | None):
        self.options = options
        self._client = weakref.ref(client) if client is not None else None

    def __repr__(self) -> str:
        return f"<cloudstatus httpx hook service={self.options.service!r}>"

    def _status_to_raise(self, response: httpx.Response) -> int | None:
        """The status when ``response`` raises, else None (2xx, followed redirects).

        httpx runs response hooks on every hop of a redirect chain before following
        it, and fills ``response.history`` only after the hooks ran: a hop the client
        follows is remembered instead of judged, and becomes the history of the
        response that ends the chain.
        """
        status = response.status_code
        if status < 400 and response.has_redirect_location and self._follows():
            _hops.set((*_hops.get(), response))
            return None
        hops = _hops.get()
        if hops:
            _hops.set(())
        if not wants_error(status, self.options):
            return None
        if hops:
            response.history = _leading_to(hops, response)
        return status

    def _follows(self) -> bool:
        client = self._client() if self._client is not None else None
        return bool(client is not None and client.follow_redirects)

    def _error(
        self, response: httpx.Response, status: int, body: bytes, complete: bool
    ) -> CloudStatusError:
        request = response.request
        method = request.method
        facts = Facts(
            status_code=status,
            reason=response.reason_phrase,
            method=method,
            url=str(request.url),
            headers=response.headers,
            body=b"" if method == "HEAD" else body,
            body_complete=complete,
            request_headers=request.headers,
            credentials=basic_credentials(request.headers),
        )
        exc = build_error(
            facts, self.options, response=response, request=request, foreign=_StatusError
        )
        # httpx.HTTPStatusError's own attributes, whatever the core did with them.
        err: Any = exc
        err.request = request
        err.response = response
        return exc


class ResponseHook(_Hook):
    """The response hook for an ``httpx.Client`` (sync); :func:`install` adds one.

    Called with each response; returns None for a response that does not raise, and
    raises the mapped :class:`~cloudstatus.CloudStatusError` (also an
    ``httpx.HTTPStatusError``) otherwise, after reading at most
    ``max_body_bytes`` of the body within ``max_body_seconds`` and closing the response.

    :ivar options: the :class:`~cloudstatus.HookOptions` in force.
    """

    def __call__(self, response: httpx.Response) -> None:
        status = self._status_to_raise(response)
        if status is None:
            return
        body, complete = _read_sync(response, self.options)
        raise self._error(response, status, body, complete)


class AsyncResponseHook(_Hook):
    """The response hook for an ``httpx.AsyncClient``; :func:`install` adds one.

    As :class:`ResponseHook`, awaited: the body is read with ``aiter_bytes`` under a
    cancel scope of ``max_body_seconds``, then the response is closed.

    :ivar options: the :class:`~cloudstatus.HookOptions` in force.
    """

    async def __call__(self, response: httpx.Response) -> None:
        status = self._status_to_raise(response)
        if status is None:
            return
        body, complete = await _read_async(response, self.options)
        raise self._error(response, status, body, complete)


#: The redirect hops seen so far of the chain the current request is following.
_hops: contextvars.ContextVar[tuple[httpx.Response, ...]] = contextvars.ContextVar(
    "cloudstatus_httpx_hops", default=()
)


def _leading_to(hops: tuple[httpx.Response, ...], response: httpx.Response) -> list[httpx.Response]:
    """The hops whose ``Location`` led, one to the next, to ``response``'s request.

    Checked backwards from ``response``, so hops left over from a chain that ended
    in a transport error (a thread or task keeps its context) are not attached to
    a later request.
    """
    chain: list[httpx.Response] = []
    target = response.request.url.copy_with(fragment=None)
    for hop in reversed(hops):
        try:
            location = hop.request.url.join(hop.headers["location"]).copy_with(fragment=None)
        except Exception:  # a Location httpx could not have followed either
            break
        if location != target:
            break
        chain.append(hop)
        target = hop.request.url.copy_with(fragment=None)
    chain.reverse()
    return chain


@contextlib.contextmanager
def _read_timeout_at_most(response: httpx.Response, seconds: float) -> Iterator[None]:
    """Bound each socket read of the body by ``seconds`` (httpcore transports).

    httpcore takes the read timeout from the request's ``timeout`` extension when the
    body starts streaming; lowering it there makes a server that goes silent give up
    within the deadline instead of the client's (longer) read timeout. The request's
    own value is put back afterwards, so resending ``e.request`` is unaffected.
    """
    timeouts = response.request.extensions.get("timeout")
    if not isinstance(timeouts, dict):
        yield
        return
    saved = timeouts.get("read")
    if saved is None or saved > seconds:
        timeouts["read"] = seconds
    try:
        yield
    finally:
        timeouts["read"] = saved


def _already_read(response: httpx.Response, limit: int) -> tuple[bytes, bool] | None:
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return None
    return content[:limit], len(content) <= limit


def _keep(
    response: httpx.Response, kept: list[bytes], limit: int, ended: bool
) -> tuple[bytes, bool]:
    body = b"".join(kept)
    complete = ended and len(body) <= limit
    body = body[:limit]
    # So that e.response.content (and .text, .json()) hold what was read.
    response._content = body
    return body, complete


def _read_sync(response: httpx.Response, opts: HookOptions) -> tuple[bytes, bool]:
    """At most ``max_body_bytes`` of the decoded body within ``max_body_seconds``.

    Returns the bytes and whether the body ended within them. The response is closed
    afterwards: a connection whose body was read to the end goes back to the pool,
    one with bytes left unread is dropped. Transport and decoding errors end the read
    with what arrived. A body that trickles is cut at the deadline; a server that goes
    silent is given up on within ``max_body_seconds`` of the last read.
    """
    done = _already_read(response, opts.max_body_bytes)
    if done is not None:
        return done
    limit = opts.max_body_bytes
    deadline = time.monotonic() + opts.max_body_seconds
    kept: list[bytes] = []
    size = 0
    ended = False
    # Bytes that keep arriving but decode to nothing never hand control back to the
    # loop below: the cut shuts the socket down at the deadline.
    cut = _deadline_cut(response, opts.max_body_seconds)
    try:
        with _read_timeout_at_most(response, opts.max_body_seconds):
            for chunk in response.iter_bytes():
                kept.append(chunk)
                size += len(chunk)
                if size > limit or time.monotonic() >= deadline:
                    break
            else:
                ended = True
    except Exception:  # cut connection, corrupt gzip, read timeout: keep what arrived
        ended = False
    if cut is not None:
        cut.cancel()
        ended = ended and not cut.fired
    with contextlib.suppress(Exception):
        response.close()
    return _keep(response, kept, limit, ended)


def _deadline_cut(response: httpx.Response, seconds: float) -> DeadlineCut | None:
    """A :class:`DeadlineCut` on the socket under ``response`` (httpcore), or None."""
    try:
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
    except Exception:  # another transport: only the per-read timeout bounds the read
        return None
    return DeadlineCut(sock, seconds) if isinstance(sock, socket.socket) else None


async def _read_async(response: httpx.Response, opts: HookOptions) -> tuple[bytes, bool]:
    """:func:`_read_sync` for an ``httpx.AsyncClient``; the deadline is exact."""
    done = _already_read(response, opts.max_body_bytes)
    if done is not None:
        return done
    limit = opts.max_body_bytes
    kept: list[bytes] = []
    size = 0
    ended = False
    try:
        # A cancel scope works under asyncio and trio alike, as httpx itself does.
        with anyio.move_on_after(opts.max_body_seconds):
            async for chunk in response.aiter_bytes():
                kept.append(chunk)
                size += len(chunk)
                if size > limit:
                    break
            else:
                ended = True
    except Exception:  # cut connection, corrupt gzip: keep what arrived
        ended = False
    with contextlib.suppress(Exception):
        await response.aclose()
    return _keep(response, kept, limit, ended)


def response_hook(service: str | None = None, **options: Any) -> ResponseHook:
    """A hook for ``httpx.Client(event_hooks={"response": [...]})``.

    Takes the options of :func:`cloudstatus.install` (see :class:`~cloudstatus.HookOptions`).
    Not knowing the client, it treats ``raise_redirects=True`` as requests does: every
    3xx raises, also one the client would follow; :func:`install` knows better.

    :raises LookupError: for an unknown service.
    :raises TypeError: for an unknown option or a value of the wrong type.
    :raises ValueError: for an out-of-range value.
    """
    return ResponseHook(HookOptions.build(service=service, **options), None)


def async_response_hook(service: str | None = None, **options: Any) -> AsyncResponseHook:
    """A hook for ``httpx.AsyncClient(event_hooks={"response": [...]})``.

    As :func:`response_hook`; httpx awaits it (a sync hook on an async client fails).
    """
    return AsyncResponseHook(HookOptions.build(service=service, **options), None)


def is_client(obj: object) -> bool:
    """Whether ``obj`` is an ``httpx.Client`` or ``httpx.AsyncClient``."""
    return isinstance(obj, (httpx.Client, httpx.AsyncClient))


def install(client: Any, *, service: str | None = None, **options: Any) -> Any:
    """Install the hook on an httpx client and return the client.

    An ``httpx.AsyncClient`` gets an :class:`AsyncResponseHook`, an
    ``httpx.Client`` a :class:`ResponseHook`, appended to
    ``client.event_hooks["response"]``. Installing again replaces the options of the
    hook already there; it is never added twice. With ``follow_redirects=True`` on
    the client, the hops of a redirect chain pass and the final response decides.

    :param client: an ``httpx.Client`` or ``httpx.AsyncClient``.
    :param service: resolve classes in this service's namespace (``"dms"``).
    :param options: as for :func:`cloudstatus.install`.
    :returns: ``client``.
    :raises TypeError: for anything but an httpx client, or an unknown option.
    :raises LookupError: for an unknown service.
    """
    if not is_client(client):
        raise TypeError(
            f"cloudstatus.httpx.install() takes an httpx.Client or httpx.AsyncClient, got "
            f"{type(client).__name__}; for a requests.Session use cloudstatus.install()"
        )
    opts = HookOptions.build(service=service, **options)
    kind: type[_Hook] = AsyncResponseHook if isinstance(client, httpx.AsyncClient) else ResponseHook
    hooks: list[Any] = client.event_hooks["response"]
    # A hook of the wrong kind (a sync one on an async client) would fail every call.
    hooks[:] = [h for h in hooks if not isinstance(h, _Hook) or isinstance(h, kind)]
    for hook in hooks:
        if isinstance(hook, kind):
            hook.options = opts
            hook._client = weakref.ref(client)
            return client
    hooks.append(kind(opts, client))
    return client


def uninstall(client: Any) -> Any:
    """Remove every cloudstatus hook from an httpx client and return the client.

    :raises TypeError: for anything but an httpx client.
    """
    if not is_client(client):
        raise TypeError(
            f"cloudstatus.httpx.uninstall() takes an httpx.Client or httpx.AsyncClient, got "
            f"{type(client).__name__}"
        )
    hooks: list[Any] = client.event_hooks["response"]
    hooks[:] = [h for h in hooks if not isinstance(h, _Hook)]
    return client
