"""The options every adapter takes, validated once: :class:`HookOptions`."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from cloudstatus._fields import DEFAULT_MESSAGE_CHARS

if TYPE_CHECKING:
    from cloudstatus._parse import BodyParser
    from cloudstatus._registry import Registry

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_BODY_SECONDS",
    "DEFAULT_OPTIONS",
    "OPTION_NAMES",
    "HookOptions",
    "check_overrides",
]

#: Default cap on the bytes of an error body the hook reads.
DEFAULT_MAX_BODY_BYTES = 64 * 1024
#: Default deadline, in seconds, for reading an error body.
DEFAULT_MAX_BODY_SECONDS = 5.0


class HookOptions(NamedTuple):
    """How the hook treats error responses; the keyword options of :func:`install`.

    :ivar service: resolve classes in this service's namespace (``"dms"``).
    :ivar registry: where error-code classes are looked up (the default registry when None).
    :ivar max_body_bytes: read at most this many bytes of an error body (after
        decompression); the rest is drained a little, then the connection is closed.
    :ivar max_message_chars: cap on server text in messages and ``error_message``.
    :ivar raise_redirects: treat every redirect as an error: an installed requests
        session does not follow it and raises the
        :class:`~cloudstatus.RedirectionError` class of the first 3xx, whatever
        ``allow_redirects`` says; :func:`error_from_response` and
        :func:`raise_for_status` raise for a 3xx instead of returning None.
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

        :raises TypeError: for an unknown option or a value of the wrong type (a
            ``service`` that is not a str, say).
        :raises ValueError: for a value of the right type that cannot be used
            (``max_body_bytes=-1``).
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
        if service is not None and not isinstance(service, str):
            # Its repr could hold a response's headers: name the type only.
            hint = ""
            if hasattr(service, "status") or hasattr(service, "status_code"):
                hint = (
                    " It looks like a response: a hook factory was passed uncalled. Call it: "
                    "raise_for_status=cloudstatus.aiohttp.raise_for_status(service=...), "
                    "event_hooks={'response': [cloudstatus.httpx.response_hook(...)]}."
                )
            raise TypeError(
                f"service must be a service name (str) such as 'dms', got a "
                f"{type(service).__module__}.{type(service).__qualname__}.{hint}"
            )
        if service is not None:
            from cloudstatus._catalog import get_profile  # the catalog loads when first asked

            get_profile(service)  # raises LookupError naming the known services
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


#: The options' names, for adapters that pick them out of other keyword arguments.
OPTION_NAMES = frozenset(HookOptions._fields)
# Immutable, so one instance serves every call made without options.
DEFAULT_OPTIONS = HookOptions()
