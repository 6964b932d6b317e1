"""Shared fixtures and registry-wide parameter lists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import cloudstatus
from cloudstatus._catalog import load_standard
from cloudstatus._exceptions import STATUS_CLASSES
from cloudstatus._loopback import LoopbackServer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"

#: Every generated standard class, by code; tests parametrize over these.
ALL_CODES = sorted(STATUS_CLASSES)
#: Every alias name exported by the package, with its canonical class.
ALIASES = sorted(
    (alias, STATUS_CLASSES[code])
    for code, entry in load_standard().items()
    for alias in entry.aliases
    if code in STATUS_CLASSES
)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A real HTTP/1.1 server on 127.0.0.1, stopped after the test."""
    with LoopbackServer() as srv:
        yield srv
    assert srv.errors == []


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """A session with the hook installed (no service)."""
    with requests.Session() as s:
        cloudstatus.install(s)
        yield s
