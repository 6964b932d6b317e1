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
from cloudstatus._loopback import LoopbackServer, Reply, json_reply, redirect
from cloudstatus._naming import display_name

__all__ = ["DemoCase", "cases", "run_demo"]


@dataclass(frozen=True)
class DemoCase:
    """One request of the demo: what is sent, for which service, and the canned answer."""

    label: str
    method: str
    path: str
    service: str | None
    reply: Reply | None  # None: the path is routed separately (the redirect chain)


def _huawei(status: int, code: str, msg: str, rid: str, *extra: tuple[str, str]) -> Reply:
    return json_reply(
        status,
        {"error_code": code, "error_msg": msg},
        [("X-Request-Id", rid), *extra],
    )


def cases() -> list[DemoCase]:
    """The requests the demo sends, in order."""
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code>'
        b"<Message>The specified key does not exist.</Message>"
        b"<RequestId>0000018A2B3C4D5E</RequestId></Error>"
    )
    keystone = {
        "error": {
            "code": 401,
            "message": "The request you have made requires authentication.",
            "title": "Unauthorized",
        }
    }
    problem = {
        "type": "https://example.com/probs/invalid-spec",
        "title": "Invalid specification",
        "status": 422,
        "detail": "partition_num must be between 1 and 200",
    }
    return [
        DemoCase(
            "show an instance",
            "GET",
            "/dms/instances/7a3e",
            "dms",
            json_reply(200, {"id": "7a3e", "name": "orders"}),
        ),
        DemoCase(
            "create a duplicate instance",
            "POST",
            "/dms/instances",
            "dms",
            _huawei(409, "DMS.00409001", "Instance name already exists.", "5b4f0c1e"),
        ),
        DemoCase(
            "burst of messages",
            "POST",
            "/dms/messages",
            "dms",
            _huawei(429, "DMS.00429001", "Too many requests.", "7c21aa09", ("Retry-After", "2")),
        ),
        DemoCase(
            "DMS maintenance",
            "GET",
            "/dms/maintenance",
            "dms",
            _huawei(503, "DMS.00503001", "Service unavailable.", "9d0e12f3"),
        ),
        DemoCase(
            "same 503, no service",
            "GET",
            "/plain/maintenance",
            None,
            Reply(503, [("Retry-After", "30")], b"down for maintenance"),
        ),
        DemoCase(
            "missing transcoding task",
            "GET",
            "/mpc/transcodings/42",
            "mpc",
            _huawei(404, "MPC.10213", "The task does not exist.", "3a9b7d11"),
        ),
        DemoCase(
            "token expired (keystone)",
            "GET",
            "/iam/projects",
            None,
            json_reply(401, keystone, [("X-Openstack-Request-Id", "req-6f1c2b")]),
        ),
        DemoCase(
            "object not found (OBS XML)",
            "GET",
            "/obs/bucket/key.txt",
            None,
            Reply(404, [("Content-Type", "application/xml")], xml),
        ),
        DemoCase(
            "invalid spec (problem+json)",
            "PUT",
            "/topics/orders",
            None,
            Reply(
                422, [("Content-Type", "application/problem+json")], json.dumps(problem).encode()
            ),
        ),
        DemoCase(
            "gateway error page",
            "GET",
            "/gateway",
            None,
            Reply(
                502,
                [("Content-Type", "text/html")],
                b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            ),
        ),
        DemoCase("redirect chain ending in 409", "POST", "/moved", "dms", None),
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
    demo = cases()
    rows: list[dict[str, object]] = []
    with LoopbackServer() as server:
        for case in demo:
            if case.reply is not None:
                server.route(case.path, case.reply)
        server.route("/moved", redirect("/moved-again", 307))
        server.route("/moved-again", redirect("/dms/instances-v2", 307))
        server.route(
            "/dms/instances-v2",
            _huawei(409, "DMS.00409001", "Instance name already exists.", "e0c4d2b8"),
        )
        sessions: dict[str | None, requests.Session] = {}
        try:
            for case in demo:
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
        return "-" if value is None else str(value)

    table = [[title for _, title in columns]] + [[cell(r, k) for k, _ in columns] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for n, line in enumerate(table):
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip(), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)
    print(
        f"\n{sum(1 for r in rows if r['raised'])} of {len(rows)} requests raised a typed "
        f"error; every request went to a loopback server only.",
        file=out,
    )
