"""``python -m cloudstatus demo``: real error responses from a loopback server, mapped.

Everything happens on 127.0.0.1: a server on a free port answers the way the
services do (Huawei bodies, keystone and OBS errors, a redirect chain, a throttle),
and a session with the hook installed turns each answer into an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO

import requests

import cloudstatus
from cloudstatus._loopback import LoopbackServer
from cloudstatus._naming import display_name
from cloudstatus.testing import _demo_routes

__all__ = ["DemoCase", "cases", "run_demo"]


@dataclass(frozen=True)
class DemoCase:
    """One request of the demo: what is sent, and for which service.

    The server's answer to each path is in :func:`cloudstatus.testing.demo_server`'s
    routes, so the README's example talks to the same server the demo does.
    """

    label: str
    method: str
    path: str
    service: str | None


def cases() -> list[DemoCase]:
    """The requests the demo sends, in order."""
    return [
        DemoCase("show an instance", "GET", "/dms/instances/7a3e", "dms"),
        DemoCase("duplicate instance", "POST", "/dms/instances", "dms"),
        DemoCase("burst of messages", "POST", "/dms/messages", "dms"),
        DemoCase("DMS maintenance", "GET", "/dms/maintenance", "dms"),
        DemoCase("503, no service", "GET", "/plain/maintenance", None),
        DemoCase("missing MPC task", "GET", "/mpc/transcodings/42", "mpc"),
        DemoCase("expired token", "GET", "/iam/projects", None),
        DemoCase("OBS key not found", "GET", "/obs/bucket/key.txt", None),
        DemoCase("problem+json 422", "PUT", "/topics/orders", None),
        DemoCase("gateway error page", "GET", "/gateway", None),
        DemoCase("redirects to a 409", "POST", "/moved", "dms"),
    ]


def _row(case: DemoCase, session: requests.Session, url: str) -> dict[str, object]:
    try:
        response = session.request(case.method, url, timeout=10)
    except cloudstatus.CloudStatusError as exc:
        return {
            "request": f"{case.method} {case.path}",
            "what": case.label,
            "status": exc.status_code,
            "raised": display_name(type(exc)),
            "error_code": exc.error_code,
            "retryable": exc.retryable,
            "retry_after": exc.retry_after,
            "request_id": exc.request_id,
        }
    return {
        "request": f"{case.method} {case.path}",
        "what": case.label,
        "status": response.status_code,
        "raised": None,
        "error_code": None,
        "retryable": None,
        "retry_after": None,
        "request_id": None,
    }


def run_demo(out: IO[str], *, as_json: bool = False) -> int:
    """Run every demo case against a fresh loopback server and print the results."""
    rows: list[dict[str, object]] = []
    with LoopbackServer(_demo_routes()) as server:
        sessions: dict[str | None, requests.Session] = {}
        try:
            for case in cases():
                if case.service not in sessions:
                    sessions[case.service] = cloudstatus.install(
                        requests.Session(), service=case.service
                    )
                rows.append(_row(case, sessions[case.service], server.url_for(case.path)))
        finally:
            for s in sessions.values():
                s.close()
    if as_json:
        for row in rows:
            print(json.dumps(row, sort_keys=True), file=out)
        return 0
    _table(rows, out)
    return 0


#: Widest line of the table: it must fit a 100-column terminal.
MAX_WIDTH = 100


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _table(rows: list[dict[str, object]], out: IO[str]) -> None:
    columns = [
        ("status", "status"),
        ("what", "request"),
        ("raised", "raised"),
        ("error_code", "error code"),
        ("retryable", "retry?"),
        ("request_id", "request id"),
    ]

    def cell(row: dict[str, object], key: str) -> str:
        value = row[key]
        if key == "retryable" and value is not None:
            after = row["retry_after"]
            return ("yes" if value else "no") + (
                f" ({after:g}s)" if isinstance(after, float) else ""
            )
        if key == "raised" and isinstance(value, str):
            return value.removeprefix("cloudstatus.")
        return "-" if value is None else str(value)

    table = [[title for _, title in columns]] + [[cell(r, k) for k, _ in columns] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    # Free text gives way until the table fits: first a server's error code (down to the
    # length of a Huawei one), then the request id, then the label. The status, the class
    # and the verdict are never cut.
    for column, floor in ((3, len("DMS.00409001")), (5, 10), (1, 10)):
        while sum(widths) + 2 * (len(widths) - 1) > MAX_WIDTH and widths[column] > floor:
            widths[column] -= 1
    for n, line in enumerate(table):
        cells = (_clip(c, w).ljust(w) for c, w in zip(line, widths, strict=True))
        print("  ".join(cells).rstrip(), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)
    print(
        f"\n{sum(1 for r in rows if r['raised'])} of {len(rows)} requests raised a typed "
        f"error; every request went to a loopback server only.\n"
        f"Unprefixed classes are cloudstatus.<Name>; dms.* and mpc.* are the services' own.",
        file=out,
    )
