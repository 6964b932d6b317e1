"""The catalog: what the status-code tables say, loaded from the committed data files.

The data lives in ``cloudstatus/catalog/`` as JSON: ``standard.json`` (every
IANA-registered code with its RFC 9110 phrase), ``gateway.json`` (the ``APIGW.*``
error codes of the API gateway in front of every Huawei Cloud service) and one
profile per service in ``catalog/services/``. Files are read lazily, on the first
question asked, so ``import cloudstatus`` costs nothing here.

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
from types import MappingProxyType
from typing import Any

from cloudstatus._advice import Advice

__all__ = [
    "FAMILIES",
    "RETRY_RULES",
    "Advice",
    "CatalogError",
    "ErrorCodeInfo",
    "ProfileEntry",
    "ServiceProfile",
    "StandardEntry",
    "StatusInfo",
    "builtin_services",
    "declare_profile",
    "error_code_info",
    "error_codes_to_rows",
    "family_of",
    "get_profile",
    "known_services",
    "load_builtin_profile",
    "load_gateway",
    "load_standard",
    "parse_error_codes",
    "parse_gateway",
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
class ErrorCodeInfo:
    """What the catalog knows of one error code, as :func:`cloudstatus.error_code_info` returns it.

    :ivar error_code: the code as servers send it in the body (``"APIGW.0308"``).
    :ivar status_code: the HTTP status (300-599) the vendor's table lists the code with.
        A server may still send the code with another status; the advice is meant
        for this one.
    :ivar description: a one-line description in the catalog's own words.
    :ivar advice: what the table says about sending the same request again.
    :ivar source: the table that answered: the service's name (``"dms"``), or
        ``"gateway"`` for the shared API gateway table.
    """

    error_code: str
    status_code: int
    description: str
    advice: Advice
    source: str


@dataclass(frozen=True)
class ServiceProfile:
    """Everything a service's own status-code and error-code tables say.

    :ivar service: the service's short name, a lowercase identifier (``"dms"``).
    :ivar entries: the documented status codes, by code.
    :ivar error_codes: the documented error codes, by code (empty when the
        service's error-code table is not in the catalog).
    """

    service: str
    title: str
    source: str
    error_body: str
    entries: Mapping[int, ProfileEntry] = field(default_factory=dict)
    error_codes: Mapping[str, ErrorCodeInfo] = field(default_factory=dict)

    @property
    def codes(self) -> frozenset[int]:
        """The codes the table documents."""
        return frozenset(self.entries)

    def to_mapping(self) -> dict[str, Any]:
        """The profile as the plain data a profile file holds.

        ``"error_codes"`` is present only when the profile has error codes, so a
        profile without them reads and writes exactly as before.
        """
        data: dict[str, Any] = {
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
        if self.error_codes:
            data["error_codes"] = error_codes_to_rows(self.error_codes)
        return data


def error_codes_to_rows(table: Mapping[str, ErrorCodeInfo]) -> list[dict[str, Any]]:
    """Error codes as the ``"error_codes"`` list of a catalog file holds them, sorted by code."""
    return [
        {
            "error_code": info.error_code,
            "status": info.status_code,
            "description": info.description,
            "advice": info.advice.name,
        }
        for _, info in sorted(table.items())
    ]


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


def _advice(name: Any, origin: str, what: str) -> Advice:
    try:
        return Advice[name]
    except (KeyError, TypeError):
        raise CatalogError(
            f"{origin}: {what} has advice {name!r}; use one of {[a.name for a in Advice]}"
        ) from None


def parse_error_codes(rows: Any, *, origin: str, source: str) -> dict[str, ErrorCodeInfo]:
    """Validate an ``"error_codes"`` list (as a profile or ``gateway.json`` holds it).

    Each row is ``{"error_code": "APIGW.0308", "status": 429, "description": "...",
    "advice": "MAY_REPEAT"}``; ``description`` defaults to ``""`` and ``advice`` to
    ``"NONE"``.

    :param rows: the list as read from JSON.
    :param origin: names the file or profile in error messages.
    :param source: what each :class:`ErrorCodeInfo` records as its ``source``.
    :returns: the rows by error code.
    :raises CatalogError: for a row that is not an object, an error code that is
        not a non-empty string without surrounding spaces, a status that is not an
        int in 300-599, unknown advice, a non-string description, or a code listed
        twice; the message names the row.
    """
    if not isinstance(rows, list):
        raise CatalogError(
            f"{origin}: 'error_codes' must be a list of objects such as "
            '{"error_code": "APIGW.0308", "status": 429, "description": "...", '
            f'"advice": "MAY_REPEAT"}}, got {type(rows).__name__}'
        )
    table: dict[str, ErrorCodeInfo] = {}
    for row in rows:
        if not isinstance(row, Mapping):
            raise CatalogError(f"{origin}: error-code entry {row!r} is not an object")
        code = row.get("error_code")
        if not isinstance(code, str) or not code or code != code.strip():
            raise CatalogError(
                f"{origin}: error-code entry {dict(row)!r} needs an 'error_code' string "
                "such as 'APIGW.0308', without surrounding spaces"
            )
        status = row.get("status")
        if type(status) is not int or not 300 <= status <= 599:
            raise CatalogError(
                f"{origin}: error code {code} has status {status!r}; it must be an int in "
                "300-599 (an error code comes with an error response, never a 1xx or 2xx)"
            )
        if code in table:
            raise CatalogError(f"{origin}: error code {code} appears twice")
        description = row.get("description", "")
        if not isinstance(description, str):
            raise CatalogError(f"{origin}: error code {code} has a non-string 'description'")
        table[code] = ErrorCodeInfo(
            error_code=code,
            status_code=status,
            description=description,
            advice=_advice(row.get("advice", "NONE"), origin, f"error code {code}"),
            source=source,
        )
    return table


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
        entries[code] = ProfileEntry(
            code=code,
            name=str(row.get("name", "")),
            advice=_advice(row.get("advice", "NONE"), origin, f"code {code}"),
            description=str(row.get("description", "")),
        )
    return ServiceProfile(
        service=service,
        title=str(data.get("title") or service),
        source=str(data.get("source", "")),
        error_body=str(data.get("error_body", "huawei")),
        entries=entries,
        error_codes=parse_error_codes(data.get("error_codes", []), origin=origin, source=service),
    )


def parse_gateway(data: Any, origin: str) -> dict[str, ErrorCodeInfo]:
    """Validate the gateway table (``gateway.json``'s content); see :func:`parse_error_codes`.

    :raises CatalogError: when the data is not an object with an ``"error_codes"``
        list, or a row is malformed.
    """
    if not isinstance(data, Mapping) or "error_codes" not in data:
        raise CatalogError(f"{origin}: expected an object with an 'error_codes' list")
    return parse_error_codes(data["error_codes"], origin=origin, source="gateway")


@functools.cache
def load_gateway() -> Mapping[str, ErrorCodeInfo]:
    """The shared API gateway table: every ``APIGW.*`` error code, by code (read once, cached).

    Huawei Cloud's API gateway answers for every service with these codes
    (throttling, authentication, unknown APIs, backend faults), so every service,
    built-in or declared, knows them. Source: the ``"source"`` of ``gateway.json``.
    """
    path = _catalog_dir() / "gateway.json"
    return MappingProxyType(parse_gateway(_read_json(path), str(path)))


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


# The built-in profiles asked for so far, by name: one lookup instead of a search of
# builtin_services() on every question. A built-in profile is read once and never
# replaced; only shipped names are kept, so it cannot grow past them.
_builtin_profiles: dict[str, ServiceProfile] = {}


def get_profile(service: str) -> ServiceProfile:
    """The profile of ``service``, built-in or declared.

    :raises LookupError: for a service that is neither; the message lists the known ones.
    """
    declared = _declared.get(service) if isinstance(service, str) else None
    if declared is not None:
        return declared
    if type(service) is str:  # a str subclass may compare its own way: not kept
        builtin = _builtin_profiles.get(service)
        if builtin is not None:
            return builtin
    if isinstance(service, str) and service in builtin_services():
        profile = load_builtin_profile(service)
        if type(service) is str:
            _builtin_profiles[service] = profile
        return profile
    raise LookupError(
        f"unknown service {service!r}; known services are {', '.join(known_services())}. "
        f"Declare your own with cloudstatus.services.declare(profile)."
    )


def error_code_info(error_code: str, *, service: str | None = None) -> ErrorCodeInfo | None:
    """What the catalog knows of ``error_code``, the code an error body carries.

    The service's own table answers first (built-in or declared, so a service may
    redefine a gateway code), then the shared gateway table.

    >>> import cloudstatus
    >>> info = cloudstatus.error_code_info("APIGW.0308", service="dms")
    >>> info.status_code, info.advice, info.source
    (429, Advice.MAY_REPEAT, 'gateway')

    :param error_code: the code as the server sent it (``"APIGW.0308"``); matched exactly.
    :param service: a service name (``"dms"``), or None for the gateway table alone.
    :returns: an :class:`ErrorCodeInfo`, or None when no table knows the code.
    :raises TypeError: when ``error_code`` is not a ``str``.
    :raises LookupError: for a service that is neither built in nor declared.
    """
    if not isinstance(error_code, str):
        raise TypeError(
            f"error_code must be a str such as 'APIGW.0308', got {type(error_code).__name__} "
            f"{error_code!r}; error codes are strings even when they are all digits "
            "(pass str(code))"
        )
    if service is not None:
        known = get_profile(service).error_codes.get(error_code)
        if known is not None:
            return known
    return load_gateway().get(error_code)


def status_info(code: int, service: str | None = None) -> StatusInfo:
    """What the catalog knows of ``code``, for ``service`` when given.

    With a service that documents the code, the service's name, description and
    advice; otherwise the standard entry. A code no table knows still gets an answer
    (empty reason, :attr:`~cloudstatus.Advice.NONE`).
    """
    if type(code) is not int:
        if not isinstance(code, int) or isinstance(code, bool):
            raise TypeError(f"status code must be an int, got {type(code).__name__} {code!r}")
        code = int(code)  # an IntEnum such as http.HTTPStatus
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
