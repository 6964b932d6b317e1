"""error_class: from a status (and maybe a service and error code) to a class."""

from __future__ import annotations

import pytest

import cloudstatus
from cloudstatus.services import dms, mpc
from tests.conftest import ALL_CODES


@pytest.mark.parametrize("code", ALL_CODES)
def test_registered_codes_get_their_class(code):
    """Each registered code resolves to the class whose status_code it is."""
    cls = cloudstatus.error_class(code)
    assert cls.status_code == code
    assert cls.__module__ == "cloudstatus"


@pytest.mark.parametrize(
    ("code", "family"),
    [
        (399, cloudstatus.RedirectionError),
        (418, cloudstatus.ClientError),
        (420, cloudstatus.ClientError),
        (499, cloudstatus.ClientError),
        (509, cloudstatus.ServerError),
        (520, cloudstatus.ServerError),
        (599, cloudstatus.ServerError),
    ],
)
def test_unregistered_codes_get_their_family(code, family):
    """Codes without a class of their own fall to the family, never to the root."""
    assert cloudstatus.error_class(code) is family


@pytest.mark.parametrize("code", [600, 700, 999, 10_000])
def test_codes_of_600_and_above_get_the_root(code):
    """A status past 599 has no family: the root class."""
    assert cloudstatus.error_class(code) is cloudstatus.CloudStatusError


@pytest.mark.parametrize("code", [-1, 0, 99, 100, 200, 204, 299])
def test_non_error_statuses_are_a_value_error(code):
    """1xx, 2xx and nonsense below 100 are refused with a ValueError that says why."""
    with pytest.raises(ValueError, match="not an error status"):
        cloudstatus.error_class(code)


@pytest.mark.parametrize("value", ["409", 409.0, True, False, None, b"409", [409]])
def test_non_int_statuses_are_a_type_error(value):
    """Only real ints are accepted; the message names what was given."""
    with pytest.raises(TypeError, match="must be an int"):
        cloudstatus.error_class(value)


def test_string_status_message_says_how_to_fix_it():
    """A str status gets a hint to convert it."""
    with pytest.raises(TypeError, match=r"int\('409'\)"):
        cloudstatus.error_class("409")


@pytest.mark.parametrize("code", ALL_CODES)
def test_service_resolution_gives_the_service_class(code):
    """With a service, every registered code resolves inside its namespace."""
    for ns, name in ((dms, "dms"), (mpc, "mpc")):
        cls = cloudstatus.error_class(code, service=name)
        assert cls is ns.STATUS_CLASSES[code]
        assert issubclass(cls, cloudstatus.error_class(code))
        assert issubclass(cls, ns.Error)


@pytest.mark.parametrize(
    ("code", "attr"),
    [(420, "ClientError"), (599, "ServerError"), (399, "RedirectionError"), (600, "Error")],
)
def test_service_unregistered_codes_get_the_service_family(code, attr):
    """An unregistered code from a service is still caught by ``except dms.Error``."""
    assert cloudstatus.error_class(code, service="dms") is getattr(dms, attr)


def test_unknown_service_is_a_clear_error():
    """An unknown service name lists the known ones."""
    with pytest.raises(LookupError, match=r"known services are .*dms.*mpc"):
        cloudstatus.error_class(409, service="nope")


def test_unknown_error_code_falls_back_to_the_status_class():
    """An error code nobody registered does not change the class."""
    assert cloudstatus.error_class(409, service="dms", error_code="X.1") is dms.ConflictError
