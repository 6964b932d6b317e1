"""The requests response hook: read what the server said (bounded), pick the class, raise.

Nothing here raises anything but the mapped :class:`~cloudstatus.CloudStatusError`:
reading, decoding and parsing failures are absorbed, and the worst case is an
exception with fewer fields filled in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

from requests import cookies as _cookies

from cloudstatus._base import DEFAULT_MESSAGE_CHARS, CloudStatusError
from cloudstatus._bridge import bridge
from cloudstatus._facts import Facts
from cloudstatus._redact import scrub, secret_values
from cloudstatus._resolve import error_class

if TYPE_CHECKING:
    import requests

    from cloudstatus._parse import BodyParser
    from cloudstatus._registry import Registry

# requests leaves this untyped; the annotation keeps mypy --strict honest about the call.
_extract_cookies: Callable[[Any, Any, Any], None] = _cookies.extract_cookies_to_jar

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "HookOptions",
    "error_from_response",
    "install",
    "raise_for_status",
    "uninstall",
]

#: Default cap on the bytes of an error body the hook reads.
DEFAULT_MAX_BODY_BYTES = 64 * 1024
#: Default deadline, in seconds, for reading an error body.
DEFAULT_MAX_BODY_SECONDS = 5.0
_CHUNK = 16 * 1024


class HookOptions(NamedTuple):
    """How the hook treats error responses; the keyword options of :func:`install`.

    :ivar service: resolve classes in this service's namespace (``"dms"``).
    :ivar registry: where error-code classes are looked up (the default registry when None).
    :ivar max_body_bytes: read at most this many bytes of an error body (after
        decompression); the rest is drained a little, then the connection is closed.
    :ivar max_message_chars: cap on server text in messages and ``error_message``.
    :ivar raise_redirects: raise :class:`~cloudstatus.RedirectionError` classes for every
        3xx response that reaches the hook. requests runs response hooks on each hop
        before following it, so with redirects followed (the default) this raises on
        the first redirect instead of following it; use it with ``allow_redirects=False``
        or when any redirect is an error.
    :ivar parsers: extra body parsers, tried before the built-in ones.
    :ivar max_body_seconds: deadline, in seconds, for reading an error body; when it
        passes, the error is raised with what arrived and the connection is closed.
    :ivar retry_overrides: status code (int) or error code (str) to retryable (bool);
        an error-code key wins over a status key.
    """

    service: str | None = None
    registry: Registry | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_message_chars: int = DEFAULT_MESSAGE_CHARS
    raise_redirects: bool = False
    parsers: tuple[BodyParser, ...] = ()
    max_body_seconds: float = DEFAULT_MAX_BODY_SECONDS
    retry_overrides: Mapping[int | str, bool] | None = None

    @classmethod
    def build(cls, **options: Any) -> HookOptions:
        """Validate keyword options and make a :class:`HookOptions`.

        :raises TypeError: for an unknown option or a value of the wrong type.
        :raises LookupError: for an unknown service.
        """
        known = set(cls._fields)
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(
                f"unknown option(s) {', '.join(unknown)}; valid options are "
                f"{', '.join(sorted(known))}"
            )
        for name in ("max_body_bytes", "max_message_chars"):
            value = options.get(name)
            if value is None:
                continue
            if type(value) is not int:
                raise TypeError(f"{name} must be a positive int, got {value!r}")
            if value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        seconds = options.get("max_body_seconds")
        if seconds is not None:
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
                raise TypeError(f"max_body_seconds must be a number of seconds, got {seconds!r}")
            if not seconds > 0 or seconds == float("inf"):
                raise ValueError(
                    f"max_body_seconds must be a positive, finite number of seconds, "
                    f"got {seconds!r}"
                )
            options["max_body_seconds"] = float(seconds)
        overrides = options.get("retry_overrides")
        if overrides is not None:
            options["retry_overrides"] = check_overrides(overrides)
        parsers = options.get("parsers")
        if parsers is not None:
            if callable(parsers) or not all(callable(p) for p in parsers):
                raise TypeError("parsers must be a sequence of callables (body, content_type)")
            options["parsers"] = tuple(parsers)
        service = options.get("service")
        if service is not None:
            from cloudstatus.services import namespace

            namespace(service)  # raises LookupError naming the known services
        if "raise_redirects" in options:
            options["raise_redirects"] = bool(options["raise_redirects"])
        return cls(**{k: v for k, v in options.items() if v is not None})


def check_overrides(overrides: object) -> Mapping[int | str, bool]:
    """Validate ``retry_overrides``: int status or non-empty str error code to bool.

    :raises TypeError: naming the first key or value that is neither.
    """
    if not isinstance(overrides, Mapping):
        raise TypeError(
            f"retry_overrides must be a mapping such as {{503: True, 'APIGW.0308': True}}, "
            f"got {type(overrides).__name__}"
        )
    checked: dict[int | str, bool] = {}
    for key, value in overrides.items():
        if isinstance(key, bool) or not isinstance(key, (int, str)) or key == "":
            raise TypeError(
                f"retry_overrides key {key!r} must be an int status code or a non-empty "
                f"str error code"
            )
        if not isinstance(value, bool):
            raise TypeError(f"retry_overrides[{key!r}] must be True or False, got {value!r}")
        checked[key] = value
    return MappingProxyType(checked)


def _drain(chunks: Iterator[bytes], limit: int) -> bool:
    """Read and discard up to ``limit`` bytes; True when the body ended within it."""
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > limit:
            return False
    return True


def read_bounded(response: requests.Response, limit: int) -> bytes:
    """At most ``limit`` bytes of the (decoded) body, keeping the connection pool healthy.

    An unread body is read chunk by chunk; what is kept becomes ``response.content``,
    so ``e.response.content`` and ``e.response.text`` work after the raise and hold at
    most ``limit`` bytes. A body that ends soon after the cap is drained, so the
    connection goes back to the pool; a longer one gets its connection closed.
    Decoding and transport errors end the read with what arrived.
    """
    content = getattr(response, "_content", False)
    if isinstance(content, bytes):
        return content[:limit]
    if getattr(response, "_content_consumed", False) or getattr(response, "raw", None) is None:
        return b""
    kept: list[bytes] = []
    size = 0
    ended = False
    try:
        chunks = response.iter_content(chunk_size=_CHUNK)
        for chunk in chunks:
            kept.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
        else:
            ended = True
        if not ended:
            ended = _drain(chunks, limit)
    except Exception:  # corrupt gzip, cut connection: keep what arrived
        ended = False
    body = b"".join(kept)[:limit]
    with contextlib.suppress(Exception):
        if ended:
            # Fully read: urllib3 has returned the connection; release is idempotent.
            release = getattr(response.raw, "release_conn", None)
            if release is not None:
                release()
        else:
            # Unread bytes would poison a pooled connection: close it instead.
            response.close()
    response._content = body
    # So that e.response.content is the capped body instead of a "consumed" error.
    setattr(response, "_content_consumed", True)  # noqa: B010
    return body


_parsing: ModuleType | None = None


def _parse_module() -> ModuleType:
    # Loaded on the first error, not at import: the parsers pull in xml and html, which
    # ``import cloudstatus`` should not pay for. Kept in a global so later errors skip
    # the import statement's lookups.
    global _parsing
    if _parsing is None:
        from cloudstatus import _parse

        _parsing = _parse
    return _parsing


def facts_from_response(response: requests.Response, status: int, opts: HookOptions) -> Facts:
    """Read a requests response into :class:`Facts` (the body bounded, the connection freed)."""
    request = getattr(response, "request", None)
    method = getattr(request, "method", None)
    body = read_bounded(response, opts.max_body_bytes)
    return Facts(
        status_code=status,
        reason=getattr(response, "reason", None),
        method=method if isinstance(method, str) else None,
        url=getattr(response, "url", None) or getattr(request, "url", None),
        headers=getattr(response, "headers", None),
        body=b"" if method == "HEAD" else body,  # a HEAD response has no body
        request_headers=getattr(request, "headers", None),
    )


def build_from_facts(
    facts: Facts,
    opts: HookOptions,
    *,
    response: Any = None,
    request: Any = None,
    foreign: type[BaseException] | None = None,
) -> CloudStatusError:
    """The exception for ``facts`` (see :func:`cloudstatus._core.error_from_facts`)."""
    p = _parse_module()
    status = facts.status_code
    headers = p.header_map(facts.headers or {})
    parsed = p.parse_error_body(facts.body, headers.get("content-type", ""), opts.parsers)
    try:
        cls = error_class(
            status, service=opts.service, error_code=parsed.error_code, registry=opts.registry
        )
    except Exception:  # an unknown service slipped past install: fall back to the standard tree
        cls = error_class(status)
        opts = opts._replace(service=None)
    if foreign is not None:
        cls = bridge(cls, foreign)
    secrets = secret_values(facts.url, facts.request_headers)
    if facts.credentials:
        secrets = tuple(
            sorted({*secrets, *(c for c in facts.credentials if c)}, key=len, reverse=True)
        )
    reason = decode_reason(facts.reason)
    return cls(
        response=response,
        request=request,
        status_code=status,
        reason=reason if cls.status_code is None else None,
        method=facts.method,
        url=facts.url,
        service=opts.service,
        error_code=scrub(parsed.error_code, secrets),
        error_message=scrub(parsed.error_message, secrets),
        request_id=p.request_id_in(headers) or parsed.request_id,
        details=parsed.details,
        retry_after=p.parse_retry_after(headers.get("retry-after")),
        rate_limit=p.rate_limit_in(headers),
        max_message_chars=opts.max_message_chars,
    )


def decode_reason(reason: str | bytes | None) -> str | None:
    """A reason phrase as text: bytes are UTF-8, else Latin-1 (as requests decodes them)."""
    if not isinstance(reason, bytes):
        return reason
    try:
        return reason.decode("utf-8")
    except UnicodeDecodeError:
        return reason.decode("latin-1")


def _build(response: requests.Response, status: int, opts: HookOptions) -> CloudStatusError:
    facts = facts_from_response(response, status, opts)
    return build_from_facts(facts, opts, response=response)


def _status_of(response: object) -> int | None:
    """The response's status as a plain int, or None; never raises."""
    try:
        status = response.status_code  # type: ignore[attr-defined]
        # An IntEnum (http.HTTPStatus) is a status too; a bool is not.
        if not isinstance(status, int) or isinstance(status, bool):
            return None
        return int(status)
    except Exception:  # a junk object whose attribute raises: not an error response
        return None


def _error_for(response: object, opts: HookOptions) -> CloudStatusError | None:
    status = _status_of(response)
    if status is None or status < 300 or (status < 400 and not opts.raise_redirects):
        return None
    resp: requests.Response = response  # type: ignore[assignment]
    try:
        return _build(resp, status, opts)
    except Exception:
        # Last resort: the mapped class with no parsed fields, still never another error.
        try:
            return error_class(status, service=opts.service)(response=resp, status_code=status)
        except Exception:
            return error_class(status)(status_code=status)


def error_from_response(
    response: requests.Response, *, service: str | None = None, **options: Any
) -> CloudStatusError | None:
    """The exception for an error response, or None for a non-error one; never raises.

    Takes the options of :func:`install`. A 3xx gives None unless
    ``raise_redirects=True``. The body is read (at most ``max_body_bytes``) and the
    connection released, as the hook does.

    Invalid options are programming errors and do raise :class:`TypeError` or
    :class:`LookupError`; the response itself never makes this raise.
    """
    if service is None and not options:
        return _error_for(response, DEFAULT_OPTIONS)
    return _error_for(response, HookOptions.build(service=service, **options))


_HOOK_OPTION_NAMES = frozenset(HookOptions._fields)
# Immutable, so one instance serves every call made without options.
DEFAULT_OPTIONS = HookOptions()


def raise_for_status(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """Raise the mapped exception for an error response; return the response otherwise.

    Works as a plain call and as a requests hook::

        requests.get(url, hooks={"response": cloudstatus.raise_for_status})

    As a hook it receives requests' own keyword arguments (``timeout``, ``verify``...),
    which it ignores; the options of :func:`install` are honoured when passed by name.
    Used this way, the hook cannot store the error response's cookies in a session:
    use :func:`install` for that.
    """
    options = {k: v for k, v in kwargs.items() if k in _HOOK_OPTION_NAMES}
    exc = _error_for(response, HookOptions.build(**options) if options else DEFAULT_OPTIONS)
    if exc is not None:
        raise exc
    return response


class SessionHook:
    """The hook :func:`install` puts on a session (one per session)."""

    def __init__(self, session: requests.Session, options: HookOptions) -> None:
        self.session = session
        self.options = options

    def __repr__(self) -> str:
        return f"<cloudstatus hook service={self.options.service!r}>"

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> Any:
        exc = _error_for(response, self.options)
        if exc is None:
            return response
        # requests stores cookies after the hooks run; an error raised here would lose
        # the error response's Set-Cookie, so store them first.
        with contextlib.suppress(Exception):
            for hop in (*getattr(response, "history", ()), response):
                raw = getattr(hop, "raw", None)
                request = getattr(hop, "request", None)
                if raw is not None and request is not None:
                    _extract_cookies(self.session.cookies, request, raw)
        raise exc


def _hooks(session: requests.Session) -> list[Any]:
    hooks = session.hooks.setdefault("response", [])
    if not isinstance(hooks, list):  # requests accepts a bare callable too
        hooks = [hooks] if callable(hooks) else list(hooks)
        session.hooks["response"] = hooks
    return hooks


def install(
    session: requests.Session, *, service: str | None = None, **options: Any
) -> requests.Session:
    """Install the hook on ``session`` and return the session.

    Installing again replaces the options of the hook already there (it is never
    added twice). Options: ``registry``, ``max_body_bytes``, ``max_message_chars``,
    ``raise_redirects``, ``parsers`` (see :class:`HookOptions`).

    :raises LookupError: for an unknown service name.
    :raises TypeError: for an unknown option.
    """
    opts = HookOptions.build(service=service, **options)
    hooks = _hooks(session)
    for hook in hooks:
        if isinstance(hook, SessionHook):
            hook.options = opts
            hook.session = session
            return session
    hooks.append(SessionHook(session, opts))
    return session


def uninstall(session: requests.Session) -> requests.Session:
    """Remove the hook :func:`install` added (and any bare :func:`raise_for_status`)."""
    hooks = _hooks(session)
    hooks[:] = [h for h in hooks if not isinstance(h, SessionHook) and h is not raise_for_status]
    return session


def installed(session: requests.Session) -> HookOptions | None:
    """The options of the hook installed on ``session``, or None."""
    for hook in _hooks(session):
        if isinstance(hook, SessionHook):
            return hook.options
    return None
