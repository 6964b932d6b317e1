"""The pytest fixtures of :mod:`cloudstatus.testing` (imported only under pytest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cloudstatus.testing import ErrorMock

__all__ = ["cloudstatus_mock", "cloudstatus_service"]


@pytest.fixture
def cloudstatus_service() -> str | None:
    """The service ``cloudstatus_mock`` installs the hook for; override it to pick one."""
    return None


@pytest.fixture
def cloudstatus_mock(cloudstatus_service: str | None) -> Iterator[ErrorMock]:
    """A ``responses`` mock, active for the test, and a session with the hook installed."""
    import requests
    import responses

    import cloudstatus

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        session = cloudstatus.install(requests.Session(), service=cloudstatus_service)
        try:
            yield ErrorMock(session=session, rsps=rsps, service=cloudstatus_service)
        finally:
            session.close()
