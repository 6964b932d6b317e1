"""What the httpx and aiohttp adapters share: Basic credentials, fallbacks, pickling."""

from __future__ import annotations

import base64
import pickle
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

import cloudstatus
from cloudstatus._bridge import bridge
from cloudstatus._facts import Facts
from cloudstatus._foreign import ForeignPickling, basic_credentials, build_error, wants_error
from cloudstatus._hook import HookOptions


def _basic(pair: str) -> str:
    return "Basic " + base64.b64encode(pair.encode()).decode()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Authorization": _basic("alice:pw-Hunter2")}, ("alice:pw-Hunter2", "pw-Hunter2")),
        ({"authorization": _basic("alice:pw-Hunter2")}, ("alice:pw-Hunter2", "pw-Hunter2")),
        ({"Authorization": "  basic " + _basic(":pw-only-1")[6:]}, (":pw-only-1", "pw-only-1")),
        ({"Authorization": _basic("alice:abc")}, ()),  # too short to scrub usefully
        ({"Authorization": _basic("no-colon-here")}, ()),
        ({"Authorization": "Basic %%%not-base64"}, ()),
        ({"Authorization": "Basic "}, ()),
        ({"Authorization": "Bearer tok-123456"}, ()),
        ({"Authorization": b"Basic YWxpY2U6cHctSHVudGVyMg=="}, ()),
        ({}, ()),
        (None, ()),
        ([("Authorization", _basic("alice:pw-Hunter2"))], ()),
    ],
)
def test_basic_credentials(headers: Any, expected: tuple[str, ...]) -> None:
    """The decoded pair and password of a Basic Authorization header; nothing for anything else."""
    assert basic_credentials(headers) == expected


@pytest.mark.parametrize(
    ("status", "raise_redirects", "expected"),
    [
        (200, False, False),
        (204, True, False),
        (302, False, False),
        (302, True, True),
        (399, True, True),
        (400, False, True),
        (599, False, True),
        (600, False, True),
    ],
)
def test_wants_error(status: int, raise_redirects: bool, expected: bool) -> None:
    """4xx and up raise; 3xx only with raise_redirects; below 300 never."""
    opts = HookOptions.build(raise_redirects=raise_redirects)
    assert wants_error(status, opts) is expected


class _TheirError(ForeignPickling, Exception):
    """A stand-in client error with one attribute that must not cross a pickle."""

    live: object = None  # what a copy reads when the instance's value did not travel
    _plain_after_pickle: ClassVar[Mapping[str, object]] = {"live": None}


def test_fallback_when_even_the_service_lookup_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the core and the service lookup both fail, the standard class is raised, bridged."""
    import cloudstatus._foreign as foreign

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("core bug")

    monkeypatch.setattr(foreign, "error_from_facts", broken)
    opts = HookOptions()._replace(service="no-such-service")
    e = build_error(Facts(status_code=409), opts, response=None, request=None, foreign=_TheirError)
    assert type(e) is bridge(cloudstatus.ConflictError, _TheirError)
    assert e.status_code == 409


def test_bridged_error_pickles_without_live_attributes() -> None:
    """A bridged error pickles to the same class; the listed attributes come back plain."""
    e = build_error(
        Facts(status_code=503, url="https://x.example/v1"),
        HookOptions(),
        response=None,
        request=None,
        foreign=_TheirError,
    )
    e.live = object()  # type: ignore[attr-defined]  # a socket, say: not picklable
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is type(e)
    assert copy.live is None
    assert str(copy) == str(e)


def test_unbridged_use_of_the_mixin_keeps_the_default_reduction() -> None:
    """On a class that is not a bridged pair, the mixin hands back the ordinary reduction."""
    copy = pickle.loads(pickle.dumps(_TheirError("plain")))
    assert type(copy) is _TheirError
    assert copy.args == ("plain",)
