"""Tests of a small DMS client, written with the cloudstatus pytest plugin."""

import pytest

import cloudstatus
from cloudstatus.services import dms
from cloudstatus.testing import assert_error, raises

URL = "https://dms.example.com/v2/instances"


def create_instance(session, name):
    """The code under test: create a DMS instance, return its id."""
    return session.post(URL, json={"name": name}).json()["instance_id"]


@pytest.fixture
def cloudstatus_service():
    """The session of ``cloudstatus_mock`` raises the DMS classes."""
    return "dms"


def test_create(cloudstatus_mock):
    cloudstatus_mock.add_ok("POST", URL, {"instance_id": "7a3e"})
    assert create_instance(cloudstatus_mock.session, "orders") == "7a3e"


def test_create_twice(cloudstatus_mock):
    cloudstatus_mock.add_error("POST", URL, 409, error_code="DMS.00409001", request_id="r-1")
    with raises(dms.ConflictError, error_code="DMS.00409001", request_id="r-1"):
        create_instance(cloudstatus_mock.session, "orders")


def test_throttled_is_retryable(cloudstatus_mock):
    cloudstatus_mock.add_error("POST", URL, 429, retry_after=2)
    with pytest.raises(cloudstatus.TooManyRequestsError) as info:
        create_instance(cloudstatus_mock.session, "orders")
    assert_error(info, dms.TooManyRequestsError, retryable=True, retry_after=2.0)


def test_quota_class_defined_in_the_test(cloudstatus_registry, cloudstatus_mock):
    class QuotaUsedUp(dms.ForbiddenError, error_code="DMS.00403002"):
        """Registered in this test's registry only."""

    cloudstatus_mock.add_error("POST", URL, 403, error_code="DMS.00403002")
    with raises(QuotaUsedUp, error_code="DMS.00403002"):
        create_instance(cloudstatus_mock.session, "orders")
