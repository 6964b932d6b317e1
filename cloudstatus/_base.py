"""The hand-written roots of the exception tree.

:class:`CloudStatusError` and the three family classes live here; the one-class-per-code
leaves are generated into :mod:`cloudstatus._exceptions` from the catalog.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from requests.exceptions import HTTPError

from cloudstatus._advice import Advice
from cloudstatus._redact import clean_text, redact_url
from cloudstatus._registry import RegistrationError, Registry, active_registry

if TYPE_CHECKING:
    from requests import PreparedRequest, Request, Response

    from cloudstatus._parse import RateLimit
    from cloudstatus._policy import Decision

__all__ = ["ClientError", "CloudStatusError", "RedirectionError", "ServerError"]

_FAMILY_LABELS = {3: "Redirection", 4: "Client Error", 5: "Server Error"}

#: Default cap on server-supplied text placed in a message.
DEFAULT_MESSAGE_CHARS = 300

# A live response or request can hold credentials and sockets; neither crosses a pickle.
_NOT_PICKLED = frozenset({"response", "request"})


class CloudStatusError(HTTPError):
    """Root of every exception cloudstatus raises for an HTTP status.

    It is a :class:`requests.HTTPError`, so ``except requests.HTTPError`` and
    ``e.response`` keep working. Catch a family, a status or a service instead::

        try:
            session.post(url, json=body)
        except cloudstatus.ConflictError as e:
            log.warning("exists: [%s] %s (request %s)", e.error_code, e.error_message,
                        e.request_id)
        except cloudstatus.ClientError:
            raise                      # any other 4xx
        except cloudstatus.CloudStatusError as e:
            if e.retryable:
                schedule_retry(delay=e.retry_after)

    Every class can also be raised by hand, in your own tests for instance:
    ``raise cloudstatus.ConflictError("name taken", error_code="E1")``.
    """

    #: The HTTP status: the class's own, or the response's on an instance of a family
    #: class; None on the root and family classes themselves.
    status_code: int | None = None
    #: The standard reason phrase, or the response's for an unregistered code; empty on
    #: the root and family classes.
    reason: str = ""
    #: The service whose table resolved the class (``"dms"``), or None.
    service: str | None = None
    #: The service's error code, always a :class:`str`, or None. On an error-code class,
    #: the code it is registered for.
    error_code: str | None = None
    _retry_override: ClassVar[bool | Advice | None] = None
    _family_digit: ClassVar[int | None] = None

    #: The :class:`requests.Response`, when there was one (not pickled).
    response: Response | None
    #: The request that got the response (not pickled).
    request: Request | PreparedRequest | None
    #: The request method, ``"GET"`` and so on.
    method: str | None
    #: The request URL with credentials removed.
    url: str | None
    #: What the server said, stripped of control characters and truncated.
    error_message: str | None
    #: The request id from the headers or the body, or None.
    request_id: str | None
    #: The parsed error body (a dict for JSON and XML), or None.
    details: Any
    #: Seconds to wait before sending the request again, from Retry-After, or None.
    retry_after: float | None
    #: Whether sending the request again can help.
    retryable: bool
    #: The :class:`~cloudstatus.Advice` the deciding table gave.
    advice: Advice
    #: One sentence saying why :attr:`retryable` is what it is.
    retry_reason: str
    #: Rate-limit facts from the response headers, or None.
    rate_limit: RateLimit | None

    def __init_subclass__(
        cls,
        *,
        error_code: str | None = None,
        registry: Registry | None = None,
        retryable: bool | None = None,
        advice: Advice | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if retryable is not None and advice is not None:
            raise TypeError(f"{cls.__name__}: give retryable= or advice=, not both")
        if retryable is not None:
            if not isinstance(retryable, bool):
                raise TypeError(
                    f"{cls.__name__}: retryable= takes True or False, got {retryable!r}"
                )
            cls._retry_override = retryable
        if advice is not None:
            cls._retry_override = _coerce_advice(cls.__name__, advice)
        if registry is not None and not isinstance(registry, Registry):
            raise TypeError(
                f"{cls.__name__}: registry= takes a cloudstatus.Registry, got {registry!r}"
            )
        if registry is not None and error_code is None:
            raise TypeError(f"{cls.__name__}: registry= only makes sense with error_code=")
        if error_code is not None:
            if not isinstance(error_code, str) or not error_code:
                raise TypeError(
                    f"{cls.__name__}: error_code= takes a non-empty str, got {error_code!r}"
                )
            if cls._family_digit is None:
                raise RegistrationError(
                    f"{cls.__name__}: an error-code class must subclass a family or status "
                    f"class (ClientError, ConflictError, dms.ConflictError...), so the status "
                    f"of a response can be checked against it"
                )
            cls.error_code = error_code
            (registry if registry is not None else active_registry()).register(cls)

    def __init__(
        self,
        message: str | None = None,
        *,
        response: Response | None = None,
        request: Request | PreparedRequest | None = None,
        status_code: int | None = None,
        reason: str | None = None,
        method: str | None = None,
        url: str | None = None,
        service: str | None = None,
        error_code: object = None,
        error_message: str | None = None,
        request_id: str | None = None,
        details: Any = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
        rate_limit: RateLimit | None = None,
        max_message_chars: int = DEFAULT_MESSAGE_CHARS,
    ) -> None:
        cls = type(self)
        if response is not None:
            if status_code is None:
                status_code = response.status_code
            if url is None:
                url = response.url
            req = request if request is not None else response.request
            if method is None and req is not None:
                method = req.method
            if reason is None and cls.status_code is None:
                reason = response.reason
        if status_code is None:
            status_code = cls.status_code
        self.status_code = status_code
        self.reason = clean_text(reason, 100) if reason is not None else cls.reason
        self.method = method.upper() if isinstance(method, str) else None
        self.url = redact_url(url) if url else None
        self.service = service if service is not None else cls.service
        code = error_code if error_code is not None else cls.error_code
        self.error_code = clean_text(str(code), 200) if code is not None else None
        self.error_message = clean_text(error_message, max_message_chars) if error_message else None
        self.request_id = clean_text(request_id, 200) if request_id else None
        self.details = details
        self.retry_after = _valid_delay(retry_after)
        self.rate_limit = rate_limit
        decision = _decide()(
            status_code or 0,
            service=self.service,
            method=self.method,
            has_retry_after=self.retry_after is not None,
            override=cls._retry_override,
        )
        self.retryable = decision.retryable if retryable is None else bool(retryable)
        self.advice = decision.advice
        self.retry_reason = (
            decision.reason if retryable is None else "the caller decided it when raising"
        )
        if message is None:
            message = self._compose()
        super().__init__(message, response=response, request=request)

    def _compose(self) -> str:
        status = self.status_code
        digit = status // 100 if status else self._family_digit
        label = _FAMILY_LABELS.get(digit or 0, "HTTP Error")
        head = f"{status} {label}" if status else label
        if self.reason:
            head += f": {self.reason}"
        if self.url:
            head += f" for url: {self.url}"
        said = " ".join(
            part
            for part in (
                f"[{self.error_code}]" if self.error_code else "",
                self.error_message or "",
            )
            if part
        )
        if said:
            head += f" {said}"
        if self.request_id:
            head += f" (request id: {self.request_id})"
        return head

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self._compose()

    def __reduce__(self) -> tuple[Any, ...]:
        state = {k: v for k, v in self.__dict__.items() if k not in _NOT_PICKLED}
        return (type(self), (self.args[0] if self.args else None,), state)

    def __setstate__(self, state: dict[str, Any] | None) -> None:
        self.__dict__.update(state or {})
        self.response = None
        self.request = None

    def __copy__(self) -> CloudStatusError:
        new = type(self).__new__(type(self), *self.args)
        new.args = self.args
        new.__dict__.update(self.__dict__)
        return new


def _decide() -> Callable[..., Decision]:
    # The policy needs the catalog, which ``import cloudstatus`` does not load; it is
    # imported with the first error and kept here so later errors skip the import.
    global _decide_fn
    if _decide_fn is None:
        from cloudstatus._policy import decide

        _decide_fn = decide
    return _decide_fn


_decide_fn: Callable[..., Decision] | None = None


def _coerce_advice(owner: str, advice: Advice | str) -> Advice:
    if isinstance(advice, Advice):
        return advice
    try:
        return Advice[advice]
    except (KeyError, TypeError):
        raise TypeError(
            f"{owner}: advice= takes a cloudstatus.Advice or one of its names "
            f"{[a.name for a in Advice]}, got {advice!r}"
        ) from None


def _valid_delay(value: object) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    delay = float(value)
    return delay if math.isfinite(delay) and delay >= 0 else None


class RedirectionError(CloudStatusError):
    """A 3xx response, raised only when asked for (``raise_redirects=True``).

    Redirects are normally followed by requests, or handed back to callers who
    passed ``allow_redirects=False``.
    """

    _family_digit = 3


class ClientError(CloudStatusError):
    """A 4xx response: the request needs changing before it can succeed.

    Unregistered 4xx codes (420, 499...) raise this class itself::

        try:
            session.get(url)
        except cloudstatus.NotFoundError:
            return None
        except cloudstatus.ClientError as e:
            raise ValueError(f"bad request: {e.error_message}") from e
    """

    _family_digit = 4


class ServerError(CloudStatusError):
    """A 5xx response: the server failed.

    :attr:`~CloudStatusError.retryable` says whether to try again. Unregistered 5xx codes
    (520, 599...) raise this class itself.
    """

    _family_digit = 5


#: The family class of each status family, by the status code's first digit.
FAMILIES: Mapping[int, type[CloudStatusError]] = {
    3: RedirectionError,
    4: ClientError,
    5: ServerError,
}
