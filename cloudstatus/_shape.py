"""The shape of a service namespace, described once from the service's profile.

A service namespace (``cloudstatus.services.dms``, a declared ``acme``, a user's
generated ``acme_errors``) holds a root class ``Error``, three family classes, one class
per standard 3xx-5xx code, aliases, ``codes`` and ``STATUS_CLASSES``. This module says
what those are, as plain data: :func:`describe` turns the standard table and a
profile into a :class:`NamespaceShape`. The generator renders that shape as Python
source; :func:`cloudstatus.services.declare` builds classes from it. Neither decides a
name, a base, a docstring or an alias of its own, so the two cannot drift apart.

Pure data in, data out: this module imports nothing of the exception tree.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from cloudstatus._advice import Advice
from cloudstatus._catalog import FAMILIES
from cloudstatus._naming import derive_aliases

if TYPE_CHECKING:
    from cloudstatus._catalog import ServiceProfile, StandardEntry

__all__ = ["WIDTH", "BaseRef", "ClassShape", "NamespaceShape", "all_key", "describe", "wrap"]

#: Longest line a generated docstring may have, indentation included.
WIDTH = 92

#: Where a base class lives: ``"root"`` is the hand-written tree (``CloudStatusError``,
#: the family classes), ``"standard"`` the generated standard classes, ``"local"`` the
#: namespace being described.
Where = Literal["root", "standard", "local"]


@dataclass(frozen=True)
class BaseRef:
    """A base class, by where it lives and its name there."""

    where: Where
    name: str


@dataclass(frozen=True)
class ClassShape:
    """One class of a namespace.

    :ivar name: the class name (``"ConflictError"``).
    :ivar bases: the bases, in MRO order.
    :ivar doc: the docstring, wrapped for a class body (4 columns of indentation).
    :ivar service: the ``service`` class attribute to set (the root only), or None.
    :ivar status_code: the status the class stands for (leaves only), or None.
    """

    name: str
    bases: tuple[BaseRef, ...]
    doc: str
    service: str | None = None
    status_code: int | None = None


@dataclass(frozen=True)
class NamespaceShape:
    """Everything a service namespace holds, in the order it is defined.

    :ivar service: the service name (``"dms"``).
    :ivar doc: the module docstring, wrapped, with the tree picture.
    :ivar hierarchy: the namespace's tree as an indented list (also in ``doc``).
    :ivar classes: the root, the families and one class per standard code, bases first.
    :ivar aliases: ``(alias, canonical class name)`` pairs: the standard aliases, then
        the names the service's table implies.
    :ivar codes: the codes the service's table documents (all of 100-599, not only errors).
    :ivar status_classes: ``(status, class name)`` for every leaf, by status.
    """

    service: str
    doc: str
    hierarchy: str
    classes: tuple[ClassShape, ...]
    aliases: tuple[tuple[str, str], ...]
    codes: frozenset[int]
    status_classes: tuple[tuple[int, str], ...]

    @property
    def names(self) -> list[str]:
        """The public names of the namespace (its ``__all__``), in ruff's order."""
        names = [c.name for c in self.classes] + [a for a, _ in self.aliases]
        return sorted([*names, "STATUS_CLASSES", "codes"], key=all_key)


def all_key(name: str) -> tuple[int, str]:
    """Sort key of ``__all__`` entries: CONSTANTS, then Classes, then the rest (ruff RUF022)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def wrap(paragraphs: Iterable[str], width: int) -> str:
    """Join ``paragraphs`` into docstring text, each wrapped to ``width`` columns.

    An empty string is a blank line; a paragraph starting with ``::`` or four spaces
    (a literal block line) is kept as it is.
    """
    out: list[str] = []
    for para in paragraphs:
        if para == "" or para.startswith(("::", "    ")):
            out.append(para)
        else:
            out.extend(textwrap.wrap(para, width, break_on_hyphens=False))
    return "\n".join(out)


def _literal_block(text: str) -> list[str]:
    return ["::", ""] + [f"    {line}" for line in text.rstrip("\n").split("\n")]


def _family_title(digit: int) -> str:
    return f"{digit}xx ({FAMILIES[digit].replace('_', ' ')})"


def describe(
    standard: Mapping[int, StandardEntry],
    profile: ServiceProfile,
    families: Mapping[int, str],
    *,
    digest: str | None = None,
    module: str | None = None,
) -> NamespaceShape:
    """Describe the namespace of ``profile``'s service.

    :param standard: the standard table (:func:`cloudstatus._catalog.load_standard`).
    :param profile: the service's profile.
    :param families: the family class names by first digit (3, 4, 5), from the exception
        tree; the names of the service's own family classes are the same.
    :param digest: a digest of the profile file, quoted in the module docstring when given.
    :param module: the import name of a user's generated module (``"acme_errors"``);
        None for a namespace in ``cloudstatus.services``.
    """
    svc = profile.service
    path = module or f"cloudstatus.services.{svc}"
    short = module or svc
    leaves = [e for c, e in sorted(standard.items()) if e.class_name is not None and c >= 300]
    table_aliases = derive_aliases(standard, profile)
    by_canonical: dict[str, list[str]] = {}
    for alias, canonical in table_aliases.items():
        by_canonical.setdefault(canonical, []).append(alias)

    lines = [f"* {short}.Error (a CloudStatusError)"]
    for digit in (3, 4, 5):
        fam = families[digit]
        lines.append(f"  * {short}.{fam} (a {fam})")
        for e in leaves:
            if e.code // 100 == digit:
                mark = "" if e.code in profile.entries else ", undocumented"
                aka = by_canonical.get(str(e.class_name), [])
                extra = f", alias {', '.join(aka)}" if aka else ""
                lines.append(f"    * {short}.{e.class_name} ({e.code}{mark}{extra})")
    hierarchy = "\n".join(lines) + "\n"

    imported = []
    if module is not None:
        imported = [
            f"Importing this module declares the service {svc!r}: "
            f'``cloudstatus.install(session, service="{svc}")`` then raises these classes, '
            f"and ``cloudstatus.services.declare()`` of the same profile returns this module.",
            "",
        ]
    source = profile.source or "not given"
    if digest is not None:
        source += f" (profile sha256 {digest})"
    doc = wrap(
        [
            f"Exceptions for {profile.title}.",
            "",
            f"Source table: {source}.",
            "",
            f"Every class subclasses both its standard class and "
            f":class:`~{path}.Error`: "
            f"``except cloudstatus.ConflictError`` catches a conflict from any service, "
            f"``except {short}.Error`` every error from this one.",
            "",
            *imported,
            *_literal_block(hierarchy),
        ],
        WIDTH,
    )

    def class_doc(*paragraphs: str) -> str:
        return wrap(paragraphs, WIDTH - 4)

    classes = [
        ClassShape(
            "Error",
            (BaseRef("root", "CloudStatusError"),),
            class_doc(
                f"Root of every error raised for a {svc} response.",
                "",
                f"It is a :class:`cloudstatus.CloudStatusError`; ``except {short}.Error`` "
                f"catches errors from {svc} and from no other service.",
            ),
            service=svc,
        )
    ]
    for digit in (3, 4, 5):
        fam, title = families[digit], _family_title(digit)
        classes.append(
            ClassShape(
                fam,
                (BaseRef("root", fam), BaseRef("local", "Error")),
                class_doc(f"A {title} response from {svc} with no class of its own."),
            )
        )
    for e in leaves:
        name = str(e.class_name)
        entry = profile.entries.get(e.code)
        if entry is not None:
            named = f' (its table: "{entry.name}")' if entry.name else ""
            paragraphs = [f"{e.code} {e.reason}, from {svc}{named}."]
            if entry.description:
                paragraphs += ["", entry.description]
            if entry.advice is not Advice.NONE:
                paragraphs += ["", f"Table advice: {entry.advice.value} (``{entry.advice.name}``)."]
        else:
            paragraphs = [f"{e.code} {e.reason}, from {svc} (not in its table).", "", e.description]
        classes.append(
            ClassShape(
                name,
                (BaseRef("standard", name), BaseRef("local", families[e.code // 100])),
                class_doc(*paragraphs),
                status_code=e.code,
            )
        )

    aliases = [(alias, str(e.class_name)) for e in leaves for alias in e.aliases]
    aliases += list(table_aliases.items())
    return NamespaceShape(
        service=svc,
        doc=doc,
        hierarchy=hierarchy,
        classes=tuple(classes),
        aliases=tuple(aliases),
        codes=profile.codes,
        status_classes=tuple((e.code, str(e.class_name)) for e in leaves),
    )
