"""The command line: ``python -m cloudstatus`` and the ``cloudstatus`` script."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from cloudstatus._naming import display_name

__all__ = ["main"]


class UsageError(Exception):
    """Bad arguments: reported on one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see --help)")


class _ShowVersion(Exception):
    """``--version`` was given: print the version to the output stream and stop."""


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise _ShowVersion


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cloudstatus",
        description="Typed exceptions for the HTTP errors of cloud service APIs.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    demo = sub.add_parser("demo", help="raise real errors from a loopback server and tabulate them")
    demo.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    explain = sub.add_parser(
        "explain", help="what the catalog knows of a status code or an error code"
    )
    explain.add_argument(
        "code", metavar="CODE", help="an HTTP status code (409) or an error code (APIGW.0308)"
    )
    explain.add_argument("--service", "-s", metavar="S", help="a service name, e.g. dms")
    explain.add_argument("--json", action="store_true", help="print JSON")
    tree = sub.add_parser("tree", help="print the exception hierarchy")
    tree.add_argument("--service", "-s", metavar="S", help="a service name, e.g. dms")
    tree.add_argument("--json", action="store_true", help="print JSON")
    gen = sub.add_parser("generate", help="regenerate the exception modules from the catalog")
    gen.add_argument("--check", action="store_true", help="exit 1 if the committed output is stale")
    gen.add_argument("--root", type=Path, help="project root (default: the package's parent)")
    ingest = sub.add_parser(
        "ingest", help="turn a vendor Status Code or Error Code page into a profile"
    )
    ingest.add_argument("doc", metavar="DOC.txt", type=Path, help="the page saved as text")
    ingest.add_argument("--service", "-s", required=True, metavar="NAME", help="service name")
    ingest.add_argument("--title", help="the service's full name")
    ingest.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here")
    ingest.add_argument(
        "--json", action="store_true", help="print the result (profile, problems...) as JSON"
    )
    ingest.add_argument(
        "--builtin",
        action="store_true",
        help="allow a built-in service's name (to rebuild a shipped profile from its page)",
    )
    ingest.add_argument(
        "--module", type=Path, metavar="FILE.py", help="also write a typed module of its classes"
    )
    return parser


def main(argv: Sequence[str] | None = None, *, out: IO[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    out = out if out is not None else sys.stdout
    try:
        args = _parser().parse_args(argv)
        handler = {
            "demo": _demo,
            "explain": _explain,
            "tree": _tree,
            "generate": _generate,
            "ingest": _ingest,
        }[args.command]
        return handler(args, out)
    except _ShowVersion:
        from cloudstatus._version import __version__

        print(f"cloudstatus {__version__}", file=out)
        return 0
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `cloudstatus tree | head` closed our stdout: stop quietly, as Unix tools do.
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _service(name: str | None) -> str | None:
    if name is None:
        return None
    from cloudstatus.services import namespace

    try:
        namespace(name)
    except LookupError as exc:
        raise UsageError(f"cloudstatus: {exc.args[0]}") from None
    return name


def _code(text: str) -> int:
    code = int(text, 10)
    if not 100 <= code <= 999:
        raise UsageError(f"cloudstatus: CODE must be between 100 and 999, got {code}")
    return code


def _is_status(text: str) -> bool:
    return re.fullmatch(r"[0-9]{1,3}", text) is not None


def error_code_data(error_code: str, service: str | None) -> dict[str, Any]:
    """The facts ``explain ERROR_CODE`` prints, as data.

    :raises UsageError: when no table (the service's, then the gateway's) knows the code.
    """
    from cloudstatus import error_class, error_code_info, status_info

    info = error_code_info(error_code, service=service)
    if info is None:
        where = f"the {service} table or " if service else ""
        raise UsageError(
            f"cloudstatus: unknown error code {error_code!r}: not in {where}the gateway table; "
            "CODE is a status such as 409 or an error code such as APIGW.0308"
        )
    cls = error_class(info.status_code, service=service, error_code=error_code)
    return {
        "error_code": info.error_code,
        "status_code": info.status_code,
        "reason": status_info(info.status_code).reason,
        "description": info.description,
        "advice": info.advice.name,
        "advice_text": info.advice.value,
        "source": info.source,
        "service": service,
        "class": display_name(cls),
    }


def explain_data(code: int, service: str | None) -> dict[str, Any]:
    """The facts ``explain`` prints, as data."""
    from cloudstatus import error_class, status_info
    from cloudstatus._policy import decide

    info = status_info(code, service)
    data: dict[str, Any] = {
        "code": code,
        "reason": info.reason,
        "service": service,
        "documented": info.documented,
        "name": info.name,
        "description": info.description,
        "family": info.family,
        "advice": info.advice.name,
        "advice_text": info.advice.value,
    }
    if code >= 300:
        cls = error_class(code, service=service)
        data["class"] = display_name(cls)
        data["mro"] = [display_name(c) for c in cls.__mro__ if c not in (object, BaseException)]
        data["retryable"] = {}
        for method in ("GET", "POST"):
            for ra in (False, True):
                d = decide(code, service=service, method=method, has_retry_after=ra)
                key = f"{method}{' + Retry-After' if ra else ''}"
                data["retryable"][key] = {"retryable": d.retryable, "why": d.reason}
    else:
        data["class"] = None
        data["mro"] = []
        data["retryable"] = {}
    return data


def _explain_error_code(args: argparse.Namespace, out: IO[str]) -> int:
    data = error_code_data(args.code, _service(args.service))
    if args.json:
        print(json.dumps(data, indent=2, sort_keys=True), file=out)
        return 0
    print(data["error_code"], file=out)
    print("=" * len(data["error_code"]), file=out)
    source = (
        "the API gateway table" if data["source"] == "gateway" else f"the {data['source']} table"
    )
    rows = [
        ("status", f"{data['status_code']} {data['reason']}".rstrip()),
        ("class", data["class"]),
        ("description", data["description"] or "-"),
        ("advice", f"{data['advice']} ({data['advice_text']})"),
        ("source", source),
    ]
    for label, value in rows:
        print(f"{label + ':':<16}{value}", file=out)
    return 0


def _explain(args: argparse.Namespace, out: IO[str]) -> int:
    if not _is_status(args.code):
        return _explain_error_code(args, out)
    code = _code(args.code)
    data = explain_data(code, _service(args.service))
    if args.json:
        print(json.dumps(data, indent=2, sort_keys=True), file=out)
        return 0
    title = f"{code} {data['reason'] or '(unregistered)'}"
    print(title, file=out)
    print("=" * len(title), file=out)
    rows = [
        ("class", data["class"] or "none: 1xx and 2xx responses raise nothing"),
        ("family", (data["family"] or "none").replace("_", " ")),
    ]
    if data["service"]:
        doc = f'yes, as "{data["name"]}"' if data["documented"] else "no"
        rows.append((f"in {data['service']} table", doc))
    rows.append(("description", data["description"] or "-"))
    rows.append(("advice", f"{data['advice']} ({data['advice_text']})"))
    for label, value in rows:
        print(f"{label + ':':<16}{value}", file=out)
    if data["mro"]:
        print("mro:", file=out)
        for name in data["mro"]:
            print(f"  {name}", file=out)
    if data["retryable"]:
        print("retryable:", file=out)
        for key, verdict in data["retryable"].items():
            yes = "yes" if verdict["retryable"] else "no"
            print(f"  {key:<22}{yes:<5}{verdict['why']}", file=out)
    return 0


def tree_data(service: str | None) -> dict[str, Any]:
    """The hierarchy ``tree`` prints, as nested data."""
    import cloudstatus
    from cloudstatus._base import FAMILIES
    from cloudstatus.services import namespace

    ns: Any = namespace(service) if service else cloudstatus
    root = ns.Error if service else cloudstatus.CloudStatusError
    classes: dict[int, type[cloudstatus.CloudStatusError]] = dict(ns.STATUS_CLASSES)

    def node(cls: type[cloudstatus.CloudStatusError]) -> dict[str, Any]:
        return {"name": display_name(cls), "status_code": cls.status_code, "children": []}

    top = node(root)
    for digit, family in FAMILIES.items():
        fam_node = node(getattr(ns, family.__name__))
        fam_node["children"] = [
            node(cls) for code, cls in sorted(classes.items()) if code // 100 == digit
        ]
        top["children"].append(fam_node)
    return top


def _tree(args: argparse.Namespace, out: IO[str]) -> int:
    data = tree_data(_service(args.service))
    if args.json:
        print(json.dumps(data, indent=2), file=out)
        return 0

    def show(node: dict[str, Any], depth: int) -> None:
        code = f" ({node['status_code']})" if node["status_code"] else ""
        print(f"{'  ' * depth}{node['name']}{code}", file=out)
        for child in node["children"]:
            show(child, depth + 1)

    show(data, 0)
    return 0


def _generate(args: argparse.Namespace, out: IO[str]) -> int:
    from cloudstatus import _generate as gen

    root = args.root or gen.default_root()
    if not (root / "cloudstatus" / "catalog" / "standard.json").is_file():
        raise UsageError(f"cloudstatus: no catalog under {root}; pass --root PROJECT_DIR")
    if args.check:
        stale = gen.check(root)
        for rel in stale:
            print(f"stale: {rel} (run `python -m cloudstatus generate`)", file=out)
        if stale:
            return 1
        print("generated files are up to date", file=out)
        return 0
    changed = gen.write(root)
    for rel in changed:
        print(f"wrote {rel}", file=out)
    if not changed:
        print("generated files are up to date", file=out)
    return 0


def _ingest(args: argparse.Namespace, out: IO[str]) -> int:
    from cloudstatus import _ingest as ing
    from cloudstatus._catalog import builtin_services

    if args.service in builtin_services() and not args.builtin:
        raise UsageError(
            f"cloudstatus: {args.service!r} is a built-in service; ingest your page under "
            "another name (--builtin rebuilds the shipped profile)"
        )
    if args.module is not None:  # a module name Python cannot import: say so before any work
        _check_module(args.module, args.service)
    try:
        result = ing.ingest_file(args.doc, args.service, title=args.title)
    except FileNotFoundError:
        raise UsageError(f"cloudstatus: no such file: {args.doc}") from None
    except (ing.IngestError, ValueError, OSError) as exc:
        raise UsageError(f"cloudstatus: {args.doc}: {exc}") from None
    for problem in result.problems:
        print(f"warning: {problem}", file=sys.stderr)
    for error in result.errors:
        print(f"error: {error}", file=sys.stderr)
    if result.unclassified:
        listed = ", ".join(f"{code} (line {line})" for line, code in result.unclassified)
        count = len(result.unclassified)
        print(
            f"note: {count} row{'s' if count != 1 else ''} gave no retry advice the ingester "
            f"recognises, so advice is NONE: {listed}; edit the profile where the page says more",
            file=sys.stderr,
        )
    if args.module is not None and not result.errors:
        _write_module(result.profile, args.module, out)
        if args.output is None and not args.json:  # the module holds the profile
            return 0
    text = ing.dump_profile(result.profile)
    written = None
    if not result.errors and args.output is not None:
        args.output.write_text(text, encoding="utf-8")
        written = str(args.output)
    if args.json:
        data = {
            "kind": result.kind,
            "profile": result.profile,
            "problems": result.problems,
            "errors": result.errors,
            "unclassified": [{"line": line, "code": code} for line, code in result.unclassified],
            "output": written,
        }
        print(json.dumps(data, indent=2, ensure_ascii=False), file=out)
    elif not result.errors:
        if written is None:
            out.write(text)
        else:
            key = "codes" if result.kind == "status" else "error_codes"
            rows = result.profile.get(key)
            count = len(rows) if isinstance(rows, list) else 0
            what = "codes" if result.kind == "status" else "error codes"
            print(f"wrote {written}: {count} {what}", file=out)
    if result.errors:
        lines = [m.group(1) for e in result.errors if (m := re.match(r"line ([0-9]+):", e))]
        count = len(result.errors)
        print(
            f"cloudstatus: {args.doc}: {count} row{'s' if count != 1 else ''} cannot be placed "
            f"(line{'s' if len(lines) != 1 else ''} {', '.join(lines)}); fix the page and "
            "ingest it again",
            file=sys.stderr,
        )
        return 2
    return 0


def _check_module(path: Path, service: str) -> None:
    from cloudstatus import _generate as gen

    try:
        gen.check_module_target(path, service)
    except ValueError as exc:
        raise UsageError(f"cloudstatus: --module {path}: {exc}") from None


def _write_module(profile: dict[str, object], path: Path, out: IO[str]) -> None:
    from cloudstatus import _generate as gen

    try:
        name = gen.write_module(profile, path)
    except (ValueError, OSError) as exc:
        raise UsageError(f"cloudstatus: --module {path}: {exc}") from None
    print(
        f"wrote {path}: module {name}; importing it declares service {profile['service']!r}",
        file=out,
    )


def _demo(args: argparse.Namespace, out: IO[str]) -> int:
    from cloudstatus._demo import run_demo

    return run_demo(out, as_json=args.json)
