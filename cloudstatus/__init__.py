"""Typed exceptions for the HTTP errors of cloud service APIs.

Install the hook and catch errors by meaning::

    import requests, cloudstatus

    session = cloudstatus.install(requests.Session(), service="dms")
    try:
        session.post(url, json=body)
    except cloudstatus.ConflictError as e:
        print(e.error_code, e.error_message, e.request_id)

The tree: :class:`CloudStatusError` (a :class:`requests.HTTPError`), the families
:class:`RedirectionError`, :class:`ClientError` and :class:`ServerError`, and one
generated class per registered 3xx-5xx code (``ConflictError``, ``NotFoundError``...).
"""

from __future__ import annotations

from cloudstatus import _exceptions
from cloudstatus._base import ClientError, CloudStatusError, RedirectionError, ServerError
from cloudstatus._catalog import Advice, ServiceProfile, StatusInfo, status_info
from cloudstatus._exceptions import *  # noqa: F403  (one generated class per status code)
from cloudstatus._hook import (
    HookOptions,
    error_from_response,
    install,
    raise_for_status,
    uninstall,
)
from cloudstatus._parse import ErrorBody, RateLimit
from cloudstatus._registry import RegistrationError, Registry, default_registry
from cloudstatus._resolve import error_class
from cloudstatus._version import __version__

__all__ = [
    "Advice",
    "ClientError",
    "CloudStatusError",
    "ErrorBody",
    "HookOptions",
    "RateLimit",
    "RedirectionError",
    "RegistrationError",
    "Registry",
    "ServerError",
    "ServiceProfile",
    "StatusInfo",
    "__version__",
    "default_registry",
    "error_class",
    "error_from_response",
    "install",
    "raise_for_status",
    "status_info",
    "uninstall",
]
# One class per status code, generated from the catalog.
__all__ += _exceptions.__all__
__all__.sort()


def __getattr__(name: str) -> object:
    # The submodules people reach through the package without importing them first;
    # loaded on first use so that ``import cloudstatus`` stays light.
    if name in {"retry", "services", "testing"}:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Tracebacks and reprs show the name people import, not the private module.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("cloudstatus."):
        _obj.__module__ = "cloudstatus"
del _name, _obj
