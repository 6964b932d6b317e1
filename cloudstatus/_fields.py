"""How an exception computes its fields: from the facts it holds, on first read.

:class:`~cloudstatus.CloudStatusError` keeps the raw :class:`~cloudstatus._facts.Facts`
of its response and looks up the functions in :data:`COMPUTED` when a field is first
read. Every function here depends only on what the exception holds, so the values are
the same whatever order they are read in, and a pickle (which carries the computed
values and a masked copy of the body) gives them back unchanged.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cloudstatus._advice import Advice
from cloudstatus._bridge import bridged_from_refs, bridged_parts, class_from_ref

if TYPE_CHECKING:
    from cloudstatus._base import CloudStatusError
    from cloudstatus._facts import Facts
    from cloudstatus._parse import ErrorBody
    from cloudstatus._policy import Decision

__all__ = [
    "COMPUTED",
    "DEFAULT_MESSAGE_CHARS",
    "class_ref",
    "display_name",
    "init_by_hand",
    "pickle_state",
    "reason_of",
    "restore",
    "to_dict",
]

#: Default cap on server-supplied text placed in a message.
DEFAULT_MESSAGE_CHARS = 300
_FAMILY_LABELS = {3: "Redirection", 4: "Client Error", 5: "Server Error"}
#: Cap on an error code or request id, in characters.
CODE_CHARS = 200
_REASON_CHARS = 100
# to_dict() carries details nested no deeper than this; deeper ones are left out.
_MAX_DETAILS_DEPTH = 32

#: The public fields a pickle carries as values (details travel as the masked body).
PICKLED_FIELDS = (
    "status_code",
    "reason",
    "service",
    "method",
    "url",
    "error_code",
    "error_message",
    "request_id",
    "retry_after",
    "retryable",
    "advice",
    "retry_reason",
    "rate_limit",
    "error_info",
)


def _modules() -> tuple[Any, Any, Any, Any]:
    # The parsers, the redactor, the policy and the catalog load with the first field
    # read, not with ``import cloudstatus``; kept in a global so later reads skip the
    # import statements.
    global _loaded
    if _loaded is None:
        from cloudstatus import _catalog, _parse, _policy, _redact

        _loaded = (_parse, _redact, _policy, _catalog)
    return _loaded


_loaded: tuple[Any, Any, Any, Any] | None = None
# Held only while a pass checks that no other thread settled the error and stores its
# values: the values are computed outside it.
_SETTLE_LOCK = threading.Lock()


def _facts(e: CloudStatusError) -> Facts | None:
    facts: Facts | None = getattr(e, "_facts", None)
    return facts


def reason_of(reason: object) -> str:
    """A reason phrase fit for a message: bytes decoded (UTF-8, else Latin-1), cleaned."""
    if isinstance(reason, (bytes, bytearray)):
        raw = bytes(reason)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    elif isinstance(reason, str):
        text = reason
    else:
        return ""
    return _modules()[1].clean_text(text, _REASON_CHARS)  # type: ignore[no-any-return]


# --- construction by hand ---------------------------------------------------------------


def _safe_attr(obj: object, name: str) -> Any:
    try:
        return getattr(obj, name, None)
    except Exception:  # an odd object whose attribute raises: as if absent
        return None


def _safe_text(value: object, limit: int) -> str | None:
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # an object whose __str__ fails: nothing to show
        return None
    return _modules()[1].clean_text(text, limit) or None


def init_by_hand(e: CloudStatusError, d: dict[str, Any], **given: Any) -> None:
    """Fill ``d`` (the instance's ``__dict__``) from the constructor's arguments.

    Never raises: a response or request of any type is kept, and what it lacks is left
    empty.
    """
    cls = type(e)
    response = given["response"]
    request = given["request"]
    if request is None and response is not None:
        request = _safe_attr(response, "request")
    status = given["status_code"]
    if status is None:
        status = cls.status_code
    if status is None and response is not None:
        found = _safe_attr(response, "status_code")
        if (
            isinstance(found, int)
            and not isinstance(found, bool)
            and (cls._family_digit is None or found // 100 == cls._family_digit)
        ):
            status = int(found)
    limit = given["max_message_chars"]
    if type(limit) is not int or limit < 1:
        limit = DEFAULT_MESSAGE_CHARS
    d["_max_chars"] = limit
    d["status_code"] = status
    e.response = response
    e.request = request
    reason = given["reason"]
    if reason is not None:
        d["reason"] = reason_of(reason)
    elif cls.status_code is None and response is not None:
        d["reason"] = reason_of(_safe_attr(response, "reason"))
    method = given["method"]
    if method is None and request is not None:
        method = _safe_attr(request, "method")
    d["method"] = method.upper() if isinstance(method, str) else None
    url = given["url"]
    if url is None and response is not None:
        url = _safe_attr(response, "url")
    d["url"] = _modules()[1].redact_url(url) or None if isinstance(url, str) and url else None
    service = given["service"]
    d["service"] = service if isinstance(service, str) else cls.service
    code = given["error_code"]
    if code is not None:
        d["error_code"] = _safe_text(code, CODE_CHARS)
    message = given["error_message"]
    d["error_message"] = _safe_text(message, limit) if message else None
    request_id = given["request_id"]
    d["request_id"] = _safe_text(request_id, CODE_CHARS) if request_id else None
    d["details"] = given["details"]
    d["retry_after"] = _valid_delay(given["retry_after"])
    d["rate_limit"] = given["rate_limit"]
    retryable = given["retryable"]
    if retryable is not None:
        d["_forced_retryable"] = bool(retryable)
    if given["message"] is not None:
        d["_args"] = (given["message"],)


def _valid_delay(value: object) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    delay = float(value)
    return delay if delay == delay and 0 <= delay < float("inf") else None


# --- fields computed from the facts -------------------------------------------------------


def _secrets(e: CloudStatusError) -> tuple[str, ...]:
    facts = _facts(e)
    if facts is None:
        return ()
    found: tuple[str, ...] = _modules()[1].secret_values(
        facts.url, facts.request_headers, facts.credentials
    )
    return found


def _headers(e: CloudStatusError) -> dict[str, str]:
    facts = _facts(e)
    if facts is None or not facts.headers:
        return {}
    headers: dict[str, str] = _modules()[0].header_map(facts.headers)
    return headers


def _secrets_of(e: CloudStatusError) -> tuple[str, ...]:
    """The request's secrets, computed once (the hook leaves the slot None until then)."""
    found: tuple[str, ...] | None = e._secrets
    if found is None:
        found = e._secrets = _secrets(e)
    return found


def _headers_of(e: CloudStatusError) -> dict[str, str]:
    """The response's header map, built once (the hook leaves the slot None until then)."""
    found: dict[str, str] | None = e._headers
    if found is None:
        found = e._headers = _headers(e)
    return found


def _options(e: CloudStatusError) -> Any:
    return getattr(e, "_options", None)


def _parsers(e: CloudStatusError) -> tuple[Any, ...]:
    opts = _options(e)
    parsers: tuple[Any, ...] = getattr(opts, "parsers", ()) if opts is not None else ()
    return parsers


def _pickle_body(e: CloudStatusError) -> tuple[bytes, str] | None:
    """The body as it may leave the process: the request's credentials masked.

    ``(body, content type)``; None when there is no body to keep.
    """
    facts = _facts(e)
    if facts is None or not facts.body:
        return None
    ctype = _headers_of(e).get("content-type", "")
    secrets = _secrets_of(e)
    if not secrets:
        return facts.body, ctype
    parse, redact = _modules()[:2]
    text = parse._decode(facts.body, ctype)
    safe = redact.scrub(text, secrets) or ""
    if not facts.body_complete:
        # Cut at the byte cap, maybe halfway through an echo scrub cannot recognise.
        safe = redact.scrub_cut_end(safe, secrets)
    media = ctype.partition(";")[0].strip()
    return safe.encode("utf-8", "surrogatepass"), f"{media}; charset=utf-8" if media else ""


def _parsed(e: CloudStatusError) -> ErrorBody:
    parse, redact = _modules()[:2]
    body = e.__dict__.get("_pickle_body")
    if body is None and _facts(e) is not None:
        body = e._pickle_body
    if body is None:
        return parse.ErrorBody()  # type: ignore[no-any-return]
    raw = getattr(e, "_raw_parsed", None)
    if raw is not None and not _secrets_of(e):
        # No credential to mask: the masked body is the body, and its parse the same.
        return raw  # type: ignore[no-any-return]
    parsed: ErrorBody = parse.parse_error_body(body[0], body[1], _parsers(e))
    secrets = _secrets_of(e)
    if not secrets:
        return parsed
    # An echo the text scrub could not see (a JSON escape, an HTML character reference)
    # is decoded by the parser: mask what it found too, so that no unmasked copy stays
    # in vars(e), and keep the body that still holds the echo out of pickles.
    fields = parsed.__dict__
    # Each text masked once: the code is often the raw code too, and details holds both.
    scrubbed: dict[str, str] = {}
    masked: dict[str, Any] = {
        name: redact.scrub_value_with(fields[name], secrets, scrubbed)
        for name in ("error_code", "error_message", "request_id", "raw_code")
        if isinstance(fields[name], str)
    }
    if parsed.details is not None:
        masked["details"] = redact.scrub_value_with(parsed.details, secrets, scrubbed)
    if all(value == fields[name] for name, value in masked.items()):
        return parsed
    parsed = type(parsed)(**{**fields, **masked})
    e.__dict__["_pickle_body"] = _json_body(parsed.details)
    return parsed


def _json_body(details: Any) -> tuple[bytes, str] | None:
    """``details`` as a JSON body for a pickle (ASCII: lone surrogates survive); else None."""
    if details is None:
        return None
    try:
        text = json.dumps(details)
    except (TypeError, ValueError, RecursionError):  # not JSON data: pickled without it
        return None
    return text.encode("ascii"), "application/json"


def _max_chars(e: CloudStatusError) -> int:
    limit = getattr(_options(e), "max_message_chars", DEFAULT_MESSAGE_CHARS)
    return limit if type(limit) is int and limit > 0 else DEFAULT_MESSAGE_CHARS


def _shown(text: str | None, limit: int, secrets: tuple[str, ...]) -> str | None:
    """Server text as a field shows it: credentials masked, one clean line, or None."""
    if not text:
        return None
    redact = _modules()[1]
    if secrets:
        text = redact.scrub(text, secrets)
    return redact.clean_text(text, limit) or None


def _scrubbed(e: CloudStatusError, text: str | None, limit: int) -> str | None:
    return _shown(text, limit, _secrets_of(e))


def error_code(e: CloudStatusError) -> str | None:
    """The parsed error code, else the class's own (an error-code class)."""
    if _facts(e) is not None or "_pickle_body" in e.__dict__:
        code = _scrubbed(e, e._parsed.error_code, CODE_CHARS)
        if code is not None:
            return code
    registered: str | None = type(e)._class_error_code
    return registered


def _error_message(e: CloudStatusError) -> str | None:
    return _scrubbed(e, e._parsed.error_message, e._max_chars)


def _request_id(e: CloudStatusError) -> str | None:
    from_headers = _modules()[0].request_id_in(_headers_of(e)) if _facts(e) is not None else None
    return _scrubbed(e, from_headers or e._parsed.request_id, CODE_CHARS)


def _retry_after(e: CloudStatusError) -> float | None:
    if _facts(e) is None:
        return None
    parse = _modules()[0]
    seconds: float | None = parse.parse_retry_after(_headers_of(e).get("retry-after"))
    if seconds is None:
        seconds = _valid_delay(getattr(e._parsed, "retry_delay", None))
    return seconds


def _rate_limit(e: CloudStatusError) -> Any:
    if _facts(e) is None:
        return None
    return _modules()[0].rate_limit_in(_headers_of(e))


def _method(e: CloudStatusError) -> str | None:
    facts = _facts(e)
    method = facts.method if facts is not None else None
    return method.upper() if isinstance(method, str) else None


def _url(e: CloudStatusError) -> str | None:
    facts = _facts(e)
    url = facts.url if facts is not None else None
    return _modules()[1].redact_url(url) or None if url else None


def _caller_override(options: Any, code: str | None, status: int | None) -> tuple[str, bool] | None:
    overrides = getattr(options, "retry_overrides", None)
    if not overrides:
        return None
    if code is not None and code in overrides:
        return f"error code {code}", bool(overrides[code])
    if status in overrides:
        return f"status {status}", bool(overrides[status])
    return None


def _decide(
    e: CloudStatusError,
    status: int | None,
    method: str | None,
    code: str | None,
    has_retry_after: bool,
) -> Decision:
    """The retry decision for ``e`` from field values already computed."""
    cls = type(e)
    decision: Decision = _modules()[2].decide_safely(
        status or 0,
        service=e.service,
        method=method,
        has_retry_after=has_retry_after,
        override=cls._retry_override,
        error_code=code,
        caller=_caller_override(_options(e), code, status),
    )
    forced = e.__dict__.get("_forced_retryable")
    if forced is not None:
        decision = type(decision)(forced, decision.advice, "the caller decided it when raising")
    facts = _facts(e)
    if facts is not None and facts.attempts > 1:
        decision = _after_attempts(decision, facts.attempts)
    return decision


def _after_attempts(decision: Decision, attempts: int) -> Decision:
    return type(decision)(
        decision.retryable,
        decision.advice,
        f"{decision.reason} (sent {attempts} times: the retries below gave up)",
    )


def _decision(e: CloudStatusError) -> Decision:
    return _decide(e, e.status_code, e.method, e.error_code, e.retry_after is not None)


def _info_of(code: str | None, service: str | None) -> Any:
    if not code:
        return None
    catalog = _modules()[3]
    try:
        return catalog.error_code_info(code, service=service)
    except LookupError:  # a service nobody declared in this process
        return catalog.error_code_info(code)


def _error_info(e: CloudStatusError) -> Any:
    return _info_of(e.error_code, e.service)


def _compose(
    cls: type[CloudStatusError],
    status: int | None,
    reason: str,
    url: str | None,
    code: str | None,
    message: str | None,
    request_id: str | None,
) -> str:
    """The message: requests' wording, then what the server said."""
    digit = status // 100 if status else cls._family_digit
    label = _FAMILY_LABELS.get(digit or 0, "HTTP Error")
    head = f"{status} {label}" if status else label
    if reason:
        head += f": {reason}"
    if url:
        head += f" for url: {url}"
    if code:
        head += f" [{code}] {message}" if message else f" [{code}]"
    elif message:
        head += f" {message}"
    if request_id:
        head += f" (request id: {request_id})"
    return head


def _message(e: CloudStatusError) -> str:
    return _compose(
        type(e), e.status_code, e.reason, e.url, e.error_code, e.error_message, e.request_id
    )


def reason(e: CloudStatusError) -> str:
    """The response's reason phrase, for a class with no phrase of its own, masked."""
    facts = _facts(e)
    if facts is None:
        return type(e)._class_reason
    return _facts_reason(facts, _secrets_of(e))


def _facts_reason(facts: Facts, secrets: tuple[str, ...]) -> str:
    text = reason_of(facts.reason)
    if text and secrets:
        redact = _modules()[1]
        text = redact.clean_text(redact.scrub(text, secrets), _REASON_CHARS)
    return text


def _details(e: CloudStatusError) -> Any:
    return e._parsed.details


def settle(e: CloudStatusError) -> None:
    """Compute every public field ``e`` has not computed yet, at once.

    The first read of any field settles them all: one pass shares the parsed body, the
    header map and the secrets, where a descriptor per field would pay its own dispatch
    and lookups each time. The values go in together under a short lock (or one by one
    with ``setdefault``), so threads racing on a fresh error all read the first values
    stored.
    """
    d = e.__dict__
    facts = getattr(e, "_facts", None)
    if facts is not None and not type(e)._overridden and SETTLED_NAMES.isdisjoint(d):
        _settle_facts(e, facts, d)
    else:
        settle_each(e)


def settle_each(e: CloudStatusError) -> None:
    """:func:`settle` one field function at a time: the reference the fast pass matches.

    A field the error's class defines itself (a property, a plain value) is left to
    the class, and the other fields read it through the class.
    """
    d = e.__dict__
    own = type(e)._overridden
    for name, compute in _SETTLED:
        if name not in d and name not in own:
            d.setdefault(name, compute(e))


def _settle_facts(e: CloudStatusError, facts: Facts, d: dict[str, Any]) -> None:
    """:func:`settle` for an error built from facts with no field read yet.

    The per-field functions' logic in one flat pass, for the hook's common case: where
    a credential must be masked or a user parser consulted, it asks those functions.
    Their cheapest steps (the secrets and header slots, text cleaning without secrets,
    the retry decision) are written out here rather than called: calling each helper
    measured about 2 us more per error in benchmark (b). The code and message of a
    masked parse are not masked a second time, as the field functions do, when that
    cannot change them (:func:`~cloudstatus._redact.scrub_is_stable`).
    ``test_one_pass_matches_the_field_functions`` holds the two to the same values.
    """
    parse, redact, policy = (_loaded if _loaded is not None else _modules())[:3]
    cls = type(e)
    options = e._options
    secrets = e._secrets
    if secrets is None:
        secrets = e._secrets = redact.secret_values(
            facts.url, facts.request_headers, facts.credentials
        )
    headers = e._headers
    if headers is None:
        headers = e._headers = parse.header_map(facts.headers) if facts.headers else {}
    parsed = d.get("_parsed")
    if parsed is None:
        if secrets or getattr(options, "parsers", ()):
            parsed = e._parsed
        else:  # nothing to mask: the body is its own pickle copy (see _pickle_body)
            ctype = headers.get("content-type", "")
            body = (facts.body, ctype) if facts.body else None
            parsed = e._raw_parsed
            if parsed is None:
                parsed = parse.parse_error_body(facts.body, ctype) if body else parse.ErrorBody()
            d.setdefault("_pickle_body", body)
            parsed = d.setdefault("_parsed", parsed)
    limit = getattr(options, "max_message_chars", DEFAULT_MESSAGE_CHARS)
    if type(limit) is not int or limit < 1:
        limit = DEFAULT_MESSAGE_CHARS
    method = facts.method.upper() if isinstance(facts.method, str) else None
    url = redact.redact_url(facts.url) or None if facts.url else None
    request_id = parse.request_id_in(headers) or parsed.request_id
    code, message = parsed.error_code, parsed.error_message
    if secrets:
        # With secrets, parsed is _parsed's masked parse. An exact ErrorBody keeps the
        # texts it is built from, so its exact-str code and message are what scrub
        # returned, and scrubbing them again, as _shown does, changes nothing unless a
        # secret holds a "*". A parser's subclass may change its texts as it is built,
        # and a str subclass may be anything: those are masked again.
        if not (
            type(parsed) is parse.ErrorBody
            and (code is None or type(code) is str)  # "is": a metaclass can lie to ==
            and (message is None or type(message) is str)
            and redact.scrub_is_stable(secrets)
        ):
            code, message = redact.scrub(code, secrets), redact.scrub(message, secrets)
        request_id = redact.scrub(request_id, secrets)
    clean = redact.clean_text
    code = clean(code, CODE_CHARS) or None if code else None
    message = clean(message, limit) or None if message else None
    request_id = clean(request_id, CODE_CHARS) or None if request_id else None
    if code is None:
        code = cls._class_error_code
    retry_after = parse.parse_retry_after(headers.get("retry-after"))
    if retry_after is None:
        retry_after = _valid_delay(parsed.retry_delay)
    status = e.status_code
    service = e.service
    overrides = getattr(options, "retry_overrides", None)
    decision = policy.decide_safely(
        status or 0,
        service=service,
        method=method,
        has_retry_after=retry_after is not None,
        override=cls._retry_override,
        error_code=code,
        caller=_caller_override(options, code, status) if overrides else None,
    )
    if facts.attempts > 1:
        decision = _after_attempts(decision, facts.attempts)
    info = _info_of(code, service)
    values = {
        "_max_chars": limit,
        "_decision": decision,
        "method": method,
        "url": url,
        "error_code": code,
        "error_message": message,
        "request_id": request_id,
        "details": parsed.details,
        "retry_after": retry_after,
        "rate_limit": parse.rate_limit_in(headers),
        "retryable": decision.retryable,
        "advice": decision.advice,
        "retry_reason": decision.reason,
        "error_info": info,
        "_message": _compose(cls, status, e.reason, url, code, message, request_id),
    }
    with _SETTLE_LOCK:  # another thread may have settled it meanwhile: its values stand
        if SETTLED_NAMES.isdisjoint(d):
            d.update(values)


#: Computed values kept in the exception's slots rather than its ``__dict__``.
SLOTTED = frozenset(
    {"_facts", "_headers", "_options", "_raw_parsed", "_secrets", "request", "response"}
)
#: Functions computing each lazy field from the exception, by attribute name.
COMPUTED: Mapping[str, Callable[[CloudStatusError], Any]] = {
    "_secrets": _secrets,
    "_headers": _headers,
    "_pickle_body": _pickle_body,
    "_parsed": _parsed,
    "_max_chars": _max_chars,
    "_decision": _decision,
    "_message": _message,
    "method": _method,
    "url": _url,
    "error_message": _error_message,
    "request_id": _request_id,
    "details": _details,
    "retry_after": _retry_after,
    "rate_limit": _rate_limit,
    "retryable": lambda e: e._decision.retryable,
    "advice": lambda e: e._decision.advice,
    "retry_reason": lambda e: e._decision.reason,
    "error_info": _error_info,
    "response": lambda e: None,
    "request": lambda e: None,
    "_facts": lambda e: None,
    "_options": lambda e: None,
    "_raw_parsed": lambda e: None,
}
#: What :func:`settle` computes, each after every field it reads.
_SETTLED: tuple[tuple[str, Callable[[CloudStatusError], Any]], ...] = tuple(
    (name, {**COMPUTED, "error_code": error_code}[name])
    for name in (
        "method",
        "url",
        "error_code",
        "error_message",
        "request_id",
        "details",
        "retry_after",
        "rate_limit",
        "retryable",
        "advice",
        "retry_reason",
        "error_info",
        "_message",
    )
)
#: The fields whose first read settles them all. ``reason`` is not one of them: a class
#: with a standard phrase says it itself, and only the root and family classes read the
#: response's.
SETTLED_NAMES = frozenset(name for name, _ in _SETTLED)


# --- names, pickles, records ---------------------------------------------------------------


def display_name(cls: type) -> str:
    """The class as people import it: ``dms.ConflictError``, ``ConflictError``."""
    parts = bridged_parts(cls)
    if parts is not None:
        cls = parts[0]
    module = cls.__module__
    prefix = "cloudstatus.services."
    if module.startswith(prefix):
        return f"{module[len(prefix) :]}.{cls.__qualname__}"
    return cls.__qualname__


def class_ref(cls: type) -> Any:
    """What a pickle stores to find ``cls`` again: the class, or ``(producer, args)``.

    Bridged classes are rebuilt from their parts, and the classes of a service declared
    at runtime from its profile, so an error unpickles in a process that never built
    the class (the service is declared there, or the standard class stands in).
    """
    parts = bridged_parts(cls)
    if parts is not None:
        return (bridged_from_refs, (class_ref(parts[0]), class_ref(parts[1])))
    services = sys.modules.get("cloudstatus.services")
    rebuild = getattr(services, "declared_class", None)
    owner = getattr(services, "declared_owner", None)
    if rebuild is not None and owner is not None:
        profile = owner(cls)
        if profile is not None:
            return (rebuild, (profile, cls.__name__))
    return cls


def restore(ref: Any) -> CloudStatusError:
    """Unpickling: a bare instance of the class ``ref`` names, its state set afterwards."""
    cls: Any = class_from_ref(ref)
    obj: CloudStatusError = cls.__new__(cls)
    return obj


def pickle_state(e: CloudStatusError) -> dict[str, Any]:
    """Everything a pickle of ``e`` carries: computed values, no live objects, no secrets.

    Notes added with ``add_note()`` travel too, as they do with any exception.
    """
    state = {name: getattr(e, name) for name in PICKLED_FIELDS}
    state["_message"] = str(e)
    state["_max_chars"] = e._max_chars
    explicit = e.__dict__.get("_args")
    if explicit is not None:
        state["_args"] = explicit
    notes = e.__dict__.get("__notes__")
    if isinstance(notes, list):  # what add_note() keeps: strings the caller wrote
        state["__notes__"] = [note for note in notes if isinstance(note, str)]
    if _facts(e) is not None or "_pickle_body" in e.__dict__:
        if _parsers(e):
            # A user parser may not exist on the other side: the details travel as they are.
            state["details"] = _Nested.wrap(e.details)
        else:
            e._parsed  # noqa: B018  (settles the masked body first)
            state["_pickle_body"] = e._pickle_body
    else:
        state["details"] = e.details
    return state


# Containers nested deeper than this pickle and deep-copy through _Nested.
_MAX_PICKLE_DEPTH = 100


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is dict or kind is list:
            if depth >= limit:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if kind is dict else item))
    return False


class _Nested:
    """Deeply nested details, pickled as a flat table of their dicts and lists.

    pickle and :func:`copy.deepcopy` recurse once per level and give up near the
    recursion limit; the table is two levels deep whatever the nesting, and unpickles
    (or deep-copies) straight into the details themselves.
    """

    __slots__ = ("nodes", "root")

    def __init__(self, nodes: list[tuple[int, list[Any]]], root: tuple[bool, Any]) -> None:
        self.nodes = nodes
        self.root = root

    @classmethod
    def wrap(cls, value: Any) -> Any:
        """``value`` itself, or a :class:`_Nested` of it when it nests too deep."""
        if not _too_deep(value, _MAX_PICKLE_DEPTH):
            return value
        nodes: list[tuple[int, list[Any]]] = []
        index: dict[int, int] = {}
        pending: list[tuple[Any, int]] = []

        def ref(item: Any) -> tuple[bool, Any]:
            if type(item) is not dict and type(item) is not list:
                return False, item
            known = index.get(id(item))
            if known is None:
                known = index[id(item)] = len(nodes)
                nodes.append((0, []))
                pending.append((item, known))
            return True, known

        root = ref(value)
        while pending:
            item, at = pending.pop()
            if type(item) is dict:
                nodes[at] = (0, [(k, ref(v)) for k, v in item.items()])
            else:
                nodes[at] = (1, [ref(v) for v in item])
        return cls(nodes, root)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unnest, (self.nodes, self.root))


def _unnest(nodes: list[tuple[int, list[Any]]], root: tuple[bool, Any]) -> Any:
    built: list[Any] = [{} if kind == 0 else [] for kind, _ in nodes]
    for (kind, items), target in zip(nodes, built, strict=True):
        if kind == 0:
            for key, (is_ref, value) in items:
                target[key] = built[value] if is_ref else value
        else:
            target.extend(built[value] if is_ref else value for is_ref, value in items)
    is_ref, value = root
    return built[value] if is_ref else value


def _json_safe(value: Any) -> Any:
    """``value`` if it is JSON data nested at most _MAX_DETAILS_DEPTH deep, else None."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if item is None or isinstance(item, (str, bool, int)):
            continue
        if isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                return None
            continue
        if depth >= _MAX_DETAILS_DEPTH:
            return None
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return None
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        else:
            return None
    return value


def to_dict(e: CloudStatusError) -> dict[str, Any]:
    """See :meth:`cloudstatus.CloudStatusError.to_dict`."""
    from dataclasses import asdict, is_dataclass

    rate_limit = e.rate_limit
    info = e.error_info
    advice = e.advice
    return {
        "type": display_name(type(e)),
        "message": str(e),
        "status_code": e.status_code,
        "reason": e.reason,
        "method": e.method,
        "url": e.url,
        "service": e.service,
        "error_code": e.error_code,
        "error_message": e.error_message,
        "request_id": e.request_id,
        "retry_after": e.retry_after,
        "retryable": e.retryable,
        "advice": advice.name if isinstance(advice, Advice) else None,
        "retry_reason": e.retry_reason,
        "rate_limit": asdict(rate_limit) if is_dataclass(rate_limit) else None,
        "error_info": _info_dict(info),
        "details": _json_safe(e.details),
    }


def _info_dict(info: Any) -> dict[str, Any] | None:
    if info is None:
        return None
    from dataclasses import asdict

    data = asdict(info)
    return {k: (v.name if isinstance(v, Advice) else v) for k, v in data.items()}
