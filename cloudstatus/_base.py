"""The hand-written roots of the exception tree.

:class:`CloudStatusError` and the three family classes live here; the one-class-per-code
leaves are generated into :mod:`cloudstatus._exceptions` from the catalog.

An exception holds the raw facts of its response and computes every other field
(error code, message, request id, retry decision...) on first read, so raising one
costs little more than resolving its class. The values do not depend on the order
they are read in, and are the same after a pickle or a copy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from requests.exceptions import HTTPError

from cloudstatus import _fields
from cloudstatus._advice import Advice
from cloudstatus._registry import RegistrationError, Registry, active_registry, set_root_class

if TYPE_CHECKING:
    from cloudstatus._catalog import ErrorCodeInfo
    from cloudstatus._facts import Facts
    from cloudstatus._parse import RateLimit

__all__ = ["ClientError", "CloudStatusError", "RedirectionError", "ServerError"]

#: Default cap on server-supplied text placed in a message.
DEFAULT_MESSAGE_CHARS = _fields.DEFAULT_MESSAGE_CHARS


class _ClassValue:
    """A class attribute that an instance computes for itself on first read.

    ``SomeClass.error_code`` is the code the class is registered for; on an instance,
    the code the server sent (falling back to the class's). Instances keep the
    computed value in their ``__dict__``, which shadows this descriptor from then on.
    """

    def __init__(self, name: str, compute: Callable[[CloudStatusError], Any]) -> None:
        self.name = name
        self.class_name = f"_class_{name}"
        self.compute = compute
        self.settles = name in _fields.SETTLED_NAMES

    def __get__(self, obj: CloudStatusError | None, owner: type | None = None) -> Any:
        if obj is None:
            return getattr(owner, self.class_name, None)
        d = obj.__dict__
        if self.settles:  # the first public field read computes them all
            _fields.settle(obj)
            if self.name in d:
                return d[self.name]
        value = self.compute(obj)
        return d.setdefault(self.name, value)


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

    Subclass a status or family class to give a service's error code its own class;
    the class statement takes these keywords:

    * ``error_code`` (str): the code to register the class for;
    * ``registry`` (:class:`~cloudstatus.Registry`): where to register it (the
      default registry, or the one the ``cloudstatus_registry`` fixture of
      :mod:`cloudstatus.testing` put in place);
    * ``retryable`` (bool) or ``advice`` (:class:`~cloudstatus.Advice` or its name):
      what the class says about repeating the request.

    Fields other than :attr:`status_code`, :attr:`reason`, :attr:`service`,
    :attr:`response` and :attr:`request` are computed from the response on first
    read, all at once, and then kept in the instance's ``__dict__``: ``vars(e)`` holds
    next to nothing on an unread error raised by a hook (the status code of a family
    class), and every field (and some private values) once one was read. The
    response, the request and the facts they gave live in slots, out of ``vars(e)``.
    A subclass may define a field itself, as a property or a plain class attribute:
    that is what the field reads, and what the message, the retry decision and
    :attr:`error_info` use.
    """

    #: The HTTP status: the class's own, or the response's on an instance of a family
    #: class; None on the root and family classes themselves.
    status_code: int | None = None
    #: The standard reason phrase, or the response's for an unregistered code; empty on
    #: the root and family classes.
    reason: str = _ClassValue("reason", lambda e: _fields.reason(e))  # type: ignore[assignment]
    _class_reason: ClassVar[str] = ""
    #: The service whose table resolved the class (``"dms"``), or None.
    service: str | None = None
    # What the error was built from, kept out of ``vars(e)`` (it holds the request's
    # credentials, unmasked): the facts, the options, and values derived from them.
    __slots__ = ("_facts", "_headers", "_options", "_raw_parsed", "_secrets", "request", "response")
    _facts: Facts | None
    _headers: dict[str, str] | None
    _options: Any
    _raw_parsed: Any
    _secrets: tuple[str, ...] | None

    _class_error_code: ClassVar[str | None] = None
    _retry_override: ClassVar[bool | Advice | None] = None
    _family_digit: ClassVar[int | None] = None
    # The lazy fields a subclass defines itself (a property, a plain value): read
    # through the class, so the first read neither computes nor stores them.
    _overridden: ClassVar[frozenset[str]] = frozenset()

    #: The service's error code, always a :class:`str`, or None. On an error-code class,
    #: the code it is registered for.
    error_code: str | None = _ClassValue(  # type: ignore[assignment]
        "error_code", lambda e: _fields.error_code(e)
    )

    #: The response the error came from, when there was one (not pickled): a
    #: :class:`requests.Response`, or the client library's own response object.
    response: Any
    #: The request that got the response (not pickled).
    request: Any
    #: The request method, ``"GET"`` and so on.
    method: str | None
    #: The request URL with credentials removed.
    url: str | None
    #: What the server said, stripped of control characters and truncated.
    error_message: str | None
    #: The request id from the headers or the body, or None.
    request_id: str | None
    #: The parsed error body (a dict for JSON and XML), the request's credentials
    #: masked, or None.
    details: Any
    #: Seconds to wait before sending the request again, from Retry-After or a retry
    #: delay in the body, or None.
    retry_after: float | None
    #: Whether sending the request again can help.
    retryable: bool
    #: The :class:`~cloudstatus.Advice` the deciding table gave.
    advice: Advice
    #: One sentence saying why :attr:`retryable` is what it is.
    retry_reason: str
    #: Rate-limit facts from the response headers, or None.
    rate_limit: RateLimit | None
    #: What the catalog knows of :attr:`error_code`
    #: (:func:`cloudstatus.error_code_info`), or None.
    error_info: ErrorCodeInfo | None

    def __init_subclass__(
        cls,
        *,
        error_code: str | None = None,
        registry: Registry | None = None,
        retryable: bool | None = None,
        advice: Advice | str | None = None,
        **kwargs: Any,
    ) -> None:
        """Check and register a subclass; see the class docstring for the keywords.

        :raises TypeError: for a keyword of the wrong type, or both ``retryable`` and
            ``advice``.
        :raises RegistrationError: when the class cannot be registered for ``error_code``.
        """
        super().__init_subclass__(**kwargs)
        own: set[str] = set()
        for klass in cls.__mro__:
            if klass is CloudStatusError:
                break
            own.update(_fields.SETTLED_NAMES.intersection(vars(klass)))
        cls._overridden = frozenset(own)
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
            cls._class_error_code = error_code
            (registry if registry is not None else active_registry()).register(cls)

    def __init__(
        self,
        message: str | None = None,
        *,
        response: Any = None,
        request: Any = None,
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
        """Build an error by hand (the hook builds its errors from the response).

        :param message: the whole message; composed from the fields when None.
        :param response: any response object; its ``status_code``, ``url``, ``reason``
            and ``request`` fill the fields not given. Objects without them are kept
            as they are.
        :param service: any service name; an unknown one only means no service table
            is consulted for the retry decision.
        :param error_code: any value; kept as a :class:`str`.
        :param retryable: decides :attr:`retryable` instead of the tables.
        :param max_message_chars: cap on server text in the message (characters).
        :raises TypeError: when ``status_code`` is not an int.
        :raises ValueError: when ``status_code`` contradicts the class
            (``ConflictError(status_code=404)``).
        """
        cls = type(self)
        if status_code is not None:
            _check_status(cls, status_code)
        d = self.__dict__
        _fields.init_by_hand(
            self,
            d,
            message=message,
            response=response,
            request=request,
            status_code=status_code,
            reason=reason,
            method=method,
            url=url,
            service=service,
            error_code=error_code,
            error_message=error_message,
            request_id=request_id,
            details=details,
            retry_after=retry_after,
            retryable=retryable,
            rate_limit=rate_limit,
            max_message_chars=max_message_chars,
        )

    @classmethod
    def _from_facts(
        cls,
        facts: Facts,
        options: Any,
        service: str | None,
        response: Any = None,
        request: Any = None,
        parsed: Any = None,
    ) -> CloudStatusError:
        """The hook's constructor: keep the facts, compute the fields when read."""
        self = cls.__new__(cls)
        self._facts = facts
        self._options = options
        # Computed on first read; set now because a read of an unset slot costs a miss.
        self._secrets = None
        self._headers = None
        self.response = response
        self.request = request
        # What the class already says stays out of __dict__: an unread error keeps no
        # dict at all (see benchmarks/bench_hook.py, bytes retained).
        if facts.status_code != cls.status_code:
            self.__dict__["status_code"] = facts.status_code
        if service != cls.service:
            self.__dict__["service"] = service
        self._raw_parsed = parsed  # set even when None: an unset slot costs a lookup miss
        return self

    def __getattr__(self, name: str) -> Any:
        # Called only for names neither the instance nor its class has: the lazy fields.
        compute = _fields.COMPUTED.get(name)
        if compute is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        value = compute(self)
        if name in _fields.SLOTTED:
            object.__setattr__(self, name, value)
            return value
        return self.__dict__.setdefault(name, value)

    @property
    def args(self) -> tuple[Any, ...]:
        """``(message,)``, as for any exception; the message is composed when first read."""
        explicit = self.__dict__.get("_args")
        return explicit if explicit is not None else (str(self),)

    @args.setter
    def args(self, value: tuple[Any, ...]) -> None:
        self.__dict__["_args"] = tuple(value)

    def __str__(self) -> str:
        explicit = self.__dict__.get("_args")
        if explicit:
            return str(explicit[0])
        message: str = self.__dict__.get("_message") or self.__getattr__("_message")
        return message

    def __repr__(self) -> str:
        return f"{_fields.display_name(type(self))}({str(self)!r})"

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON-safe data, for structured logs and task queues.

        Keys: ``type`` (the class as people import it, ``"dms.ConflictError"``),
        ``message`` (``str(e)``), ``status_code``, ``reason``, ``method``, ``url``,
        ``service``, ``error_code``, ``error_message``, ``request_id``, ``retry_after``
        (seconds), ``retryable``, ``advice`` (an :class:`~cloudstatus.Advice` name),
        ``retry_reason``, ``rate_limit`` (a dict or None), ``error_info`` (a dict or
        None) and ``details`` (the parsed body when it is JSON data nested at most 32
        levels deep, else None). The live response and request are left out; the
        request's credentials are masked, as in the message.

        ``json.dumps(e.to_dict())`` never fails.
        """
        return _fields.to_dict(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_fields.restore, (_fields.class_ref(type(self)),), _fields.pickle_state(self))

    def __setstate__(self, state: dict[str, Any] | None) -> None:
        self.__dict__.update(state or {})
        self.response = None
        self.request = None

    def __copy__(self) -> CloudStatusError:
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        for name in CloudStatusError.__slots__:
            value = getattr(self, name, _MISSING)
            if value is not _MISSING:
                object.__setattr__(new, name, value)
        return new


_MISSING = object()


def _check_status(cls: type[CloudStatusError], status_code: object) -> None:
    """Refuse a status the class cannot carry: ``ConflictError(status_code=404)``, ``"409"``."""
    if not isinstance(status_code, int) or isinstance(status_code, bool):
        raise TypeError(
            f"status_code must be an int, got {type(status_code).__name__} {status_code!r}"
        )
    if cls.status_code is not None:
        if status_code != cls.status_code:
            raise ValueError(
                f"{cls.__name__} is the {cls.status_code} class; it cannot carry status "
                f"{status_code!r}. Use cloudstatus.error_class({status_code!r}) to get the "
                f"class for that status."
            )
    elif cls._family_digit is not None and (
        not isinstance(status_code, int) or status_code // 100 != cls._family_digit
    ):
        raise ValueError(
            f"{cls.__name__} is for {cls._family_digit}xx statuses; it cannot carry status "
            f"{status_code!r}. Use cloudstatus.error_class({status_code!r})."
        )


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


set_root_class(CloudStatusError)

# Each lazy field is a descriptor on the root: the first read computes it and stores it
# in the instance's __dict__, which shadows the descriptor from then on. (A descriptor
# is found by the normal lookup; __getattr__ would first cost a failed lookup.)
for _name, _compute in _fields.COMPUTED.items():
    if _name not in _fields.SLOTTED and _name not in vars(CloudStatusError):
        setattr(CloudStatusError, _name, _ClassValue(_name, _compute))
del _name, _compute


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
