"""Errors cross process boundaries: what a worker raises, its parent can unpickle (issue 10).

The workers start with ``spawn``, so they share nothing with the parent but what the
pickle carries.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import cloudstatus
from cloudstatus._core import error_from_facts
from cloudstatus._facts import Facts
from cloudstatus._options import HookOptions

PROFILE: dict[str, Any] = {
    "service": "acmeproc",
    "title": "Acme (declared in a worker only)",
    "codes": [{"code": 409, "name": "Clash", "advice": "DO_NOT_REPEAT"}],
}
OTHER: dict[str, Any] = {**PROFILE, "title": "Acme, another profile under the same name"}


def raise_in_worker(profile: dict[str, Any]) -> bytes:
    """Declare the service here, build one of its errors, and hand back its pickle."""
    cloudstatus.services.declare(profile)
    facts = Facts(
        status_code=409,
        headers={"Content-Type": "application/json"},
        body=b'{"error_code": "ACME.1", "error_msg": "taken"}',
    )
    e = error_from_facts(facts, HookOptions(service=profile["service"]))
    return pickle.dumps(e)


def build_in_worker() -> cloudstatus.CloudStatusError:
    """Declare the service and return the error itself (the pool pickles it)."""
    return pickle.loads(raise_in_worker(PROFILE))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as executor:
        yield executor


def test_error_of_a_service_declared_only_in_the_worker_unpickles(
    pool: ProcessPoolExecutor,
) -> None:
    """The pool returns the error: its class is rebuilt here from the profile it carries."""
    assert "acmeproc" not in cloudstatus.services.available()
    e = pool.submit(build_in_worker).result(timeout=120)
    assert type(e).__name__ == "ConflictError"
    assert type(e).__module__ == "cloudstatus.services.acmeproc"
    assert isinstance(e, cloudstatus.ConflictError)
    assert (e.error_code, e.error_message, e.service) == ("ACME.1", "taken", "acmeproc")
    acme = cloudstatus.services.namespace("acmeproc")
    assert isinstance(e, acme.Error)
    assert e.retryable is False  # the table's DO_NOT_REPEAT, decided in the worker


def test_a_clashing_profile_here_gives_the_standard_class(pool: ProcessPoolExecutor) -> None:
    """When this process declared another profile under the name, the standard class stands in."""
    cloudstatus.services.declare({**OTHER, "service": "acmeclash"})
    data = pool.submit(raise_in_worker, {**PROFILE, "service": "acmeclash"}).result(timeout=120)
    e = pickle.loads(data)
    assert type(e) is cloudstatus.ConflictError
    assert (e.error_code, e.error_message) == ("ACME.1", "taken")
