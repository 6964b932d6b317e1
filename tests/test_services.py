"""Service namespaces: generated (mpc, dms) and declared at runtime; status_info; retry advice."""

from __future__ import annotations

import importlib
import json
import pickle
import subprocess
import sys
import types

import pytest
import requests
import responses

import cloudstatus
import cloudstatus.services
from cloudstatus import Advice
from cloudstatus._catalog import CatalogError, ServiceProfile
from cloudstatus._exceptions import STATUS_CLASSES as STD_CLASSES
from cloudstatus.services import declare, dms, get_profile, mpc, namespace
from cloudstatus.testing import error_response
from tests.conftest import ALIASES

NAMESPACES = {"dms": dms, "mpc": mpc}
FAMILIES = {
    3: ("RedirectionError", cloudstatus.RedirectionError),
    4: ("ClientError", cloudstatus.ClientError),
    5: ("ServerError", cloudstatus.ServerError),
}
#: Every generated service class, so a code added to the catalog is tested without a new line.
SERVICE_CLASSES = [
    pytest.param(name, code, cls, id=f"{name}-{code}")
    for name, ns in sorted(NAMESPACES.items())
    for code, cls in sorted(ns.STATUS_CLASSES.items())
]
MPC_CODES = frozenset({200, 201, 202, 204, 400, 401, *range(403, 410), *range(500, 505)})
DMS_CODES = frozenset(
    {100, 101, *range(201, 207), *range(300, 307), *range(400, 418), 422, 429, *range(500, 506)}
)
URL = "https://svc.example.test/v1/things"

#: A service declared at runtime; every test declaring this name uses exactly this profile.
ACME = {
    "service": "acme_svc",
    "title": "Acme Cloud",
    "source": "tests/test_services.py",
    "error_body": "huawei",
    "codes": [
        {"code": 200, "name": "OK", "advice": "NONE", "description": "It worked."},
        {"code": 404, "name": "No Such Thing", "advice": "DO_NOT_REPEAT", "description": "Gone."},
        {"code": 429, "name": "Slow Down", "advice": "WAIT_RETRY_AFTER", "description": "Wait."},
        {"code": 503, "name": "Busy", "advice": "MAY_REPEAT", "description": "Try again."},
    ],
}


def expected_advice(service: str, code: int) -> Advice:
    """The advice DESIGN.md says the seed tables give."""
    if code in (400, 403, 404, 405, 503):
        return Advice.DO_NOT_REPEAT
    if code == 408:
        return Advice.MAY_REPEAT
    if service == "dms" and code in (413, 429):
        return Advice.WAIT_RETRY_AFTER
    return Advice.NONE


def shape(cls: type, service: str) -> list[tuple[str, str]]:
    """A class's MRO as (module, qualname) pairs with the service's name masked."""
    prefix = f"cloudstatus.services.{service}"
    return [
        (c.__module__.replace(prefix, "cloudstatus.services.<svc>"), c.__qualname__)
        for c in cls.__mro__
    ]


def declare_clone(service: str) -> types.ModuleType:
    """Declare a copy of a built-in service's profile under ``<service>clone``."""
    data = get_profile(service).to_mapping()
    data["service"] = f"{service}clone"
    return declare(data)


@pytest.fixture
def acme() -> types.ModuleType:
    """The namespace of the declared test service."""
    return declare(ACME)


# --- generated namespaces -------------------------------------------------------------


@pytest.mark.parametrize(("service", "code", "cls"), SERVICE_CLASSES)
def test_service_class_subclasses_standard_class_and_service_root(service, code, cls):
    """Every service class is its standard class and its service's family and root."""
    ns = NAMESPACES[service]
    family_name, family = FAMILIES[code // 100]
    assert issubclass(cls, STD_CLASSES[code])
    assert issubclass(cls, ns.Error)
    assert issubclass(cls, getattr(ns, family_name))
    assert issubclass(getattr(ns, family_name), family)
    assert issubclass(cls, cloudstatus.CloudStatusError)
    assert cls.status_code == code
    assert cls.reason == STD_CLASSES[code].reason
    assert cls.service == service
    assert cls.__name__ == STD_CLASSES[code].__name__
    assert cls.__module__ == ns.__name__
    assert getattr(ns, cls.__name__) is cls
    assert cls.__name__ in ns.__all__


@pytest.mark.parametrize(("service", "code", "cls"), SERVICE_CLASSES)
def test_service_class_is_not_another_services_error(service, code, cls):
    """A class of one service is never an error of the other."""
    other = NAMESPACES["mpc" if service == "dms" else "dms"]
    assert not issubclass(cls, other.Error)
    assert not issubclass(cls, other.STATUS_CLASSES[code])


@pytest.mark.parametrize("service", sorted(NAMESPACES))
def test_namespace_has_a_class_for_every_standard_code(service):
    """Documented or not, every standard 3xx-5xx code has a class in each namespace."""
    assert set(NAMESPACES[service].STATUS_CLASSES) == set(STD_CLASSES)


@pytest.mark.parametrize("service", sorted(NAMESPACES))
def test_service_root_and_families(service):
    """Error is a CloudStatusError named for the service; the families sit under it."""
    ns = NAMESPACES[service]
    assert issubclass(ns.Error, cloudstatus.CloudStatusError)
    assert ns.Error.service == service
    assert ns.Error.status_code is None
    for name, family in FAMILIES.values():
        assert issubclass(getattr(ns, name), family)
        assert issubclass(getattr(ns, name), ns.Error)
        assert getattr(ns, name).service == service


@pytest.mark.parametrize(
    ("service", "codes"), [("dms", DMS_CODES), ("mpc", MPC_CODES)], ids=["dms", "mpc"]
)
def test_codes_are_the_documented_set(service, codes):
    """``codes`` is the frozenset the service's table documents."""
    ns = NAMESPACES[service]
    assert isinstance(ns.codes, frozenset)
    assert ns.codes == codes
    assert ns.codes == get_profile(service).codes


@pytest.mark.parametrize("service", sorted(NAMESPACES))
@pytest.mark.parametrize(("alias", "std_cls"), ALIASES, ids=[a for a, _ in ALIASES])
def test_standard_aliases_resolve_in_each_namespace(service, alias, std_cls):
    """A standard alias names the service's canonical class."""
    ns = NAMESPACES[service]
    assert getattr(ns, alias) is ns.STATUS_CLASSES[std_cls.status_code]


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("ServerTimeoutError", "GatewayTimeoutError"),
        ("RequestEntityTooLargeError", "ContentTooLargeError"),
        ("RequestURITooLargeError", "URITooLongError"),
        ("RequestedRangeNotSatisfiableError", "RangeNotSatisfiableError"),
        ("UnprocessableEntityError", "UnprocessableContentError"),
    ],
)
def test_dms_table_aliases(alias, canonical):
    """The names DMS's table uses are the same classes as the RFC 9110 names."""
    assert getattr(dms, alias) is getattr(dms, canonical)
    assert alias in dms.__all__


def test_service_only_aliases_stay_in_their_namespace():
    """DMS's ServerTimeout name gives no alias in MPC or the standard tree."""
    assert not hasattr(mpc, "ServerTimeoutError")
    assert not hasattr(cloudstatus, "ServerTimeoutError")


@pytest.mark.parametrize("service", sorted(NAMESPACES))
def test_every_exported_name_exists(service):
    """Everything in ``__all__`` is an attribute; every exported class is a service class."""
    ns = NAMESPACES[service]
    for name in ns.__all__:
        value = getattr(ns, name)
        if isinstance(value, type):
            assert issubclass(value, ns.Error)


def caught_by(exc: BaseException, handler: type | tuple[type, ...]) -> bool:
    """Whether ``except handler`` catches ``exc``."""
    try:
        raise exc
    except handler:
        return True
    except BaseException:
        return False


def test_except_catches_by_meaning_across_services():
    """``except cloudstatus.ConflictError`` catches both; ``except dms.Error`` only DMS."""
    dms_conflict, mpc_conflict = dms.ConflictError("x"), mpc.ConflictError("x")
    assert caught_by(dms_conflict, cloudstatus.ConflictError)
    assert caught_by(mpc_conflict, cloudstatus.ConflictError)
    assert caught_by(dms_conflict, dms.Error)
    assert caught_by(dms.ServerTimeoutError("x"), dms.Error)
    assert not caught_by(mpc_conflict, dms.Error)
    assert not caught_by(dms_conflict, mpc.Error)
    assert not caught_by(dms_conflict, mpc.ConflictError)
    assert not caught_by(cloudstatus.ConflictError("x"), (dms.Error, mpc.Error))
    assert caught_by(mpc_conflict, requests.HTTPError)


@pytest.mark.parametrize(("service", "code", "cls"), SERVICE_CLASSES)
def test_service_classes_pickle_by_reference(service, code, cls):
    """A service class unpickles to itself, and its instances keep their attributes."""
    assert pickle.loads(pickle.dumps(cls)) is cls
    exc = cls("said", error_code="E.1", request_id="req-1", url=URL, method="get")
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is cls
    assert (back.status_code, back.service, back.error_code) == (code, service, "E.1")
    assert (back.request_id, back.url, back.method) == ("req-1", URL, "GET")
    assert back.retryable == exc.retryable
    assert str(back) == str(exc)


def test_services_reachable_after_bare_import():
    """``cloudstatus.services.dms`` works after a bare ``import cloudstatus`` in a new process."""
    code = (
        "import cloudstatus; "
        "print(cloudstatus.services.dms.ConflictError.__module__, "
        "cloudstatus.services.mpc.Error.service)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["cloudstatus.services.dms", "mpc"]
    assert cloudstatus.services.dms is dms


def test_namespace_and_available():
    """namespace() returns the built-in modules; available() lists them."""
    assert namespace("dms") is dms
    assert namespace("mpc") is mpc
    assert {"dms", "mpc"} <= set(cloudstatus.services.available())
    assert list(cloudstatus.services.available()) == sorted(cloudstatus.services.available())


@pytest.mark.parametrize("name", ["nope", "DMS", "", 7, None, ["dms"]])
def test_unknown_service_lookups_list_the_known_ones(name):
    """namespace() and get_profile() refuse unknown names with the list of known ones."""
    with pytest.raises(LookupError, match=r"known services are .*dms.*mpc"):
        namespace(name)
    with pytest.raises(LookupError, match="known services are"):
        get_profile(name)


def test_missing_attribute_of_services_package():
    """An attribute that is no service is an AttributeError, so hasattr() works."""
    assert not hasattr(cloudstatus.services, "nope")


# --- install with a service -----------------------------------------------------------


def test_install_with_unknown_service_is_refused_up_front():
    """install() names the known services and leaves the session alone."""
    with requests.Session() as s:
        before = list(s.hooks["response"])
        with pytest.raises(LookupError, match=r"unknown service 'nope'.*dms.*mpc"):
            cloudstatus.install(s, service="nope")
        assert s.hooks["response"] == before


@pytest.mark.parametrize(
    ("status", "service", "cls"),
    [
        (409, "dms", dms.ConflictError),
        (504, "dms", dms.ServerTimeoutError),
        (409, "mpc", mpc.ConflictError),
        (420, "dms", dms.ClientError),
        (599, "mpc", mpc.ServerError),
    ],
)
def test_install_raises_the_service_class(status, service, cls):
    """A session installed for a service raises that service's classes."""
    with responses.RequestsMock() as rsps, requests.Session() as s:
        rsps.add(error_response("POST", URL, status, service=service, error_code="X.1"))
        cloudstatus.install(s, service=service)
        with pytest.raises(cls) as info:
            s.post(URL)
    assert type(info.value) is cls
    assert info.value.service == service
    assert info.value.error_code == "X.1"


# --- status_info and retry advice -----------------------------------------------------


@pytest.mark.parametrize(
    ("service", "code"),
    [(s, c) for s, ns in sorted(NAMESPACES.items()) for c in sorted(ns.codes)],
)
def test_status_info_gives_the_tables_advice(service, code):
    """Every documented code answers from the service's table, with the seed's advice."""
    info = cloudstatus.status_info(code, service=service)
    assert info.service == service
    assert info.documented
    assert info.advice is expected_advice(service, code)
    assert info.name


def test_status_info_dms_504_uses_the_tables_name():
    """DMS calls 504 "ServerTimeout"; the reason stays RFC 9110's."""
    info = cloudstatus.status_info(504, service="dms")
    assert (info.name, info.reason, info.advice) == (
        "ServerTimeout",
        "Gateway Timeout",
        Advice.NONE,
    )
    assert cloudstatus.status_info(504).name == "Gateway Timeout"


def test_status_info_for_an_undocumented_code_is_the_standard_entry():
    """MPC does not document 402: the standard table answers, with no advice."""
    info = cloudstatus.status_info(402, service="mpc")
    assert info.service is None
    assert info.advice is Advice.NONE
    assert info.reason == "Payment Required"


def test_status_info_for_unknown_service():
    """status_info with an unknown service is a LookupError."""
    with pytest.raises(LookupError, match="unknown service"):
        cloudstatus.status_info(409, service="nope")


@pytest.mark.parametrize(
    ("cls", "method", "retry_after", "retryable"),
    [
        (dms.ServiceUnavailableError, "GET", None, False),
        (mpc.ServiceUnavailableError, "GET", None, False),
        (cloudstatus.ServiceUnavailableError, "GET", None, True),
        (cloudstatus.ServiceUnavailableError, "POST", None, False),
        (dms.RequestTimeoutError, "POST", None, True),
        (dms.TooManyRequestsError, "POST", None, True),
        (dms.ContentTooLargeError, "PUT", None, False),
        (dms.ContentTooLargeError, "PUT", 5.0, True),
        (mpc.TooManyRequestsError, "POST", None, True),
        (dms.NotFoundError, "GET", None, False),
        (dms.NotFoundError, "GET", 5.0, True),
        (dms.GatewayTimeoutError, "GET", None, True),
        (dms.GatewayTimeoutError, "POST", None, False),
    ],
)
def test_instance_retryable_follows_the_profile(cls, method, retry_after, retryable):
    """retryable follows the service table's advice, else the standard profile."""
    exc = cls(method=method, retry_after=retry_after)
    assert exc.retryable is retryable
    assert exc.service == cls.service


def test_instance_service_is_none_for_standard_classes():
    """A standard class's instance belongs to no service; a namespace's to its own."""
    assert cloudstatus.ConflictError().service is None
    assert dms.ConflictError().service == "dms"
    assert mpc.ClientError(status_code=420).service == "mpc"


# --- declared services ----------------------------------------------------------------


@pytest.mark.parametrize("service", sorted(NAMESPACES))
def test_declared_namespace_has_the_generated_shape(service):
    """A declared copy of a built-in profile has the same names, aliases and MRO shape."""
    gen = NAMESPACES[service]
    ns = declare_clone(service)
    clone = f"{service}clone"
    assert set(ns.__all__) == set(gen.__all__)
    assert ns.codes == gen.codes
    assert set(ns.STATUS_CLASSES) == set(gen.STATUS_CLASSES)
    assert ns.Error.service == clone
    for name in gen.__all__:
        gen_value, value = getattr(gen, name), getattr(ns, name)
        if not isinstance(gen_value, type):
            continue
        assert value.__name__ == gen_value.__name__, name
        assert shape(value, clone) == shape(gen_value, service), name
    for code, cls in ns.STATUS_CLASSES.items():
        assert cls.status_code == code
        assert cls.service == clone


def test_declare_from_dict_and_file_give_one_module(acme, tmp_path):
    """A profile file with the same data as a dict declares the same namespace."""
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(ACME), encoding="utf-8")
    assert declare(path) is acme
    assert declare(str(path)) is acme
    assert declare(ACME) is acme
    assert declare(get_profile("acme_svc")) is acme
    assert namespace("acme_svc") is acme
    assert "acme_svc" in cloudstatus.services.available()


def test_declared_namespace_contents(acme):
    """The declared namespace has its root, classes, codes and the table's aliases."""
    assert acme.__name__ == "cloudstatus.services.acme_svc"
    assert acme.codes == frozenset({200, 404, 429, 503})
    assert issubclass(acme.ConflictError, cloudstatus.ConflictError)
    assert issubclass(acme.ConflictError, acme.Error)
    assert not issubclass(acme.ConflictError, dms.Error)
    assert acme.NoSuchThingError is acme.NotFoundError
    assert acme.SlowDownError is acme.TooManyRequestsError
    assert acme.BusyError is acme.ServiceUnavailableError
    assert acme.PayloadTooLargeError is acme.ContentTooLargeError
    assert not hasattr(acme, "OKError")  # a 2xx name gives no alias
    assert cloudstatus.services.acme_svc is acme
    assert importlib.import_module("cloudstatus.services.acme_svc") is acme


def test_declare_a_different_profile_under_a_taken_name(acme):
    """A second, different profile under a declared name is refused."""
    changed = {**ACME, "title": "Another Acme"}
    with pytest.raises(ValueError, match="'acme_svc' is already declared"):
        declare(changed)
    assert namespace("acme_svc") is acme


@pytest.mark.parametrize("name", ["dms", "mpc"])
def test_declare_a_builtin_name(name):
    """A built-in service's name cannot be declared again."""
    with pytest.raises(ValueError, match=f"service '{name}' is built in"):
        declare({"service": name, "codes": []})
    assert namespace(name) is NAMESPACES[name]


@pytest.mark.parametrize("name", ["declare", "namespace", "json", "sys", "annotations"])
def test_declare_a_name_the_package_uses(name):
    """A service name that would replace one of the package's own names is refused."""
    before = getattr(cloudstatus.services, name)
    with pytest.raises(ValueError, match=f"service name '{name}' is taken"):
        declare({"service": name, "codes": []})
    assert getattr(cloudstatus.services, name) is before
    assert name not in cloudstatus.services.available()


@pytest.mark.parametrize(
    "data",
    [
        {"service": "Bad-Name", "codes": []},
        {"service": "ok_name", "codes": [{"code": 99}]},
        {"service": "ok_name", "codes": [{"code": 404, "advice": "SOMETIMES"}]},
        {"service": "ok_name"},
    ],
)
def test_declare_a_malformed_profile(data):
    """Malformed profile data is a ValueError naming the problem."""
    with pytest.raises(CatalogError):
        declare(data)


def test_declare_a_hand_built_profile_is_checked():
    """A ServiceProfile built by hand gets the same checks as a file."""
    bad = ServiceProfile(service="Not A Name", title="t", source="", error_body="huawei")
    with pytest.raises(CatalogError, match="lowercase identifier"):
        declare(bad)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_declare_an_unreadable_file(tmp_path, content):
    """A profile file that is not a JSON object is a ValueError naming the file."""
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json"):
        declare(path)


def test_declare_a_missing_file(tmp_path):
    """A missing profile file is a ValueError naming it."""
    with pytest.raises(ValueError, match=r"cannot read profile file .*missing\.json"):
        declare(tmp_path / "missing.json")


def test_declared_errors_pickle(acme):
    """Classes and errors of a declared service pickle by reference."""
    for cls in (acme.Error, acme.ClientError, acme.ConflictError, acme.SlowDownError):
        assert pickle.loads(pickle.dumps(cls)) is cls
    exc = acme.NotFoundError("gone", error_code="ACME.404", request_id="r-9")
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is acme.NotFoundError
    assert (back.service, back.error_code, back.request_id) == ("acme_svc", "ACME.404", "r-9")
    assert back.retryable is False


@pytest.mark.parametrize(
    ("status", "cls_name", "retryable"),
    [
        (404, "NotFoundError", False),
        (503, "ServiceUnavailableError", True),
        (429, "TooManyRequestsError", True),
        (409, "ConflictError", False),
        (502, "BadGatewayError", False),
    ],
)
def test_install_with_a_declared_service(acme, status, cls_name, retryable):
    """A session installed for a declared service raises its classes, retryable per its table."""
    with responses.RequestsMock() as rsps, requests.Session() as s:
        rsps.add(error_response("POST", URL, status, service="acme_svc", error_code="ACME.1"))
        cloudstatus.install(s, service="acme_svc")
        with pytest.raises(acme.Error) as info:
            s.post(URL)
    assert type(info.value) is getattr(acme, cls_name)
    assert info.value.service == "acme_svc"
    assert info.value.error_code == "ACME.1"
    assert info.value.retryable is retryable


def test_error_class_with_a_declared_service(acme):
    """error_class resolves inside a declared namespace, down to its families and root."""
    assert cloudstatus.error_class(409, service="acme_svc") is acme.ConflictError
    assert cloudstatus.error_class(499, service="acme_svc") is acme.ClientError
    assert cloudstatus.error_class(600, service="acme_svc") is acme.Error


def test_status_info_for_a_declared_service(acme):
    """status_info answers from a declared service's profile."""
    info = cloudstatus.status_info(404, service="acme_svc")
    assert (info.name, info.reason) == ("No Such Thing", "Not Found")
    assert (info.advice, info.service, info.description) == (
        Advice.DO_NOT_REPEAT,
        "acme_svc",
        "Gone.",
    )
    other = cloudstatus.status_info(409, service="acme_svc")
    assert (other.service, other.advice, other.name) == (None, Advice.NONE, "Conflict")


# --- the shape of every namespace ---------------------------------------------------------


def every_namespace() -> list[types.ModuleType]:
    """The built-in namespaces and a declared one."""
    return [dms, mpc, declare(ACME)]


@pytest.mark.parametrize("ns", every_namespace(), ids=lambda ns: ns.__name__.rsplit(".")[-1])
def test_dir_lists_only_the_public_names(ns):
    """``dir()`` of a namespace shows ``__all__`` and nothing else but underscore names."""
    # (pytest's assertion rewriting adds names such as "@py_builtins": not identifiers.)
    public = [name for name in dir(ns) if name.isidentifier() and not name.startswith("_")]
    assert public == sorted(ns.__all__)
    assert len(set(ns.__all__)) == len(ns.__all__)
    for helper in ("Final", "Mapping", "MappingProxyType", "annotations"):
        assert not hasattr(ns, helper), helper


def test_declared_namespace_is_documented_like_a_generated_one(acme):
    """A declared namespace's module and classes carry the generated modules' docstrings."""
    assert "Source table: tests/test_services.py." in (acme.__doc__ or "")
    assert "* acme_svc.NotFoundError (404, alias NoSuchThingError)" in (acme.__doc__ or "")
    assert acme.NotFoundError.__doc__.startswith('404 Not Found, from acme_svc (its table: "No ')
    assert "``DO_NOT_REPEAT``" in acme.NotFoundError.__doc__
    assert acme.ClientError.__doc__ == (
        "A 4xx (client error) response from acme_svc with no class of its own."
    )
