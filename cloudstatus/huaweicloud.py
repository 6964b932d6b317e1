"""Typed errors from Huawei Cloud's Python SDK (clients built on ``huaweicloudsdkcore``).

The SDK raises one flat ``ClientRequestException`` (< 500) or ``ServerResponseException``
for every error answer. This module makes it raise the cloudstatus class instead
(``dms.ConflictError``, a registered error-code class...), made to also subclass the
SDK's own exception, so existing ``except ClientRequestException`` clauses
and ``SyncInvoker.with_retry`` keep working::

    from huaweicloudsdkkafka.v2 import KafkaClient
    from cloudstatus import huaweicloud

    client = huaweicloud.install(KafkaClient.new_builder()...build(), service="dms")

Three entry points: :func:`install` on a built client (recommended: it also bounds how much
of an error body is read and lets a 429 reach the handler), :class:`ExceptionHandler` for
``ClientBuilder.with_exception_handler(...)``, and :func:`translate` for an SDK exception
already caught. Needs the extra ``cloudstatus[huaweicloud]``; ``import cloudstatus`` never
imports this module.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from importlib import metadata
from typing import TYPE_CHECKING, Any

from huaweicloudsdkcore.client import Client as _SdkClient
from huaweicloudsdkcore.exceptions.exception_handler import (
    ExceptionHandler as _SdkExceptionHandler,
)
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ServerResponseException,
    ServiceResponseException,
)
from requests.adapters import BaseAdapter, HTTPAdapter

from cloudstatus import CloudStatusError
from cloudstatus._core import error_from_facts
from cloudstatus._facts import Facts
from cloudstatus._hook import DeadlineCut, HookOptions

if TYPE_CHECKING:
    import requests

__all__ = [
    "TESTED_SDK_VERSIONS",
    "ExceptionHandler",
    "install",
    "is_client",
    "sdk_version",
    "translate",
    "uninstall",
]

#: The ``huaweicloudsdkcore`` versions this module is tested with: at least the first,
#: below the second. Another version works as long as the SDK internals :func:`install`
#: touches are unchanged; it gets one :class:`RuntimeWarning`.
TESTED_SDK_VERSIONS = ("3.1.150", "3.2")

_CHUNK = 16 * 1024
# Set on a requests.Response whose error body :func:`install`'s adapter read: True when the
# whole body fit under the cap and arrived before the deadline.
_COMPLETE = "_cloudstatus_body_complete"
_ACCESS_KEY = re.compile(r"(?:Access|Signature)=([^,\s]+)")

_lock = threading.Lock()
_version_checked = False


def _version_key(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split(".")[:3]:
        digits = re.match(r"\d+", part)
        parts.append(int(digits.group()) if digits else 0)
    return tuple(parts)


def sdk_version() -> str:
    """The installed ``huaweicloudsdkcore`` version, as its package metadata says."""
    return metadata.version("huaweicloudsdkcore")


def _check_sdk_version() -> None:
    """Warn once per process when the installed SDK is outside :data:`TESTED_SDK_VERSIONS`."""
    global _version_checked
    if _version_checked:
        return
    _version_checked = True
    try:
        version = sdk_version()
    except metadata.PackageNotFoundError:  # imported from a source tree: nothing to compare
        return
    low, below = TESTED_SDK_VERSIONS
    if not _version_key(low) <= _version_key(version) < _version_key(below):
        warnings.warn(
            f"cloudstatus.huaweicloud is tested with huaweicloudsdkcore >= {low}, < {below}; "
            f"huaweicloudsdkcore {version} is installed. Errors are still mapped; if install() "
            f"fails, use ExceptionHandler with ClientBuilder.with_exception_handler().",
            RuntimeWarning,
            stacklevel=3,
        )


class ExceptionHandler(_SdkExceptionHandler):  # type: ignore[misc]
    """Raises cloudstatus errors for the SDK's error responses.

    Give it to the client builder::

        client = (
            KafkaClient.new_builder()
            .with_credentials(credentials)
            .with_region(region)
            .with_exception_handler(ExceptionHandler(service="dms"))
            .build()
        )

    The SDK calls :meth:`handle_exception` with the request and response of every answer
    with a status of 400 or more. The raised class is the one
    :func:`cloudstatus.error_class` resolves (the service's namespace, registered
    error-code classes), also subclassing the SDK's ``ClientRequestException`` (status
    < 500) or ``ServerResponseException``, with the SDK's fields filled: ``status_code``,
    ``error_code`` (cloudstatus's: None when the body has none, where the SDK said
    ``"400"``), ``error_msg`` (the server's message, capped), ``request_id`` and
    ``encoded_auth_msg``.

    Used alone, the handler sees a body the SDK has already read whole, and never sees a
    429 answered to a GET, PUT, DELETE or HEAD (the SDK turns those into its own
    ``ClientRequestException`` with status 429 and no body); :func:`install` fixes both.

    :param service: the service whose namespace resolves classes (``"dms"``, ``"mpc"``).
    :param options: the options of :func:`cloudstatus.install` (``registry``,
        ``max_body_bytes``, ``max_body_seconds``, ``max_message_chars``, ``parsers``,
        ``retry_overrides``).
    :raises TypeError: for an unknown option or a value of the wrong type.
    :raises LookupError: for an unknown service.
    """

    def __init__(self, service: str | None = None, **options: Any) -> None:
        self.options = HookOptions.build(service=service, **options)
        self._credentials: tuple[str, ...] = ()
        # What install() replaced (handlers, adapters), for uninstall(); None when not installed.
        self._replaced: tuple[Any, Any, list[tuple[str, Any, Any]]] | None = None
        _check_sdk_version()

    def __repr__(self) -> str:
        return f"<cloudstatus.huaweicloud.ExceptionHandler service={self.options.service!r}>"

    def handle_exception(self, request: Any, response: Any) -> None:
        """Raise the mapped error for ``response``; return for a status below 400.

        :param request: the :class:`requests.PreparedRequest` the SDK sent.
        :param response: the :class:`requests.Response` it got.
        :raises CloudStatusError: always for a status of 400 or more, and nothing else.
        """
        status = _status_of(response)
        if status is None or status < 400:
            return
        raise self._error_for(request, response, status) from None

    def _error_for(self, request: Any, response: Any, status: int) -> CloudStatusError:
        """The bridged error for one SDK response; never raises."""
        opts = self.options
        try:
            facts = _facts(request, response, status, opts, self._credentials)
            return error_from_facts(
                facts, opts, response=response, request=request, foreign=_foreign(status)
            )
        except Exception:  # an odd response object: the class, without what the body said
            return error_from_facts(Facts(status_code=status), opts, foreign=_foreign(status))


def _status_of(response: object) -> int | None:
    status = getattr(response, "status_code", None)
    if isinstance(status, int) and not isinstance(status, bool):
        return int(status)
    return None


def _facts(
    request: Any, response: Any, status: int, opts: HookOptions, credentials: tuple[str, ...]
) -> Facts:
    method = getattr(request, "method", None)
    request_headers = getattr(request, "headers", None)
    body, complete = _body_of(response, opts)
    return Facts(
        status_code=status,
        reason=getattr(response, "reason", None),
        method=method if isinstance(method, str) else None,
        url=getattr(request, "url", None) or getattr(response, "url", None),
        headers=getattr(response, "headers", None),
        body=b"" if method == "HEAD" else body,
        body_complete=complete,
        request_headers=request_headers,
        credentials=(*credentials, *_signing_secrets(request_headers)),
    )


def _signing_secrets(headers: object) -> tuple[str, ...]:
    """The access key and signature inside an ``SDK-HMAC-*`` Authorization, and the token."""
    if not isinstance(headers, Mapping):
        return ()
    found: list[str] = []
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            continue
        lowered = name.lower()
        if lowered == "authorization":
            found.extend(_ACCESS_KEY.findall(value))
        elif lowered == "x-security-token":
            found.append(value)
    return tuple(found)


def _body_of(response: Any, opts: HookOptions) -> tuple[bytes, bool]:
    """The capped body and whether it is whole, read now if nobody read it yet."""
    limit = opts.max_body_bytes
    content = getattr(response, "_content", False)
    if isinstance(content, bytes):
        complete = getattr(response, _COMPLETE, True) is not False
        return content[:limit], complete and len(content) <= limit
    return read_capped(response, limit, opts.max_body_seconds)


def read_capped(response: requests.Response, limit: int, seconds: float) -> tuple[bytes, bool]:
    """Read at most ``limit`` bytes of an unread body within ``seconds``; never raises.

    The bytes kept become ``response.content``. When the body ended within both limits the
    connection goes back to the pool; otherwise it is closed, so unread bytes never reach
    the next request. The deadline is also set as the socket's read timeout while
    reading, so a server that stalls mid-body cannot hold the caller longer.

    :returns: ``(body, complete)``; ``complete`` is False when the body was cut.
    """
    deadline = time.monotonic() + seconds
    kept = bytearray()
    complete = False
    sock = _socket_of(response)
    saved: Any = None
    # Bytes that keep arriving but decode to nothing never hand control back to the
    # loop below: the cut shuts the socket down at the deadline.
    cut = DeadlineCut(sock, seconds) if isinstance(sock, socket.socket) else None
    try:
        if sock is not None:
            saved = sock.gettimeout()
            sock.settimeout(seconds)
        for chunk in _chunks(response):
            kept += chunk
            remaining = deadline - time.monotonic()
            if len(kept) > limit or remaining <= 0:
                break
            if sock is not None:
                sock.settimeout(remaining)
        else:
            complete = True
    except Exception:  # cut connection, stalled past the deadline, corrupt gzip
        complete = False
    if cut is not None:
        cut.cancel()
        complete = complete and not cut.fired
    try:
        if sock is not None and complete:
            sock.settimeout(saved)
        if complete:
            response.raw.release_conn()
        else:
            response.close()
    except Exception:  # a response without a connection: nothing to give back
        pass
    body = bytes(kept[:limit])
    response._content = body
    # So that e.response.content is the capped body instead of a "consumed" error.
    setattr(response, "_content_consumed", True)  # noqa: B010
    setattr(response, _COMPLETE, complete)
    return body, complete


def _chunks(response: Any) -> Iterator[bytes]:
    """The decoded body in pieces as they arrive: what has come is never held back.

    urllib3's ``read1`` (2.3 and later) returns as soon as some bytes are there, so
    what arrived before a stall is kept; ``iter_content`` fills whole chunks first.
    """
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    if not callable(read1) or not hasattr(raw, "stream"):  # not urllib3's, or an old one
        yield from response.iter_content(chunk_size=_CHUNK)
        return
    while True:
        data = read1(_CHUNK, decode_content=True)
        if not data:
            return
        yield data


def _socket_of(response: Any) -> Any:
    """The socket under a requests response (urllib3 2 and 1.26), or None."""
    raw = getattr(response, "raw", None)
    connection = getattr(raw, "_connection", None) or getattr(raw, "connection", None)
    sock = getattr(connection, "sock", None)
    return sock if callable(getattr(sock, "settimeout", None)) else None


class _PlainField:
    """Hides the SDK's property of the same name, so the cloudstatus field shows through.

    The SDK keeps ``request_id`` (and the others) behind properties over private
    attributes its ``__init__`` sets, which a bridged error never runs. Reading through
    the instance's own value instead, or the core's lazy field when there is none yet,
    keeps one value for both names of the field.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        try:
            return obj.__dict__[self.name]
        except KeyError:
            # Python then asks the class's __getattr__, where the core computes lazy fields.
            raise AttributeError(self.name) from None

    def __set__(self, obj: object, value: Any) -> None:
        obj.__dict__[self.name] = value


def _error_msg(self: Any) -> str:
    explicit = self.__dict__.get("_error_msg")
    if explicit is not None:
        return str(explicit)
    return str(self.error_message or self.reason or "")


def _set_error_msg(self: Any, value: str) -> None:
    self.__dict__["_error_msg"] = value


def _encoded_auth_msg(self: Any) -> str | None:
    """The gateway's ``encoded_authorization_message``, where the SDK looks for it."""
    explicit = self.__dict__.get("_encoded_auth_msg")
    if explicit is not None:
        return str(explicit)
    details = self.details
    layers = [details] if isinstance(details, dict) else []
    layers += [
        v for v in (details.values() if isinstance(details, dict) else ()) if isinstance(v, dict)
    ]
    for layer in layers:
        value = layer.get("encoded_authorization_message")
        if isinstance(value, str) and value:
            return value
    return None


def _set_encoded_auth_msg(self: Any, value: str | None) -> None:
    self.__dict__["_encoded_auth_msg"] = value


_SDK_FIELDS: dict[str, Any] = {
    "status_code": _PlainField(),
    "error_code": _PlainField(),
    "request_id": _PlainField(),
    "error_msg": property(_error_msg, _set_error_msg, doc="What the server said (capped)."),
    "encoded_auth_msg": property(
        _encoded_auth_msg, _set_encoded_auth_msg, doc="The body's encoded_authorization_message."
    ),
}
for _field in ("status_code", "error_code", "request_id"):
    _SDK_FIELDS[_field].__set_name__(None, _field)

#: ``ClientRequestException`` and ``ServerResponseException`` whose fields are the
#: cloudstatus fields: what bridged errors subclass. Importable by name, so they pickle.
_ClientRequestError: type[Exception] = type(
    "_ClientRequestError",
    (ClientRequestException,),
    {**_SDK_FIELDS, "__module__": __name__, "__doc__": "The SDK's 4xx error, fields shared."},
)
_ServerResponseError: type[Exception] = type(
    "_ServerResponseError",
    (ServerResponseException,),
    {**_SDK_FIELDS, "__module__": __name__, "__doc__": "The SDK's 5xx error, fields shared."},
)


def _foreign(status: int) -> type[Exception]:
    return _ClientRequestError if status < 500 else _ServerResponseError


class _CappingAdapter(BaseAdapter):
    """Wraps the SDK session's adapter: error bodies are read bounded before anyone else.

    requests has not read the body when the adapter returns, so reading at most
    ``max_body_bytes`` here keeps a 5 MB error page out of memory for the SDK's own
    logging, its deserializer and the handler alike.
    """

    def __init__(self, inner: HTTPAdapter, handler: ExceptionHandler, retries: Any) -> None:
        super().__init__()
        self.inner = inner
        self.handler = handler
        self.retries = retries  # the adapter's Retry before install()

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        response = self.inner.send(request, *args, **kwargs)
        status = _status_of(response)
        if status is not None and status >= 400 and getattr(response, "_content", False) is False:
            opts = self.handler.options
            read_capped(response, opts.max_body_bytes, opts.max_body_seconds)
        return response

    def close(self) -> None:
        self.inner.close()


def is_client(obj: object) -> bool:
    """True for a client of Huawei Cloud's SDK (a ``huaweicloudsdkcore`` ``Client``)."""
    return isinstance(obj, _SdkClient)


def _sdk_session(client: Any) -> tuple[Any, requests.Session]:
    """The SDK internals :func:`install` changes: the HttpClient and its requests session.

    This is the only function that reaches past the SDK's public API: ``HttpClient``
    keeps its own copy of the exception handler (``_exception_handler``) and builds its
    own session (``_session``), whose adapter carries ``Retry(status_forcelist=[429])``.

    :raises ValueError: for a client that was not built (``ClientBuilder.build()``).
    :raises RuntimeError: naming the SDK version, when those internals are not there.
    """
    http_client = client.get_http_client()
    if http_client is None:
        raise ValueError(
            f"{type(client).__name__} has no HTTP client yet: install() takes a built client "
            f"({type(client).__name__}.new_builder()...build())"
        )
    session: Any = getattr(http_client, "_session", None)
    adapters = getattr(session, "adapters", None)
    if not hasattr(http_client, "_exception_handler") or not isinstance(adapters, Mapping):
        low, below = TESTED_SDK_VERSIONS
        raise RuntimeError(
            f"cloudstatus.huaweicloud.install() does not know huaweicloudsdkcore "
            f"{sdk_version()}: its HttpClient has no _exception_handler or no requests "
            f"session (tested with >= {low}, < {below}). Use "
            f"ClientBuilder.with_exception_handler(cloudstatus.huaweicloud.ExceptionHandler(...)) "
            f"instead."
        )
    return http_client, session


def _installed(http_client: Any) -> ExceptionHandler | None:
    handler = getattr(http_client, "_exception_handler", None)
    return handler if isinstance(handler, ExceptionHandler) and handler._replaced else None


def _not_supported(obj: object) -> TypeError:
    return TypeError(
        f"cloudstatus.huaweicloud.install() takes a client of Huawei Cloud's SDK (a "
        f"huaweicloudsdkcore Client such as huaweicloudsdkkafka.v2.KafkaClient or "
        f"huaweicloudsdkmpc.v1.MpcAsyncClient, built with new_builder()...build()), got "
        f"{type(obj).__module__}.{type(obj).__qualname__}; cloudstatus.install() also takes "
        f"a requests.Session, an httpx.Client or an httpx.AsyncClient"
    )


def _client_secrets(client: Any) -> tuple[str, ...]:
    credentials = client.get_credentials()
    values = (getattr(credentials, name, None) for name in ("ak", "sk", "security_token"))
    return tuple(v for v in values if isinstance(v, str) and v)


def install(client: Any, *, service: str | None = None, **options: Any) -> Any:
    """Make a built SDK client raise cloudstatus errors; return the client.

    Sets an :class:`ExceptionHandler` with these options, and changes the client's
    requests session so that:

    - an error body is read at most ``max_body_bytes`` (default 64 KiB) within
      ``max_body_seconds`` (default 5 s) before the SDK, its logging or the handler
      touch it; the rest is not read and the connection is closed;
    - a 429 answered to a GET, PUT, DELETE or HEAD reaches the handler
      (``TooManyRequestsError`` with the body's code, the request id and
      ``retry_after``) instead of becoming the SDK's bodiless 429 exception. With
      ``HttpConfig.retry_times`` above 0 the SDK still repeats those first, waiting
      for ``Retry-After``; the last 429 is raised.

    Installing again replaces the options; the client's access key, secret key and
    security token are masked wherever the server echoes them.

    :param client: a client built with ``new_builder()...build()``, sync or async
        (``KafkaClient``, ``MpcAsyncClient``...).
    :param service: the namespace classes come from (``"dms"``, ``"mpc"``).
    :param options: as for :class:`ExceptionHandler`.
    :returns: ``client``.
    :raises TypeError: when ``client`` is not an SDK client, or for a bad option.
    :raises ValueError: for a client not built yet.
    :raises LookupError: for an unknown service.
    :raises RuntimeError: when the SDK's internals differ from the tested versions.
    """
    if not is_client(client):
        raise _not_supported(client)
    handler = ExceptionHandler(service=service, **options)
    http_client, session = _sdk_session(client)
    with _lock:
        current = _installed(http_client)
        if current is not None:
            current.options = handler.options
            current._credentials = _client_secrets(client)
            return client
        handler._credentials = _client_secrets(client)
        wrapped: dict[int, _CappingAdapter] = {}
        mounted: list[tuple[str, Any, Any]] = []
        for prefix, adapter in list(session.adapters.items()):
            if not isinstance(adapter, HTTPAdapter):
                continue
            wrapper = wrapped.get(id(adapter))
            if wrapper is None:
                retries = adapter.max_retries
                wrapper = _CappingAdapter(adapter, handler, retries)
                # Give the response back when retries run out instead of raising
                # RetryError, so the handler sees the 429 and its body.
                adapter.max_retries = retries.new(raise_on_status=False)
                wrapped[id(adapter)] = wrapper
            session.adapters[prefix] = wrapper
            mounted.append((prefix, adapter, wrapper.retries))
        handler._replaced = (client._exception_handler, http_client._exception_handler, mounted)
        client.with_exception_handler(handler)
        http_client._exception_handler = handler
    return client


def uninstall(client: Any) -> Any:
    """Undo :func:`install` on ``client`` and return it; a no-op when not installed.

    :raises TypeError: when ``client`` is not an SDK client.
    """
    if not is_client(client):
        raise _not_supported(client)
    http_client, session = _sdk_session(client)
    with _lock:
        handler = _installed(http_client)
        if handler is None:
            return client
        assert handler._replaced is not None
        client_handler, http_handler, mounted = handler._replaced
        handler._replaced = None
        for prefix, adapter, retries in mounted:
            adapter.max_retries = retries
            session.adapters[prefix] = adapter
        client.with_exception_handler(client_handler)
        http_client._exception_handler = http_handler
    return client


def translate(
    exc: BaseException, *, service: str | None = None, **options: Any
) -> CloudStatusError:
    """The cloudstatus error for an SDK exception already caught.

    Reads the SDK's fields: ``status_code``, ``error_code``, ``error_msg``,
    ``request_id``, ``encoded_auth_msg``. When ``error_msg`` holds a whole body the SDK
    could not parse (problem+json, an HTML page, nested JSON), it is parsed again, so
    the result has the code and message cloudstatus finds there. The result is bridged
    like :class:`ExceptionHandler`'s and carries no response; re-raise it with
    ``raise translate(e, service="dms") from e``. An error that already is a
    cloudstatus error is returned as it is.

    :param exc: a ``ClientRequestException`` or ``ServerResponseException``.
    :param service: the namespace classes come from.
    :param options: as for :class:`ExceptionHandler` (``max_body_bytes`` caps the
        ``error_msg`` that is parsed again).
    :raises TypeError: for anything else than an SDK response exception.
    :raises ValueError: when its ``status_code`` is not an HTTP error status (400-599).
    """
    opts = HookOptions.build(service=service, **options)
    if isinstance(exc, CloudStatusError):
        return exc
    if not isinstance(exc, ServiceResponseException):
        raise TypeError(
            f"translate() takes a huaweicloudsdkcore ClientRequestException or "
            f"ServerResponseException, got {type(exc).__name__}"
        )
    status = exc.status_code
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
        raise ValueError(f"translate() needs an error status (400-599), got {status!r}")
    code, message, request_id = exc.error_code, exc.error_msg, exc.request_id
    encoded = exc.encoded_auth_msg
    if code is not None and str(code) == str(status):
        code = None  # the SDK's stand-in when the body had no code
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    text = message.strip() if isinstance(message, str) else ""
    if text[:1] in ("{", "[", "<"):
        body = text.encode("utf-8")  # the raw body the SDK could not take apart
    else:
        doc = {
            "error_code": code,
            "error_msg": message,
            "encoded_authorization_message": encoded,
        }
        body = json.dumps({k: v for k, v in doc.items() if v not in (None, "")}).encode()
    headers = {"X-Request-Id": request_id} if isinstance(request_id, str) and request_id else {}
    facts = Facts(
        status_code=status,
        headers=headers,
        body=body[: opts.max_body_bytes],
        body_complete=len(body) <= opts.max_body_bytes,
    )
    return error_from_facts(facts, opts, foreign=_foreign(status))
