"""The requests adapter: read what the server said (bounded, within a deadline), raise.

:func:`install` wraps the session's ``send``, so that every request through the
session raises for an error status: also when a call passes its own ``hooks=`` (which
replace the session's hooks in requests), for ``session.send()`` of a request prepared
elsewhere, and after a followed redirect chain (``e.response.history`` holds the hops).

Nothing here raises anything but the mapped :class:`~cloudstatus.CloudStatusError`:
reading, decoding and parsing failures are absorbed, and the worst case is an
exception with fewer fields filled in.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from cloudstatus._core import error_from_facts, status_of
from cloudstatus._facts import Facts
from cloudstatus._options import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_BODY_SECONDS,
    DEFAULT_OPTIONS,
    OPTION_NAMES,
    HookOptions,
)
from cloudstatus._resolve import error_class

if TYPE_CHECKING:
    import requests

    from cloudstatus._base import CloudStatusError
    from cloudstatus._parse import BodyParser
    from cloudstatus._registry import Registry

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_BODY_SECONDS",
    "HookOptions",
    "SessionHook",
    "error_from_response",
    "install",
    "installed",
    "raise_for_status",
    "read_bounded",
    "uninstall",
]

_CHUNK = 16 * 1024
_Client = TypeVar("_Client")
# The keyword arguments requests hands a response hook (Session.send's own).
_REQUESTS_HOOK_ARGS = frozenset({"timeout", "verify", "proxies", "stream", "cert"})


def _socket_of(raw: object) -> socket.socket | None:
    """The socket under a urllib3 response, to bound each wait on it; None if hidden."""
    for path in (("_connection", "sock"), ("_fp", "fp", "raw", "_sock")):
        obj: Any = raw
        for name in path:
            obj = getattr(obj, name, None)
        if isinstance(obj, socket.socket):
            return obj
    return None


def _reader(response: requests.Response) -> Callable[[int], bytes]:
    """A function reading the next decoded bytes of the body, returning b"" at its end.

    urllib3's ``read1`` returns what has arrived instead of waiting for a full chunk,
    so a trickled body cannot hold the reader past the deadline; without it (urllib3
    1.x, other raw objects), reads wait for the socket's timeout at most.
    """
    raw = response.raw
    read1 = getattr(type(raw), "read1", None)
    stream = getattr(raw, "stream", None)
    if read1 is not None and callable(stream) and hasattr(raw, "_fp"):
        try:
            raw.read1(0, decode_content=True)
        except NotImplementedError:
            pass
        else:
            return lambda n: raw.read1(n, decode_content=True)
    chunks = response.iter_content(chunk_size=_CHUNK)
    return lambda n: next(chunks, b"")


class DeadlineCut:
    """Shuts a socket down when a deadline passes, unless cancelled first.

    A per-read socket timeout does not bound a body whose bytes keep arriving but
    decode to nothing (a gzip stream of empty blocks): the client library keeps
    reading inside one call, never handing control back to check the deadline.
    Shutting the socket down ends that call; :attr:`fired` says it happened. One
    shared thread watches every armed deadline, so arming one costs no thread.
    """

    __slots__ = ("fired", "sock", "when")

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.fired = False
        self.sock: socket.socket | None = sock
        self.when = time.monotonic() + seconds
        _watchdog.arm(self)

    def cancel(self) -> None:
        """Disarm; from then on the socket is left alone and :attr:`fired` is final."""
        with _watchdog.lock:
            self.sock = None


class _Watchdog:
    """The thread that cuts the sockets of :class:`DeadlineCut` whose deadline passed."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start afresh (in a forked child, where the parent's thread does not run)."""
        self.lock = threading.Condition()
        self._heap: list[tuple[float, int, DeadlineCut]] = []
        self._order = 0
        self._thread: threading.Thread | None = None

    def arm(self, cut: DeadlineCut) -> None:
        with self.lock:
            self._order += 1
            heapq.heappush(self._heap, (cut.when, self._order, cut))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="cloudstatus-deadline", daemon=True
                )
                self._thread.start()
            self.lock.notify()

    def _run(self) -> None:
        with self.lock:
            while True:
                now = time.monotonic()
                while self._heap and (self._heap[0][2].sock is None or self._heap[0][0] <= now):
                    cut = heapq.heappop(self._heap)[2]
                    sock, cut.sock = cut.sock, None
                    if sock is not None:
                        cut.fired = True
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_RDWR)
                self.lock.wait(self._heap[0][0] - now if self._heap else None)


_watchdog = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_watchdog.reset)


def read_body(response: requests.Response, limit: int, seconds: float) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of the (decoded) body, read within ``seconds``.

    Returns ``(body, complete)``: ``complete`` is False when the body was longer than
    ``limit``, the deadline passed, or the read failed (a cut connection, corrupt
    gzip); what arrived before is kept either way. What is kept becomes
    ``response.content``, so ``e.response.content`` works after the raise. A body that
    ends within ``limit`` more bytes is drained so its connection goes back to the
    pool; otherwise the connection is closed.
    """
    content = getattr(response, "_content", False)
    if isinstance(content, bytes):
        return content[:limit], len(content) <= limit
    raw = getattr(response, "raw", None)
    if getattr(response, "_content_consumed", False) or raw is None:
        return b"", True
    deadline = time.monotonic() + seconds
    sock = _socket_of(raw)
    timeout = sock.gettimeout() if sock is not None else None
    kept: list[bytes] = []
    size = 0
    ended = False
    cut = DeadlineCut(sock, seconds) if sock is not None else None
    try:
        read = _reader(response)
        while size <= 2 * limit:  # the cap, then as much again drained
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if sock is not None:
                sock.settimeout(remaining if timeout is None else min(timeout, remaining))
            chunk = read(_CHUNK)
            if not chunk:
                ended = True
                break
            if size < limit:
                kept.append(chunk[: limit - size])
            size += len(chunk)
    except Exception:  # corrupt gzip, cut connection, deadline: keep what arrived
        ended = False
    finally:
        if cut is not None:
            cut.cancel()
            ended = ended and not cut.fired  # a read the cut ended is no end of the body
        if sock is not None:
            with contextlib.suppress(Exception):
                sock.settimeout(timeout)
    with contextlib.suppress(Exception):
        if ended:
            # Fully read: the connection may serve the next request.
            release = getattr(raw, "release_conn", None)
            if release is not None:
                release()
        else:
            # Unread bytes would poison a pooled connection: close it instead.
            response.close()
    body = b"".join(kept)
    response._content = body
    # So that e.response.content is the capped body instead of a "consumed" error.
    setattr(response, "_content_consumed", True)  # noqa: B010
    return body, ended and size <= limit


def read_bounded(
    response: requests.Response, limit: int, seconds: float = DEFAULT_MAX_BODY_SECONDS
) -> bytes:
    """:func:`read_body` without the completeness flag."""
    return read_body(response, limit, seconds)[0]


def facts_from_response(response: requests.Response, status: int, opts: HookOptions) -> Facts:
    """Read a requests response into :class:`Facts` (the body bounded, the connection freed)."""
    request: Any
    reason: Any
    url: Any
    headers: Any
    request_url: Any
    request_headers: Any
    try:  # a requests.Response has every attribute read here: the fast way
        request = response.request
        method = request.method if request is not None else None
        reason, url, headers = response.reason, response.url, response.headers
        request_url = request.url if request is not None else None
        request_headers = request.headers if request is not None else None
    except AttributeError:  # a look-alike response object: take what it has
        request = getattr(response, "request", None)
        method = getattr(request, "method", None)
        reason = getattr(response, "reason", None)
        url = getattr(response, "url", None)
        headers = getattr(response, "headers", None)
        request_url = getattr(request, "url", None)
        request_headers = getattr(request, "headers", None)
    body, complete = read_body(response, opts.max_body_bytes, opts.max_body_seconds)
    return Facts(
        status,
        reason,
        method if isinstance(method, str) else None,
        url or request_url,
        headers,
        b"" if method == "HEAD" else body,  # a HEAD response has no body
        complete,
        request_headers,
        (),
        _attempts(response),
    )


def _attempts(response: requests.Response) -> int:
    """How many times urllib3 sent the request that got ``response`` (its retries counted)."""
    raw = getattr(response, "raw", None)
    if raw is None:  # a response built in memory: sent once, if at all
        return 1
    history = getattr(getattr(raw, "retries", None), "history", None)
    return len(history) + 1 if isinstance(history, tuple) else 1


def _error_for(response: object, opts: HookOptions) -> CloudStatusError | None:
    try:  # a requests.Response: a plain int, read without a call
        status = response.status_code  # type: ignore[attr-defined]
    except Exception:  # a junk object whose attribute raises: not an error response
        return None
    if type(status) is not int:  # an IntEnum, a bool, junk: the careful reading
        status = status_of(response)
        if status is None:
            return None
    if status < 300 or (status < 400 and not opts.raise_redirects):
        return None
    resp: requests.Response = response  # type: ignore[assignment]
    try:
        facts = facts_from_response(resp, status, opts)
        return error_from_facts(facts, opts, response=resp, request=getattr(resp, "request", None))
    except Exception:
        # Last resort: the mapped class with no parsed fields, still never another error.
        try:
            return error_class(status, service=opts.service)(response=resp)
        except Exception:
            return error_class(status)()


def error_from_response(
    response: requests.Response, *, service: str | None = None, **options: Any
) -> CloudStatusError | None:
    """The exception for an error response, or None for a non-error one; never raises.

    Takes the options of :func:`install`. A 3xx gives None unless
    ``raise_redirects=True``. The body is read (at most ``max_body_bytes``, within
    ``max_body_seconds``) and the connection released, as the hook does.

    Invalid options are programming errors and do raise :class:`TypeError`,
    :class:`ValueError` or :class:`LookupError`; the response itself never makes this
    raise.
    """
    if service is None and not options:
        return _error_for(response, DEFAULT_OPTIONS)
    return _error_for(response, HookOptions.build(service=service, **options))


def raise_for_status(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """Raise the mapped exception for an error response; return the response otherwise.

    Works as a plain call and as a requests hook::

        requests.get(url, hooks={"response": cloudstatus.raise_for_status})

    As a hook it receives requests' own keyword arguments (``timeout``, ``verify``,
    ``proxies``, ``stream``, ``cert``), which it ignores; the options of
    :func:`install` are honoured when passed by name. Used as a hook, it raises on
    each redirect hop it sees and cannot see the chain's history: prefer
    :func:`install` on a session.

    :raises TypeError: for a keyword argument that is neither an option nor one of
        requests' hook arguments.
    """
    opts = DEFAULT_OPTIONS
    if kwargs:
        options = {k: v for k, v in kwargs.items() if k in OPTION_NAMES}
        unknown = sorted(set(kwargs) - OPTION_NAMES - _REQUESTS_HOOK_ARGS)
        if unknown:
            raise TypeError(
                f"raise_for_status() got unknown keyword argument(s) {', '.join(unknown)}; "
                f"its options are {', '.join(sorted(OPTION_NAMES))}"
            )
        if options:
            opts = HookOptions.build(**options)
    exc = _error_for(response, opts)
    if exc is not None:
        raise exc
    return response


# The hook whose wrapped send is running, so the redirect hops it sends are not checked;
# another session called meanwhile (from a response hook, say) is checked as always.
_in_send: contextvars.ContextVar[SessionHook | None] = contextvars.ContextVar(
    "cloudstatus_in_send", default=None
)


class SessionHook:
    """What :func:`install` puts on a session: its ``send``, wrapped (one per session).

    The wrapped ``send`` asks requests for a streamed response, follows redirects as
    requests does, and then raises for an error status at the end of the chain,
    reading at most ``max_body_bytes`` of the body within ``max_body_seconds``. A
    non-error response is returned as requests would return it (its body read, unless
    the call asked for ``stream=True``).
    """

    def __init__(self, session: requests.Session, options: HookOptions) -> None:
        self.session = session
        self.options = options
        # Another wrapper installed before this one (a mock library's, say) keeps working.
        self.wrapped: Callable[..., requests.Response] | None = session.__dict__.get("send")

    def __repr__(self) -> str:
        return f"<cloudstatus hook service={self.options.service!r}>"

    def _send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self.wrapped is not None:
            return self.wrapped(request, **kwargs)
        return type(self.session).send(self.session, request, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send ``request`` as :meth:`requests.Session.send` does; raise for an error status."""
        if _in_send.get() is self and kwargs.get("allow_redirects", True) is False:
            # A redirect hop of the outer call: requests sends each with allow_redirects=False.
            return self._send(request, **kwargs)
        options = self.options
        stream = kwargs.get("stream", False)
        kwargs["stream"] = True
        if options.raise_redirects:
            kwargs["allow_redirects"] = False  # any redirect is an error: raise at the first
        # Every request passes here: what _send does, without a further call.
        wrapped = self.wrapped
        token = _in_send.set(self)
        try:
            if wrapped is not None:
                response = wrapped(request, **kwargs)
            else:
                response = type(self.session).send(self.session, request, **kwargs)
        finally:
            _in_send.reset(token)
        try:
            status = response.status_code
        except Exception:  # a look-alike response whose attribute raises: _error_for decides
            status = None
        if type(status) is not int or status >= 300:  # else no error: skip the full check
            exc = _error_for(response, options)
            if exc is not None:
                raise exc
        if not stream:
            response.content  # noqa: B018  (read the body, as requests does without stream)
        return response


def _check_session(session: object) -> requests.Session:
    import requests

    if not isinstance(session, requests.Session):
        if type(session).__module__.partition(".")[0] == "aiohttp":
            raise TypeError(
                "an aiohttp session has no hook to install: create it with "
                "aiohttp.ClientSession(raise_for_status=cloudstatus.aiohttp.raise_for_status("
                "service=...))"
            )
        if isinstance(session, type(requests)):
            got = f"the module {session.__name__}; pass a session, requests.Session()"
        else:
            got = f"{type(session).__module__}.{type(session).__qualname__}"
        raise TypeError(
            f"cloudstatus.install() takes a requests.Session, an httpx.Client or "
            f"httpx.AsyncClient, or a Huawei Cloud SDK client (huaweicloudsdkcore); got "
            f"{got}. For a single response, call cloudstatus.raise_for_status(response)."
        )
    return session


def install_session(
    session: requests.Session, *, service: str | None = None, **options: Any
) -> requests.Session:
    """Install the hook on a requests session and return the session (see :func:`install`)."""
    session = _check_session(session)
    opts = HookOptions.build(service=service, **options)
    hook = installed_hook(session)
    if hook is not None:
        hook.options = opts
        return session
    hook = SessionHook(session, opts)
    session.send = hook.send  # type: ignore[method-assign]
    return session


def installed_hook(session: requests.Session) -> SessionHook | None:
    """The :class:`SessionHook` installed on ``session``, or None."""
    hook = getattr(session.__dict__.get("send"), "__self__", None)
    return hook if isinstance(hook, SessionHook) else None


def uninstall_session(session: requests.Session) -> requests.Session:
    """Remove what :func:`install` put on a session, and any bare :func:`raise_for_status`."""
    session = _check_session(session)
    hook = installed_hook(session)
    if hook is not None:
        if hook.wrapped is not None:
            session.send = hook.wrapped  # type: ignore[method-assign]
        else:
            del session.send
    hooks = session.hooks.get("response")
    if isinstance(hooks, list):
        hooks[:] = [h for h in hooks if h is not raise_for_status]
    return session


def installed(session: requests.Session) -> HookOptions | None:
    """The options of the hook installed on ``session``, or None."""
    hook = installed_hook(session)
    return hook.options if hook is not None else None


def _adapter(target: object) -> str | None:
    """The adapter module for a client object, found by where its class comes from."""
    for klass in type(target).__mro__:
        root = klass.__module__.partition(".")[0]
        if root == "httpx":
            return "cloudstatus.httpx"
        if root.startswith("huaweicloudsdk"):
            return "cloudstatus.huaweicloud"
    return None


def install(
    target: _Client,
    *,
    service: str | None = None,
    registry: Registry | None = None,
    max_body_bytes: int | None = None,
    max_body_seconds: float | None = None,
    max_message_chars: int | None = None,
    raise_redirects: bool | None = None,
    parsers: Sequence[BodyParser] | None = None,
    retry_overrides: Mapping[int | str, bool] | None = None,
) -> _Client:
    """Install cloudstatus on a client and return the client.

    ``target`` is a :class:`requests.Session`, an ``httpx.Client`` or
    ``httpx.AsyncClient`` (extra ``cloudstatus[httpx]``), or a client of Huawei Cloud's
    SDK (extra ``cloudstatus[huaweicloud]``). From then on every error status raises
    the mapped exception. On a requests session that holds whatever the call passes:
    its own ``hooks=``, ``session.send()`` of a request prepared elsewhere, a followed
    redirect chain (raised once, at its end, ``e.response.history`` holding the hops).

    Installing again replaces the options (it is never installed twice). Options:
    ``registry``, ``max_body_bytes``, ``max_body_seconds``, ``max_message_chars``,
    ``raise_redirects``, ``parsers``, ``retry_overrides`` (see :class:`HookOptions`).

    An option left at None keeps its default (see :class:`HookOptions`). aiohttp has no
    hook point to install on: pass ``raise_for_status=cloudstatus.aiohttp.raise_for_status(
    service=...)`` to its ``ClientSession`` instead.

    :raises TypeError: for an object that is not a supported client (the message
        lists them), or an option of the wrong type.
    :raises ValueError: for an option of the right type and an impossible value.
    :raises LookupError: for an unknown service name.
    """
    options: dict[str, Any] = {
        "registry": registry,
        "max_body_bytes": max_body_bytes,
        "max_body_seconds": max_body_seconds,
        "max_message_chars": max_message_chars,
        "raise_redirects": raise_redirects,
        "parsers": parsers,
        "retry_overrides": retry_overrides,
    }
    options = {name: value for name, value in options.items() if value is not None}
    module = _adapter(target)
    if module is not None:
        import importlib

        adapter: Any = importlib.import_module(module)
        installed_client: _Client = adapter.install(target, service=service, **options)
        return installed_client
    session: Any = install_session(target, service=service, **options)  # type: ignore[arg-type]
    return session  # type: ignore[no-any-return]


def uninstall(target: Any) -> Any:
    """Remove what :func:`install` put on ``target`` and return it; harmless when absent.

    :raises TypeError: for an object that is not a supported client.
    """
    module = _adapter(target)
    if module is not None:
        import importlib

        adapter: Any = importlib.import_module(module)
        return adapter.uninstall(target)
    return uninstall_session(target)
