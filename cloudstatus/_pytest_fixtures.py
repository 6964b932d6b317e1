"""The pytest fixtures of :mod:`cloudstatus.testing` (imported only under pytest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cloudstatus._registry import Registry, use_registry
from cloudstatus.testing import ErrorMock, _require_responses

__all__ = ["cloudstatus_mock", "cloudstatus_registry", "cloudstatus_service"]


@pytest.fixture
def cloudstatus_service() -> str | None:
    """The service ``cloudstatus_mock`` installs the hook for; override it to pick one."""
    return None


@pytest.fixture
def cloudstatus_registry(request: pytest.FixtureRequest) -> Iterator[Registry]:
    """A fresh registry in place for one test (:func:`cloudstatus._registry.use_registry`).

    Error-code classes whose class statement names no registry register in it while
    the test runs, and hooks installed without ``registry=`` look classes up in it
    first, then in the default registry. When the test ends it is dropped, with the
    classes the test defined: two tests may define the same error code, and neither
    sees the other's class.
    """
    with use_registry(Registry(f"test {request.node.nodeid}")) as registry:
        yield registry


@pytest.fixture
def cloudstatus_mock(cloudstatus_service: str | None) -> Iterator[ErrorMock]:
    """A ``responses`` mock, active for the test, and a session with the hook installed.

    Needs ``responses``: ``pip install 'cloudstatus[testing]'``.
    """
    import requests

    import cloudstatus

    _require_responses()
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        session = cloudstatus.install(requests.Session(), service=cloudstatus_service)
        try:
            yield ErrorMock(session=session, rsps=rsps, service=cloudstatus_service)
        finally:
            session.close()
