"""The catalog: what the status-code tables say, loaded from the committed data files.

The data lives in ``cloudstatus/catalog/`` as JSON: ``standard.json`` (every
IANA-registered code with its RFC 9110 phrase) and one profile per service in
``catalog/services/``. Files are read lazily, on the first question asked, so
``import cloudstatus`` costs nothing here.

This module knows nothing of requests or of the exception classes.
"""

from __future__ import annotations

import functools
import json
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from cloudstatus._advice import Advice

__all__ = [
    "FAMILIES",
    "RETRY_RULES",
    "Advice",
    "CatalogError",
    "ProfileEntry",
    "ServiceProfile",
    "StandardEntry",
    "StatusInfo",
    "builtin_services",
    "declare_profile",
    "family_of",
    "get_profile",
    "known_services",
    "load_builtin_profile",
    "load_standard",
    "profile_from_mapping",
    "status_info",
]

#: Family names by the first digit of a status code.
FAMILIES: Mapping[int, str] = {
    1: "informational",
    2: "successful",
    3: "redirection",
    4: "client_error",
    5: "server_error",
}

#: The values the standard table's ``retry`` column may take.
RETRY_RULES = frozenset({"never", "always", "idempotent", "idempotent_or_retry_after"})

_SERVICE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


class CatalogError(ValueError):
    """A catalog or profile file is malformed; the message names the file and the entry."""


def family_of(code: int) -> str | None:
    """The family name of ``code`` (``"client_error"`` for 404), or None outside 100-599."""
    if 100 <= code <= 599:
        return FAMILIES[code // 100]
    return None


@dataclass(frozen=True)
class StandardEntry:
    """One row of the standard table."""

    code: int
    reason: str
    family: str
    class_name: str | None
    aliases: tuple[str, ...]
    retry: str
    description: str
    unused: bool = False


@dataclass(frozen=True)
class ProfileEntry:
    """One row of a service's status-code table."""

    code: int
    name: str
    advice: Advice
    description: str


@dataclass(frozen=True)
class ServiceProfile:
    """Everything a service's own status-code table says.

    :ivar service: the service's short name, a lowercase identifier (``"dms"``).
    :ivar entries: the documented codes, by code.
    """

    service: str
    title: str
    source: str
    error_body: str
    entries: Mapping[int, ProfileEntry] = field(default_factory=dict)

    @property
    def codes(self) -> frozenset[int]:
        """The codes the table documents."""
        return frozenset(self.entries)

    def to_mapping(self) -> dict[str, Any]:
        """The profile as the plain data a profile file holds."""
        return {
            "service": self.service,
            "title": self.title,
            "source": self.source,
            "error_body": self.error_body,
            "codes": [
                {
                    "code": e.code,
                    "name": e.name,
                    "advice": e.advice.name,
                    "description": e.description,
                }
                for e in sorted(self.entries.values(), key=lambda e: e.code)
            ],
        }


@dataclass(frozen=True)
class StatusInfo:
    """What the catalog knows of one status code, as :func:`cloudstatus.status_info` returns it.

    :ivar code: the status code.
    :ivar reason: the standard (RFC 9110) reason phrase, or ``""`` for an unregistered code.
    :ivar name: the name the service's table uses; the standard phrase otherwise.
    :ivar description: a short description in the catalog's words.
    :ivar advice: the service table's retry advice (:attr:`~cloudstatus.Advice.NONE`
        for the standard table).
    :ivar family: ``"client_error"`` and so on; None outside 100-599.
    :ivar service: the service whose table answered, or None for the standard table.
    :ivar documented: whether that table lists the code.
    """

    code: int
    reason: str
    name: str
    description: str
    advice: Advice
    family: str | None
    service: str | None
    documented: bool


def _catalog_dir() -> Path:
    return Path(str(resources.files("cloudstatus"))) / "catalog"


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise CatalogError(f"cannot read catalog file {path}: {exc}") from exc


def _parse_standard(data: Any, origin: str) -> dict[int, StandardEntry]:
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise CatalogError(f"{origin}: expected an object with a 'codes' list")
    entries: dict[int, StandardEntry] = {}
    for row in data["codes"]:
        code = row.get("code") if isinstance(row, dict) else None
        if type(code) is not int or not 100 <= code <= 599:
            raise CatalogError(f"{origin}: entry {row!r} needs an int 'code' in 100-599")
        if code in entries:
            raise CatalogError(f"{origin}: code {code} appears twice")
        retry = row.get("retry", "never")
        if retry not in RETRY_RULES:
            raise CatalogError(
                f"{origin}: code {code} has retry {retry!r}; use one of {sorted(RETRY_RULES)}"
            )
        family = row.get("family")
        if family != FAMILIES[code // 100]:
            raise CatalogError(
                f"{origin}: code {code} has family {family!r}, expected {FAMILIES[code // 100]!r}"
            )
        reason = row.get("reason")
        if not isinstance(reason, str) or not reason:
            raise CatalogError(f"{origin}: code {code} needs a 'reason' phrase")
        entries[code] = StandardEntry(
            code=code,
            reason=reason,
            family=family,
            class_name=row.get("class"),
            aliases=tuple(row.get("aliases", ())),
            retry=retry,
            description=str(row.get("description", "")),
            unused=bool(row.get("unused", False)),
        )
    return entries


@functools.cache
def load_standard() -> Mapping[int, StandardEntry]:
    """The standard table, by code (read once, then cached)."""
    path = _catalog_dir() / "standard.json"
    return _parse_standard(_read_json(path), str(path))


def profile_from_mapping(data: Mapping[str, Any], *, origin: str = "profile") -> ServiceProfile:
    """Validate profile data (as a profile file holds it) and build a :class:`ServiceProfile`.

    :raises CatalogError: with a message naming the offending entry.
    """
    if not isinstance(data, Mapping):
        raise CatalogError(f"{origin}: a profile is an object, got {type(data).__name__}")
    service = data.get("service")
    if (
        not isinstance(service, str)
        or not _SERVICE_NAME.match(service)
        or keyword.iskeyword(service)
    ):
        raise CatalogError(
            f"{origin}: 'service' must be a lowercase identifier such as 'dms', got {service!r}"
        )
    rows = data.get("codes")
    if not isinstance(rows, list):
        raise CatalogError(f"{origin}: 'codes' must be a list of entries")
    entries: dict[int, ProfileEntry] = {}
    for row in rows:
        if not isinstance(row, Mapping):
            raise CatalogError(f"{origin}: entry {row!r} is not an object")
        code = row.get("code")
        if type(code) is not int or not 100 <= code <= 599:
            raise CatalogError(f"{origin}: entry {dict(row)!r} needs an int 'code' in 100-599")
        if code in entries:
            raise CatalogError(f"{origin}: code {code} appears twice")
        advice_name = row.get("advice", "NONE")
        try:
            advice = Advice[advice_name]
        except (KeyError, TypeError):
            raise CatalogError(
                f"{origin}: code {code} has advice {advice_name!r}; "
                f"use one of {[a.name for a in Advice]}"
            ) from None
        entries[code] = ProfileEntry(
            code=code,
            name=str(row.get("name", "")),
            advice=advice,
            description=str(row.get("description", "")),
        )
    return ServiceProfile(
        service=service,
        title=str(data.get("title") or service),
        source=str(data.get("source", "")),
        error_body=str(data.get("error_body", "huawei")),
        entries=entries,
    )


@functools.cache
def builtin_services() -> tuple[str, ...]:
    """Names of the services whose profiles ship with cloudstatus, sorted."""
    folder = _catalog_dir() / "services"
    return tuple(sorted(p.stem for p in folder.glob("*.json")))


@functools.cache
def load_builtin_profile(service: str) -> ServiceProfile:
    """The shipped profile of ``service``.

    :raises LookupError: when no such profile ships; the message lists the ones that do.
    """
    if service not in builtin_services():
        raise LookupError(
            f"no built-in profile for service {service!r}; "
            f"built-in services are {', '.join(builtin_services())}"
        )
    path = _catalog_dir() / "services" / f"{service}.json"
    return profile_from_mapping(_read_json(path), origin=str(path))


# Profiles of services declared at runtime, by name. They live here, beside the built-in
# ones, so that everything asking about a service (status_info, the retry decision,
# class resolution) answers the same without importing the exception tree.
_declared: dict[str, ServiceProfile] = {}


def declare_profile(profile: ServiceProfile) -> bool:
    """Record the profile of a service declared at runtime.

    :returns: True when it was recorded now, False when the same profile already was.
    :raises ValueError: for a built-in service's name, or a second, different profile
        under a name already declared.
    """
    name = profile.service
    if name in builtin_services():
        raise ValueError(f"service {name!r} is built in; declare your profile under another name")
    known = _declared.setdefault(name, profile)
    if known is profile:
        return True
    if known == profile:
        return False
    raise ValueError(
        f"service {name!r} is already declared with a different profile; pick another name"
    )


def known_services() -> tuple[str, ...]:
    """Names of every service known now, built-in and declared, sorted."""
    return tuple(sorted({*builtin_services(), *_declared}))


def get_profile(service: str) -> ServiceProfile:
    """The profile of ``service``, built-in or declared.

    :raises LookupError: for a service that is neither; the message lists the known ones.
    """
    declared = _declared.get(service) if isinstance(service, str) else None
    if declared is not None:
        return declared
    if isinstance(service, str) and service in builtin_services():
        return load_builtin_profile(service)
    raise LookupError(
        f"unknown service {service!r}; known services are {', '.join(known_services())}. "
        f"Declare your own with cloudstatus.services.declare(profile)."
    )


def status_info(code: int, service: str | None = None) -> StatusInfo:
    """What the catalog knows of ``code``, for ``service`` when given.

    With a service that documents the code, the service's name, description and
    advice; otherwise the standard entry. A code no table knows still gets an answer
    (empty reason, :attr:`~cloudstatus.Advice.NONE`).
    """
    if type(code) is not int:
        raise TypeError(f"status code must be an int, got {type(code).__name__} {code!r}")
    standard = load_standard().get(code)
    reason = standard.reason if standard else ""
    if service is not None:
        profile = get_profile(service)
        entry = profile.entries.get(code)
        if entry is not None:
            return StatusInfo(
                code=code,
                reason=reason,
                name=entry.name or reason,
                description=entry.description,
                advice=entry.advice,
                family=family_of(code),
                service=service,
                documented=True,
            )
    return StatusInfo(
        code=code,
        reason=reason,
        name=reason,
        description=standard.description if standard else "",
        advice=Advice.NONE,
        family=family_of(code),
        service=None,
        documented=standard is not None,
    )
