"""The README's example runs as pasted and does what its comments say; what a newcomer sees."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys

import responses

import cloudstatus
from cloudstatus.testing import demo_server, error_response
from tests.conftest import ROOT

#: Where the example posts: the demo server's URL (one server per process).
URL = demo_server() + "/dms/instances"


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 1, "the README has one Python example"
    return blocks[0]


def run_example(reply: responses.Response) -> str:
    out = io.StringIO()
    namespace = {"__name__": "readme_example"}
    with responses.RequestsMock() as rsps, contextlib.redirect_stdout(out):
        rsps.add(reply)
        try:
            exec(readme_example(), namespace)
        finally:
            cls = namespace.get("InstanceNameTaken")
            if isinstance(cls, type) and issubclass(cls, cloudstatus.CloudStatusError):
                cloudstatus.default_registry.unregister(cls)
            namespace["session"].close()
    return out.getvalue()


def test_readme_example_runs_as_pasted():
    """Run by a fresh interpreter, against the demo server, the example prints its 409 line."""
    done = subprocess.run(
        [sys.executable, "-c", readme_example()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "taken: Instance name already exists. request 5b4f0c1e\n"
    assert "It prints `taken: Instance name already exists. request 5b4f0c1e`." in (
        ROOT / "README.md"
    ).read_text(encoding="utf-8")


def test_readme_registered_class_wins():
    """A 409 with the registered DMS code reaches the InstanceNameTaken branch."""
    printed = run_example(
        error_response(
            "POST",
            URL,
            409,
            service="dms",
            error_code="DMS.00409001",
            error_msg="Instance name already exists.",
            request_id="5b4",
        )
    )
    assert printed == "taken: Instance name already exists. request 5b4\n"


def test_readme_other_client_error_prints_the_message():
    """Any other 4xx prints the requests-style message with the server's words."""
    printed = run_example(
        error_response("POST", URL, 400, service="dms", error_code="DMS.00400001", error_msg="bad")
    )
    assert printed.startswith(f"400 Client Error: Bad Request for url: {URL} [DMS.00400001] bad")


def test_readme_dms_503_is_not_retried():
    """A DMS 503 without Retry-After lands in the dms.Error branch: the table forbids a retry."""
    printed = run_example(error_response("POST", URL, 503, service="dms"))
    assert printed == ("do not retry: the dms table says to modify the request before resending\n")


def test_readme_dms_503_with_retry_after_is_retried():
    """A DMS 503 with Retry-After is retryable: the server's live word outranks the table."""
    printed = run_example(error_response("POST", URL, 503, service="dms", retry_after=5))
    assert printed.startswith("retry the server sent Retry-After, which outranks the dms table")


def test_readme_dms_502_follows_the_standard_profile():
    """A DMS 502 to a POST is not retried: POST is not idempotent."""
    printed = run_example(error_response("POST", URL, 502, service="dms"))
    assert printed.startswith("do not retry: standard profile: POST is not idempotent")


# --- what a newcomer running the tests sees -------------------------------------------------


def test_seed_skip_says_what_is_skipped_and_how_to_run_it(monkeypatch, tmp_path):
    """Without the vendor pages, the reason names them, where they go and the command."""
    from tests import conftest

    monkeypatch.setattr(conftest, "SEEDS", tmp_path)
    reason = conftest.seeds_missing()
    assert reason is not None
    assert "mpc-status-codes.txt, dms-status-codes.txt" in reason
    assert str(tmp_path) in reason
    assert "`python -m pytest -m seeds`" in reason
    for name in conftest.SEED_FILES:
        (tmp_path / name).write_text("200 OK\n")
    assert conftest.seeds_missing() is None


def test_seed_tests_are_skipped_with_that_reason(pytester, monkeypatch, tmp_path):
    """A test marked ``seeds`` is skipped, at its own line, with the explaining reason."""
    from tests import conftest

    monkeypatch.setattr(conftest, "SEEDS", tmp_path / "nowhere")
    pytester.makeini("[pytest]\nmarkers =\n    seeds: reads the vendor pages\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.seeds
        def test_reads_the_pages():
            raise AssertionError("must not run")
        """
    )
    result = pytester.runpytest(
        "-p", "tests.conftest", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-rs"
    )
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED [[]1[]] test_seed_tests_are_skipped_with_that_reason.py:*: compares the *"]
    )
