"""Turn a vendor's "Status Code" documentation page, saved as plain text, into a service profile.

Two page layouts are understood, the two the Huawei Cloud API references use:

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
# "cannot", "can't", "don't" and friends as well as "should not".
_NOT = r"(?: not|not|n't|n\u2019t)"
_WAIT_RETRY_AFTER = re.compile(r"\bretry[-\u2010\u2011\u2013]after\b")
_DO_NOT_REPEAT = re.compile(
    # "may not" counts as a prohibition here: a table saying a client "may not
    # repeat" a request is telling it not to.
    rf"\b(?:should|must|shall|may|do|does|need|can|ca){_NOT} (?:\w+ly )?{_VERB_REPEAT}\b"
    r"|\b(?:should|must|shall|need to) (?:\w+ly )?(?:modify|change|fix|correct) the request\b"
)
_MAY_REPEAT = re.compile(rf"\b(?:may|can|could) (?:\w+ly )?{_VERB_REPEAT}\b")


class IngestError(ValueError):
    """The page holds no status-code table; the message says what a row looks like."""


@dataclass
class IngestResult:
    """What :func:`ingest_text` made of a page.

    :ivar profile: the service profile, as a profile file holds it.
    :ivar problems: one human-readable line per thing that needs a look (a line
        that could not be placed, a duplicate or out-of-range code, a code with
        no name), each naming the page's line number; sorted by line.
    """

    profile: dict[str, object]
    problems: list[str] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    code: int
    name: str = ""
    description: list[str] = field(default_factory=list)


def classify_advice(text: str) -> str:
    """Classify what a row's description says about sending the request again.

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


def ingest_text(
    text: str,
    service: str,
    *,
    title: str | None = None,
    source: str | None = None,
    error_body: str = "huawei",
) -> IngestResult:
    """Read a vendor's status-code page (plain text) into a service profile.

    :param text: the page's text; any line endings.
    :param service: the service's short name, a lowercase identifier such as ``"dms"``.
    :param title: the profile's title; defaults to ``service``.
    :param source: where the page came from; defaults to ``""``.
    :param error_body: the error-body dialect the service speaks.
    :returns: the profile (codes sorted, the first of any duplicates kept, codes
        outside 100-599 skipped) and the problems found on the way.
    :raises ValueError: when ``service`` is not a lowercase identifier.
    :raises IngestError: when the page holds no status-code row in 100-599.
    """
    _check_service(service)
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
        entries[row.code] = {
            "code": row.code,
            "name": row.name,
            "advice": classify_advice(description),
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
    return IngestResult(profile, [message for _, message in sorted(problems)])


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
