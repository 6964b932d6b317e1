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
#: The vendor pages the ``seeds`` tests read (Huawei's published status-code tables).
SEED_FILES = ("mpc-status-codes.txt", "dms-status-codes.txt")

#: Every generated standard class, by code; tests parametrize over these.
ALL_CODES = sorted(STATUS_CLASSES)
#: Every alias name exported by the package, with its canonical class.
ALIASES = sorted(
    (alias, STATUS_CLASSES[code])
    for code, entry in load_standard().items()
    for alias in entry.aliases
    if code in STATUS_CLASSES
)


def seeds_missing() -> str | None:
    """Why the ``seeds`` tests cannot run here, and how to run them; None when they can."""
    missing = [name for name in SEED_FILES if not (SEEDS / name).is_file()]
    if not missing:
        return None
    return (
        f"compares the ingester with the vendor's own status-code pages "
        f"({', '.join(missing)}), which are not in {SEEDS}. To run these tests, copy the "
        f"pages there (a folder shared/seeds beside the checkout) and run "
        f"`python -m pytest -m seeds`"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip the ``seeds`` tests with a reason that says what they need and how to run them."""
    if item.get_closest_marker("seeds") is not None:
        reason = seeds_missing()
        if reason is not None:
            pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[None]:
    """Report a ``seeds`` skip at the test's own line, not at the hook above."""
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple) and item.get_closest_marker("seeds"):
        path, line, _ = item.location
        report.longrepr = (path, (line or 0) + 1, report.longrepr[2])
    return report


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
