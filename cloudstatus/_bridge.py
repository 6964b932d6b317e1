"""Bridged classes: a cloudstatus class that is also a client library's own error.

``bridge(dms.ConflictError, httpx.HTTPStatusError)`` is a class that both ``except``
clauses catch. Each pair is made once and cached, and its instances pickle by
rebuilding the class through this same factory, so the bridged class itself never
needs to be importable by name.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudstatus._base import CloudStatusError

__all__ = ["bridge", "bridged_from_refs", "bridged_parts", "class_from_ref"]

_lock = threading.Lock()
_cache: dict[tuple[type, type], type] = {}


def bridge(ours: type[CloudStatusError], theirs: type[BaseException]) -> type[CloudStatusError]:
    """The class that subclasses both ``ours`` and ``theirs``, made once per pair.

    Its name, module and docstring are ``ours``'s, so tracebacks read as the
    cloudstatus class; ``isinstance`` answers True for both parents. When ``ours``
    already subclasses ``theirs``, ``ours`` itself is returned.
    """
    if issubclass(ours, theirs):
        return ours
    key = (ours, theirs)
    found = _cache.get(key)
    if found is not None:
        return found
    with _lock:
        found = _cache.get(key)
        if found is None:
            found = type(
                ours.__name__,
                (ours, theirs),
                {
                    "__module__": ours.__module__,
                    "__qualname__": ours.__qualname__,
                    "__doc__": ours.__doc__,
                    "_bridged": (ours, theirs),
                },
            )
            _cache[key] = found
    return found


def bridged_parts(cls: type) -> tuple[type, type] | None:
    """``(ours, theirs)`` for a class made by :func:`bridge`, else None."""
    parts: Any = cls.__dict__.get("_bridged")
    return parts if isinstance(parts, tuple) else None


def class_from_ref(ref: Any) -> type:
    """The class a pickled reference names: a class, or ``(producer, args)`` to call."""
    if isinstance(ref, type):
        return ref
    producer, args = ref
    cls: type = producer(*args)
    return cls


def bridged_from_refs(ours: Any, theirs: Any) -> type:
    """:func:`bridge` of two pickled class references (how bridged errors unpickle)."""
    return bridge(class_from_ref(ours), class_from_ref(theirs))
