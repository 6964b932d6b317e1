"""How a status phrase becomes a class name. Shared by the generator and runtime services."""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cloudstatus._catalog import ServiceProfile, StandardEntry

__all__ = ["BUILTIN_NAMES", "class_name", "derive_aliases", "display_name", "is_builtin"]

#: Names a generated class must never take, so ``from cloudstatus import *`` shadows nothing.
BUILTIN_NAMES = frozenset(dir(builtins))

_WORDS = re.compile(r"[A-Za-z0-9]+")


def class_name(phrase: str) -> str:
    """CamelCase ``phrase`` and end it in ``Error`` exactly once.

    Words are split on anything that is not a letter or digit; an all-capitals word
    (``URI``, ``HTTP``) is kept as it is, any other word gets a capital first letter
    and keeps the rest (so ``NotFound`` stays ``NotFound``).

    >>> class_name("Request-URI Too Large")
    'RequestURITooLargeError'
    >>> class_name("Internal Server Error")
    'InternalServerError'
    """
    words = _WORDS.findall(phrase)
    name = "".join(w if w.isupper() else w[0].upper() + w[1:] for w in words)
    if not name.endswith("Error"):
        name += "Error"
    return name


def is_builtin(name: str) -> bool:
    """Whether ``name`` is a builtin (``NotImplementedError``, ``TimeoutError``...)."""
    return name in BUILTIN_NAMES


def derive_aliases(
    standard: Mapping[int, StandardEntry], profile: ServiceProfile
) -> dict[str, str]:
    """Extra class names a service's table implies: alias → canonical class name.

    A documented name becomes an alias when its class name differs, case-insensitively,
    from the canonical name and every standard alias, is a valid identifier, and
    shadows neither a builtin nor another class (DMS's ``ServerTimeout`` for 504
    gives ``ServerTimeoutError``; its ``Not Implemented`` would shadow a builtin and
    gives nothing).
    """
    classes = [e for c, e in sorted(standard.items()) if e.class_name and c >= 300]
    taken = {e.class_name.lower() for e in classes if e.class_name}
    taken |= {a.lower() for e in classes for a in e.aliases}
    taken |= {"error", "redirectionerror", "clienterror", "servererror"}
    aliases: dict[str, str] = {}
    for code, entry in sorted(profile.entries.items()):
        std = standard.get(code)
        if std is None or std.class_name is None or code < 300 or not entry.name:
            continue
        alias = class_name(entry.name)
        if alias.lower() in taken or not alias.isidentifier() or is_builtin(alias):
            continue
        aliases[alias] = std.class_name
        taken.add(alias.lower())
    return aliases


def display_name(cls: type) -> str:
    """How people import ``cls``: ``dms.ConflictError``, ``cloudstatus.ConflictError``.

    Service classes share their ``__name__`` with the standard ones, so messages and
    tables qualify them.
    """
    module = cls.__module__
    if module.startswith("cloudstatus.services."):
        return f"{module.rsplit('.', 1)[1]}.{cls.__name__}"
    if module == "builtins":
        return cls.__name__
    return f"{module.split('.')[0]}.{cls.__name__}"
