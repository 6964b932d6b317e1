"""Helpers for testing code that uses cloudstatus, and a pytest plugin.

The mocking helpers need the ``responses`` library: ``pip install
'cloudstatus[testing]'``. Importing this module imports neither pytest nor
responses; each helper imports what it needs when called, and says how to install
it when it is missing. Under pytest the plugin (registered through the ``pytest11``
entry point) adds three fixtures:

``cloudstatus_mock``
    a :class:`ErrorMock`: a ``responses`` mock that is active for the test, and a
    :class:`requests.Session` with the hook installed, for the service named by
    the ``cloudstatus_service`` fixture.
``cloudstatus_service``
    ``None`` by default; override it in your ``conftest.py`` to test against a
    service's namespace::

        @pytest.fixture
        def cloudstatus_service():
            return "dms"
``cloudstatus_registry``
    a fresh :class:`cloudstatus.Registry` in place for one test: error-code classes
    defined in the test register there, the hook finds them, and they are gone
    when the test ends.

A test then reads::

    def test_create_twice(cloudstatus_mock):
        cloudstatus_mock.add_error("POST", URL, 409, error_code="DMS.00409001")
        with cloudstatus.testing.raises(dms.ConflictError, error_code="DMS.00409001"):
            create_instance(cloudstatus_mock.session)
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudstatus._base import CloudStatusError
from cloudstatus._naming import display_name as _name

if TYPE_CHECKING:
    import pytest
    import requests
    import responses

__all__ = [
    "ErrorMock",
    "assert_error",
    "demo_server",
    "error_body",
    "error_response",
    "raises",
]

_BODY_FORMATS = ("huawei", "problem", "plain")

#: How to get the libraries the helpers need.
_INSTALL_HINT = "pip install 'cloudstatus[testing]'"


def _require_responses() -> None:
    """Check that ``responses`` can be imported.

    :raises ImportError: saying how to install it (``pip install 'cloudstatus[testing]'``).
    """
    try:
        import responses  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"cloudstatus.testing mocks HTTP with the 'responses' library, which is not "
            f"installed; install it with: {_INSTALL_HINT}",
            name="responses",
        ) from exc


def _body_format(service: str | None) -> str:
    if service is None:
        return "huawei"
    from cloudstatus._catalog import get_profile

    fmt = get_profile(service).error_body
    return fmt if fmt in _BODY_FORMATS else "huawei"


def error_body(
    status: int,
    *,
    service: str | None = None,
    error_code: str | None = None,
    error_msg: str | None = None,
    request_id: str | None = None,
) -> tuple[bytes, str]:
    """A realistic error body and its content type, in the format ``service`` uses.

    The shipped services answer in the Huawei form
    ``{"error_code": "...", "error_msg": "...", "request_id": "..."}``; a declared
    service whose profile says ``"error_body": "problem"`` gets RFC 9457 problem
    details, and ``"plain"`` a text body. Without ``error_code``, the Huawei form
    carries ``"TEST.<status>"``, a code no catalog table knows; without ``error_msg``,
    the reason phrase.
    """
    from cloudstatus._catalog import load_standard

    entry = load_standard().get(status)
    message = error_msg if error_msg is not None else (entry.reason if entry else "Error")
    fmt = _body_format(service)
    if fmt == "plain":
        return message.encode(), "text/plain; charset=utf-8"
    if fmt == "problem":
        doc: dict[str, Any] = {"title": entry.reason if entry else "Error", "status": status}
        doc["detail"] = message
        if error_code is not None:
            doc["code"] = error_code
        if request_id is not None:
            doc["request_id"] = request_id
        return json.dumps(doc).encode(), "application/problem+json"
    # Without a code, one that no table knows: a real-looking gateway code would bring
    # that code's catalog entry (and retry advice) into the test by accident.
    doc = {"error_code": error_code or f"TEST.{status}", "error_msg": message}
    if request_id is not None:
        doc["request_id"] = request_id
    return json.dumps(doc).encode(), "application/json"


def error_response(
    method: str,
    url: str,
    status: int,
    *,
    service: str | None = None,
    error_code: str | None = None,
    error_msg: str | None = None,
    request_id: str | None = None,
    retry_after: float | str | None = None,
    headers: Mapping[str, str] | None = None,
) -> responses.Response:
    """A :class:`responses.Response` for an error, ready for ``responses.add``.

    The request id goes in an ``X-Request-Id`` header (and the body, as Huawei's API
    gateway sends it); ``retry_after`` becomes a ``Retry-After`` header.

    :raises ImportError: when ``responses`` is not installed (``pip install
        'cloudstatus[testing]'``).
    """
    _require_responses()
    import responses as _responses

    body, content_type = error_body(
        status,
        service=service,
        error_code=error_code,
        error_msg=error_msg,
        request_id=request_id,
    )
    all_headers = dict(headers or {})
    if request_id is not None:
        all_headers.setdefault("X-Request-Id", request_id)
    if retry_after is not None:
        value = retry_after if isinstance(retry_after, str) else f"{retry_after:g}"
        all_headers.setdefault("Retry-After", value)
    return _responses.Response(
        method=method.upper(),
        url=url,
        status=status,
        body=body,
        content_type=content_type,
        headers=all_headers,
    )


def assert_error(
    error: BaseException | pytest.ExceptionInfo[Any],
    cls: type[CloudStatusError] = CloudStatusError,
    *,
    exact: bool = False,
    **expected: Any,
) -> CloudStatusError:
    """Check a raised error's class and attributes; return the error.

    ``error`` is the exception or the ``ExceptionInfo`` of ``pytest.raises``.
    ``expected`` names attributes and their expected values (``error_code``,
    ``request_id``, ``status_code``, ``retryable``...). With ``exact=True`` the class
    must be ``cls`` itself, not a subclass.

    :raises AssertionError: saying which expectation failed and what was found.
    """
    exc = getattr(error, "value", error)
    if not isinstance(exc, cls):
        raise AssertionError(f"expected {_name(cls)}, got {_name(type(exc))}: {exc}")
    if exact and type(exc) is not cls:
        raise AssertionError(f"expected exactly {_name(cls)}, got {_name(type(exc))}")
    wrong = []
    for name, want in sorted(expected.items()):
        if not hasattr(exc, name):
            raise AssertionError(f"{type(exc).__name__} has no attribute {name!r}")
        got = getattr(exc, name)
        if got != want:
            wrong.append(f"{name}: expected {want!r}, got {got!r}")
    if wrong:
        raise AssertionError(f"{type(exc).__name__} ({exc}): " + "; ".join(wrong))
    return exc


@contextlib.contextmanager
def raises(
    cls: type[CloudStatusError] = CloudStatusError, *, exact: bool = False, **expected: Any
) -> Iterator[list[CloudStatusError]]:
    """Like :func:`pytest.raises`, also checking the error's attributes.

    Yields a list that holds the caught error afterwards::

        with raises(cloudstatus.NotFoundError, request_id="r-1") as caught:
            client.get_thing("missing")
        assert caught[0].error_code == "DMS.00404001"

    :raises AssertionError: when nothing is raised, or :func:`assert_error` fails.
    """
    caught: list[CloudStatusError] = []
    try:
        yield caught
    except CloudStatusError as exc:
        if not isinstance(exc, cls):
            raise AssertionError(f"expected {_name(cls)}, got {_name(type(exc))}: {exc}") from exc
        caught.append(assert_error(exc, cls, exact=exact, **expected))
    else:
        raise AssertionError(f"{_name(cls)} was not raised")


@dataclass
class ErrorMock:
    """A running ``responses`` mock and a session with the hook installed.

    :ivar session: a :class:`requests.Session` with :func:`cloudstatus.install` applied.
    :ivar rsps: the active :class:`responses.RequestsMock`, for anything else to mock.
    :ivar service: the service the session's hook resolves classes for.
    """

    session: requests.Session
    rsps: responses.RequestsMock
    service: str | None = None
    added: list[responses.BaseResponse] = field(default_factory=list)

    def add_error(self, method: str, url: str, status: int, **kwargs: Any) -> None:
        """Answer ``method url`` with an error; keywords as :func:`error_response`."""
        kwargs.setdefault("service", self.service)
        response = error_response(method, url, status, **kwargs)
        self.added.append(self.rsps.add(response))

    def add_ok(self, method: str, url: str, json_body: object = None, status: int = 200) -> None:
        """Answer ``method url`` with a JSON success."""
        _require_responses()
        import responses as _responses

        self.added.append(
            self.rsps.add(_responses.Response(method.upper(), url, json=json_body, status=status))
        )


def _demo_routes() -> dict[str, Any]:
    """The loopback server's answers, by path: what the services send, in their shapes.

    Huawei JSON bodies with request ids (DMS conflict, throttle and maintenance, an MPC
    missing task), a keystone 401, an OBS XML 404, RFC 9457 problem details, an HTML
    gateway page, a Retry-After on a bare 503, and a redirect chain ending in a 409.
    Values are :class:`cloudstatus._loopback.Reply` objects.
    """
    from cloudstatus._loopback import Reply, json_reply, redirect

    def huawei(status: int, code: str, msg: str, rid: str, *extra: tuple[str, str]) -> Reply:
        body = {"error_code": code, "error_msg": msg}
        return json_reply(status, body, [("X-Request-Id", rid), *extra])

    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code>'
        b"<Message>The specified key does not exist.</Message>"
        b"<RequestId>0000018A2B3C4D5E</RequestId></Error>"
    )
    keystone = {
        "error": {
            "code": 401,
            "message": "The request you have made requires authentication.",
            "title": "Unauthorized",
        }
    }
    problem = {
        "type": "https://example.com/probs/invalid-spec",
        "title": "Invalid specification",
        "status": 422,
        "detail": "partition_num must be between 1 and 200",
    }
    taken = "Instance name already exists."
    return {
        "/dms/instances/7a3e": json_reply(200, {"id": "7a3e", "name": "orders"}),
        "/dms/instances": huawei(409, "DMS.00409001", taken, "5b4f0c1e"),
        "/dms/messages": huawei(
            429, "DMS.00429001", "Too many requests.", "7c21aa09", ("Retry-After", "2")
        ),
        "/dms/maintenance": huawei(503, "DMS.00503001", "Service unavailable.", "9d0e12f3"),
        "/plain/maintenance": Reply(503, [("Retry-After", "30")], b"down for maintenance"),
        "/mpc/transcodings/42": huawei(404, "MPC.10213", "The task does not exist.", "3a9b7d11"),
        "/iam/projects": json_reply(401, keystone, [("X-Openstack-Request-Id", "req-6f1c2b")]),
        "/obs/bucket/key.txt": Reply(404, [("Content-Type", "application/xml")], xml),
        "/topics/orders": Reply(
            422, [("Content-Type", "application/problem+json")], json.dumps(problem).encode()
        ),
        "/gateway": Reply(
            502,
            [("Content-Type", "text/html")],
            b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        ),
        "/moved": redirect("/moved-again", 307),
        "/moved-again": redirect("/dms/instances-v2", 307),
        "/dms/instances-v2": huawei(409, "DMS.00409001", taken, "e0c4d2b8"),
    }


_demo_lock = threading.Lock()
_demo_url: list[str] = []


def demo_server() -> str:
    """Start the demo's server, once per process, and return its base URL.

    A real HTTP/1.1 server on 127.0.0.1 (a free port) that answers the way the cloud
    services do: ``POST {url}/dms/instances`` gets DMS's 409
    for a taken name, ``{url}/dms/messages`` a 429 with ``Retry-After: 2``... It is what
    ``python -m cloudstatus demo`` talks to, and what the README's example runs
    against. It serves from daemon threads until the process ends; nothing leaves the
    machine.

    :returns: the base URL, ``"http://127.0.0.1:PORT"``.
    """
    with _demo_lock:
        if not _demo_url:
            from cloudstatus._loopback import LoopbackServer

            _demo_url.append(LoopbackServer(_demo_routes()).start().url)
        return _demo_url[0]
