"""The command line: every subcommand, its output, and bad arguments."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

import cloudstatus
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
