"""Error-code classes: registration, scoped registries, threads, resolution against the status."""

from __future__ import annotations

import importlib
import pickle
import sys
import threading
import uuid
from collections.abc import Iterator

import pytest
import requests
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudstatus
from cloudstatus import Advice, RegistrationError, Registry, default_registry, error_class
from cloudstatus.services import dms, mpc
from cloudstatus.testing import error_response

URL = "https://dms.example.test/v2/project/instances"
THROTTLE = "DMS.00429001"

# Module-level classes (so they pickle), each in a scoped registry (so nothing leaks).

#: Error-code classes used for resolution checks.
RESOLVE = Registry("test_registry resolution")


class Throttled(dms.TooManyRequestsError, error_code=THROTTLE, registry=RESOLVE):
    """DMS throttled the request."""


class AnyDmsClientError(dms.ClientError, error_code="DMS.4XX", registry=RESOLVE):
    """A DMS code that may arrive with any 4xx status."""


class AnyDmsServerError(dms.ServerError, error_code="DMS.5XX", registry=RESOLVE):
    """A DMS code that may arrive with any 5xx status."""


class PlainGone(cloudstatus.GoneError, error_code="STD.410", registry=RESOLVE):
    """A code registered with no service."""


class MpcTaken(mpc.ConflictError, error_code="DMS.4XX", registry=RESOLVE):
    """The same code as AnyDmsClientError, registered for another service."""


#: Two libraries claiming the same code, each in its own registry.
LIB_A = Registry("lib_a")
LIB_B = Registry("lib_b")


class LibANameTaken(dms.ConflictError, error_code="DMS.00409001", registry=LIB_A):
    """Library A's view of the conflict."""


class LibBNameTaken(dms.ConflictError, error_code="DMS.00409001", registry=LIB_B):
    """Library B's view of the conflict."""


#: Classes that pickle tests round-trip.
PICKLED = Registry("test_registry pickles")


class PickledNameTaken(
    dms.ConflictError, error_code="PICKLE.409", registry=PICKLED, retryable=True
):
    """The instance name is already in use."""


class PickledAnyClientError(dms.ClientError, error_code="PICKLE.4XX", registry=PICKLED):
    """Any 4xx with this code."""


class PickledPlain(cloudstatus.ConflictError, error_code="PICKLE.STD", registry=PICKLED):
    """No service."""


@pytest.fixture(autouse=True)
def _isolate_default_registry() -> Iterator[None]:
    """Unregister whatever a test put in the default registry."""
    before = set(default_registry)
    yield
    for cls in list(default_registry):
        if cls not in before:
            default_registry.unregister(cls)


def qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def raised_by(
    session: requests.Session, status: int, error_code: str
) -> cloudstatus.CloudStatusError:
    """What ``session`` raises for a Huawei error body with ``error_code`` and ``status``."""
    with responses.RequestsMock() as rsps:
        rsps.add(error_response("POST", URL, status, error_code=error_code, error_msg="said"))
        with pytest.raises(cloudstatus.CloudStatusError) as info:
            session.post(URL, json={"name": "x"})
    return info.value


# --- registration ---------------------------------------------------------------------


def test_class_statement_registers_in_the_default_registry():
    """A class statement with error_code= registers; its docstring stays its description."""

    class InstanceNameTaken(dms.ConflictError, error_code="DMS.00409001"):
        """The instance name is already in use."""

    assert InstanceNameTaken in default_registry
    assert default_registry.lookup("dms", "DMS.00409001") is InstanceNameTaken
    assert InstanceNameTaken.error_code == "DMS.00409001"
    assert InstanceNameTaken.service == "dms"
    assert InstanceNameTaken.__doc__ == "The instance name is already in use."
    assert error_class(409, service="dms", error_code="DMS.00409001") is InstanceNameTaken


def test_duplicate_registration_names_both_classes():
    """A second class for a taken (service, code) is refused, naming both classes."""
    reg = Registry("dup")

    class First(dms.ConflictError, error_code="DUP.1", registry=reg):
        """First."""

    with pytest.raises(RegistrationError) as info:
        type(
            "Second",
            (dms.ConflictError,),
            {"__module__": __name__},
            error_code="DUP.1",
            registry=reg,
        )
    message = str(info.value)
    assert qualified(First) in message
    assert f"{__name__}.Second" in message
    assert "'DUP.1'" in message
    assert "'dup'" in message
    assert reg.lookup("dms", "DUP.1") is First
    assert isinstance(info.value, ValueError)


def test_duplicate_in_the_default_registry_is_refused_too():
    """The default registry refuses a second class for a taken code."""

    class Owner(dms.NotFoundError, error_code="DUP.DEFAULT"):
        """Owner."""

    with pytest.raises(RegistrationError, match=r"already registered to .*Owner"):
        type("Intruder", (dms.NotFoundError,), {}, error_code="DUP.DEFAULT")
    assert default_registry.lookup("dms", "DUP.DEFAULT") is Owner


def test_same_code_in_two_services_is_no_conflict():
    """The key is (service, code): two services may use one code."""
    reg = Registry("two services")
    a = type("A", (dms.ConflictError,), {}, error_code="SHARED", registry=reg)
    b = type("B", (mpc.ConflictError,), {}, error_code="SHARED", registry=reg)
    assert reg.lookup("dms", "SHARED") is a
    assert reg.lookup("mpc", "SHARED") is b
    assert reg.lookup(None, "SHARED") is None
    assert len(reg) == 2


def test_reregistering_the_same_class_is_harmless():
    """Registering the registered class again changes nothing."""
    reg = Registry("again")
    cls = type("Again", (dms.ConflictError,), {}, error_code="AGAIN", registry=reg)
    reg.register(cls)
    assert list(reg) == [cls]


def test_reloaded_module_replaces_its_class(tmp_path, monkeypatch):
    """A class of the same module and name, from a reloaded module, replaces the old one."""
    name = f"cloudstatus_reload_probe_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(
        "from cloudstatus.services import dms\n\n\n"
        "class Taken(dms.ConflictError, error_code='RELOAD.1'):\n"
        '    """Taken."""\n',
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(name)
        old = module.Taken
        assert default_registry.lookup("dms", "RELOAD.1") is old
        module = importlib.reload(module)
        assert module.Taken is not old
        assert default_registry.lookup("dms", "RELOAD.1") is module.Taken
        assert old not in default_registry
    finally:
        sys.modules.pop(name, None)


def test_registration_from_many_threads():
    """Threads registering distinct codes all succeed; readers never see a broken registry."""
    reg = Registry("threads")
    count = 64
    barrier = threading.Barrier(count + 1)
    errors: list[BaseException] = []
    done = threading.Event()

    def write(i: int) -> None:
        barrier.wait()
        try:
            type(f"Distinct{i}", (dms.ConflictError,), {}, error_code=f"T.{i}", registry=reg)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def read() -> None:
        barrier.wait()
        try:
            while not done.is_set():
                list(reg)
                _ = dms.ConflictError in reg
                reg.lookup("dms", "T.0")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    writers = [threading.Thread(target=write, args=(i,)) for i in range(count)]
    for t in [reader, *writers]:
        t.start()
    for t in writers:
        t.join()
    done.set()
    reader.join()
    assert errors == []
    assert len(reg) == count
    assert {reg.lookup("dms", f"T.{i}").__name__ for i in range(count)} == {
        f"Distinct{i}" for i in range(count)
    }


def test_contested_code_has_exactly_one_winner():
    """Many threads claiming one code: one class wins, every other gets RegistrationError."""
    reg = Registry("contest")
    count = 32
    barrier = threading.Barrier(count)
    won: list[type] = []
    lost: list[BaseException] = []

    def claim(i: int) -> None:
        barrier.wait()
        try:
            won.append(
                type(f"Contender{i}", (dms.ConflictError,), {}, error_code="T.X", registry=reg)
            )
        except RegistrationError as exc:
            lost.append(exc)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    assert len(lost) == count - 1
    assert reg.lookup("dms", "T.X") is won[0]
    assert all(qualified(won[0]) in str(exc) for exc in lost)


# --- what a class statement accepts ---------------------------------------------------


@pytest.mark.parametrize("base", [dms.Error, cloudstatus.CloudStatusError])
def test_error_code_on_a_class_without_family(base):
    """error_code= needs a family or status class, so the status can be checked."""
    with pytest.raises(RegistrationError, match="must subclass a family or status class"):
        type("Familyless", (base,), {}, error_code="NOFAM.1")
    assert default_registry.lookup(base.service, "NOFAM.1") is None


@pytest.mark.parametrize("value", [409, b"E1", "", ["E1"], 1.5])
def test_bad_error_code_is_a_type_error(value):
    """error_code= takes a non-empty str; the message shows what was given."""
    with pytest.raises(TypeError, match=r"error_code= takes a non-empty str, got "):
        type("BadCode", (dms.ConflictError,), {}, error_code=value)


@pytest.mark.parametrize("value", ["yes", 1, 0, "False"])
def test_bad_retryable_is_a_type_error(value):
    """retryable= takes True or False only."""
    with pytest.raises(TypeError, match=r"retryable= takes True or False"):
        type("BadRetry", (dms.ConflictError,), {}, error_code="BAD.R", retryable=value)
    assert default_registry.lookup("dms", "BAD.R") is None


@pytest.mark.parametrize(
    "value",
    [
        "SOMETIMES",
        "do_not_repeat",
        5,
        ["MAY_REPEAT"],
    ],
)
def test_bad_advice_is_a_type_error(value):
    """advice= takes an Advice or a member name; the message lists the names."""
    with pytest.raises(TypeError) as info:
        type("BadAdvice", (dms.ConflictError,), {}, error_code="BAD.A", advice=value)
    assert "advice= takes a cloudstatus.Advice" in str(info.value)
    assert "MAY_REPEAT" in str(info.value)


def test_retryable_and_advice_together_is_a_type_error():
    """retryable= and advice= say the same thing twice: refused."""
    with pytest.raises(TypeError, match="retryable= or advice=, not both"):
        type("Both", (dms.ConflictError,), {}, error_code="B", retryable=True, advice="NONE")


def test_registry_without_error_code_is_a_type_error():
    """registry= alone means nothing: refused."""
    with pytest.raises(TypeError, match="registry= only makes sense with error_code="):
        type("NoCode", (dms.ConflictError,), {}, registry=Registry())


def test_registry_that_is_not_a_registry_is_a_type_error():
    """registry= must be a cloudstatus.Registry."""
    with pytest.raises(TypeError) as info:
        type("WrongReg", (dms.ConflictError,), {}, error_code="W", registry="mine")
    assert "registry" in str(info.value)


def test_register_refuses_unfit_classes():
    """Registry.register checks what it is given, when called directly."""
    reg = Registry("direct")
    with pytest.raises(RegistrationError, match="only CloudStatusError subclasses"):
        reg.register(type("NotAnError", (), {"error_code": "X", "service": None}))  # type: ignore[arg-type]
    with pytest.raises(RegistrationError, match="only CloudStatusError subclasses"):
        reg.register("dms.ConflictError")  # type: ignore[arg-type]
    with pytest.raises(RegistrationError, match="must subclass a family"):
        reg.register(dms.Error)
    with pytest.raises(RegistrationError, match="has no error_code"):
        reg.register(dms.ConflictError)
    assert len(reg) == 0


def test_unregister_and_container_protocol():
    """unregister removes only the registered class; repr, len and iteration agree."""
    reg = Registry("proto")
    cls = type("Proto", (dms.GoneError,), {}, error_code="P.1", registry=reg)
    assert repr(reg) == "<cloudstatus.Registry 'proto' with 1 classes>"
    assert cls in reg
    assert dms.GoneError not in reg
    reg.unregister(dms.GoneError)
    reg.unregister(Throttled)
    assert list(reg) == [cls]
    reg.unregister(cls)
    assert cls not in reg
    assert len(reg) == 0
    assert reg.lookup("dms", "P.1") is None


@pytest.mark.parametrize(
    ("options", "cls", "retryable", "advice"),
    [
        ({"retryable": True}, dms.ServiceUnavailableError, True, Advice.NONE),
        ({"retryable": False}, dms.RequestTimeoutError, False, Advice.NONE),
        ({"advice": "MAY_REPEAT"}, dms.ServiceUnavailableError, True, Advice.MAY_REPEAT),
        ({"advice": Advice.DO_NOT_REPEAT}, dms.TooManyRequestsError, False, Advice.DO_NOT_REPEAT),
        ({}, dms.ServiceUnavailableError, False, Advice.DO_NOT_REPEAT),
    ],
)
def test_class_override_of_retry_advice(options, cls, retryable, advice):
    """retryable= or advice= in the class statement beats the service table."""
    reg = Registry("override")
    sub = type("Overridden", (cls,), {}, error_code="O.1", registry=reg, **options)
    exc = sub(method="GET")
    assert (exc.retryable, exc.advice) == (retryable, advice)


# --- resolution -----------------------------------------------------------------------


def test_matching_status_picks_the_error_code_class():
    """The registered class is chosen when the response's status is its own."""
    assert error_class(429, service="dms", error_code=THROTTLE, registry=RESOLVE) is Throttled


@pytest.mark.parametrize("status", [s for s in sorted(dms.STATUS_CLASSES) if s != 429])
def test_contradicting_status_falls_back_to_the_status_class(status):
    """A throttle code on any other status gives that status's class, never Throttled."""
    cls = error_class(status, service="dms", error_code=THROTTLE, registry=RESOLVE)
    assert cls is dms.STATUS_CLASSES[status]


@pytest.mark.parametrize("status", range(400, 500))
def test_family_level_class_matches_any_4xx(status):
    """A class registered on dms.ClientError matches every 4xx status."""
    assert error_class(status, service="dms", error_code="DMS.4XX", registry=RESOLVE) is (
        AnyDmsClientError
    )


@pytest.mark.parametrize("status", [*range(300, 400), *range(500, 600), 600, 999])
def test_family_level_class_never_matches_another_family(status):
    """A 4xx-family class is never chosen for a 3xx, 5xx or 600+ response."""
    cls = error_class(status, service="dms", error_code="DMS.4XX", registry=RESOLVE)
    assert cls is not AnyDmsClientError
    assert not issubclass(cls, cloudstatus.ClientError)
    assert issubclass(cls, dms.Error)


def test_error_code_class_of_another_service_is_not_chosen():
    """An MPC class for a code never answers a DMS response, and vice versa."""
    assert error_class(409, service="mpc", error_code="DMS.4XX", registry=RESOLVE) is MpcTaken
    assert error_class(404, service="mpc", error_code="DMS.4XX", registry=RESOLVE) is (
        mpc.NotFoundError
    )
    assert error_class(429, service="mpc", error_code=THROTTLE, registry=RESOLVE) is (
        mpc.TooManyRequestsError
    )


def test_serviceless_error_code_class():
    """A class registered with no service applies in every service, as the service's too."""
    assert error_class(410, error_code="STD.410", registry=RESOLVE) is PlainGone
    assert error_class(404, error_code="STD.410", registry=RESOLVE) is cloudstatus.NotFoundError
    in_dms = error_class(410, service="dms", error_code="STD.410", registry=RESOLVE)
    assert issubclass(in_dms, PlainGone)
    assert issubclass(in_dms, dms.GoneError)
    assert issubclass(in_dms, dms.Error)
    assert in_dms.service == "dms"
    assert error_class(410, service="dms", error_code="STD.410", registry=RESOLVE) is in_dms


@pytest.mark.parametrize("code", [None, "", 429001])
def test_missing_or_foreign_error_codes(code):
    """No code, an empty code, or an unregistered one leave the status class."""
    assert error_class(429, service="dms", error_code=code, registry=RESOLVE) is (
        dms.TooManyRequestsError
    )


def test_error_code_is_compared_as_a_string():
    """An int error code from a body matches a class registered under its digits."""
    reg = Registry("digits")
    cls = type("Digits", (dms.BadRequestError,), {}, error_code="1234", registry=reg)
    assert error_class(400, service="dms", error_code=1234, registry=reg) is cls


@pytest.mark.parametrize(
    ("status", "error", "match"),
    [
        ("429", TypeError, r"int\('429'\)"),
        (429.0, TypeError, "must be an int"),
        (True, TypeError, "must be an int"),
        (200, ValueError, "not an error status"),
    ],
)
def test_bad_status_is_refused_before_any_lookup(status, error, match):
    """A bad status is refused even when a matching error-code class is registered."""
    with pytest.raises(error, match=match):
        error_class(status, service="dms", error_code=THROTTLE, registry=RESOLVE)


@settings(deadline=None)
@given(
    status=st.integers(min_value=300, max_value=999),
    code=st.sampled_from([THROTTLE, "DMS.4XX", "DMS.5XX", "STD.410", "nope"]),
    service=st.sampled_from([None, "dms", "mpc"]),
)
def test_resolution_never_contradicts_the_status(status, code, service):
    """Whatever the code, the class's status and family agree with the response."""
    cls = error_class(status, service=service, error_code=code, registry=RESOLVE)
    assert cls.status_code in (None, status)
    if status < 600:
        assert cls._family_digit == status // 100
    else:
        assert cls._family_digit is None
    if service is not None:
        assert cls.service == service


# --- end to end through install() -----------------------------------------------------


def test_install_raises_the_registered_class():
    """A DMS response carrying a registered code raises that class with the parsed fields."""

    class InstanceNameTaken(dms.ConflictError, error_code="DMS.00409001"):
        """The instance name is already in use."""

    with requests.Session() as s:
        cloudstatus.install(s, service="dms")
        exc = raised_by(s, 409, "DMS.00409001")
    assert type(exc) is InstanceNameTaken
    assert (exc.status_code, exc.service, exc.error_code) == (409, "dms", "DMS.00409001")
    assert exc.error_message == "said"
    assert isinstance(exc, cloudstatus.ConflictError)


@pytest.mark.parametrize(
    ("status", "expected"), [(404, dms.NotFoundError), (503, dms.ServiceUnavailableError)]
)
def test_install_with_a_contradicting_status(status, expected):
    """A throttle code arriving as 404 or 503 raises the status class, error_code kept."""

    class DefaultThrottled(dms.TooManyRequestsError, error_code=THROTTLE):
        """Throttled."""

    with requests.Session() as s:
        cloudstatus.install(s, service="dms")
        assert type(raised_by(s, 429, THROTTLE)) is DefaultThrottled
        exc = raised_by(s, status, THROTTLE)
    assert type(exc) is expected
    assert exc.error_code == THROTTLE
    assert exc.status_code == status


def test_two_scoped_registries_each_raise_their_own():
    """Two libraries map one code to different classes; each session raises its own."""
    with requests.Session() as a, requests.Session() as b, requests.Session() as plain:
        cloudstatus.install(a, service="dms", registry=LIB_A)
        cloudstatus.install(b, service="dms", registry=LIB_B)
        cloudstatus.install(plain, service="dms")
        assert type(raised_by(a, 409, "DMS.00409001")) is LibANameTaken
        assert type(raised_by(b, 409, "DMS.00409001")) is LibBNameTaken
        assert type(raised_by(plain, 409, "DMS.00409001")) is not LibANameTaken
    assert default_registry.lookup("dms", "DMS.00409001") not in (LibANameTaken, LibBNameTaken)


def test_scoped_registry_does_not_see_the_default_registry():
    """A session installed with a scoped registry never raises a default-registry class."""

    class DefaultOnly(dms.ConflictError, error_code="SCOPE.ONLY"):
        """Registered in the default registry."""

    with requests.Session() as scoped, requests.Session() as default:
        cloudstatus.install(scoped, service="dms", registry=LIB_A)
        cloudstatus.install(default, service="dms")
        exc = raised_by(scoped, 409, "SCOPE.ONLY")
        assert type(exc) is dms.ConflictError
        assert exc.error_code == "SCOPE.ONLY"
        assert type(raised_by(default, 409, "SCOPE.ONLY")) is DefaultOnly
    assert LIB_A.lookup("dms", "SCOPE.ONLY") is None


# --- pickling -------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [PickledNameTaken, PickledAnyClientError, PickledPlain])
@pytest.mark.parametrize("protocol", [0, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_error_code_classes_pickle(cls, protocol):
    """Error-code classes and their errors unpickle to the same class, attributes kept."""
    assert pickle.loads(pickle.dumps(cls, protocol)) is cls
    exc = cls("said", status_code=cls.status_code or 418, request_id="r-1", method="POST")
    back = pickle.loads(pickle.dumps(exc, protocol))
    assert type(back) is cls
    for attr in ("status_code", "service", "error_code", "request_id", "retryable", "advice"):
        assert getattr(back, attr) == getattr(exc, attr), attr
    assert back.error_code == cls.error_code
    assert str(back) == str(exc)


def test_error_from_a_response_pickles():
    """An error raised by the hook for a registered code pickles without its response."""
    with requests.Session() as s:
        cloudstatus.install(s, service="dms", registry=PICKLED)
        exc = raised_by(s, 409, "PICKLE.409")
    assert type(exc) is PickledNameTaken
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is PickledNameTaken
    assert (back.error_code, back.error_message, back.retryable) == ("PICKLE.409", "said", True)
    assert back.response is None
    assert back.url == URL
