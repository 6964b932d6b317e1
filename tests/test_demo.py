"""The demo: its table fits a terminal, and its server is the one the README example uses."""

from __future__ import annotations

import io

import pytest
import requests

import cloudstatus
from cloudstatus import _demo
from cloudstatus.testing import _demo_routes, demo_server


@pytest.fixture(scope="module")
def table() -> str:
    """The demo's printed table, from one run against a fresh loopback server."""
    out = io.StringIO()
    assert _demo.run_demo(out) == 0
    return out.getvalue()


def test_table_fits_100_columns(table):
    """No line of the demo's table is wider than 100 columns."""
    assert max(len(line) for line in table.splitlines()) <= _demo.MAX_WIDTH == 100


def test_table_has_a_row_per_case_with_full_class_names(table):
    """Every case has its row; service classes keep their prefix, standard ones drop it."""
    lines = table.splitlines()
    cases = _demo.cases()
    assert len(lines) == 2 + len(cases) + 3
    for case, line in zip(cases, lines[2:], strict=False):
        assert case.label in line
    assert "dms.TooManyRequestsError     DMS.00429001" in table
    assert " UnprocessableContentError " in table
    assert "cloudstatus.UnprocessableContentError" not in table.split("\n\n")[0]


def test_long_free_text_is_clipped_but_classes_are_not():
    """Over-long labels, error codes and request ids give way; the class name stays whole."""
    row = {
        "what": "a label far longer than any column should be " * 2,
        "status": 422,
        "raised": "cloudstatus.NetworkAuthenticationRequiredError",
        "error_code": "https://example.com/problems/" + "x" * 60,
        "retryable": True,
        "retry_after": 120.0,
        "request_id": "r" * 64,
    }
    out = io.StringIO()
    _demo._table([row], out)
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "NetworkAuthenticationRequiredError" in lines[2]
    assert "yes (120s)" in lines[2]
    assert lines[2].count("...") == 3


def test_every_case_has_a_route():
    """Each path the demo requests is answered by the demo server's routes."""
    routes = _demo_routes()
    assert {case.path for case in _demo.cases()} <= set(routes)


def test_demo_server_is_started_once_and_answers_like_dms():
    """demo_server() gives one URL per process; its /dms/instances is DMS's 409."""
    url = demo_server()
    assert url == demo_server()
    assert url.startswith("http://127.0.0.1:")
    with requests.Session() as s:
        cloudstatus.install(s, service="dms")
        with pytest.raises(cloudstatus.services.dms.ConflictError) as info:
            s.post(url + "/dms/instances", json={"name": "orders"})
    assert (info.value.error_code, info.value.request_id) == ("DMS.00409001", "5b4f0c1e")
