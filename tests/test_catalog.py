"""The catalog files and what status_info answers from them."""

from __future__ import annotations

import http
import json

import pytest

import cloudstatus
from cloudstatus._catalog import (
    CatalogError,
    family_of,
    load_builtin_profile,
    load_standard,
    profile_from_mapping,
)

# Names http.HTTPStatus changed across Python versions, or never matched RFC 9110.
HTTPSTATUS_RENAMED = {413, 414, 416, 422}


def test_standard_table_covers_the_iana_registry():
    """Every IANA-registered 1xx-5xx code is present (104 is a temporary registration)."""
    codes = set(load_standard())
    expected = {100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226}
    expected |= set(range(300, 309))
    expected |= set(range(400, 419)) | {421, 422, 423, 424, 425, 426, 428, 429, 431, 451}
    expected |= set(range(500, 509)) | {510, 511}
    assert codes == expected


@pytest.mark.parametrize("status", list(http.HTTPStatus), ids=lambda s: str(s.value))
def test_phrases_agree_with_httpstatus_where_both_know_the_code(status):
    """Our RFC 9110 phrases match the interpreter's, except where Python renamed them."""
    entry = load_standard().get(status.value)
    if entry is None or entry.unused or status.value in HTTPSTATUS_RENAMED:
        pytest.skip("not comparable")
    assert entry.reason.lower() == status.phrase.lower()


@pytest.mark.parametrize("code", sorted(load_standard()))
def test_every_entry_has_a_description_and_family(code):
    """Each row carries our own short description and the family of its first digit."""
    entry = load_standard()[code]
    assert entry.description
    assert entry.family == family_of(code)


def test_family_of_out_of_range_is_none():
    """Codes outside 100-599 have no family."""
    assert family_of(99) is None and family_of(600) is None


def test_status_info_standard():
    """Without a service, status_info answers from the standard table."""
    info = cloudstatus.status_info(409)
    assert (info.code, info.reason, info.name, info.service) == (409, "Conflict", "Conflict", None)
    assert info.advice is cloudstatus.Advice.NONE


def test_status_info_for_a_documented_service_code():
    """With a service that documents the code, its name and advice."""
    info = cloudstatus.status_info(504, service="dms")
    assert info.name == "ServerTimeout"
    assert info.reason == "Gateway Timeout"
    assert info.documented and info.service == "dms"
    assert cloudstatus.status_info(503, "dms").advice is cloudstatus.Advice.DO_NOT_REPEAT


def test_status_info_for_an_undocumented_service_code_is_standard():
    """MPC does not document 402: the standard entry answers."""
    info = cloudstatus.status_info(402, service="mpc")
    assert info.service is None and info.name == "Payment Required"


def test_status_info_unknown_code():
    """A code no table knows still gets an answer."""
    info = cloudstatus.status_info(799)
    assert (info.reason, info.documented, info.family) == ("", False, None)


def test_status_info_rejects_non_int():
    """A non-int code is a TypeError."""
    with pytest.raises(TypeError):
        cloudstatus.status_info("409")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([], "is an object"),
        ({"service": "Bad Name", "codes": []}, "lowercase identifier"),
        ({"service": "class", "codes": []}, "lowercase identifier"),
        ({"service": "ok"}, "'codes' must be a list"),
        ({"service": "ok", "codes": [1]}, "not an object"),
        ({"service": "ok", "codes": [{"code": "409"}]}, "int 'code'"),
        ({"service": "ok", "codes": [{"code": 409}, {"code": 409}]}, "appears twice"),
        ({"service": "ok", "codes": [{"code": 409, "advice": "SOMETIMES"}]}, "use one of"),
    ],
)
def test_malformed_profiles_say_what_is_wrong(data, match):
    """Profile validation errors name the problem."""
    with pytest.raises(CatalogError, match=match):
        profile_from_mapping(data)


def test_profile_round_trips_through_mapping():
    """to_mapping gives back the data a profile file holds."""
    profile = load_builtin_profile("dms")
    assert profile_from_mapping(profile.to_mapping()) == profile


def test_unknown_builtin_profile():
    """Asking for a profile that does not ship lists those that do."""
    with pytest.raises(LookupError, match="built-in services are dms, mpc"):
        load_builtin_profile("nope")


def test_catalog_files_are_canonically_formatted(tmp_path):
    """The committed JSON is formatted the way tools write it (stable diffs)."""
    from cloudstatus._catalog import _catalog_dir

    for path in [_catalog_dir() / "standard.json", *(_catalog_dir() / "services").glob("*.json")]:
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n", path


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([], "expected an object with a 'codes' list"),
        ({"codes": [{"code": 99}]}, "int 'code' in 100-599"),
        ({"codes": ["x"]}, "int 'code' in 100-599"),
        (
            {"codes": [{"code": 409, "family": "client_error", "reason": "C"}, {"code": 409}]},
            "appears twice",
        ),
        ({"codes": [{"code": 409, "family": "client_error", "retry": "maybe"}]}, "use one of"),
        ({"codes": [{"code": 409, "family": "server_error"}]}, "expected 'client_error'"),
        ({"codes": [{"code": 409, "family": "client_error"}]}, "needs a 'reason'"),
    ],
)
def test_malformed_standard_table_says_what_is_wrong(data, match):
    """Errors in the standard table name the entry and what is expected."""
    from cloudstatus._catalog import _parse_standard

    with pytest.raises(CatalogError, match=match):
        _parse_standard(data, "standard.json")


def test_unreadable_catalog_file_is_a_catalog_error(tmp_path):
    """A file that is not JSON is reported with its path."""
    from cloudstatus._catalog import _read_json

    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(CatalogError, match="cannot read catalog file"):
        _read_json(path)
