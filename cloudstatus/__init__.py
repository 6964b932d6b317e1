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

from typing import TYPE_CHECKING

from cloudstatus import _exceptions
from cloudstatus._advice import Advice
from cloudstatus._base import ClientError, CloudStatusError, RedirectionError, ServerError
from cloudstatus._exceptions import *  # noqa: F403  (one generated class per status code)
from cloudstatus._hook import (
    error_from_response,
    install,
    raise_for_status,
    uninstall,
)
from cloudstatus._options import HookOptions
from cloudstatus._registry import RegistrationError, Registry, default_registry
from cloudstatus._resolve import error_class
from cloudstatus._version import __version__

if TYPE_CHECKING:
    from cloudstatus._catalog import (
        ErrorCodeInfo,
        ServiceProfile,
        StatusInfo,
        error_code_info,
        status_info,
    )
    from cloudstatus._parse import ErrorBody, RateLimit

__all__ = [
    "Advice",
    "ClientError",
    "CloudStatusError",
    "ErrorBody",
    "ErrorCodeInfo",
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
    "error_code_info",
    "error_from_response",
    "install",
    "raise_for_status",
    "status_info",
    "uninstall",
]
# One class per status code, generated from the catalog.
__all__ += _exceptions.__all__
__all__.sort()


# Public names whose modules load on first use, so that ``import cloudstatus`` costs
# little more than ``import requests`` (the catalog and the parsers come with the
# first error, or the first question about a code).
_LAZY = {
    "ErrorBody": "cloudstatus._parse",
    "ErrorCodeInfo": "cloudstatus._catalog",
    "RateLimit": "cloudstatus._parse",
    "ServiceProfile": "cloudstatus._catalog",
    "StatusInfo": "cloudstatus._catalog",
    "error_code_info": "cloudstatus._catalog",
    "status_info": "cloudstatus._catalog",
}
_SUBMODULES = frozenset({"aiohttp", "httpx", "huaweicloud", "retry", "services", "testing"})


def _public(obj: object) -> object:
    # Tracebacks and reprs show the name people import, not the private module.
    if isinstance(obj, type) and obj.__module__.startswith("cloudstatus."):
        obj.__module__ = "cloudstatus"
    return obj


def __getattr__(name: str) -> object:
    import importlib

    if name in _LAZY:
        value = _public(getattr(importlib.import_module(_LAZY[name]), name))
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if name not in _EXTRAS or exc.name is None or exc.name.startswith(__name__):
                raise
            # An AttributeError, so hasattr(cloudstatus, "httpx") is False without it.
            raise AttributeError(
                f"cloudstatus.{name} needs {exc.name}, which is not installed: "
                f"pip install 'cloudstatus[{_EXTRAS[name]}]'"
            ) from exc
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The adapters whose client library comes with an extra, and the extra's name.
_EXTRAS = {"aiohttp": "aiohttp", "httpx": "httpx", "huaweicloud": "huaweicloud"}


for _name in __all__:
    if _name not in _LAZY:
        _public(globals()[_name])
del _name
