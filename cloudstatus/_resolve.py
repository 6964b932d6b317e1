"""Class resolution: from a status (and maybe a service and error code) to a class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudstatus._base import FAMILIES, CloudStatusError
from cloudstatus._bridge import bridge
from cloudstatus._exceptions import STATUS_CLASSES
from cloudstatus._registry import default_registry, scoped_registry

if TYPE_CHECKING:
    from cloudstatus._registry import Registry

__all__ = ["check_status", "error_class"]


def check_status(status_code: object) -> int:
    """Return ``status_code`` as a plain int if it is one of 300 or more (an IntEnum such as
    :class:`http.HTTPStatus` counts); otherwise say what is wrong."""
    if type(status_code) is not int:
        if isinstance(status_code, int) and not isinstance(status_code, bool):
            return check_status(int(status_code))  # an IntEnum such as http.HTTPStatus
        hint = ""
        if isinstance(status_code, (str, float)) and not isinstance(status_code, bool):
            hint = f"; convert it first, e.g. int({status_code!r})"
        raise TypeError(
            f"status_code must be an int, got {type(status_code).__name__} {status_code!r}{hint}"
        )
    if status_code < 300:
        raise ValueError(
            f"status_code {status_code} is not an error status: classes exist for 300 "
            f"and above (1xx and 2xx responses raise nothing)"
        )
    return status_code


def _compatible(cls: type[CloudStatusError], status: int) -> bool:
    if cls.status_code is not None:
        return cls.status_code == status
    return cls._family_digit == status // 100


def error_class(
    status_code: int,
    *,
    service: str | None = None,
    error_code: object = None,
    registry: Registry | None = None,
) -> type[CloudStatusError]:
    """The class raised for a response with ``status_code``; never None.

    Most specific first: the error-code class registered for ``(service,
    error_code)`` when its status agrees with ``status_code``; the service's class for
    the status; the standard class; the family class (an unregistered 4xx gives
    :class:`ClientError`, a 5xx :class:`ServerError`); the root for 600 and above.

    An error-code class whose status contradicts the response is passed over, so a
    throttle code that arrives on a 404 still raises a 404 class.

    :param error_code: the service's error code; any type, compared as a str.
    :param registry: where error-code classes are looked up; the default registry
        when None.
    :raises TypeError: when ``status_code`` is not an int (``"409"``, ``409.0`` and
        ``True`` are refused).
    :raises ValueError: for a status below 300.
    :raises LookupError: for an unknown service.

    >>> error_class(409).__name__
    'ConflictError'
    >>> error_class(420).__name__
    'ClientError'
    """
    return resolve(check_status(status_code), service, error_code, registry)


def resolve(
    status: int,
    service: str | None,
    error_code: object,
    registry: Registry | None,
) -> type[CloudStatusError]:
    """:func:`error_class` for a status already checked (an int of 300 or more)."""
    if service is None and error_code is None:  # the hook's common case: one dict read
        found = STATUS_CLASSES.get(status) or FAMILIES.get(status // 100)
        return found if found is not None else CloudStatusError
    ns = _namespace(service) if service is not None else None
    code = "" if error_code is None else str(error_code)
    if code:
        found = _registered(status, service, code, registry)
        if found is not None:
            if ns is None or found.service == service:
                return found
            # A class registered for every service, raised in this one: it is also this
            # service's class for the status (dms.UnauthorizedError, dms.Error).
            return bridge(found, _service_class(ns, status))
    if ns is None:
        found = STATUS_CLASSES.get(status) or FAMILIES.get(status // 100)
        return found if found is not None else CloudStatusError
    return _service_class(ns, status)


def _namespace(service: str) -> Any:
    module = _NAMESPACES.get(service)
    if module is None:
        from cloudstatus.services import namespace

        module = _NAMESPACES[service] = namespace(service)
    return module


# Service namespaces already looked up; a namespace never changes once built.
_NAMESPACES: dict[str, Any] = {}


def _registered(
    status: int, service: str | None, code: str, registry: Registry | None
) -> type[CloudStatusError] | None:
    """The compatible error-code class for ``code``: the service's own, then a shared one."""
    if registry is not None:
        registries: tuple[Registry, ...] = (registry,)
    else:
        scoped = scoped_registry()
        registries = (scoped, default_registry) if scoped is not None else (default_registry,)
    keys = (service, None) if service is not None else (None,)
    for key in keys:
        for reg in registries:
            cls = reg.lookup(key, code)
            if cls is not None and _compatible(cls, status):
                return cls
    return None


def _service_class(ns: Any, status: int) -> type[CloudStatusError]:
    by_status: Mapping[int, type[CloudStatusError]] = ns.STATUS_CLASSES
    found = by_status.get(status)
    if found is not None:
        return found
    # A service names its family classes like the standard ones.
    family = FAMILIES.get(status // 100)
    result: type[CloudStatusError] = getattr(ns, family.__name__ if family else "Error")
    return result
