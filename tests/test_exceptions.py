"""The exception tree: every generated class, its name, family, docstring and pickling."""

from __future__ import annotations

import builtins
import copy
import pickle

import pytest
import requests

import cloudstatus
from cloudstatus._catalog import load_standard
from cloudstatus._naming import class_name
from tests.conftest import ALIASES, ALL_CODES

FAMILIES = {3: cloudstatus.RedirectionError, 4: cloudstatus.ClientError, 5: cloudstatus.ServerError}


def cls_for(code: int) -> type[cloudstatus.CloudStatusError]:
    return cloudstatus.error_class(code)


def test_root_is_a_requests_http_error():
    """Existing ``except requests.HTTPError`` blocks keep catching our errors."""
    assert issubclass(cloudstatus.CloudStatusError, requests.exceptions.HTTPError)


@pytest.mark.parametrize("family", FAMILIES.values())
def test_families_derive_from_the_root(family):
    """RedirectionError, ClientError and ServerError are CloudStatusErrors."""
    assert issubclass(family, cloudstatus.CloudStatusError)


@pytest.mark.parametrize("code", ALL_CODES)
def test_class_sits_in_its_family(code):
    """Every generated class subclasses the family of its first digit and no other."""
    cls = cls_for(code)
    for digit, family in FAMILIES.items():
        assert issubclass(cls, family) == (digit == code // 100)


@pytest.mark.parametrize("code", ALL_CODES)
def test_class_attributes_match_the_catalog(code):
    """status_code and reason are the code and its RFC 9110 phrase."""
    cls = cls_for(code)
    entry = load_standard()[code]
    assert (cls.status_code, cls.reason) == (code, entry.reason)


@pytest.mark.parametrize("code", ALL_CODES)
def test_class_name_follows_the_naming_rule(code):
    """The name is the phrase in CamelCase plus Error, unless that shadows a builtin.

    306's phrase is "(Unused)": its class takes the code's old name, Switch Proxy.
    """
    cls = cls_for(code)
    natural = class_name(load_standard()[code].reason)
    if code == 306:
        assert cls.__name__ == "SwitchProxyError"
    elif hasattr(builtins, natural):
        assert cls.__name__ != natural
    else:
        assert cls.__name__ == natural
    assert not cls.__name__.endswith("ErrorError")
    assert getattr(cloudstatus, cls.__name__) is cls


def test_501_does_not_shadow_the_builtin():
    """501's class is not the builtin NotImplementedError."""
    cls = cls_for(501)
    assert cls is not NotImplementedError
    assert cls.__name__ != "NotImplementedError"
    assert not hasattr(cloudstatus, "NotImplementedError")


@pytest.mark.parametrize("code", ALL_CODES)
def test_docstring_names_code_and_phrase(code):
    """A leaf's docstring starts with its code and phrase."""
    cls = cls_for(code)
    assert cls.__doc__.startswith(f"{code} {cls.reason}")


@pytest.mark.parametrize(("alias", "cls"), ALIASES)
def test_aliases_resolve_to_the_canonical_class(alias, cls):
    """Legacy and seed-table names are the same object as the canonical class."""
    assert getattr(cloudstatus, alias) is cls


def test_seed_aliases_exist():
    """The names the vendor tables use are importable."""
    assert cloudstatus.RequestEntityTooLargeError is cloudstatus.ContentTooLargeError
    assert cloudstatus.RequestURITooLargeError is cloudstatus.URITooLongError
    assert cloudstatus.RequestedRangeNotSatisfiableError is cloudstatus.RangeNotSatisfiableError
    assert cloudstatus.UnprocessableEntityError is cloudstatus.UnprocessableContentError


def test_unused_codes_have_distinct_catalog_entries():
    """418 ((Unused) in IANA's registry) raises its family; 306, which DMS lists, has a class."""
    assert cls_for(418) is cloudstatus.ClientError
    assert cls_for(306) is cloudstatus.SwitchProxyError
    assert cloudstatus.SwitchProxyError.reason == "(Unused)"
    assert load_standard()[306].unused and load_standard()[418].unused


def test_dms_306_has_its_class_and_its_table_name():
    """A DMS 306 raises dms.SwitchProxyError, also reachable as dms.UnusedError (DMS's name)."""
    from cloudstatus.services import dms, mpc

    assert cloudstatus.error_class(306, service="dms") is dms.SwitchProxyError
    assert dms.UnusedError is dms.SwitchProxyError
    assert issubclass(dms.SwitchProxyError, cloudstatus.SwitchProxyError)
    assert issubclass(dms.SwitchProxyError, dms.RedirectionError)
    assert not hasattr(mpc, "UnusedError")  # MPC does not document 306


@pytest.mark.parametrize("code", ALL_CODES)
def test_raised_without_a_response(code):
    """Every class can be raised by hand, with or without a message."""
    cls = cls_for(code)
    with pytest.raises(cls) as info:
        raise cls("custom message", error_code="E1")
    assert str(info.value) == "custom message"
    assert info.value.status_code == code
    assert info.value.error_code == "E1"
    assert info.value.response is None
    bare = cls()
    family = {3: "Redirection", 4: "Client Error", 5: "Server Error"}[code // 100]
    assert str(bare) == f"{code} {family}: {cls.reason}"


@pytest.mark.parametrize("code", ALL_CODES)
def test_pickles_to_the_same_class_with_its_attributes(code):
    """Errors cross process boundaries: class, status, code, message and ids survive."""
    cls = cls_for(code)
    exc = cls(
        status_code=code,
        url="https://api.example.com/v1/things?x=1",
        method="post",
        error_code=404,
        error_message="went wrong",
        request_id="req-1",
        details={"error_code": 404},
        retry_after=3.0,
    )
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is cls
    assert str(clone) == str(exc)
    for attr in (
        "status_code",
        "reason",
        "url",
        "method",
        "error_code",
        "error_message",
        "request_id",
        "details",
        "retry_after",
        "retryable",
        "advice",
        "service",
    ):
        assert getattr(clone, attr) == getattr(exc, attr), attr
    assert clone.error_code == "404"


@pytest.mark.parametrize("code", ALL_CODES)
def test_copy_keeps_everything(code):
    """copy.copy gives an equal error of the same class, response included."""
    exc = cls_for(code)("m", request_id="r")
    exc.response = requests.Response()
    dup = copy.copy(exc)
    assert type(dup) is type(exc)
    assert dup.args == exc.args
    assert dup.response is exc.response
    assert dup.request_id == "r"


def test_pickle_drops_the_live_response():
    """The response (with its request headers) is not pickled."""
    response = requests.Response()
    response.status_code = 409
    response.url = "https://api.example.com/x"
    exc = cloudstatus.ConflictError(response=response)
    clone = pickle.loads(pickle.dumps(exc))
    assert exc.response is response
    assert clone.response is None
    assert clone.request is None
    assert clone.url == "https://api.example.com/x"


def test_message_follows_requests_wording():
    """The message starts like requests' raise_for_status and appends what the server said."""
    exc = cloudstatus.ConflictError(
        url="https://dms.example.com/v2/instances",
        error_code="DMS.00409001",
        error_message="Instance name already exists.",
        request_id="5b4",
    )
    assert str(exc) == (
        "409 Client Error: Conflict for url: https://dms.example.com/v2/instances "
        "[DMS.00409001] Instance name already exists. (request id: 5b4)"
    )


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (cloudstatus.ClientError, "Client Error"),
        (cloudstatus.ServerError, "Server Error"),
        (cloudstatus.RedirectionError, "Redirection"),
        (cloudstatus.CloudStatusError, "HTTP Error"),
    ],
)
def test_bare_family_message(cls, expected):
    """A family class raised with nothing says its family."""
    assert str(cls()) == expected


def test_family_instance_takes_status_from_the_response():
    """An unregistered code keeps its own status and the response's reason."""
    response = requests.Response()
    response.status_code = 420
    response.reason = "Enhance Your Calm"
    response.url = "https://api.example.com/"
    exc = cloudstatus.ClientError(response=response)
    assert exc.status_code == 420
    assert str(exc) == "420 Client Error: Enhance Your Calm for url: https://api.example.com/"


def test_message_is_cleaned_and_truncated():
    """Server text loses control characters and is cut to max_message_chars."""
    exc = cloudstatus.BadRequestError(
        error_message="bad\x1b[31m\r\ninput " + "x" * 1000, max_message_chars=50
    )
    assert "\x1b" not in str(exc) and "\n" not in str(exc)
    assert len(exc.error_message) <= 50


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1, "3", True])
def test_invalid_retry_after_is_none(value):
    """retry_after is a finite, non-negative float or None."""
    assert cloudstatus.TooManyRequestsError(retry_after=value).retry_after is None


def test_retryable_can_be_forced_when_raising():
    """An explicit retryable= wins over the policy."""
    exc = cloudstatus.BadRequestError(retryable=True)
    assert exc.retryable is True
    assert "caller" in exc.retry_reason
