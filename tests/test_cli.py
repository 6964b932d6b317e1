"""The command line: every subcommand, its output, and bad arguments."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

import cloudstatus
from cloudstatus._catalog import load_gateway
from cloudstatus._cli import main
from tests.conftest import ALL_CODES, ROOT, SEEDS


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["explain"],
        ["explain", "abc"],
        ["explain", "42"],
        ["explain", "1000"],
        ["explain", "409", "--service", "nope"],
        ["tree", "--service", "nope"],
        ["tree", "--bogus"],
        ["ingest", "missing-file.txt", "--service", "acme"],
        ["ingest", "x.txt"],
        ["ingest", "x.txt", "--service", "dms"],
        ["ingest", "x.txt", "--service", "mpc", "--json"],
        ["explain", "APIGW.9999"],
        ["explain", "APIGW.0308", "--service", "nope"],
        ["explain", "12345"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, capsys):
    """Bad arguments give exit status 2 and a single line on stderr, never a traceback."""
    code, _ = run(*argv)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert err.startswith("cloudstatus")


def test_help_exits_0(capsys):
    """--help prints usage and exits 0."""
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "explain" in capsys.readouterr().out


def test_console_script_and_module_agree():
    """``python -m cloudstatus`` runs the same main, with the same exit status."""
    proc = subprocess.run(
        [sys.executable, "-m", "cloudstatus", "explain", "x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize("code", ALL_CODES)
def test_explain_json_for_every_class(code):
    """explain --json names the class and its MRO for every registered code."""
    status, out = run("explain", str(code), "--json")
    data = json.loads(out)
    assert status == 0
    cls = cloudstatus.error_class(code)
    assert data["class"] == f"cloudstatus.{cls.__name__}"
    assert data["mro"][0] == data["class"]
    assert "cloudstatus.CloudStatusError" in data["mro"]
    assert data["reason"] == cls.reason


def test_explain_service_text():
    """explain with a service shows the table's name, advice and retry verdicts."""
    status, out = run("explain", "503", "--service", "dms")
    assert status == 0
    assert "dms.ServiceUnavailableError" in out
    assert 'yes, as "ServiceUnavailable"' in out
    assert "DO_NOT_REPEAT" in out
    assert "GET" in out and "no" in out


def test_explain_dms_504_uses_its_documented_name():
    """DMS calls 504 ServerTimeout; explain says so."""
    _, out = run("explain", "504", "--service", "dms", "--json")
    data = json.loads(out)
    assert data["name"] == "ServerTimeout"
    assert data["class"] == "dms.GatewayTimeoutError"


def test_explain_success_code_has_no_class():
    """A 2xx code is explained from the catalog, without a class."""
    status, out = run("explain", "201")
    assert status == 0
    assert "1xx and 2xx responses raise nothing" in out


def test_explain_unregistered_code():
    """An unregistered code resolves to its family."""
    _, out = run("explain", "599", "--json")
    assert json.loads(out)["class"] == "cloudstatus.ServerError"


def test_explain_retry_verdicts():
    """The JSON retry verdicts follow the policy: standard 503 retryable for GET only."""
    _, out = run("explain", "503", "--json")
    verdicts = json.loads(out)["retryable"]
    assert verdicts["GET"]["retryable"] is True
    assert verdicts["POST"]["retryable"] is False
    assert verdicts["POST + Retry-After"]["retryable"] is True


@pytest.mark.parametrize("service", [None, "dms", "mpc"])
def test_tree_json_lists_every_class(service):
    """tree --json holds every generated class under its family."""
    argv = ["tree", "--json"] + (["--service", service] if service else [])
    status, out = run(*argv)
    data = json.loads(out)
    codes = sorted(leaf["status_code"] for fam in data["children"] for leaf in fam["children"])
    assert status == 0
    assert codes == ALL_CODES
    assert data["name"] == (f"{service}.Error" if service else "cloudstatus.CloudStatusError")


def test_tree_text_is_indented():
    """The text tree indents leaves under families under the root."""
    _, out = run("tree")
    lines = out.splitlines()
    assert lines[0] == "cloudstatus.CloudStatusError"
    assert "  cloudstatus.ClientError" in lines
    assert "    cloudstatus.ConflictError (409)" in lines


def test_generate_check_passes_on_the_checkout():
    """generate --check exits 0 when the committed files are current."""
    status, out = run("generate", "--check")
    assert status == 0
    assert "up to date" in out


def test_demo_exits_0_and_tabulates():
    """The demo runs on loopback only and prints a row per request."""
    status, out = run("demo")
    assert status == 0
    assert "dms.ConflictError" in out
    assert "dms.TooManyRequestsError" in out
    assert "went to a loopback server only" in out


def test_demo_json_lines():
    """demo --json prints one JSON object per request with the raised class."""
    status, out = run("demo", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    raised = {r["raised"] for r in rows}
    assert {"dms.ConflictError", "mpc.NotFoundError", "cloudstatus.UnauthorizedError"} <= raised
    redirect = next(r for r in rows if "redirect" in r["what"])
    assert redirect["status"] == 409


def test_ingest_writes_a_profile(tmp_path):
    """ingest reads a status page and writes a profile file that declare() accepts."""
    page = tmp_path / "page.txt"
    page.write_text("Status codes\n\n409 Conflict\n\nThe thing exists.\n\n503 Busy\n\nTry later.\n")
    target = tmp_path / "acme.json"
    status, out = run("ingest", str(page), "--service", "acme", "-o", str(target))
    data = json.loads(target.read_text())
    assert status == 0
    assert "2 codes" in out
    assert [c["code"] for c in data["codes"]] == [409, 503]


def test_ingest_to_stdout(tmp_path):
    """Without -o the profile goes to standard output."""
    page = tmp_path / "page.txt"
    page.write_text("404 Not Found\n\nNothing here.\n")
    status, out = run("ingest", str(page), "--service", "acme")
    assert status == 0
    assert json.loads(out)["codes"][0]["name"] == "Not Found"


def test_ingest_page_without_table_exits_2(tmp_path, capsys):
    """A page that yields no table is an error with exit status 2."""
    page = tmp_path / "page.txt"
    page.write_text("Nothing to see here.\n")
    status, _ = run("ingest", str(page), "--service", "acme")
    assert status == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_ingest_bad_service_name_exits_2(tmp_path):
    """A service name that is not a lowercase identifier is refused."""
    page = tmp_path / "page.txt"
    page.write_text("404 Not Found\n")
    assert run("ingest", str(page), "--service", "Bad Name")[0] == 2


@pytest.mark.seeds
@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
@pytest.mark.parametrize("service", ["mpc", "dms"])
def test_ingest_seed_matches_the_committed_profile(service, tmp_path):
    """The CLI turns each seed page into the committed profile's codes, names and advice."""
    target = tmp_path / f"{service}.json"
    status, _ = run(
        "ingest",
        str(SEEDS / f"{service}-status-codes.txt"),
        "--service",
        service,
        "--builtin",
        "-o",
        str(target),
    )
    got = json.loads(target.read_text())["codes"]
    want = cloudstatus.services.get_profile(service).to_mapping()["codes"]
    assert status == 0
    strip = lambda rows: [(r["code"], r["name"], r["advice"]) for r in rows]  # noqa: E731
    assert strip(got) == strip(want)


def test_dunder_main_exits_with_mains_status(monkeypatch, capsys):
    """``python -m cloudstatus`` exits with the status main returns."""
    import runpy

    monkeypatch.setattr(sys, "argv", ["cloudstatus", "explain", "409", "--json"])
    with pytest.raises(SystemExit) as info:
        runpy.run_path(str(ROOT / "cloudstatus" / "__main__.py"), run_name="__main__")
    assert info.value.code == 0
    assert json.loads(capsys.readouterr().out)["class"] == "cloudstatus.ConflictError"


def test_closed_stdout_ends_quietly():
    """``cloudstatus tree | head -1`` exits without a BrokenPipeError traceback."""
    proc = subprocess.run(
        f"{sys.executable} -m cloudstatus tree | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout == "cloudstatus.CloudStatusError\n"
    assert "Traceback" not in proc.stderr


# --- --version, error codes, ingest of Error Code pages ------------------------------------


def test_version_prints_the_version():
    """--version prints the package version and exits 0, with or without a command after it."""
    assert run("--version") == (0, f"cloudstatus {cloudstatus.__version__}\n")
    assert run("--version", "explain", "409") == (0, f"cloudstatus {cloudstatus.__version__}\n")


def test_explain_gateway_error_code_text():
    """explain APIGW.0308 prints the status, class, description, advice and source."""
    status, out = run("explain", "APIGW.0308", "--service", "dms")
    info = cloudstatus.error_code_info("APIGW.0308")
    assert status == 0
    assert out.splitlines()[:2] == ["APIGW.0308", "=========="]
    assert "status:         429 Too Many Requests" in out
    assert "class:          dms.TooManyRequestsError" in out
    assert f"description:    {info.description}" in out
    assert "advice:         MAY_REPEAT (" in out
    assert "source:         the API gateway table" in out


@pytest.mark.parametrize("service", [None, "dms", "mpc"])
@pytest.mark.parametrize("error_code", sorted(load_gateway()))
def test_explain_json_for_every_gateway_code(error_code, service):
    """explain --json gives what error_code_info says of every gateway code, for every service."""
    argv = ["explain", error_code, "--json"] + (["--service", service] if service else [])
    status, out = run(*argv)
    data = json.loads(out)
    info = cloudstatus.error_code_info(error_code, service=service)
    assert status == 0
    assert (data["status_code"], data["description"], data["advice"], data["source"]) == (
        info.status_code,
        info.description,
        info.advice.name,
        "gateway",
    )
    assert data["class"].startswith(f"{service}." if service else "cloudstatus.")


def test_explain_a_service_own_error_code():
    """explain finds a declared service's own error code, which outranks the gateway's row."""
    from cloudstatus.services import declare

    declare(
        {
            "service": "cli_codes_svc",
            "codes": [{"code": 409}],
            "error_codes": [
                {
                    "error_code": "CLI.0409",
                    "status": 409,
                    "description": "Taken.",
                    "advice": "NONE",
                },
                {"error_code": "APIGW.0308", "status": 503, "advice": "DO_NOT_REPEAT"},
            ],
        }
    )
    data = json.loads(run("explain", "CLI.0409", "--service", "cli_codes_svc", "--json")[1])
    assert (data["status_code"], data["source"], data["class"]) == (
        409,
        "cli_codes_svc",
        "cli_codes_svc.ConflictError",
    )
    status, out = run("explain", "APIGW.0308", "--service", "cli_codes_svc")
    assert status == 0
    assert "source:         the cli_codes_svc table" in out
    assert "status:         503 Service Unavailable" in out


def test_explain_unknown_error_code_says_where_it_looked(capsys):
    """An unknown error code exits 2 with one line naming the tables searched."""
    assert run("explain", "DMS.00400999", "--service", "dms")[0] == 2
    err = capsys.readouterr().err
    assert err == (
        "cloudstatus: unknown error code 'DMS.00400999': not in the dms table or the gateway "
        "table; CODE is a status such as 409 or an error code such as APIGW.0308\n"
    )


ERROR_PAGE = """\
Error Codes
Status Code\tError Code\tDescription\tSolution
400\tKILN.0400\tThe firing plan is unreadable.\tModify the request before sending it again.
404\tKILN.0404\tNo kiln has this name.\tCheck the name.
429\tKILN.0429\tThe kiln is busy.\tWait a moment and try again.
"""


def test_ingest_error_code_page_writes_error_codes(tmp_path):
    """ingest -o writes an Error Code page's rows as the profile's error_codes."""
    page = tmp_path / "errors.txt"
    page.write_text(ERROR_PAGE)
    target = tmp_path / "kiln.json"
    status, out = run("ingest", str(page), "--service", "kiln", "-o", str(target))
    data = json.loads(target.read_text())
    assert status == 0
    assert out == f"wrote {target}: 3 error codes\n"
    assert [(r["error_code"], r["status"], r["advice"]) for r in data["error_codes"]] == [
        ("KILN.0400", 400, "DO_NOT_REPEAT"),
        ("KILN.0404", 404, "NONE"),
        ("KILN.0429", 429, "MAY_REPEAT"),
    ]


def test_ingest_prints_a_summary_of_rows_without_advice(tmp_path, capsys):
    """Rows whose advice the ingester could not tell are summed up on stderr, with lines."""
    page = tmp_path / "errors.txt"
    page.write_text(ERROR_PAGE)
    assert run("ingest", str(page), "--service", "kiln")[0] == 0
    assert capsys.readouterr().err == (
        "note: 1 row gave no retry advice the ingester recognises, so advice is NONE: "
        "KILN.0404 (line 4); edit the profile where the page says more\n"
    )


def test_ingest_json_is_the_whole_result(tmp_path):
    """ingest --json prints kind, profile, problems, errors and unclassified rows as JSON."""
    page = tmp_path / "errors.txt"
    page.write_text(ERROR_PAGE + "Updated on 2031-01-01\n")
    target = tmp_path / "kiln.json"
    status, out = run("ingest", str(page), "--service", "kiln", "--json", "-o", str(target))
    data = json.loads(out)
    assert status == 0
    assert data["kind"] == "error"
    assert data["profile"] == json.loads(target.read_text())
    assert data["output"] == str(target)
    assert data["errors"] == []
    assert data["problems"] == [
        "line 6: 'Updated on 2031-01-01' looks like page navigation; left out"
    ]
    assert data["unclassified"] == [{"line": 4, "code": "KILN.0404"}]


def test_ingest_json_of_a_status_page(tmp_path):
    """ingest --json of a Status Code page says so and lists its error rows without advice."""
    page = tmp_path / "page.txt"
    page.write_text("409 Conflict\n\nThe thing exists.\n\n408 Slow\n\nYou can retry.\n")
    status, out = run("ingest", str(page), "--service", "acme", "--json")
    data = json.loads(out)
    assert status == 0
    assert (data["kind"], data["output"]) == ("status", None)
    assert [c["code"] for c in data["profile"]["codes"]] == [408, 409]
    assert data["unclassified"] == [{"line": 1, "code": "409"}]


def test_ingest_rows_that_cannot_be_placed_exit_2_with_line_numbers(tmp_path, capsys):
    """Bad rows exit 2, each reported with its line, and no profile file is written."""
    page = tmp_path / "errors.txt"
    page.write_text(ERROR_PAGE + "4XX\tKILN.0499\tUnclear.\tNone.\n500\t-\tBroken.\tNone.\n")
    target = tmp_path / "kiln.json"
    status, out = run("ingest", str(page), "--service", "kiln", "-o", str(target))
    err = capsys.readouterr().err.splitlines()
    assert status == 2
    assert out == ""
    assert not target.exists()
    assert err[-1] == (
        f"cloudstatus: {page}: 2 rows cannot be placed (lines 6, 7); fix the page and ingest "
        "it again"
    )
    assert err[0].startswith("error: line 6: error code KILN.0499 has status '4XX'")
    assert err[1].startswith("error: line 7: cannot place this row")


def test_ingest_json_with_bad_rows_still_exits_2(tmp_path):
    """With --json, bad rows are in the JSON's errors and the exit status is still 2."""
    page = tmp_path / "errors.txt"
    page.write_text(ERROR_PAGE + "N/A\tKILN.0499\tUnclear.\tNone.\n")
    status, out = run("ingest", str(page), "--service", "kiln", "--json")
    assert status == 2
    assert json.loads(out)["errors"][0].startswith("line 6: error code KILN.0499 has status 'N/A'")


@pytest.mark.parametrize("service", ["dms", "mpc"])
def test_ingest_refuses_a_builtin_service_name(service, tmp_path, capsys):
    """A built-in service's name is refused at ingest time, before the page is read."""
    assert run("ingest", str(tmp_path / "never-read.txt"), "--service", service)[0] == 2
    assert capsys.readouterr().err == (
        f"cloudstatus: '{service}' is a built-in service; ingest your page under another name "
        "(--builtin rebuilds the shipped profile)\n"
    )


def test_ingest_builtin_flag_allows_a_builtin_name(tmp_path):
    """--builtin lets a maintainer rebuild a shipped profile from its page."""
    page = tmp_path / "page.txt"
    page.write_text("409 Conflict\n\nThe thing exists.\n")
    status, out = run("ingest", str(page), "--service", "dms", "--builtin")
    assert status == 0
    assert json.loads(out)["service"] == "dms"
