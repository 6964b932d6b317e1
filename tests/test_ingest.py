"""Tests for the status-code page ingester, ``cloudstatus._ingest``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudstatus._ingest import (
    IngestError,
    IngestResult,
    classify_advice,
    dump_profile,
    ingest_file,
    ingest_text,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PROFILES = Path(__file__).resolve().parents[1] / "cloudstatus" / "catalog" / "services"
SEED_FILES = {"mpc": "mpc-status-codes.txt", "dms": "dms-status-codes.txt"}

# A fictional service laid out like layout A: code and name on one line. The
# blank/whitespace-only lines, tabs and ragged spacing are deliberate.
QUILL_PAGE = """\
1. Docs Home
2. Quillstore API
\u2022 Quillstore
Updated on 2031-04-01 GMT+00:00

Response Codes

Table 1 lists the codes a Quillstore call can answer with.

Table 1 Status codes

Status Code\tDescription

  200   Fine Indeed\x20\x20
\t
Quillstore took the call and answered it.

404\tShelf Missing

No shelf of that label exists in this archive.

Sending the same label again is pointless: you must not resend the request without changes.

Table 2 Status codes (continued)

409 Quill Conflict
Another scribe holds this shelf right now.
409 (Quill Conflict), like 423, comes back while a lock is held.
500 requests a minute is the ceiling per scribe.
429 Too Many Quills Arrived From One Scribe
The caller may retry the request unchanged at any later time.

418 Kettle Busy

451

The archive refuses to show this shelf.

409 Quill Conflict Again

A second row for a code already listed.

503 Scribes Asleep

The archive is resting.
Send the call again once the interval in its Retry-After header has passed."""

# A fictional service laid out like layout B: code, name, description on separate lines.
LANTERN_PAGE = """\
\u2022 Lantern Queue

lanternq
  1. Help Center
  2. Lantern Queue
  3. Reference

Status Code

Table 1 Status codes

Status Code

Name

Description

102

Still Thinking

The queue is working on it and has nothing to say yet.

401
GateClosed
401 (GateClosed), unlike 403, means the pass you showed has lapsed.
401 is also what you get when the pass belongs to another harbour.

404

Harbour Not Charted

The harbour you named is on no chart.

You should change the request rather than sending it again as is.

Status Code
Name
Description

408
Lantern Dimmed
The lantern went dark before your request finished arriving.
Clients can safely resend the request unchanged at any time.

429
SlowDown
Too many lanterns lit at once.
A Retry-After value says when to light the next one; do not resend before then.

507
Hold Full

600
Beyond Range
Codes above 599 are not HTTP codes.

404
Duplicate Chart
A second row for a code already listed.

503
This row has lost its name and goes straight on to its description.
Parent topic: Reference"""


def line_of(page: str, text: str) -> int:
    """The 1-based number of the first line of ``page`` whose stripped text is ``text``."""
    lines = [line.strip() for line in page.splitlines()]
    return lines.index(text) + 1


def rows(result: IngestResult) -> dict[int, dict[str, object]]:
    codes = result.profile["codes"]
    assert isinstance(codes, list)
    return {row["code"]: row for row in codes}


def facts(profile: dict[str, object]) -> list[tuple[object, object, object]]:
    codes = profile["codes"]
    assert isinstance(codes, list)
    return [(row["code"], row["name"], row["advice"]) for row in codes]


@pytest.fixture
def seeds() -> Path:
    if not all((SEEDS / name).is_file() for name in SEED_FILES.values()):
        pytest.skip(f"the vendor seed pages are not in {SEEDS}")
    return SEEDS


# --- the seeds -----------------------------------------------------------------------------


@pytest.mark.seeds
@pytest.mark.parametrize("service", sorted(SEED_FILES))
def test_seed_matches_committed_profile(seeds: Path, service: str) -> None:
    """Ingesting a seed page gives the committed profile's codes, names and advice, cleanly."""
    result = ingest_file(seeds / SEED_FILES[service], service)
    committed = json.loads((PROFILES / f"{service}.json").read_text(encoding="utf-8"))
    assert facts(result.profile) == facts(committed)
    assert result.problems == []
    assert result.profile["service"] == service
    assert result.profile["source"] == SEED_FILES[service]
    assert result.profile["error_body"] == "huawei"


@pytest.mark.seeds
def test_seed_facts_from_design(seeds: Path) -> None:
    """The seed pages yield exactly the codes and advice DESIGN.md lists."""
    mpc = rows(ingest_file(seeds / SEED_FILES["mpc"], "mpc"))
    dms = rows(ingest_file(seeds / SEED_FILES["dms"], "dms"))
    assert set(mpc) == {200, 201, 202, 204, 400, 401, *range(403, 410), *range(500, 505)}
    assert set(dms) == {
        100,
        101,
        *range(201, 207),
        *range(300, 307),
        *range(400, 418),
        422,
        429,
        *range(500, 506),
    }
    do_not_repeat = {400, 403, 404, 405, 503}
    for table, wait_retry_after in ((mpc, set()), (dms, {413, 429})):
        for code, row in table.items():
            if code in do_not_repeat:
                expected = "DO_NOT_REPEAT"
            elif code == 408:
                expected = "MAY_REPEAT"
            elif code in wait_retry_after:
                expected = "WAIT_RETRY_AFTER"
            else:
                expected = "NONE"
            assert row["advice"] == expected, (code, row)


@pytest.mark.seeds
def test_seed_names_that_differ_from_rfc(seeds: Path) -> None:
    """Names are kept exactly as the page spells them, even where they differ from RFC 9110."""
    dms = rows(ingest_file(seeds / SEED_FILES["dms"], "dms"))
    assert dms[413]["name"] == "Request Entity Too Large"
    assert dms[414]["name"] == "Request-URI Too Large"
    assert dms[504]["name"] == "ServerTimeout"
    assert dms[404]["name"] == "NotFound"
    assert dms[408]["name"] == "Request Time-out"


@pytest.mark.seeds
def test_seed_description_that_starts_like_a_row(seeds: Path) -> None:
    """The 407 rows' "similar to 401" sentences stay description text in both layouts."""
    for service in SEED_FILES:
        table = rows(ingest_file(seeds / SEED_FILES[service], service))
        assert "401" in str(table[407]["description"])
        assert table[401]["name"] == "Unauthorized"


@pytest.mark.parametrize("service", sorted(SEED_FILES))
def test_dump_profile_matches_committed_bytes(service: str) -> None:
    """dump_profile reproduces a committed profile file byte for byte from its parsed content."""
    raw = (PROFILES / f"{service}.json").read_bytes()
    assert dump_profile(json.loads(raw)).encode("utf-8") == raw


def test_dump_profile_round_trips() -> None:
    """dump_profile output parses back to the same profile, keeps non-ASCII, ends in a newline."""
    profile = ingest_text("200 Tout Va Bien\n\nÇa marche \u2014 très bien.\n", "demo").profile
    text = dump_profile(profile)
    assert json.loads(text) == profile
    assert "Ça marche \u2014 très bien." in text
    assert text.endswith("}\n")


# --- layout A ------------------------------------------------------------------------------


def test_layout_a_page() -> None:
    """A one-line-row page gives each code its name, joined description and advice."""
    result = ingest_text(QUILL_PAGE, "quillstore")
    table = rows(result)
    assert list(table) == [200, 404, 409, 418, 451, 503]
    assert table[200] == {
        "code": 200,
        "name": "Fine Indeed",
        "advice": "NONE",
        "description": "Quillstore took the call and answered it.",
    }
    assert table[404]["name"] == "Shelf Missing"
    assert table[404]["advice"] == "DO_NOT_REPEAT"
    assert table[404]["description"] == (
        "No shelf of that label exists in this archive. Sending the same label again is "
        "pointless: you must not resend the request without changes."
    )
    assert table[409]["name"] == "Quill Conflict"
    assert table[409]["advice"] == "MAY_REPEAT"
    assert table[409]["description"] == (
        "Another scribe holds this shelf right now. "
        "409 (Quill Conflict), like 423, comes back while a lock is held. "
        "500 requests a minute is the ceiling per scribe. "
        "429 Too Many Quills Arrived From One Scribe "
        "The caller may retry the request unchanged at any later time."
    )
    assert table[418] == {"code": 418, "name": "Kettle Busy", "advice": "NONE", "description": ""}
    assert table[451]["name"] == ""
    assert table[451]["description"] == "The archive refuses to show this shelf."
    assert table[503]["advice"] == "WAIT_RETRY_AFTER"
    assert result.problems == [
        f"line {line_of(QUILL_PAGE, '451')}: code 451 has no name",
        f"line {line_of(QUILL_PAGE, '409 Quill Conflict Again')}: code 409 appears again "
        f"(first at line {line_of(QUILL_PAGE, '409 Quill Conflict')}); kept the first",
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_do_not_matter(newline: str) -> None:
    """CRLF and CR pages give the same profile and line numbers as LF pages."""
    expected = ingest_text(QUILL_PAGE, "quillstore")
    assert ingest_text(QUILL_PAGE.replace("\n", newline), "quillstore") == expected
    expected = ingest_text(LANTERN_PAGE, "lanternq")
    assert ingest_text(LANTERN_PAGE.replace("\n", newline), "lanternq") == expected


ROW_LINES = [
    "404 Not Found",
    "  404\tNot   Found  ",
    "404 Request-URI Too Large",
    "404 (Unused)",
    "404 I'm a teapot",
    "404 HTTP Version not supported",
    "404 One Two Three Four Five Six",
]
NOT_ROW_LINES = [
    "404 (Unauthorized), but the proxy asks first",
    "404 Not Found.",
    "404 requests per minute is the cap",
    "404 One Two Three Four Five Six Seven",
    "404 Status Code",
    "404 Not Found: see below",
    '404 Not "Found"',
    "4040 Not Found",
    "40 Not Found",
    "404. Not Found",
]


@pytest.mark.parametrize("line", ROW_LINES)
def test_one_line_row_rule_accepts(line: str) -> None:
    """A code followed by a short capitalised phrase without sentence punctuation starts a row."""
    result = ingest_text(f"200 OK\n\nFine.\n\n{line}\n\nGone.\n", "demo")
    assert list(rows(result)) == [200, 404]
    assert rows(result)[404]["name"] == " ".join(line.split()[1:])
    assert rows(result)[404]["description"] == "Gone."


@pytest.mark.parametrize("line", NOT_ROW_LINES)
def test_one_line_row_rule_rejects(line: str) -> None:
    """A line that starts with a number but reads like a sentence stays description text."""
    result = ingest_text(f"200 OK\n\nFine.\n\n{line}\n\nGone.\n", "demo")
    assert list(rows(result)) == [200]
    assert rows(result)[200]["description"] == f"Fine. {' '.join(line.split())} Gone."
    assert result.problems == []


def test_page_furniture_after_the_table_is_reported() -> None:
    """Navigation or footer lines after the table started are reported and left out."""
    page = "200 OK\nFine.\nUpdated on 2031-01-01\n\u00a9 2031 Nobody\nMore of 200.\n"
    result = ingest_text(page, "demo")
    assert rows(result)[200]["description"] == "Fine. More of 200."
    assert result.problems == [
        "line 3: 'Updated on 2031-01-01' looks like page navigation; left out",
        "line 4: '\u00a9 2031 Nobody' looks like page navigation; left out",
    ]


# --- layout B ------------------------------------------------------------------------------


def test_layout_b_page() -> None:
    """A code/name/description page gives each code its name, joined description and advice."""
    result = ingest_text(LANTERN_PAGE, "lanternq")
    table = rows(result)
    assert list(table) == [102, 401, 404, 408, 429, 503, 507]
    assert table[102] == {
        "code": 102,
        "name": "Still Thinking",
        "advice": "NONE",
        "description": "The queue is working on it and has nothing to say yet.",
    }
    assert table[401]["name"] == "GateClosed"
    assert table[401]["description"] == (
        "401 (GateClosed), unlike 403, means the pass you showed has lapsed. "
        "401 is also what you get when the pass belongs to another harbour."
    )
    assert table[404]["name"] == "Harbour Not Charted"
    assert table[404]["advice"] == "DO_NOT_REPEAT"
    assert table[408]["advice"] == "MAY_REPEAT"
    assert table[429]["advice"] == "WAIT_RETRY_AFTER"
    assert table[503] == {
        "code": 503,
        "name": "",
        "advice": "NONE",
        "description": "This row has lost its name and goes straight on to its description.",
    }
    assert table[507] == {"code": 507, "name": "Hold Full", "advice": "NONE", "description": ""}
    lines = LANTERN_PAGE.splitlines()
    second_404 = len(lines) - lines[::-1].index("404")
    assert result.problems == [
        f"line {line_of(LANTERN_PAGE, '600')}: code 600 is outside 100-599; row skipped",
        f"line {second_404}: code 404 appears again "
        f"(first at line {line_of(LANTERN_PAGE, '404')}); kept the first",
        f"line {line_of(LANTERN_PAGE, '503')}: code 503 has no name",
        f"line {len(lines)}: 'Parent topic: Reference' looks like page navigation; left out",
    ]


def test_layout_b_one_line_row_inside_description_is_reported() -> None:
    """On a code/name/description page, a "409 Conflict" line stays description but is reported."""
    page = "400\nBadScroll\nIllegible.\n409 Conflict\n401\nNoSeal\nUnsigned.\n"
    result = ingest_text(page, "demo")
    assert list(rows(result)) == [400, 401]
    assert rows(result)[400]["description"] == "Illegible. 409 Conflict"
    assert result.problems == [
        "line 4: '409 Conflict' looks like a one-line row, but this page puts the name "
        "on its own line; kept as description of 400"
    ]


@pytest.mark.parametrize(
    ("after_code", "name", "description"),
    [
        ("Not Found", "Not Found", "Gone."),
        ("The thing is gone.", "", "The thing is gone. Gone."),
        ("Description", "", "Gone."),
        ("409 Conflict", "", "409 Conflict Gone."),
    ],
)
def test_layout_b_name_line(after_code: str, name: str, description: str) -> None:
    """The line after a bare code is its name only when it reads like one."""
    page = f"200\nOK\nFine.\n404\n{after_code}\nGone.\n"
    row = rows(ingest_text(page, "demo"))[404]
    assert (row["name"], row["description"]) == (name, description)


def test_layout_b_row_without_name_or_description() -> None:
    """A bare code directly followed by the next code, or by the end, is a row with neither."""
    result = ingest_text("200\nOK\n201\n202", "demo")
    assert rows(result)[201] == {"code": 201, "name": "", "advice": "NONE", "description": ""}
    assert rows(result)[202]["name"] == ""
    assert result.problems == ["line 3: code 201 has no name", "line 4: code 202 has no name"]


# --- layout choice -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "codes"),
    [
        ("200 OK\nFine.\n201\nCreated\n", [200, 201]),  # tie: layout A, so 201 has no name
        ("201\nCreated\n200 OK\nFine.\n", [201]),  # tie: layout B, so "200 OK" is text
        ("200 OK\n201 Made\n202\nTaken\n", [200, 201, 202]),  # layout A wins
        ("200 OK\n201\nMade\n202\nTaken\n", [201, 202]),  # layout B wins
    ],
)
def test_layout_is_the_more_common_row_kind(page: str, codes: list[int]) -> None:
    """The page's layout is the row kind it holds more of, ties going to the first seen."""
    assert list(rows(ingest_text(page, "demo"))) == codes


def test_preamble_is_not_a_problem() -> None:
    """Unrecognised lines before the first row are dropped without a problem."""
    page = "Whatever this is\n  42 things\nStatus Code | Name\n\n200 OK\nFine.\n"
    result = ingest_text(page, "demo")
    assert list(rows(result)) == [200]
    assert result.problems == []


def test_headers_after_the_table_started_are_skipped() -> None:
    """Repeated table headers and captions inside the table are skipped silently."""
    page = "200 OK\nFine.\nStatus Code\nName | Description\nTable 3 More codes\nStill 200.\n"
    result = ingest_text(page, "demo")
    assert rows(result)[200]["description"] == "Fine. Still 200."
    assert result.problems == []


def test_byte_order_mark_is_ignored() -> None:
    """A leading byte-order mark does not hide the first row."""
    assert list(rows(ingest_text("\ufeff200 OK\nFine.\n", "demo"))) == [200]


# --- errors and options --------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        "",
        "   \n\t\r\n",
        "Status Codes\n\nThere is no table here, only prose about 404 errors.\n",
        "Status Code\nName\nDescription\n",
        "1. Help Center\n2. Reference\n2023\n",
    ],
)
def test_page_without_rows_raises(page: str) -> None:
    """A page with nothing like a status-code row raises IngestError saying what was expected."""
    with pytest.raises(IngestError, match=r"no status-code rows found.*'404 Not Found'"):
        ingest_text(page, "demo")


def test_page_with_only_out_of_range_codes_raises() -> None:
    """A page whose rows all have codes outside 100-599 raises IngestError."""
    with pytest.raises(IngestError, match="100-599"):
        ingest_text("600 Beyond\nNo.\n099 Below\nNo.\n", "demo")


def test_ingest_error_is_a_value_error() -> None:
    """IngestError can be caught as ValueError."""
    assert issubclass(IngestError, ValueError)


@pytest.mark.parametrize("service", ["DMS", "1abc", "my-svc", "", "class", "dms ", "émc", 3])
def test_bad_service_name(service: object) -> None:
    """A service name that is not a lowercase, non-keyword identifier is a ValueError."""
    with pytest.raises(ValueError, match="lowercase identifier"):
        ingest_text("200 OK\n", service)  # type: ignore[arg-type]


def test_profile_metadata() -> None:
    """title and source default to the service name and "", and error_body to "huawei"."""
    default = ingest_text("200 OK\n", "my_svc2").profile
    assert {k: default[k] for k in ("service", "title", "source", "error_body")} == {
        "service": "my_svc2",
        "title": "my_svc2",
        "source": "",
        "error_body": "huawei",
    }
    given_ = ingest_text("200 OK\n", "x", title="X", source="docs", error_body="google").profile
    assert (given_["title"], given_["source"], given_["error_body"]) == ("X", "docs", "google")
    assert list(given_) == ["service", "title", "source", "error_body", "codes"]


def test_ingest_file(tmp_path: Path) -> None:
    """ingest_file reads UTF-8 leniently, drops a BOM, and names the file as the source."""
    path = tmp_path / "codes.txt"
    path.write_bytes(b"\xef\xbb\xbf200 OK\r\nFine \xff.\r\n")
    result = ingest_file(path, "demo")
    assert rows(result)[200]["description"] == "Fine \ufffd."
    assert result.profile["source"] == "codes.txt"
    other = ingest_file(str(path), "demo", title="Demo", source="vendor docs")
    assert (other.profile["title"], other.profile["source"]) == ("Demo", "vendor docs")


def test_profile_is_accepted_by_catalog() -> None:
    """The ingested profile passes the catalog's own profile validation, advice names included."""
    catalog = pytest.importorskip("cloudstatus._catalog")
    profile = ingest_text(LANTERN_PAGE, "lanternq").profile
    loaded = catalog.profile_from_mapping(profile)
    assert loaded.to_mapping() == profile
    assert {a.name for a in catalog.Advice} == {
        "DO_NOT_REPEAT",
        "MAY_REPEAT",
        "WAIT_RETRY_AFTER",
        "NONE",
    }


# --- advice --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        ("The client should not repeat the request without modifications.", "DO_NOT_REPEAT"),
        ("The client should modify the request instead of re-initiating it.", "DO_NOT_REPEAT"),
        ("Callers must not repeat this call.", "DO_NOT_REPEAT"),
        ("You should not re-initiate the request without modification.", "DO_NOT_REPEAT"),
        ("SHOULD   NOT\n\tREPEAT it", "DO_NOT_REPEAT"),
        ("Don't resend it.", "DO_NOT_REPEAT"),
        ("You can\u2019t retry this one.", "DO_NOT_REPEAT"),
        ("The caller cannot resubmit.", "DO_NOT_REPEAT"),
        ("A client may not repeat the request.", "DO_NOT_REPEAT"),
        ("Fix the input: you need to correct the request.", "DO_NOT_REPEAT"),
        (
            "The client may repeat the request without modifications at any later time.",
            "MAY_REPEAT",
        ),
        (
            "The client may re-initiate the request without any modification at any time.",
            "MAY_REPEAT",
        ),
        ("Clients can retry.", "MAY_REPEAT"),
        ("It could safely resend the call.", "MAY_REPEAT"),
        ("The client may retry after a while.", "MAY_REPEAT"),
        (
            "The client should re-initiate requests after the time specified in the "
            "Retry-After header of the response expires.",
            "WAIT_RETRY_AFTER",
        ),
        ("If temporary, the response will contain a Retry-After field.", "WAIT_RETRY_AFTER"),
        ("See the retry\u2011after header.", "WAIT_RETRY_AFTER"),
        ("Do not repeat it before the Retry-After time.", "WAIT_RETRY_AFTER"),
        ("Should not repeat unchanged; may repeat once fixed.", "DO_NOT_REPEAT"),
        ("The server may close the connection.", "NONE"),
        ("The client should continue to send the remaining part.", "NONE"),
        ("Retry after a while.", "MAY_REPEAT"),
        ("The repeated request failed.", "NONE"),
        ("", "NONE"),
    ],
)
def test_classify_advice(text: str, advice: str) -> None:
    """classify_advice recognises each wording, case and spacing aside, with Retry-After first."""
    assert classify_advice(text) == advice


# --- robustness ----------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "",
        "  ",
        "404",
        "600",
        "000",
        "200 OK",
        "409 Conflict",
        "Not Found",
        "Status Code",
        "Table 1 Status codes",
        "Updated on 2031",
        "1. Help Center",
        "401 (Unauthorized), but",
        "\ufeff",
        "\r",
        "\t",
        "The client should not repeat the request.",
        "Error Code",
        "HTTP Status Code",
        "Status Code\tError Code\tSolution",
        "| Error Code | Status Code |",
        "APIGW.0308",
        "10240002",
        "429\tAPIGW.0308\tWait a moment and try again.",
        "5XX",
        "\tcontinued",
    ]
)


@settings(database=None, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(FRAGMENTS, st.text(max_size=12))).map("\n".join)))
def test_any_text_either_ingests_or_raises_ingest_error(text: str) -> None:
    """Any text gives a well-formed profile or an IngestError, never another exception."""
    try:
        result = ingest_text(text, "fuzz")
    except IngestError:
        return
    table = rows(result)
    codes = list(table)
    assert codes == sorted(set(codes))
    assert all(table[code]["code"] == code for code in codes)
    assert all(100 <= code <= 599 for code in codes)
    assert all(isinstance(problem, str) for problem in result.problems + result.errors)
    assert all(isinstance(code, str) for _, code in result.unclassified)
    for row in result.profile.get("error_codes", []):  # type: ignore[attr-defined]
        assert 300 <= row["status"] <= 599
    assert json.loads(dump_profile(result.profile)) == result.profile


# --- Error Code pages ----------------------------------------------------------------------

# A fictional service's error-code table dumped one row a line, cells separated by tabs,
# with the message and solution columns some vendors add, a row spilling onto a second
# line, a repeated header, page furniture and rows that cannot be placed.
ANVIL_ROWS_PAGE = """\
1. Help Center
2. Anvil Works API
Error Codes

Table 1 lists the codes an Anvil call can fail with.

Table 1 Error codes

Status Code\tError Code\tError Message\tDescription\tSolution
400\tANVIL.0400\tBad spec.\tThe spec is unreadable.\tModify the request before sending it again.
404\tANVIL.0404\tNo anvil.\tNo anvil has this name.\tCheck the name.
429\tANVIL.0429\tToo fast.\tThe smithy takes ten calls a second.\tWait a moment and try again.
\tIf it keeps happening, spread the calls out.
Status Code\tError Code\tError Message\tDescription\tSolution
503\tANVIL.0503\tForge cold.\tIt warms up.\tResend after the time in the Retry-After header.
5XX\tANVIL.0500\tForge broken.\tSomething inside broke.\tCall support.
500\tnot-a-code\tOops.\tNothing to place.\tNothing.
202\tANVIL.0202\tQueued.\tThe job waits in line.\tNothing to do.
409\tANVIL.0404\tTaken.\tA second row for a code already listed.\tRename it.
Updated on 2031-04-01
"""

# Another fictional service, dumped one cell a line in the order some pages use:
# error code first, the status in the third column, blank lines anywhere, a message
# running over two lines, a solution spilling into bullets.
BELLOWS_CELLS_PAGE = """\
Bellows API Reference

Error Code

Error Code

Error Message

HTTP Status Code

Description

Solution

BLW.1001

The bellows is torn.

Patch it first.

410

The bellows was retired.

You should change the request to name another bellows.

BLW.2001

Too many puffs.

429

The bellows is rate limited.

The client may send the request again later.

  \u2022 Spread the puffs out.

BLW.3001

Hearth failure.

N/A

The hearth went out.

Nothing to do.

BLW.4001

Soot.

503

Soot blocks the flue.

Sweep the flue.
Parent topic: Appendix
"""

# The status column first, as the Status Code / Error Code / Description pages lay it out.
STATUS_FIRST_CELLS_PAGE = """\
Table 1 Error codes

Status Code

Error Code

Description

400

10240002

Too many queues were asked for at once. Correct the query and retry.

401

10240101

The token is not valid.

ANVIL.9

Lost cell: this code has no status above it.
"""


def error_rows(result: IngestResult) -> dict[str, dict[str, object]]:
    table = result.profile["error_codes"]
    assert isinstance(table, list)
    return {str(row["error_code"]): row for row in table}


def test_error_code_page_one_row_a_line() -> None:
    """A tab-separated Error Code page gives each row its status, description and advice."""
    result = ingest_text(ANVIL_ROWS_PAGE, "anvil")
    assert result.kind == "error"
    assert result.profile["codes"] == []
    table = error_rows(result)
    assert list(table) == ["ANVIL.0400", "ANVIL.0404", "ANVIL.0429", "ANVIL.0503"]
    assert table["ANVIL.0400"] == {
        "error_code": "ANVIL.0400",
        "status": 400,
        "description": "The spec is unreadable.",
        "advice": "DO_NOT_REPEAT",
    }
    assert table["ANVIL.0404"]["advice"] == "NONE"
    assert table["ANVIL.0429"]["status"] == 429
    assert table["ANVIL.0429"]["advice"] == "MAY_REPEAT"
    assert table["ANVIL.0503"]["advice"] == "WAIT_RETRY_AFTER"
    assert result.unclassified == [(_line_starting(ANVIL_ROWS_PAGE, "404"), "ANVIL.0404")]


def _line_starting(page: str, start: str) -> int:
    return next(i for i, line in enumerate(page.splitlines(), 1) if line.startswith(start))


def test_error_code_page_rows_that_cannot_be_placed_name_their_lines() -> None:
    """A non-numeric status and a missing error code are errors naming their lines, not guesses."""
    result = ingest_text(ANVIL_ROWS_PAGE, "anvil")
    bad_status = _line_starting(ANVIL_ROWS_PAGE, "5XX")
    no_code = _line_starting(ANVIL_ROWS_PAGE, "500\tnot-a-code")
    assert result.errors == [
        f"line {bad_status}: error code ANVIL.0500 has status '5XX', not a status code in "
        "100-599; row left out (fix the page: a status is never guessed)",
        f"line {no_code}: cannot place this row: its 'Error Code' cell is 'not-a-code', "
        "not an error code such as APIGW.0308",
    ]
    assert "ANVIL.0500" not in error_rows(result)


def test_error_code_page_problems_are_reported_not_fatal() -> None:
    """A 2xx row, a repeated code and page furniture are left out with a problem line each."""
    result = ingest_text(ANVIL_ROWS_PAGE, "anvil")
    assert result.problems == [
        f"line {_line_starting(ANVIL_ROWS_PAGE, '202')}: error code ANVIL.0202 comes with "
        "status 202, not an error; left out",
        f"line {_line_starting(ANVIL_ROWS_PAGE, '409')}: error code ANVIL.0404 appears again "
        f"(first at line {_line_starting(ANVIL_ROWS_PAGE, '404')}); kept the first",
        f"line {_line_starting(ANVIL_ROWS_PAGE, 'Updated')}: 'Updated on 2031-04-01' looks "
        "like page navigation; left out",
    ]
    assert error_rows(result)["ANVIL.0404"]["status"] == 404


def test_error_code_page_one_cell_a_line() -> None:
    """A one-cell-a-line page with the error code first finds each row's cells around its code."""
    result = ingest_text(BELLOWS_CELLS_PAGE, "bellows")
    table = error_rows(result)
    assert table == {
        "BLW.1001": {
            "error_code": "BLW.1001",
            "status": 410,
            "description": "The bellows was retired.",
            "advice": "DO_NOT_REPEAT",
        },
        "BLW.2001": {
            "error_code": "BLW.2001",
            "status": 429,
            "description": "The bellows is rate limited.",
            "advice": "MAY_REPEAT",
        },
        "BLW.4001": {
            "error_code": "BLW.4001",
            "status": 503,
            "description": "Soot blocks the flue.",
            "advice": "NONE",
        },
    }
    assert result.errors == [
        f"line {line_of(BELLOWS_CELLS_PAGE, 'N/A')}: error code BLW.3001 has status 'N/A', "
        "not a status code in 100-599; row left out (fix the page: a status is never guessed)"
    ]
    assert result.unclassified == [(line_of(BELLOWS_CELLS_PAGE, "BLW.4001"), "BLW.4001")]
    assert result.problems == [
        f"line {line_of(BELLOWS_CELLS_PAGE, 'Parent topic: Appendix')}: 'Parent topic: "
        "Appendix' looks like page navigation; left out"
    ]


def test_error_code_page_status_first_cells() -> None:
    """Status-first cells pair each code with the line above; a code with none there is an error."""
    result = ingest_text(STATUS_FIRST_CELLS_PAGE, "queues")
    assert error_rows(result) == {
        "10240002": {
            "error_code": "10240002",
            "status": 400,
            "description": ("Too many queues were asked for at once. Correct the query and retry."),
            "advice": "DO_NOT_REPEAT",
        },
        "10240101": {
            "error_code": "10240101",
            "status": 401,
            "description": "The token is not valid.",
            "advice": "NONE",
        },
    }
    assert result.errors == [
        f"line {line_of(STATUS_FIRST_CELLS_PAGE, 'ANVIL.9')}: cannot place the row of ANVIL.9: "
        "the lines just above it are not its 'status' cells"
    ]


@pytest.mark.parametrize("separator", ["\t", " | "])
def test_error_code_page_separators_and_markdown(separator: str) -> None:
    """Tab-separated and pipe-separated (Markdown) rows read the same."""
    cells = [
        ["Error Code", "HTTP Status Code", "Description"],
        ["---", "---", "---"],
        ["KILN.0308", "429", "Throttled. Try again later."],
    ]
    lines = [separator.join(row) for row in cells]
    if separator != "\t":
        lines = [f"| {line} |" for line in lines]
    result = ingest_text("\n".join(lines), "kiln")
    assert result.profile["error_codes"] == [
        {
            "error_code": "KILN.0308",
            "status": 429,
            "description": "Throttled. Try again later.",
            "advice": "MAY_REPEAT",
        }
    ]
    assert result.errors == []


def test_error_code_page_unknown_columns_are_passed_over() -> None:
    """A column the ingester does not read (Category) is skipped; the others still line up."""
    page = (
        "Category\tError Code\tNotes\tStatus Code\tDescription\n"
        "Quota\tKILN.0429\tsee FAQ\t429\tToo many firings. Try again later.\n"
    )
    assert ingest_text(page, "kiln").profile["error_codes"] == [
        {
            "error_code": "KILN.0429",
            "status": 429,
            "description": "Too many firings. Try again later.",
            "advice": "MAY_REPEAT",
        }
    ]


@pytest.mark.parametrize(
    "header",
    [
        "Error Code\tDescription",  # no status column
        "Status Code\tDescription\tName",  # no error-code column (a Status Code page)
        "Error Code\tStatus Code\tHTTP Status Code",  # the status column twice
    ],
)
def test_tab_lines_that_are_not_an_error_code_header(header: str) -> None:
    """A header without both key columns, or with one twice, does not make an Error Code page."""
    with pytest.raises(IngestError, match="no status-code rows"):
        ingest_text(f"{header}\nKILN.0001\t400\tx\n", "kiln")


def test_error_code_page_message_stands_in_for_a_missing_description() -> None:
    """Without a description column the error message is the description."""
    page = "Error Code\tStatus Code\tError Message\nKILN.0001\t400\tThe kiln is cold.\n"
    table = error_rows(ingest_text(page, "kiln"))
    assert table["KILN.0001"]["description"] == "The kiln is cold."


def test_error_code_header_without_rows_raises() -> None:
    """A page with an error-code header and nothing under it is an IngestError saying so."""
    with pytest.raises(IngestError, match="error-code table header but no rows"):
        ingest_text("Status Code\tError Code\tDescription\n\nNothing follows.\n", "kiln")


def test_error_code_page_profile_is_accepted_by_catalog() -> None:
    """An Error Code page's profile loads into the catalog and writes back unchanged."""
    from cloudstatus import _catalog as catalog

    profile = ingest_text(BELLOWS_CELLS_PAGE, "bellows", title="Bellows", source="p.txt").profile
    loaded = catalog.profile_from_mapping(profile)
    assert loaded.to_mapping() == profile
    assert loaded.error_codes["BLW.2001"].source == "bellows"


def test_status_page_reports_error_rows_without_advice() -> None:
    """On a Status Code page, 3xx-5xx rows with no recognised advice are listed; 2xx are not."""
    result = ingest_text(QUILL_PAGE, "quillstore")
    assert result.kind == "status"
    assert result.errors == []
    assert [code for _, code in result.unclassified] == ["418", "451"]


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        # Issue 14's wordings, and their neighbours.
        ("Modify the request before sending it again.", "DO_NOT_REPEAT"),
        ("Change the request parameters and try again.", "DO_NOT_REPEAT"),
        ("Please correct the request body, then resend it.", "DO_NOT_REPEAT"),
        ("The request must be modified before it is sent again.", "DO_NOT_REPEAT"),
        ("Resend only after fixing the token.", "DO_NOT_REPEAT"),
        ("Fix the URL; the call will fail as it is.", "DO_NOT_REPEAT"),
        ("The client may send the request again later.", "MAY_REPEAT"),
        ("You can submit the request again.", "MAY_REPEAT"),
        ("The request may be sent again at any time.", "MAY_REPEAT"),
        ("It can safely be retried.", "MAY_REPEAT"),
        ("Wait a moment and try again.", "MAY_REPEAT"),
        ("Wait 2 to 5 seconds before resending the request.", "MAY_REPEAT"),
        ("Please wait a while, then retry.", "MAY_REPEAT"),
        ("Try again later.", "MAY_REPEAT"),
        ("Try again after the throttling resumes.", "MAY_REPEAT"),
        ("Resend it in a few seconds.", "MAY_REPEAT"),
        ("Resend the request after the time given in Retry-After.", "WAIT_RETRY_AFTER"),
        ("Send it again once the Retry After header allows.", "WAIT_RETRY_AFTER"),
        ("Retry after the time the retry after header gives.", "WAIT_RETRY_AFTER"),
        # Sentences that look close but give no advice.
        ("The server timed out while waiting for the request.", "NONE"),
        ("The resource was deleted and will not be available again.", "NONE"),
        ("Check whether the token is valid and try again.", "NONE"),
        ("A change in the request rate was detected.", "NONE"),
        ("The repeated request failed later.", "NONE"),
    ],
)
def test_classify_advice_usual_wordings(text: str, advice: str) -> None:
    """The wordings vendor tables usually use, and their neighbours, classify as expected."""
    assert classify_advice(text) == advice


def test_error_code_page_edge_layouts() -> None:
    """Empty tab cells, a code in the last column and stray lines before the first row."""
    tabbed = (
        "Status Code\tError Code\tError Message\tDescription\n429\tKILN.1\t\tWait, then retry.\n"
    )
    assert error_rows(ingest_text(tabbed, "kiln"))["KILN.1"]["description"] == ("Wait, then retry.")
    cells = "Status Code\n\nError Code\n\nA stray remark.\n\n503\n\nKILN.2\n\n500\n\nKILN.3\n"
    result = ingest_text(cells, "kiln")
    assert sorted(error_rows(result)) == ["KILN.2", "KILN.3"]
    assert error_rows(result)["KILN.3"]["status"] == 500
    assert result.problems == ["line 5: 'A stray remark.' belongs to no row; left out"]


def test_error_code_header_alone_at_the_end_raises() -> None:
    """A one-cell-a-line header with nothing after it is an IngestError, not an empty profile."""
    with pytest.raises(IngestError, match="error-code table header but no rows"):
        ingest_text("Intro\n\nError Code\n\nHTTP Status Code\n", "kiln")
