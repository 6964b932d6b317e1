"""What a developer meets: help(), signatures, to_dict, and misuse that explains itself.

Issue 14: each point a new user stumbled on is a test here.
"""

from __future__ import annotations

import inspect
import json
import logging
import pickle
import pydoc

import pytest
import requests

import cloudstatus
from cloudstatus._core import error_from_facts
from cloudstatus._facts import Facts
from cloudstatus.services import dms

TOKEN = "tok-9f8e7d6c5b"


def test_signature_shows_our_constructor() -> None:
    """inspect.signature of an error class lists cloudstatus's keywords, not requests'."""
    params = inspect.signature(cloudstatus.ConflictError).parameters
    for name in ("message", "response", "error_code", "retryable", "max_message_chars"):
        assert name in params


def test_help_shows_our_docs() -> None:
    """help() shows the constructor's and the subclass keywords' documentation."""
    text = pydoc.render_doc(cloudstatus.ConflictError)
    assert "Initialize RequestException" not in text
    assert "error_code" in text and "registry" in text and "advice" in text


def test_dir_of_a_namespace_is_its_all() -> None:
    """dir(dms) lists the namespace's names only, no typing helpers."""
    # (pytest's assertion rewriting adds "@py_builtins" to modules: not an identifier)
    public = [n for n in dir(dms) if n.isidentifier() and not n.startswith("_")]
    assert sorted(public) == sorted(dms.__all__)
    assert not {"Final", "Mapping", "MappingProxyType", "annotations"} & set(public)


def test_to_dict_round_trips_through_json_without_secrets() -> None:
    """to_dict() is JSON data, has the public fields, and masks the request's token."""
    facts = Facts(
        status_code=409,
        method="POST",
        url=f"https://dms.example.com/v2/i?token={TOKEN}",
        headers={"Content-Type": "application/json", "X-Request-Id": "r-1", "Retry-After": "2"},
        body=json.dumps({"error_code": "DMS.1", "error_msg": f"echo {TOKEN}"}).encode(),
        request_headers={"Authorization": f"Bearer {TOKEN}"},
    )
    e = error_from_facts(facts, cloudstatus.HookOptions(service="dms"))
    data = json.loads(json.dumps(e.to_dict()))
    assert data["type"] == "dms.ConflictError"
    assert data["status_code"] == 409
    assert data["error_code"] == "DMS.1"
    assert data["request_id"] == "r-1"
    assert data["retry_after"] == 2.0
    assert data["retryable"] is True
    assert data["advice"] == "NONE"
    assert data["details"] == {"error_code": "DMS.1", "error_msg": "echo ***"}
    assert data["message"] == str(e)
    assert TOKEN not in json.dumps(data)
    assert "response" not in data and "request" not in data


def test_to_dict_in_a_json_log_line(caplog: pytest.LogCaptureFixture) -> None:
    """A structured log line carries the error's record."""
    e = cloudstatus.NotFoundError("gone", error_code="E.404", request_id="r-9")
    with caplog.at_level(logging.ERROR):
        logging.getLogger("app").error("call failed", extra={"error": e.to_dict()})
    assert caplog.records[0].error["error_code"] == "E.404"


def test_install_on_the_requests_module_says_what_to_pass() -> None:
    """cloudstatus.install(requests) is a TypeError naming what install takes."""
    with pytest.raises(TypeError, match=r"the module requests; pass a session"):
        cloudstatus.install(requests)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"requests\.Session, an httpx\.Client"):
        cloudstatus.install(object())
    with pytest.raises(TypeError, match=r"requests\.Session"):
        cloudstatus.uninstall(42)


def test_raise_for_status_refuses_unknown_keywords() -> None:
    """raise_for_status(resp, error_message=...) is a TypeError, not silently ignored."""
    response = requests.Response()
    response.status_code = 409
    with pytest.raises(TypeError, match="error_message"):
        cloudstatus.raise_for_status(response, error_message="x")


def test_requests_hook_arguments_are_accepted() -> None:
    """The keywords requests hands a hook (timeout, verify...) are accepted and ignored."""
    response = requests.Response()
    response.status_code = 200
    kwargs = {"timeout": 3, "verify": True, "proxies": {}, "stream": False, "cert": None}
    assert cloudstatus.raise_for_status(response, **kwargs) is response


@pytest.mark.parametrize(
    ("cls", "status"),
    [(cloudstatus.ConflictError, 404), (dms.ConflictError, 500), (cloudstatus.ServerError, 404)],
)
def test_a_class_refuses_a_status_it_cannot_carry(
    cls: type[cloudstatus.CloudStatusError], status: int
) -> None:
    """ConflictError(status_code=404) is a ValueError pointing at error_class()."""
    with pytest.raises(ValueError, match=r"error_class"):
        cls(status_code=status)


def test_hand_built_errors_pickle_with_their_fields() -> None:
    """An error raised by hand pickles with its message and fields."""
    e = dms.ConflictError("taken", error_code="DMS.1", retryable=True, details={"a": 1})
    copy = pickle.loads(pickle.dumps(e))
    assert (str(copy), copy.error_code, copy.retryable, copy.details) == (
        "taken",
        "DMS.1",
        True,
        {"a": 1},
    )
    assert copy.retry_reason == "the caller decided it when raising"


def test_a_hook_factory_passed_uncalled_says_to_call_it() -> None:
    """A response where a service name belongs: TypeError saying to call the factory."""
    response = requests.Response()
    response.status_code = 200
    response.headers["Authorization"] = "Bearer secret-in-a-header-1"
    with pytest.raises(TypeError, match="Call it") as info:
        cloudstatus.HookOptions.build(service=response)
    assert "secret-in-a-header-1" not in str(info.value)
    with pytest.raises(TypeError, match="service must be a service name"):
        cloudstatus.HookOptions.build(service=42)


def test_install_on_an_aiohttp_session_points_at_its_callable() -> None:
    """install(aiohttp.ClientSession()) says to pass raise_for_status= to the session."""
    aiohttp = pytest.importorskip("aiohttp")
    import asyncio

    async def attempt() -> None:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(TypeError, match=r"raise_for_status=cloudstatus\.aiohttp"):
                cloudstatus.install(session)

    asyncio.run(attempt())


def test_a_misspelt_option_is_a_type_error() -> None:
    """install(session, servce="dms") is refused (and mypy sees it: the options are typed)."""
    with requests.Session() as s, pytest.raises(TypeError, match="servce"):
        cloudstatus.install(s, servce="dms")  # type: ignore[call-arg]


def test_a_second_registration_points_at_the_fixture() -> None:
    """Registering a taken code says how to keep test classes apart."""
    reg = cloudstatus.Registry("twice")
    type("First", (cloudstatus.ConflictError,), {}, error_code="T.1", registry=reg)
    with pytest.raises(cloudstatus.RegistrationError, match="cloudstatus_registry fixture"):
        type("Second", (cloudstatus.ConflictError,), {}, error_code="T.1", registry=reg)


def test_an_adapter_without_its_client_library_names_the_extra() -> None:
    """cloudstatus.httpx without httpx: hasattr is False, and the error says what to install."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'httpx' or name.startswith('httpx.'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Hide())\n"
        "import cloudstatus\n"
        "assert not hasattr(cloudstatus, 'httpx')\n"
        "try:\n"
        "    cloudstatus.httpx\n"
        "except AttributeError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "pip install 'cloudstatus[httpx]'" in out
