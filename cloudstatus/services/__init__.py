"""Service namespaces: one module of exception classes per service.

The built-in services (``mpc``, ``dms``) are generated modules,
``from cloudstatus.services import dms``. Any other service is declared at runtime
from a profile (the file ``python -m cloudstatus ingest`` writes, or the same data as
a dict), and gets a namespace of the same shape::

    acme = cloudstatus.services.declare("acme-profile.json")
    cloudstatus.install(session, service="acme")
    try:
        session.get(url)
    except acme.Error:
        ...

A namespace holds ``Error`` (the service root), ``RedirectionError``, ``ClientError``
and ``ServerError``, one class per standard 3xx-5xx code subclassing both the
standard class and the service's family class, the aliases the service's table
implies, ``codes`` (the codes its table documents) and ``STATUS_CLASSES``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cloudstatus import _base, _exceptions
from cloudstatus._catalog import (
    ServiceProfile,
    builtin_services,
    declare_profile,
    known_services,
    load_standard,
    profile_from_mapping,
)
from cloudstatus._catalog import get_profile as _catalog_profile
from cloudstatus._shape import describe

__all__ = ["available", "declare", "declared_class", "declared_owner", "get_profile", "namespace"]

_lock = threading.RLock()
# Namespaces of declared services; their profiles live in the catalog (layer 0).
_modules: dict[str, types.ModuleType] = {}


def available() -> tuple[str, ...]:
    """Names of every service cloudstatus knows now: built-in and declared, sorted."""
    return known_services()


def get_profile(name: str) -> ServiceProfile:
    """The profile of service ``name``.

    :raises LookupError: for a service that is neither built in nor declared.
    """
    return _catalog_profile(name)


def namespace(name: str) -> types.ModuleType:
    """The module of exception classes of service ``name`` (importing it if built in).

    :raises LookupError: for a service that is neither built in nor declared.
    """
    module = _modules.get(name) if isinstance(name, str) else None
    if module is not None:
        return module
    _catalog_profile(name)  # raises LookupError naming the known services
    if name in builtin_services():
        module = importlib.import_module(f"{__name__}.{name}")
        _modules[name] = module  # later lookups are one dict read
        return module
    with _lock:  # declared in the catalog but its namespace is being built right now
        return _modules[name]


def _load(profile: ServiceProfile | Mapping[str, Any] | str | os.PathLike[str]) -> ServiceProfile:
    if isinstance(profile, ServiceProfile):
        # A hand-built profile skips the checks a file gets; run them (service name...).
        return profile_from_mapping(profile.to_mapping(), origin=f"profile {profile.service!r}")
    if isinstance(profile, Mapping):
        return profile_from_mapping(profile)
    path = Path(profile)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read profile file {path}: {exc}") from exc
    return profile_from_mapping(data, origin=str(path))


def declare(
    profile: ServiceProfile | Mapping[str, Any] | str | os.PathLike[str],
    *,
    module: types.ModuleType | None = None,
) -> types.ModuleType:
    """Declare a service from its profile and return its namespace.

    ``profile`` is a path to a profile file, the same data as a mapping, or a
    :class:`~cloudstatus.ServiceProfile`. The namespace is built at runtime and is
    also importable as ``cloudstatus.services.<name>`` (so its errors pickle by
    reference). Declaring the same profile again returns the same namespace.

    A module written by ``python -m cloudstatus ingest --module`` calls this itself with
    ``module=`` (the module), so that importing it declares the service with the
    module's own, statically typed classes instead; ``declare(profile)`` then returns
    that module.

    :param module: a generated module whose classes make up the namespace; None to
        build them.
    :raises ValueError: for a malformed profile, a built-in service's name, a name
        this package already uses (``declare``, ``json``...), a second, different
        profile under a name already declared, or a generated module for a service
        already declared with other classes.
    """
    prof = _load(profile)
    name = prof.service
    if name in builtin_services():
        raise ValueError(f"service {name!r} is built in; declare your profile under another name")
    with _lock:
        known = _modules.get(name)
        if known is not None:
            if get_profile(name) != prof:
                raise ValueError(
                    f"service {name!r} is already declared with a different profile; "
                    f"pick another name"
                )
            if module is None or module is known:
                return known
            if getattr(known, "__name__", None) != module.__name__:
                raise ValueError(
                    f"service {name!r} is already declared by {_origin(known)}; importing "
                    f"{module.__name__} would declare it again with other classes. Use one "
                    f"of the two, or import {module.__name__} before anything declares "
                    f"{name!r} (declare() then returns it)"
                )
            # The same generated module, reloaded: its new classes take over.
        else:
            _check_name(name)
        namespace = _build(prof) if module is None else _adopt(prof, module)
        declare_profile(prof)
        _modules[name] = namespace
        if module is None:
            sys.modules[namespace.__name__] = namespace
        setattr(sys.modules[__name__], name, namespace)
        return namespace


def _origin(module: types.ModuleType) -> str:
    if module.__name__.startswith(f"{__name__}."):
        return "cloudstatus.services.declare()"
    return f"module {module.__name__}"


def _check_name(name: str) -> None:
    """Refuse a service name that would replace one of this package's own names.

    A declared service's name passes: it is bound to the service's namespace.
    """
    if name in _modules:
        return
    if name in vars(sys.modules[__name__]) or f"{__name__}.{name}" in sys.modules:
        raise ValueError(
            f"service name {name!r} is taken by cloudstatus.services.{name}; "
            f"declare your profile under another name"
        )


def _adopt(profile: ServiceProfile, module: types.ModuleType) -> types.ModuleType:
    """Check that a generated module is the namespace of ``profile`` and return it."""
    root = getattr(module, "Error", None)
    classes = getattr(module, "STATUS_CLASSES", None)
    if (
        not isinstance(root, type)
        or not issubclass(root, _base.CloudStatusError)
        or root.service != profile.service
        or not isinstance(classes, Mapping)
    ):
        raise ValueError(
            f"module {module.__name__} is not the namespace of service {profile.service!r} "
            f"(no Error class with service = {profile.service!r}, or no STATUS_CLASSES); "
            f"regenerate it with python -m cloudstatus ingest --module"
        )
    return module


def _build(profile: ServiceProfile) -> types.ModuleType:
    """Create the namespace module of a declared service from its shape.

    The generator renders the same :func:`~cloudstatus._shape.describe` output as
    source text, so a declared namespace and a generated one hold the same names,
    bases, docstrings, aliases and codes.
    """
    families = {digit: cls.__name__ for digit, cls in _base.FAMILIES.items()}
    shape = describe(load_standard(), profile, families)
    module = types.ModuleType(f"{__name__}.{shape.service}", shape.doc)
    places: dict[str, Any] = {"root": _base, "standard": _exceptions, "local": module}
    for spec in shape.classes:
        attrs: dict[str, Any] = {
            "__module__": module.__name__,
            "__qualname__": spec.name,
            "__doc__": spec.doc,
        }
        if spec.service is not None:
            attrs["service"] = spec.service
        bases = tuple(getattr(places[b.where], b.name) for b in spec.bases)
        setattr(module, spec.name, type(spec.name, bases, attrs))
    for alias, canonical in shape.aliases:
        setattr(module, alias, getattr(module, canonical))
    module.codes = shape.codes  # type: ignore[attr-defined]
    module.STATUS_CLASSES = types.MappingProxyType(  # type: ignore[attr-defined]
        {code: getattr(module, name) for code, name in shape.status_classes}
    )
    module.__all__ = shape.names  # type: ignore[attr-defined]
    return module


def declared_owner(cls: type) -> dict[str, Any] | None:
    """The profile (as plain data) of the declared service whose namespace made ``cls``.

    None for every other class: built-in namespaces and user classes pickle by name.
    """
    module = cls.__module__
    prefix = f"{__name__}."
    if not module.startswith(prefix):
        return None
    name = module[len(prefix) :]
    if name in builtin_services() or _modules.get(name) is None:
        return None
    if getattr(_modules[name], cls.__name__, None) is not cls:
        return None
    return get_profile(name).to_mapping()


def declared_class(profile: Mapping[str, Any], class_name: str) -> type:
    """A class of a declared service's namespace, declaring the service when needed.

    This is how an error of a service declared at runtime unpickles in a process that
    never declared it. When that process declared another profile under the same name,
    or the profile no longer validates, the standard class of the same name (or the
    root) stands in: unpickling never fails for it.
    """
    try:
        module = declare(profile)
    except (ValueError, TypeError):
        module = _base_module()
    found: Any = getattr(module, class_name, None)
    if not isinstance(found, type):
        found = getattr(_base_module(), class_name, _base.CloudStatusError)
    return found  # type: ignore[no-any-return]


def _base_module() -> types.ModuleType:
    import cloudstatus._exceptions as std

    return std


def __getattr__(name: str) -> types.ModuleType:
    # ``cloudstatus.services.dms`` works after a bare ``import cloudstatus``.
    if name in builtin_services():
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
