"""cloudstatus.testing: the helpers and the pytest plugin, used as a user would."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests
import responses

import cloudstatus
from cloudstatus import testing
from cloudstatus.services import dms

URL = "https://dms.example.com/v2/instances"


def run_inner(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run pytest in-process on the files ``pytester`` made, as a user's suite.

    Hypothesis's plugin is left out: it has nothing to do there and costs a second a run.
    """
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args)


def test_import_is_light():
    """Importing cloudstatus.testing pulls in neither pytest nor responses."""
    code = (
        "import sys, cloudstatus, cloudstatus.testing; "
        "assert 'responses' not in sys.modules and 'pytest' not in sys.modules, sys.modules.keys()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plugin_is_registered_through_the_entry_point(pytestconfig):
    """pytest loads the fixtures of cloudstatus.testing as a plugin named cloudstatus."""
    from cloudstatus import _pytest_fixtures

    assert pytestconfig.pluginmanager.get_plugin("cloudstatus") is _pytest_fixtures


@pytest.mark.parametrize("service", [None, "dms", "mpc"])
def test_error_body_is_huawei_shaped(service):
    """The shipped services answer with error_code / error_msg JSON."""
    body, content_type = testing.error_body(
        409, service=service, error_code="E.1", error_msg="taken", request_id="r-1"
    )
    assert content_type == "application/json"
    assert json.loads(body) == {"error_code": "E.1", "error_msg": "taken", "request_id": "r-1"}


def test_error_body_defaults():
    """Without a code or message, a code no table knows and the reason phrase are used."""
    doc = json.loads(testing.error_body(404)[0])
    assert doc == {"error_code": "TEST.404", "error_msg": "Not Found"}
    assert cloudstatus.error_code_info("TEST.404") is None


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("problem", "application/problem+json"), ("plain", "text/plain")]
)
def test_error_body_follows_a_declared_services_format(fmt, content_type):
    """A declared service's error_body picks problem details or plain text."""
    name = f"fmt_{fmt}"
    cloudstatus.services.declare({"service": name, "error_body": fmt, "codes": []})
    body, ctype = testing.error_body(422, service=name, error_code="X", error_msg="bad field")
    assert ctype.startswith(content_type)
    assert b"bad field" in body
    with responses.RequestsMock() as rsps, requests.Session() as s:
        rsps.add(
            testing.error_response(
                "GET", URL, 422, service=name, error_code="X", error_msg="bad field"
            )
        )
        cloudstatus.install(s, service=name)
        with testing.raises(cloudstatus.UnprocessableContentError, error_message="bad field"):
            s.get(URL)


def test_error_response_round_trips_through_the_hook():
    """A built response raises the class with the code, message, request id and Retry-After."""
    with responses.RequestsMock() as rsps, requests.Session() as s:
        rsps.add(
            testing.error_response(
                "post",
                URL,
                429,
                service="dms",
                error_code="DMS.00429001",
                error_msg="slow down",
                request_id="r-9",
                retry_after=3,
            )
        )
        cloudstatus.install(s, service="dms")
        with testing.raises(
            dms.TooManyRequestsError,
            error_code="DMS.00429001",
            error_message="slow down",
            request_id="r-9",
            retry_after=3.0,
        ) as caught:
            s.post(URL)
    assert caught[0].retryable is True


def test_raises_reports_a_wrong_class():
    """raises() fails with both class names when another error is raised."""
    wanted = r"expected cloudstatus\.NotFoundError, got cloudstatus\.ConflictError"
    with pytest.raises(AssertionError, match=wanted):  # noqa: SIM117
        with testing.raises(cloudstatus.NotFoundError):
            raise cloudstatus.ConflictError("x")


def test_raises_reports_nothing_raised():
    """raises() fails when nothing is raised."""
    with pytest.raises(AssertionError, match=r"cloudstatus\.ConflictError was not raised"):  # noqa: SIM117
        with testing.raises(cloudstatus.ConflictError):
            pass


def test_raises_lets_other_exceptions_through():
    """A non-cloudstatus exception is not swallowed."""
    with pytest.raises(KeyError):  # noqa: SIM117
        with testing.raises(cloudstatus.ConflictError):
            raise KeyError("x")


def test_assert_error_reports_every_mismatch():
    """assert_error lists each attribute that differs."""
    exc = cloudstatus.ConflictError(error_code="A", request_id="r")
    with pytest.raises(AssertionError, match="error_code: expected 'B', got 'A'; request_id"):
        testing.assert_error(exc, cloudstatus.ConflictError, error_code="B", request_id="s")


def test_assert_error_exact_and_unknown_attribute():
    """exact=True refuses subclasses; an unknown attribute is named."""
    exc = dms.ConflictError()
    assert testing.assert_error(exc, cloudstatus.ConflictError) is exc
    wanted = r"exactly cloudstatus\.ConflictError, got dms\.ConflictError"
    with pytest.raises(AssertionError, match=wanted):
        testing.assert_error(exc, cloudstatus.ConflictError, exact=True)
    with pytest.raises(AssertionError, match="no attribute 'colour'"):
        testing.assert_error(exc, colour="red")
    with pytest.raises(AssertionError, match=r"expected cloudstatus\.NotFoundError"):
        testing.assert_error(exc, cloudstatus.NotFoundError)


def test_assert_error_accepts_exception_info():
    """The ExceptionInfo of pytest.raises is accepted as well as the exception."""
    with pytest.raises(cloudstatus.ConflictError) as info:
        raise cloudstatus.ConflictError(error_code="A")
    assert testing.assert_error(info, error_code="A") is info.value


def test_fixtures_as_a_user_would_use_them(pytester):
    """A user's suite uses cloudstatus_mock, overrides cloudstatus_service, and passes."""
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def cloudstatus_service():
            return "dms"
        """
    )
    pytester.makepyfile(
        """
        import cloudstatus
        from cloudstatus.services import dms
        from cloudstatus.testing import raises

        URL = "https://dms.example.com/v2/instances"

        def create(session):
            return session.post(URL, json={"name": "orders"}).json()

        def test_conflict(cloudstatus_mock):
            cloudstatus_mock.add_error("POST", URL, 409, error_code="DMS.00409001",
                                       request_id="req-1")
            with raises(dms.ConflictError, error_code="DMS.00409001", request_id="req-1"):
                create(cloudstatus_mock.session)

        def test_success(cloudstatus_mock):
            cloudstatus_mock.add_ok("POST", URL, {"id": "1"})
            assert create(cloudstatus_mock.session) == {"id": "1"}

        def test_service_is_dms(cloudstatus_mock):
            assert cloudstatus_mock.service == "dms"
        """
    )
    result = run_inner(pytester)
    result.assert_outcomes(passed=3)


def test_default_service_is_none(pytester):
    """Without an override, the mock session resolves standard classes."""
    pytester.makepyfile(
        """
        import cloudstatus

        def test_it(cloudstatus_mock):
            cloudstatus_mock.add_error("GET", "https://x.example/a", 404)
            try:
                cloudstatus_mock.session.get("https://x.example/a")
            except cloudstatus.NotFoundError as e:
                assert type(e) is cloudstatus.NotFoundError
                assert e.service is None
            else:
                raise AssertionError("no error")
        """
    )
    result = run_inner(pytester)
    result.assert_outcomes(passed=1)


# --- the testing extra and a missing responses -----------------------------------------------


def test_testing_extra_installs_responses():
    """setup.cfg's ``testing`` extra, which the install hint names, pulls in responses."""
    import configparser

    from tests.conftest import ROOT

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    extra = cfg["options.extras_require"]["testing"].split()
    assert [req for req in extra if req.startswith("responses")] == ["responses>=0.25"]
    assert "cloudstatus[testing]" in testing._INSTALL_HINT


def test_missing_responses_says_how_to_install_it(monkeypatch):
    """Without responses, the helpers raise an ImportError with the pip command."""
    monkeypatch.setitem(sys.modules, "responses", None)
    hint = r"pip install 'cloudstatus\[testing\]'"
    with pytest.raises(ImportError, match=hint) as info:
        testing.error_response("GET", URL, 404)
    assert info.value.name == "responses"
    mock = testing.ErrorMock(session=requests.Session(), rsps=None)  # type: ignore[arg-type]
    with pytest.raises(ImportError, match=hint):
        mock.add_ok("GET", URL)
    assert json.loads(testing.error_body(404)[0])["error_msg"] == "Not Found"  # needs nothing


def test_missing_responses_in_a_users_suite(pytester):
    """The cloudstatus_mock fixture reports a missing responses with the pip command."""
    pytester.makeconftest(
        """
        import sys
        import pytest

        @pytest.fixture(autouse=True)
        def no_responses(monkeypatch):
            monkeypatch.setitem(sys.modules, "responses", None)
        """
    )
    pytester.makepyfile(
        """
        def test_it(cloudstatus_mock):
            pass

        def test_registry_needs_nothing(cloudstatus_registry):
            assert len(cloudstatus_registry) == 0
        """
    )
    result = run_inner(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*ImportError*pip install 'cloudstatus[[]testing[]]'*"])


# --- the cloudstatus_registry fixture ----------------------------------------------------------

REGISTRY_TESTS = """
import cloudstatus
import requests
import responses
from cloudstatus.testing import error_response

URL = "https://svc.example.test/things"


def raised_for_409():
    with responses.RequestsMock() as rsps, requests.Session() as s:
        rsps.add(error_response("POST", URL, 409, error_code="TEST.409"))
        cloudstatus.install(s)
        try:
            s.post(URL)
        except cloudstatus.CloudStatusError as e:
            return type(e)


def test_first(FIXTURE):
    class Taken(cloudstatus.ConflictError, error_code="TEST.409"):
        pass

    assert raised_for_409() is Taken


def test_second_defines_the_same_code(FIXTURE):
    class AlsoTaken(cloudstatus.ConflictError, error_code="TEST.409"):
        pass

    assert raised_for_409() is AlsoTaken


def test_third_sees_neither(FIXTURE):
    assert raised_for_409() is cloudstatus.ConflictError
"""


def test_registry_fixture_keeps_test_classes_apart(pytester):
    """Two tests define the same error code and both pass; the next test sees neither class."""
    pytester.makepyfile(REGISTRY_TESTS.replace("FIXTURE", "cloudstatus_registry"))
    result = run_inner(pytester)
    result.assert_outcomes(passed=3)
    assert cloudstatus.default_registry.lookup(None, "TEST.409") is None


def test_without_the_registry_fixture_classes_leak(pytester):
    """The same tests without the fixture collide: the class of the first reaches the others."""
    pytester.makepyfile(REGISTRY_TESTS.replace("FIXTURE", "request"))
    try:
        result = run_inner(pytester)
    finally:
        for cls in list(cloudstatus.default_registry):
            if cls.error_code == "TEST.409":
                cloudstatus.default_registry.unregister(cls)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*RegistrationError: error code 'TEST.409'*already registered*"])


def test_registry_fixture_is_the_active_registry(cloudstatus_registry):
    """Inside a test, the fixture's registry receives class statements and is named after it."""
    from cloudstatus._registry import active_registry

    class Local(cloudstatus.NotFoundError, error_code="LOCAL.404"):
        """A class that exists for this test only."""

    assert active_registry() is cloudstatus_registry
    assert list(cloudstatus_registry) == [Local]
    assert "test_registry_fixture_is_the_active_registry" in cloudstatus_registry.name
    assert Local not in cloudstatus.default_registry
