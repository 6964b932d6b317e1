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

from cloudstatus import _base
from cloudstatus._catalog import (
    ServiceProfile,
    builtin_services,
    declare_profile,
    known_services,
    load_standard,
    profile_from_mapping,
)
from cloudstatus._catalog import get_profile as _catalog_profile
from cloudstatus._naming import derive_aliases

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
) -> types.ModuleType:
    """Declare a service from its profile and return its namespace.

    ``profile`` is a path to a profile file, the same data as a mapping, or a
    :class:`~cloudstatus.ServiceProfile`. The namespace is also importable as
    ``cloudstatus.services.<name>`` (so its errors pickle by reference) once declared.
    Declaring the same profile again returns the same namespace.

    :raises ValueError: for a malformed profile, a built-in service's name, a name
        this package already uses (``declare``, ``json``...), or a second, different
        profile under a name already declared.
    """
    prof = _load(profile)
    name = prof.service
    if name in builtin_services():
        raise ValueError(f"service {name!r} is built in; declare your profile under another name")
    with _lock:
        if name in _modules and name not in builtin_services():
            if get_profile(name) == prof:
                return _modules[name]
            raise ValueError(
                f"service {name!r} is already declared with a different profile; pick another name"
            )
        package = sys.modules[__name__]
        if name in vars(package) or f"{__name__}.{name}" in sys.modules:
            # Binding it would replace one of this package's own names (json, declare...).
            raise ValueError(
                f"service name {name!r} is taken by cloudstatus.services.{name}; "
                f"declare your profile under another name"
            )
        module = _build(prof)
        declare_profile(prof)
        _modules[name] = module
        sys.modules[module.__name__] = module
        setattr(package, name, module)
        return module


def _build(profile: ServiceProfile) -> types.ModuleType:
    """Create the namespace module of a declared service, shaped like a generated one."""
    import cloudstatus._exceptions as std

    svc = profile.service
    modname = f"{__name__}.{svc}"
    module = types.ModuleType(modname, f"Exceptions for {profile.title} (declared at runtime).")

    def make(name: str, bases: tuple[type, ...], doc: str, **attrs: Any) -> type:
        cls = type(
            name, bases, {"__module__": modname, "__qualname__": name, "__doc__": doc, **attrs}
        )
        setattr(module, name, cls)
        return cls

    root = make("Error", (_base.CloudStatusError,), f"Root of every error from {svc}.", service=svc)
    families = {
        digit: make(fam.__name__, (fam, root), f"A {digit}xx response from {svc}.")
        for digit, fam in _base.FAMILIES.items()
    }
    standard = load_standard()
    classes: dict[int, type] = {}
    for code, cls in std.STATUS_CLASSES.items():
        entry = profile.entries.get(code)
        what = f'its table: "{entry.name}"' if entry else "not in its table"
        doc = f"{code} {cls.reason}, from {svc} ({what})."
        if entry and entry.description:
            doc += f"\n\n{entry.description}"
        classes[code] = make(cls.__name__, (cls, families[code // 100]), doc)
        # The standard aliases, from the catalog, as the generated modules have them.
        for alias in standard[code].aliases:
            setattr(module, alias, classes[code])
    for alias, canonical in derive_aliases(standard, profile).items():
        setattr(module, alias, getattr(module, canonical))
    module.codes = profile.codes  # type: ignore[attr-defined]
    module.STATUS_CLASSES = types.MappingProxyType(classes)  # type: ignore[attr-defined]
    module.__all__ = sorted(  # type: ignore[attr-defined]
        n for n in vars(module) if not n.startswith("_")
    )
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
