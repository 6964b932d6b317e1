"""The catalog files and what status_info and error_code_info answer from them."""

from __future__ import annotations

import http
import json

import pytest

import cloudstatus
from cloudstatus._catalog import (
    Advice,
    CatalogError,
    ErrorCodeInfo,
    _catalog_dir,
    declare_profile,
    error_code_info,
    family_of,
    get_profile,
    load_builtin_profile,
    load_gateway,
    load_standard,
    parse_gateway,
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

    for path in [
        _catalog_dir() / "standard.json",
        _catalog_dir() / "gateway.json",
        *(_catalog_dir() / "services").glob("*.json"),
    ]:
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


# --- error codes ------------------------------------------------------------------------

GATEWAY_FILE = json.loads((_catalog_dir() / "gateway.json").read_text(encoding="utf-8"))
GATEWAY_ROWS = GATEWAY_FILE["error_codes"]


def _profile(service: str, error_codes: list[dict[str, object]]) -> dict[str, object]:
    return {"service": service, "codes": [{"code": 409}], "error_codes": error_codes}


def _row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "error_code": "ACME.0001",
        "status": 409,
        "description": "The widget exists.",
        "advice": "DO_NOT_REPEAT",
    }
    row.update(changes)
    return row


@pytest.mark.parametrize(
    ("error_codes", "match"),
    [
        ({"ACME.0001": 409}, r"'error_codes' must be a list of objects such as"),
        (["ACME.0001"], r"error-code entry 'ACME.0001' is not an object"),
        ([_row(error_code=None)], r"needs an 'error_code' string such as 'APIGW.0308'"),
        ([_row(error_code="")], r"needs an 'error_code' string"),
        ([_row(error_code=1001)], r"needs an 'error_code' string"),
        ([_row(error_code=" ACME.0001")], r"without surrounding spaces"),
        (
            [_row(status="409")],
            r"error code ACME.0001 has status '409'; it must be an int in 300-599",
        ),
        ([_row(status=True)], r"has status True; it must be an int in 300-599"),
        ([_row(status=200)], r"has status 200; .*never a 1xx or 2xx"),
        ([_row(status=299)], r"has status 299"),
        ([_row(status=600)], r"has status 600"),
        ([_row(status=None)], r"has status None"),
        ([_row(), _row(status=404)], r"error code ACME.0001 appears twice"),
        ([_row(advice="SOMETIMES")], r"error code ACME.0001 has advice 'SOMETIMES'; use one of"),
        ([_row(advice=None)], r"has advice None; use one of"),
        ([_row(description=["a"])], r"error code ACME.0001 has a non-string 'description'"),
    ],
)
def test_malformed_error_codes_say_what_is_wrong(error_codes, match):
    """Each kind of bad error-code row is a CatalogError naming the row and the rule."""
    with pytest.raises(CatalogError, match=match):
        profile_from_mapping(_profile("acme", error_codes), origin="acme.json")


def test_error_code_status_bounds_are_inclusive():
    """Statuses 300 and 599 are accepted: the rule is 300-599 inclusive."""
    profile = profile_from_mapping(
        _profile("acme", [_row(error_code="A.1", status=300), _row(error_code="A.2", status=599)])
    )
    assert [i.status_code for i in profile.error_codes.values()] == [300, 599]


def test_error_code_defaults():
    """A row without description or advice gets an empty description and Advice.NONE."""
    profile = profile_from_mapping(_profile("acme", [{"error_code": "A.1", "status": 500}]))
    assert profile.error_codes["A.1"] == ErrorCodeInfo("A.1", 500, "", Advice.NONE, "acme")


def test_error_codes_round_trip_through_mapping():
    """A profile with error codes writes them back, sorted by code, as the file holds them."""
    rows = [_row(error_code="B.2", advice="MAY_REPEAT", status=503), _row()]
    profile = profile_from_mapping(_profile("acme", rows))
    data = profile.to_mapping()
    assert data["error_codes"] == sorted(rows, key=lambda r: str(r["error_code"]))
    assert profile_from_mapping(data) == profile


def test_profile_without_error_codes_writes_none():
    """A profile without error codes has no 'error_codes' key, so old files round-trip unchanged."""
    profile = load_builtin_profile("dms")
    assert profile.error_codes == {}
    assert "error_codes" not in profile.to_mapping()


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([], "expected an object with an 'error_codes' list"),
        ({"source": "x"}, "expected an object with an 'error_codes' list"),
        ({"error_codes": [{"error_code": "APIGW.1", "status": 204}]}, "has status 204"),
    ],
)
def test_malformed_gateway_table_says_what_is_wrong(data, match):
    """Errors in the gateway table name the file and the rule broken."""
    with pytest.raises(CatalogError, match=match):
        parse_gateway(data, "gateway.json")


def test_gateway_table_records_its_source():
    """gateway.json names the vendor page its facts come from."""
    assert "Error Codes" in GATEWAY_FILE["source"]
    assert "APIGW" in GATEWAY_FILE["source"]


@pytest.mark.parametrize("row", GATEWAY_ROWS, ids=[r["error_code"] for r in GATEWAY_ROWS])
@pytest.mark.parametrize("service", [None, "dms", "mpc"])
def test_error_code_info_answers_every_gateway_row(row, service):
    """Every gateway row is known to the plain lookup and to every built-in service."""
    info = error_code_info(row["error_code"], service=service)
    assert info == ErrorCodeInfo(
        error_code=row["error_code"],
        status_code=row["status"],
        description=row["description"],
        advice=Advice[row["advice"]],
        source="gateway",
    )


@pytest.mark.parametrize("row", GATEWAY_ROWS, ids=[r["error_code"] for r in GATEWAY_ROWS])
def test_gateway_rows_are_short_apigw_facts(row):
    """Each gateway row is an APIGW code with a one-line description of modest length."""
    assert row["error_code"].startswith("APIGW.")
    assert 0 < len(row["description"]) <= 160
    assert "\n" not in row["description"]


def test_gateway_advice_for_the_codes_people_meet_most():
    """Throttling may be repeated; bad tokens, unknown APIs and missing backends may not."""
    advice = {code: info.advice for code, info in load_gateway().items()}
    assert advice["APIGW.0308"] is Advice.MAY_REPEAT
    assert advice["APIGW.0613"] is Advice.MAY_REPEAT
    assert advice["APIGW.0301"] is Advice.DO_NOT_REPEAT
    assert advice["APIGW.0101"] is Advice.DO_NOT_REPEAT
    assert advice["APIGW.0609"] is Advice.DO_NOT_REPEAT
    assert load_gateway()["APIGW.0308"].status_code == 429


def test_gateway_table_cannot_be_changed():
    """The cached gateway table is read-only, so no caller can alter what others see."""
    with pytest.raises(TypeError):
        load_gateway()["APIGW.9999"] = load_gateway()["APIGW.0308"]  # type: ignore[index]


def test_unknown_error_code_is_none():
    """A code no table knows gives None, with or without a service."""
    assert error_code_info("APIGW.9999") is None
    assert error_code_info("DMS.00400999", service="dms") is None
    assert error_code_info("apigw.0308") is None


@pytest.mark.parametrize("bad", [308, 4.0, None, b"APIGW.0308"])
def test_error_code_info_rejects_non_str(bad):
    """A code that is not a str is a TypeError that says to pass a str."""
    with pytest.raises(
        TypeError, match=r"error_code must be a str such as 'APIGW.0308'.*str\(code\)"
    ):
        error_code_info(bad)


def test_error_code_info_unknown_service():
    """An unknown service is a LookupError listing the known ones, as get_profile raises."""
    with pytest.raises(LookupError, match="unknown service 'nope'; known services are"):
        error_code_info("APIGW.0308", service="nope")


def test_service_table_comes_before_the_gateway_table():
    """A service that documents a gateway code itself answers with its own row."""
    profile = profile_from_mapping(
        _profile(
            "codes_first_svc",
            [_row(error_code="APIGW.0308", status=503, advice="DO_NOT_REPEAT"), _row()],
        )
    )
    declare_profile(profile)
    own = error_code_info("APIGW.0308", service="codes_first_svc")
    assert own is not None
    assert (own.source, own.status_code, own.advice) == (
        "codes_first_svc",
        503,
        Advice.DO_NOT_REPEAT,
    )
    assert (
        error_code_info("ACME.0001", service="codes_first_svc") == profile.error_codes["ACME.0001"]
    )
    # Other services, and the plain lookup, still see the gateway's row.
    assert error_code_info("APIGW.0308", service="dms") is load_gateway()["APIGW.0308"]
    assert error_code_info("ACME.0001", service="dms") is None
    assert error_code_info("ACME.0001") is None
    # Codes the service does not document fall through to the gateway.
    assert error_code_info("APIGW.0301", service="codes_first_svc") is load_gateway()["APIGW.0301"]


def test_declared_service_sees_gateway_codes():
    """A service declared through services.declare() knows every gateway code."""
    from cloudstatus.services import declare

    declare({"service": "codes_gw_svc", "codes": [{"code": 404, "advice": "DO_NOT_REPEAT"}]})
    assert get_profile("codes_gw_svc").error_codes == {}
    for code, info in load_gateway().items():
        assert error_code_info(code, service="codes_gw_svc") is info


def test_error_code_info_is_exported_lazily():
    """cloudstatus.error_code_info and ErrorCodeInfo are the catalog's own objects."""
    assert cloudstatus.error_code_info is error_code_info
    assert cloudstatus.ErrorCodeInfo is ErrorCodeInfo
    assert ErrorCodeInfo.__module__ == "cloudstatus"
