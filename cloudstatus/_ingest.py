"""Turn a vendor's "Status Code" or "Error Code" page, saved as plain text, into a service profile.

**Status Code pages.** Two page layouts are understood, the two the Huawei Cloud
API references use:

* **Layout A**, code and name on one line, then the description paragraphs::

      404 Not Found

      The requested resource could not be found.

* **Layout B**, the code alone on a line, the name on the next non-blank line,
  then the description paragraphs::

      404

      NotFound

      The requested resource cannot be found.

The page's layout is decided once, by which kind of row line it holds more of
(ties go to the kind seen first). That keeps a description line such as
``401 (Unauthorized), but ...`` or a stray ``409 Conflict`` inside a layout B
description from starting a row.

A line is a layout A row only when the text after the code reads like a name:
at most :data:`MAX_NAME_WORDS` words, starting with a capital letter (or an
opening parenthesis), made of letters, digits, spaces and ``-'()/&_``, and
ending without sentence punctuation. Sentences that merely begin with a number
stay description text.

Everything before the first row is preamble (navigation, titles, table
captions) and is dropped silently. After the first row, repeated table headers
are skipped, page furniture (``Updated on ...``, ``Parent topic: ...``,
copyright lines) is reported and dropped, and every other line belongs to the
description of the row above it.

**Error Code pages.** A page whose table header names an error-code column
(``Error Code``) and a status column (``Status Code``, ``HTTP Status Code``) is
read as an error-code table; the other columns it may name are an error message,
a description and a solution (``Solution``, ``Measure``, ``Troubleshooting``...),
in any order. The two plain-text forms such a table takes are understood:

* **one row a line**, cells separated by tabs (or by ``|``, as a Markdown table)::

      Status Code<TAB>Error Code<TAB>Description
      429<TAB>ACME.0429<TAB>Too many calls. Wait a moment and try again.

* **one cell a line**, header cells first, blank lines anywhere::

      Status Code
      Error Code
      Description
      429
      ACME.0429
      Too many calls. Wait a moment and try again.

  A row is found by its error-code cell (``ACME.0429``, ``APIGW.0308``,
  ``SVC_X.4001``, or an all-digit code of four or more digits); the cells of the
  columns before it are the lines just above, the cells after it the lines
  below, and a cell that runs over several lines goes to the last column.

The rows become the profile's ``"error_codes"``: ``{"error_code", "status",
"description", "advice"}`` (the description is the description cell, or the
message when there is none; the advice is read from the message, description and
solution together). A row whose status is not a number in 100-599, or that has
no error code where one belongs, cannot be placed: it is listed in
:attr:`IngestResult.errors` with its line number and never guessed. Rows with a
1xx or 2xx status, which are not errors, and repeated codes are left out with a
problem line.

The profile is the plain data a profile file holds (see :func:`dump_profile`).
This module uses no other part of cloudstatus: advice is named by the
``Advice`` member names as strings.
"""

from __future__ import annotations

import json
import keyword
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "DO_NOT_REPEAT",
    "MAX_NAME_WORDS",
    "MAY_REPEAT",
    "NONE",
    "WAIT_RETRY_AFTER",
    "IngestError",
    "IngestResult",
    "classify_advice",
    "dump_profile",
    "ingest_file",
    "ingest_text",
]

#: Advice: modify the request before sending it again.
DO_NOT_REPEAT = "DO_NOT_REPEAT"
#: Advice: the request may be sent again unchanged at any later time.
MAY_REPEAT = "MAY_REPEAT"
#: Advice: send the request again after the time Retry-After gives.
WAIT_RETRY_AFTER = "WAIT_RETRY_AFTER"
#: Advice: the table says nothing about sending the request again.
NONE = "NONE"

#: The longest name, in words, a layout A row line may carry after its code.
MAX_NAME_WORDS = 6

_SERVICE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")

# ASCII digits only: ``\d`` would also take other scripts' digits, which no
# status table uses for its codes.
_BARE_CODE = re.compile(r"([0-9]{3})\Z")
_CODE_AND_REST = re.compile(r"([0-9]{3}) (.+)\Z")
_NAME = re.compile(r"[(]?[A-Z][A-Za-z0-9 \-'\u2019()/&_]*\Z")

_HEADER_WORDS = frozenset(
    {"status", "code", "codes", "name", "names", "description", "descriptions", "http", "|"}
)
_TABLE_CAPTION = re.compile(r"table [0-9]+\b", re.IGNORECASE)
_PAGE_FURNITURE = re.compile(
    r"(?:updated on\b|last updated\b|parent topic\b|previous topic\b|next topic\b"
    r"|was this (?:page|content) helpful\b|copyright\b|\u00a9)",
    re.IGNORECASE,
)

_VERB_REPEAT = r"(?:repeat|re-?initiate|re-?send|re-?try|re-?submit|re-?issue)"
_VERB_SEND = r"(?:send|submit|issue|make|initiate|try|call)"
_VERB_FIX = r"(?:modify|change|fix|correct|adjust|amend|edit|rectify)"
# "cannot", "can't", "don't" and friends as well as "should not".
_NOT = r"(?: not|not|n't|n\u2019t)"
# Where an instruction starts: the text's start, a sentence or clause break, "and"/"then".
_LEAD = r"(?:^|[.;:!?,]\s*|\b(?:and|then|please)\s+)"
_WAIT_RETRY_AFTER = re.compile(
    r"\bretry[-\u2010\u2011\u2013]after\b"
    # "the Retry After header": the header named with a space, never "retry after a while".
    r"|\bretry after (?:response )?(?:header|field)\b"
)
_DO_NOT_REPEAT = re.compile(
    # "may not" counts as a prohibition here: a table saying a client "may not
    # repeat" a request is telling it not to.
    rf"\b(?:should|must|shall|may|do|does|need|can|ca){_NOT} (?:\w+ly )?{_VERB_REPEAT}\b"
    rf"|\b(?:should|must|shall|need to|has to|have to) (?:\w+ly )?{_VERB_FIX} the request\b"
    # "Modify the request before sending it again", "Correct the parameters and retry".
    rf"|{_LEAD}{_VERB_FIX} (?:the |your |this |its )?(?:\w+ )?"
    r"(?:request|parameters?|input|body|headers?|url|uri|query|payload|call)\b"
    # "The request must be modified before it is sent again", "resend only after fixing it".
    r"|\b(?:must|should|needs? to|has to|have to) be (?:\w+ly )?(?:modified|changed|fixed"
    r"|corrected|adjusted|amended|edited|rectified)\b"
    r"|\bonly after (?:modifying|changing|fixing|correcting|adjusting|amending|editing)\b"
)
_MAY_REPEAT = re.compile(
    rf"\b(?:may|can|could) (?:\w+ly )?{_VERB_REPEAT}\b"
    # "The client may send the request again later", "you can try again".
    rf"|\b(?:may|can|could) (?:\w+ly )?{_VERB_SEND}\b[^.;]{{0,40}}?\bagain\b"
    # "The request may be sent again", "can safely be retried".
    r"|\b(?:may|can|could) (?:\w+ly )?be (?:\w+ly )?(?:repeated|re-?sent|retried|re-?submitted"
    r"|re-?issued|re-?initiated|sent again|submitted again|tried again)\b"
    # "Wait a moment and try again", "wait 2 to 5 seconds before resending".
    rf"|\bwait\b[^.;]{{0,60}}?\b(?:and|then|before|to)\s+(?:\w+\s+)?"
    rf"(?:{_VERB_REPEAT}|{_VERB_SEND})"
    # "Try again later", "retry after a while", "resend it in a few seconds".
    rf"|(?:{_VERB_REPEAT}|{_VERB_SEND}\b[^.;]{{0,30}}?\bagain)\b[^.;]{{0,30}}?"
    r"\b(?:later|after (?:a|an|some|several|[0-9]|the throttling)\b"
    r"|in (?:a|an|some|several|[0-9])\b)"
)


class IngestError(ValueError):
    """The page holds no status-code or error-code table; the message says what a row looks like."""


@dataclass
class IngestResult:
    """What :func:`ingest_text` made of a page.

    :ivar profile: the service profile, as a profile file holds it.
    :ivar problems: one human-readable line per thing that needs a look (a line
        that could not be placed, a duplicate or out-of-range code, a code with
        no name), each naming the page's line number; sorted by line. The profile
        is still usable.
    :ivar errors: rows of an Error Code page that cannot be placed (no error code
        where the table has one, a status that is not a number in 100-599), one
        line each naming the page's line number; sorted by line. These rows are
        not in the profile: fix the page and ingest it again.
    :ivar unclassified: ``(line, code)`` of every error row (status 300 and up, or
        any error-code row) whose advice came out ``"NONE"``: the ingester found no
        wording about repeating the request it knows. ``code`` is the status code
        or the error code, as a string.
    :ivar kind: ``"status"`` for a Status Code page, ``"error"`` for an Error Code page.
    """

    profile: dict[str, object]
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unclassified: list[tuple[int, str]] = field(default_factory=list)
    kind: str = "status"


@dataclass
class _Row:
    line: int
    code: int
    name: str = ""
    description: list[str] = field(default_factory=list)


def classify_advice(text: str) -> str:
    """Classify what a row's description says about sending the request again.

    The usual wordings, and their neighbours, are recognised:

    * ``"WAIT_RETRY_AFTER"``: the ``Retry-After`` header is named ("resend after
      the time in Retry-After", "the Retry After header says when").
    * ``"DO_NOT_REPEAT"``: "should not repeat the request", "don't resend",
      "modify the request before sending it again", "correct the parameters and
      retry", "the request must be changed before...", "resend only after fixing it".
    * ``"MAY_REPEAT"``: "may repeat the request", "the client may send the request
      again later", "the request can be retried", "wait a moment and try again",
      "try again later", "retry after a while".

    Matching is case-insensitive and ignores how whitespace is laid out. When a
    description says more than one thing, Retry-After wording wins (it names the
    exact moment a repeat can help, and tables that mention it do so to qualify
    any other advice), then "do not repeat" (resending a request the table says
    will fail the same way is the costlier mistake), then "may repeat".

    :param text: the row's whole description.
    :returns: ``"WAIT_RETRY_AFTER"``, ``"DO_NOT_REPEAT"``, ``"MAY_REPEAT"`` or ``"NONE"``.
    """
    folded = " ".join(text.split()).casefold()
    if _WAIT_RETRY_AFTER.search(folded):
        return WAIT_RETRY_AFTER
    if _DO_NOT_REPEAT.search(folded):
        return DO_NOT_REPEAT
    if _MAY_REPEAT.search(folded):
        return MAY_REPEAT
    return NONE


def dump_profile(profile: Mapping[str, object]) -> str:
    """Serialize a profile exactly as the committed profile files are formatted.

    :param profile: the profile data (``IngestResult.profile`` or a parsed profile file).
    :returns: two-space-indented JSON, non-ASCII kept as is, ending in a newline.
    """
    return json.dumps(profile, indent=2, ensure_ascii=False) + "\n"


def _check_service(service: str) -> None:
    if (
        not isinstance(service, str)
        or not _SERVICE_NAME.match(service)
        or keyword.iskeyword(service)
    ):
        raise ValueError(
            "service must be a lowercase identifier: a letter a-z, then letters a-z, "
            f"digits or underscores, and not a Python keyword (such as 'dms'); got {service!r}"
        )


def _looks_like_name(text: str) -> bool:
    return (
        _NAME.match(text) is not None
        and len(text.split()) <= MAX_NAME_WORDS
        and not _is_header(text)
    )


def _is_header(text: str) -> bool:
    return (
        all(word in _HEADER_WORDS for word in text.casefold().split())
        or _TABLE_CAPTION.match(text) is not None
    )


def _row_start(text: str) -> tuple[str, int, str] | None:
    """Tell a bare-code line (``"B"``) or a code-and-name line (``"A"``) from other text."""
    bare = _BARE_CODE.match(text)
    if bare:
        return "B", int(bare.group(1)), ""
    both = _CODE_AND_REST.match(text)
    if both and _looks_like_name(both.group(2)):
        return "A", int(both.group(1)), both.group(2)
    return None


def _choose_layout(lines: list[tuple[int, str]]) -> str | None:
    counts = {"A": 0, "B": 0}
    first: str | None = None
    for _, text in lines:
        start = _row_start(text)
        if start is not None:
            counts[start[0]] += 1
            first = first or start[0]
    if first is None:
        return None
    if counts["A"] == counts["B"]:
        return first
    return "A" if counts["A"] > counts["B"] else "B"


def _split_lines(text: str) -> list[tuple[int, str]]:
    """Number the page's lines as an editor would and normalize their whitespace.

    Only CR, LF and CRLF end a line, so the numbers match what the user sees;
    other Unicode line separators are treated as spaces. Blank lines are dropped.
    """
    text = text.removeprefix("\ufeff")
    numbered = enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1)
    return [(number, norm) for number, raw in numbered if (norm := " ".join(raw.split()))]


def _parse_rows(
    lines: list[tuple[int, str]], layout: str, problems: list[tuple[int, str]]
) -> list[_Row]:
    rows: list[_Row] = []
    current: _Row | None = None
    awaiting_name = False
    for number, text in lines:
        start = _row_start(text)
        if start is not None and start[0] == "B":
            current = _Row(number, start[1])
            rows.append(current)
            awaiting_name = layout == "B"
            continue
        if start is not None and layout == "A":
            current = _Row(number, start[1], start[2])
            rows.append(current)
            continue
        if current is None:
            continue
        if awaiting_name:
            awaiting_name = False
            if _looks_like_name(text):
                current.name = text
                continue
        if _is_header(text):
            continue
        if _PAGE_FURNITURE.match(text):
            problems.append(
                (number, f"line {number}: {text!r} looks like page navigation; left out")
            )
            continue
        if start is not None:
            problems.append(
                (
                    number,
                    f"line {number}: {text!r} looks like a one-line row, but this page puts "
                    f"the name on its own line; kept as description of {current.code}",
                )
            )
        current.description.append(text)
    return rows


# --- Error Code pages ----------------------------------------------------------------------

# Header cells of an error-code table, by the field they hold.
_COLUMNS: dict[str, frozenset[str]] = {
    "status": frozenset(
        {
            "status code",
            "status codes",
            "http status code",
            "http status codes",
            "http status",
            "http code",
            "status",
            "response code",
            "http response code",
        }
    ),
    "code": frozenset({"error code", "error codes", "errorcode", "error_code"}),
    "message": frozenset(
        {"error message", "error messages", "message", "error msg", "error_msg", "error info"}
    ),
    "description": frozenset(
        {"description", "descriptions", "error description", "meaning", "details", "cause"}
    ),
    "solution": frozenset(
        {
            "solution",
            "solutions",
            "measure",
            "measures",
            "handling measure",
            "handling measures",
            "troubleshooting",
            "corrective action",
            "corrective actions",
            "suggestion",
            "suggestions",
            "handling suggestion",
            "resolution",
            "remarks",
            "how to fix",
        }
    ),
}
_COLUMN_OF = {name: column for column, names in _COLUMNS.items() for name in names}
# APIGW.0308, DMS.00400001, SVCSTG.CCE-ADDONMGR.4000003, CCE_CM.0004; or all digits (10240002).
_ERROR_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+|[0-9]{4,12}")
_MARKDOWN_RULE = re.compile(r"[\s|:\-]+")


def _is_error_code(text: str) -> bool:
    # A code ends in something with a digit: that keeps "e.g" and "Note.Text" out.
    return _ERROR_CODE.fullmatch(text) is not None and any(c.isdigit() for c in text)


def _column(cell: str) -> str | None:
    return _COLUMN_OF.get(" ".join(cell.strip().strip("|").split()).casefold())


def _cells(raw: str) -> list[str] | None:
    """The cells of a one-row-a-line table line (tab or ``|`` separated), or None."""
    if "\t" in raw.strip():
        return [" ".join(cell.split()) for cell in raw.strip().split("\t")]
    text = raw.strip()
    if text.count("|") >= 2 or (text.count("|") == 1 and not text.endswith("|")):
        inner = text.removeprefix("|").removesuffix("|")
        return [" ".join(cell.split()) for cell in inner.split("|")]
    return None


def _header_columns(cells: list[str]) -> tuple[list[str], list[int]] | None:
    """The columns a one-row-a-line header names and the cell positions they sit at.

    Cells naming no column we read (``Category``...) are passed over; the header must
    name an error-code and a status column, each once.
    """
    found = [(i, column) for i, cell in enumerate(cells) if (column := _column(cell)) is not None]
    named = [column for _, column in found]
    if not {"code", "status"} <= set(named) or len(set(named)) != len(named):
        return None
    return named, [i for i, _ in found]


def _find_error_header(raw_lines: list[str]) -> tuple[str, int, list[str], list[int]] | None:
    """Find an error-code table header: its layout, last header line, columns, cell positions.

    ``"row"`` for a one-row-a-line header (the positions are the cell indexes the
    columns sit at); ``"cell"`` for a run of one-cell lines.
    """
    run: list[str] = []
    for index, raw in enumerate(raw_lines):
        cells = _cells(raw)
        if cells is not None:
            header = _header_columns(cells)
            if header is not None:
                return "row", index, *header
            run = []
            continue
        text = " ".join(raw.split())
        if not text:
            continue
        column = _column(text)
        if column is None or column in run:
            if len(run) >= 2 and {"code", "status"} <= set(run):
                return "cell", index - 1, run, list(range(len(run)))
            run = [column] if column is not None else []
            continue
        run.append(column)
    if len(run) >= 2 and {"code", "status"} <= set(run):
        return "cell", len(raw_lines) - 1, run, list(range(len(run)))
    return None


@dataclass
class _ErrorRow:
    line: int
    cells: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def put(self, column: str, text: str, line: int) -> None:
        if text:
            self.cells.setdefault(column, []).append(text)
            self.lines.setdefault(column, line)

    def text(self, column: str) -> str:
        return " ".join(self.cells.get(column, []))


def _skippable(text: str, problems: list[tuple[int, str]], number: int) -> bool:
    """Table captions, repeated headers and page furniture are no part of any row."""
    if _column(text) is not None or _TABLE_CAPTION.match(text):
        return True
    if _PAGE_FURNITURE.match(text):
        problems.append((number, f"line {number}: {text!r} looks like page navigation; left out"))
        return True
    return False


def _rows_one_a_line(
    raw_lines: list[str],
    start: int,
    columns: list[str],
    positions: list[int],
    problems: list[tuple[int, str]],
    errors: list[tuple[int, str]],
) -> list[_ErrorRow]:
    rows: list[_ErrorRow] = []
    current: _ErrorRow | None = None
    last_column = columns[-1]
    for index in range(start + 1, len(raw_lines)):
        number = index + 1
        cells = _cells(raw_lines[index])
        if cells is None:
            text = " ".join(raw_lines[index].split())
            if not text or _skippable(text, problems, number):
                continue
            if current is not None:
                current.put(last_column, text, number)
            continue
        if _header_columns(cells) is not None or _MARKDOWN_RULE.fullmatch(raw_lines[index]):
            continue
        row = _ErrorRow(number)
        for column, position in zip(columns, positions, strict=True):
            if position < len(cells):
                row.put(column, cells[position], number)
        filled = [c for c in columns if c in row.cells]
        last_column = filled[-1] if filled else columns[-1]
        code = row.text("code")
        if not _is_error_code(code):
            errors.append(
                (
                    number,
                    f"line {number}: cannot place this row: its 'Error Code' cell is "
                    f"{code!r}, not an error code such as APIGW.0308",
                )
            )
            current = None
            continue
        current = row
        rows.append(row)
    return rows


def _rows_one_a_cell(
    raw_lines: list[str],
    start: int,
    columns: list[str],
    problems: list[tuple[int, str]],
    errors: list[tuple[int, str]],
) -> list[_ErrorRow]:
    lines: list[tuple[int, str]] = []
    for index in range(start + 1, len(raw_lines)):
        text = " ".join(raw_lines[index].split()).removesuffix(" |").removesuffix("|").strip()
        if text and not _skippable(text, problems, index + 1):
            lines.append((index + 1, text))
    key = columns.index("code")
    before, after = columns[:key], columns[key + 1 :]
    anchors = [i for i, (_, text) in enumerate(lines) if _is_error_code(text)]
    # Where each row starts, or None for a code whose cells above it are missing.
    starts: list[int | None] = []
    previous = -1
    for anchor in anchors:
        top = anchor - len(before)
        status_above = before.index("status") if "status" in before else None
        if top <= previous or (
            status_above is not None and not _status_like(lines[top + status_above][1])
        ):
            number, code = lines[anchor]
            errors.append(
                (
                    number,
                    f"line {number}: cannot place the row of {code}: the lines just above "
                    f"it are not its {', '.join(repr(c) for c in before)} cells",
                )
            )
            starts.append(None)
        else:
            starts.append(top)
        previous = anchor
    # A row ends where the next one starts (or, for a code that cannot be placed, at it).
    bounds = [a if st is None else st for a, st in zip(anchors, starts, strict=True)]
    bounds.append(len(lines))
    rows: list[_ErrorRow] = []
    taken = 0  # lines before this index belong to earlier rows, or to no row
    for n, anchor in enumerate(anchors):
        start_at, end = starts[n], bounds[n + 1]
        if start_at is None:
            taken = end
            continue
        first = start_at
        for skipped_number, skipped in lines[taken:first]:
            problems.append(
                (skipped_number, f"line {skipped_number}: {skipped!r} belongs to no row; left out")
            )
        number, code = lines[anchor]
        row = _ErrorRow(lines[first][0])
        for column, (line_no, text) in zip(before, lines[first:anchor], strict=True):
            row.put(column, text, line_no)
        row.put("code", code, number)
        rest = lines[anchor + 1 : end]
        if "status" in after and rest:
            # A message cell may run over lines: the status cell is the first bare number
            # where one belongs, else whatever line sits in the status column's place.
            expected = after.index("status")
            found = next((j for j, (_, t) in enumerate(rest) if _BARE_CODE.fullmatch(t)), expected)
            found = min(found, len(rest) - 1)
            head, (status_line, status), tail = rest[:found], rest[found], rest[found + 1 :]
            _spread(row, after[:expected], head)
            row.put("status", status, status_line)
            _spread(row, after[expected + 1 :], tail)
        else:
            _spread(row, after, rest)
        rows.append(row)
        taken = end
    return rows


def _status_like(text: str) -> bool:
    """A status cell: ``429``, or something short in its place (``5XX``, ``N/A``, ``-``)."""
    return len(text) <= 12 and len(text.split()) <= 2


def _spread(row: _ErrorRow, columns: list[str], lines: list[tuple[int, str]]) -> None:
    """One line per column, in order; the last column takes any lines left over."""
    if not columns:
        return
    for i, (number, text) in enumerate(lines):
        row.put(columns[min(i, len(columns) - 1)], text, number)


def _error_code_profile(
    text: str, header: tuple[str, int, list[str], list[int]]
) -> tuple[
    list[dict[str, object]], list[tuple[int, str]], list[tuple[int, str]], list[tuple[int, str]]
]:
    raw_lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    layout, start, columns, positions = header
    problems: list[tuple[int, str]] = []
    errors: list[tuple[int, str]] = []
    if layout == "row":
        rows = _rows_one_a_line(raw_lines, start, columns, positions, problems, errors)
    else:
        rows = _rows_one_a_cell(raw_lines, start, columns, problems, errors)
    entries: dict[str, dict[str, object]] = {}
    first_line: dict[str, int] = {}
    unclassified: list[tuple[int, str]] = []
    for row in rows:
        code = row.text("code")
        status_text = row.text("status")
        at = row.lines.get("status", row.line)
        if not _BARE_CODE.fullmatch(status_text) or not 100 <= int(status_text) <= 599:
            what = "no status" if not status_text else f"status {status_text!r}"
            errors.append(
                (
                    at,
                    f"line {at}: error code {code} has {what}, not a status code in 100-599; "
                    "row left out (fix the page: a status is never guessed)",
                )
            )
            continue
        status = int(status_text)
        if status < 300:
            problems.append(
                (
                    at,
                    f"line {at}: error code {code} comes with status {status}, not an error; "
                    "left out",
                )
            )
            continue
        if code in entries:
            problems.append(
                (
                    row.line,
                    f"line {row.line}: error code {code} appears again (first at line "
                    f"{first_line[code]}); kept the first",
                )
            )
            continue
        description = row.text("description") or row.text("message")
        advice = classify_advice(
            " ; ".join(
                row.text(c) for c in ("message", "description", "solution") if c in row.cells
            )
        )
        if advice == NONE:
            unclassified.append((row.line, code))
        first_line[code] = row.line
        entries[code] = {
            "error_code": code,
            "status": status,
            "description": description,
            "advice": advice,
        }
    return [entries[c] for c in sorted(entries)], problems, errors, unclassified


def ingest_text(
    text: str,
    service: str,
    *,
    title: str | None = None,
    source: str | None = None,
    error_body: str = "huawei",
) -> IngestResult:
    """Read a vendor's Status Code or Error Code page (plain text) into a service profile.

    A page with an error-code table header (see the module docstring) is an Error
    Code page: its rows go to the profile's ``"error_codes"`` and ``"codes"`` is
    empty. Any other page is read as a Status Code page.

    :param text: the page's text; any line endings.
    :param service: the service's short name, a lowercase identifier such as ``"dms"``.
    :param title: the profile's title; defaults to ``service``.
    :param source: where the page came from; defaults to ``""``.
    :param error_body: the error-body dialect the service speaks.
    :returns: the profile (codes sorted, the first of any duplicates kept, codes
        outside 100-599 skipped), the problems found on the way, the Error Code
        rows that cannot be placed and the rows whose advice is unknown.
    :raises ValueError: when ``service`` is not a lowercase identifier.
    :raises IngestError: when the page holds no status-code row in 100-599, or an
        error-code table header but neither a row nor a row that cannot be placed.
    """
    _check_service(service)
    header = _find_error_header(
        text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )
    if header is not None:
        error_codes, found, errors, unknown = _error_code_profile(text, header)
        if not error_codes and not errors:
            raise IngestError(
                "the page has an error-code table header but no rows under it; expected "
                "rows of a status code (such as 429) and an error code (such as ACME.0429), "
                "one row a line with cells separated by tabs, or one cell a line"
            )
        return IngestResult(
            {
                "service": service,
                "title": service if title is None else title,
                "source": "" if source is None else source,
                "error_body": error_body,
                "codes": [],
                "error_codes": error_codes,
            },
            [message for _, message in sorted(found)],
            [message for _, message in sorted(errors)],
            sorted(unknown),
            "error",
        )
    expected = (
        "expected a status-code table: rows like '404 Not Found' (code and name on one "
        "line) or '404' with the name on the next non-blank line, each followed by "
        "its description"
    )
    lines = _split_lines(text)
    layout = _choose_layout(lines)
    if layout is None:
        raise IngestError(f"no status-code rows found; {expected}")
    problems: list[tuple[int, str]] = []
    unclassified: list[tuple[int, str]] = []
    entries: dict[int, dict[str, object]] = {}
    first_line: dict[int, int] = {}
    for row in _parse_rows(lines, layout, problems):
        at = f"line {row.line}"
        if not 100 <= row.code <= 599:
            problems.append((row.line, f"{at}: code {row.code} is outside 100-599; row skipped"))
            continue
        if row.code in entries:
            problems.append(
                (
                    row.line,
                    f"{at}: code {row.code} appears again (first at line "
                    f"{first_line[row.code]}); kept the first",
                )
            )
            continue
        if not row.name:
            problems.append((row.line, f"{at}: code {row.code} has no name"))
        description = " ".join(row.description)
        first_line[row.code] = row.line
        advice = classify_advice(description)
        if advice == NONE and row.code >= 300:
            unclassified.append((row.line, str(row.code)))
        entries[row.code] = {
            "code": row.code,
            "name": row.name,
            "advice": advice,
            "description": description,
        }
    if not entries:
        raise IngestError(f"no status-code rows with a code in 100-599; {expected}")
    profile: dict[str, object] = {
        "service": service,
        "title": service if title is None else title,
        "source": "" if source is None else source,
        "error_body": error_body,
        "codes": [entries[code] for code in sorted(entries)],
    }
    return IngestResult(
        profile, [message for _, message in sorted(problems)], unclassified=unclassified
    )


def ingest_file(
    path: str | os.PathLike[str],
    service: str,
    *,
    title: str | None = None,
    source: str | None = None,
    error_body: str = "huawei",
) -> IngestResult:
    """Read a saved status-code page from a file; see :func:`ingest_text`.

    The file is read as UTF-8 (a byte-order mark is dropped, undecodable bytes
    become U+FFFD). ``source`` defaults to the file's name.
    """
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        text = fh.read()
    return ingest_text(
        text,
        service,
        title=title,
        source=os.path.basename(os.fspath(path)) if source is None else source,
        error_body=error_body,
    )
