"""Registries of error-code classes: which class a (service, error code) pair raises."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cloudstatus._base import CloudStatusError

__all__ = ["RegistrationError", "Registry", "active_registry", "default_registry", "use_registry"]


class RegistrationError(ValueError):
    """An error-code class cannot be registered (the pair is taken, or the class is unfit)."""


# How many error-code classes all registries hold together: while none does, the hook
# can skip parsing the body for its error code at raise time.
_count = [0]


def registered_anywhere() -> int:
    """How many error-code classes are registered, in every registry together."""
    return _count[0]


# The root of the exception tree, handed over by cloudstatus._base when it is defined:
# the registry sits below the tree and does not import it.
_root_class: type | None = None


def set_root_class(root: type) -> None:
    """Record the class every registered class must subclass (called by ``_base``)."""
    global _root_class
    _root_class = root


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class Registry:
    """A thread-safe map from ``(service, error_code)`` to the class raised for it.

    Every error-code class registers in :data:`cloudstatus.default_registry` unless
    its class statement names another one, which keeps two libraries in one process
    from claiming the same code::

        mine = cloudstatus.Registry("mylib")

        class QuotaExceeded(dms.ForbiddenError, error_code="DMS.00403002", registry=mine):
            '''The instance quota is used up.'''

        cloudstatus.install(session, service="dms", registry=mine)

    A scoped registry holds only its own classes: a session installed with it never
    raises a class registered in the default registry.
    """

    def __init__(self, name: str = "scoped") -> None:
        self.name = name
        self._lock = threading.Lock()
        self._classes: dict[tuple[str | None, str], type[CloudStatusError]] = {}

    def __repr__(self) -> str:
        return f"<cloudstatus.Registry {self.name!r} with {len(self)} classes>"

    def register(self, cls: type[CloudStatusError]) -> None:
        """Register ``cls`` under its ``service`` and ``error_code``.

        Class statements call this for you. Registering a class whose module and
        qualified name equal the registered one's replaces it (a reloaded module);
        any other class for a taken pair is refused.

        :raises RegistrationError: when the pair belongs to another class, or ``cls`` is
            not a :class:`~cloudstatus.CloudStatusError` with a family and an error code.
        """
        root = _root_class
        if not isinstance(cls, type) or root is None or not issubclass(cls, root):
            raise RegistrationError(
                f"only CloudStatusError subclasses can be registered, got {cls!r}"
            )
        if cls._family_digit is None:
            raise RegistrationError(
                f"{_qualified(cls)} must subclass a family or status class, so the status "
                f"of a response can be checked against it"
            )
        code = cls.error_code
        if not isinstance(code, str) or not code:
            raise RegistrationError(f"{_qualified(cls)} has no error_code to register")
        key = (cls.service, code)
        with self._lock:
            existing = self._classes.get(key)
            if existing is not None and _qualified(existing) != _qualified(cls):
                where = f"service {cls.service!r}" if cls.service else "no service"
                raise RegistrationError(
                    f"error code {code!r} ({where}) is already registered to "
                    f"{_qualified(existing)} in registry {self.name!r}; cannot register "
                    f"{_qualified(cls)} too. Subclass {existing.__name__} instead, or "
                    f"register one of them in a scoped cloudstatus.Registry() (in a pytest "
                    f"test, use the cloudstatus_registry fixture)."
                )
            if key not in self._classes:
                _count[0] += 1
            self._classes[key] = cls

    def unregister(self, cls: type[CloudStatusError]) -> None:
        """Remove ``cls``; a class that is not registered here is ignored."""
        key = (cls.service, cls.error_code or "")
        with self._lock:
            if self._classes.get(key) is cls:
                del self._classes[key]
                _count[0] -= 1

    def lookup(self, service: str | None, error_code: str) -> type[CloudStatusError] | None:
        """The class registered for ``(service, error_code)``, or None."""
        return self._classes.get((service, error_code))

    def __contains__(self, cls: object) -> bool:
        with self._lock:
            return any(known is cls for known in self._classes.values())

    def __iter__(self) -> Iterator[type[CloudStatusError]]:
        with self._lock:
            return iter(list(self._classes.values()))

    def __len__(self) -> int:
        return len(self._classes)


#: The registry every error-code class joins unless it names another.
default_registry = Registry("default")


_active: ContextVar[Registry | None] = ContextVar("cloudstatus_active_registry", default=None)


def active_registry() -> Registry:
    """The registry class statements join and the hook searches when none is named.

    :data:`default_registry`, unless :func:`use_registry` has put another in place in
    this thread or task.
    """
    scoped = _active.get()
    # Not ``or``: an empty Registry is falsy (it has a __len__), and it is in place all the same.
    return scoped if scoped is not None else default_registry


def scoped_registry() -> Registry | None:
    """The registry :func:`use_registry` put in place here, or None."""
    return _active.get()


@contextlib.contextmanager
def use_registry(registry: Registry) -> Iterator[Registry]:
    """Put ``registry`` in place of the default one inside a ``with`` block.

    Inside the block, class statements that name no registry register in
    ``registry``, and hooks installed without ``registry=`` look classes up in it
    first, then in :data:`default_registry` (so module-level classes still apply).
    The pytest fixture ``cloudstatus_registry`` wraps each test in one.

    :raises TypeError: when ``registry`` is not a :class:`Registry`.
    """
    if not isinstance(registry, Registry):
        raise TypeError(f"use_registry() takes a cloudstatus.Registry, got {registry!r}")
    token = _active.set(registry)
    try:
        yield registry
    finally:
        _active.reset(token)
