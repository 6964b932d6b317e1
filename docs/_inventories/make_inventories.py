"""Write the intersphinx inventories the docs link against, so the build needs no network.

Each inventory lists only the objects these docs (and the package's docstrings)
refer to, with the anchor the project's real documentation uses for it. Run it
after adding a reference to another project's object::

    python docs/_inventories/make_inventories.py          # rewrite the .inv files
    python docs/_inventories/make_inventories.py --check  # exit 1 if they are stale

The output is deterministic: the same table always gives the same bytes.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (project, version, [(name, domain:role, uri, display name or "-")]); the base URL of
# each project is in docs/conf.py (intersphinx_mapping).
INVENTORIES: dict[str, tuple[str, str, list[tuple[str, str, str, str]]]] = {
    "python": (
        "Python",
        "3",
        [
            ("AssertionError", "py:exception", "library/exceptions.html#AssertionError", "-"),
            ("LookupError", "py:exception", "library/exceptions.html#LookupError", "-"),
            (
                "NotImplementedError",
                "py:exception",
                "library/exceptions.html#NotImplementedError",
                "-",
            ),
            ("OSError", "py:exception", "library/exceptions.html#OSError", "-"),
            ("TypeError", "py:exception", "library/exceptions.html#TypeError", "-"),
            ("ValueError", "py:exception", "library/exceptions.html#ValueError", "-"),
            ("None", "py:data", "library/constants.html#None", "-"),
            ("bool", "py:class", "library/functions.html#bool", "-"),
            ("bytes", "py:class", "library/stdtypes.html#bytes", "-"),
            ("dict", "py:class", "library/stdtypes.html#dict", "-"),
            ("float", "py:class", "library/functions.html#float", "-"),
            ("frozenset", "py:class", "library/stdtypes.html#frozenset", "-"),
            ("int", "py:class", "library/functions.html#int", "-"),
            ("list", "py:class", "library/stdtypes.html#list", "-"),
            ("object", "py:class", "library/functions.html#object", "-"),
            ("str", "py:class", "library/stdtypes.html#str", "-"),
            ("str.isprintable", "py:method", "library/stdtypes.html#str.isprintable", "-"),
            ("tuple", "py:class", "library/stdtypes.html#tuple", "-"),
            ("type", "py:class", "library/functions.html#type", "-"),
            (
                "collections.abc.Callable",
                "py:class",
                "library/collections.abc.html#collections.abc.Callable",
                "-",
            ),
            (
                "collections.abc.Collection",
                "py:class",
                "library/collections.abc.html#collections.abc.Collection",
                "-",
            ),
            (
                "collections.abc.Iterator",
                "py:class",
                "library/collections.abc.html#collections.abc.Iterator",
                "-",
            ),
            (
                "collections.abc.Mapping",
                "py:class",
                "library/collections.abc.html#collections.abc.Mapping",
                "-",
            ),
            (
                "collections.abc.Sequence",
                "py:class",
                "library/collections.abc.html#collections.abc.Sequence",
                "-",
            ),
            (
                "dataclasses.dataclass",
                "py:function",
                "library/dataclasses.html#dataclasses.dataclass",
                "-",
            ),
            ("enum.Enum", "py:class", "library/enum.html#enum.Enum", "-"),
            ("json.dumps", "py:function", "library/json.html#json.dumps", "-"),
            ("functools.partial", "py:function", "library/functools.html#functools.partial", "-"),
            (
                "multiprocessing",
                "py:module",
                "library/multiprocessing.html#module-multiprocessing",
                "-",
            ),
            ("os.PathLike", "py:class", "library/os.html#os.PathLike", "-"),
            ("pickle", "py:module", "library/pickle.html#module-pickle", "-"),
            ("time.time", "py:function", "library/time.html#time.time", "-"),
            ("types.ModuleType", "py:class", "library/types.html#types.ModuleType", "-"),
            ("typing.Any", "py:data", "library/typing.html#typing.Any", "-"),
        ],
    ),
    "requests": (
        "Requests",
        "2",
        [
            ("requests", "py:module", "api.html#module-requests", "-"),
            ("requests.PreparedRequest", "py:class", "api.html#requests.PreparedRequest", "-"),
            ("requests.Request", "py:class", "api.html#requests.Request", "-"),
            ("requests.Response", "py:class", "api.html#requests.Response", "-"),
            ("requests.Response.content", "py:property", "api.html#requests.Response.content", "-"),
            (
                "requests.Response.raise_for_status",
                "py:method",
                "api.html#requests.Response.raise_for_status",
                "-",
            ),
            ("requests.Session", "py:class", "api.html#requests.Session", "-"),
            (
                "requests.adapters.HTTPAdapter",
                "py:class",
                "api.html#requests.adapters.HTTPAdapter",
                "-",
            ),
            # requests documents its exceptions under requests.exceptions and re-exports
            # them from the package; both spellings lead to the same entry.
            ("requests.HTTPError", "py:exception", "api.html#requests.exceptions.HTTPError", "-"),
            (
                "requests.exceptions.HTTPError",
                "py:exception",
                "api.html#requests.exceptions.HTTPError",
                "-",
            ),
            (
                "requests.RequestException",
                "py:exception",
                "api.html#requests.exceptions.RequestException",
                "-",
            ),
            (
                "requests.exceptions.RequestException",
                "py:exception",
                "api.html#requests.exceptions.RequestException",
                "-",
            ),
            (
                "body-content-workflow",
                "std:label",
                "user/advanced.html#body-content-workflow",
                "Body Content Workflow",
            ),
            ("event-hooks", "std:label", "user/advanced.html#event-hooks", "Event Hooks"),
        ],
    ),
    "urllib3": (
        "urllib3",
        "2",
        [
            (
                "urllib3.util.Retry",
                "py:class",
                "reference/urllib3.util.html#urllib3.util.Retry",
                "-",
            ),
            # Retry is defined in urllib3.util.retry and documented as urllib3.util.Retry.
            (
                "urllib3.util.retry.Retry",
                "py:class",
                "reference/urllib3.util.html#urllib3.util.Retry",
                "-",
            ),
            (
                "urllib3.response.BaseHTTPResponse",
                "py:class",
                "reference/urllib3.response.html#urllib3.response.BaseHTTPResponse",
                "-",
            ),
        ],
    ),
    "pytest": (
        "pytest",
        "8",
        [
            ("pytest.Config", "py:class", "reference/reference.html#pytest.Config", "-"),
            (
                "pytest.ExceptionInfo",
                "py:class",
                "reference/reference.html#pytest.ExceptionInfo",
                "-",
            ),
            ("pytest.fixture", "py:function", "reference/reference.html#pytest.fixture", "-"),
            ("pytest.raises", "py:function", "reference/reference.html#pytest.raises", "-"),
        ],
    ),
}


def render(project: str, version: str, entries: list[tuple[str, str, str, str]]) -> bytes:
    """One inventory in Sphinx's version 2 format: a text header, then zlib-compressed lines."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = []
    for name, role, uri, display in sorted(entries):
        priority = "-1" if role == "std:label" else "1"
        lines.append(f"{name} {role} {priority} {uri} {display}\n")
    return header.encode() + zlib.compress("".join(lines).encode(), 9)


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    if argv and not check:
        print("usage: make_inventories.py [--check]", file=sys.stderr)
        return 2
    stale = []
    for key, (project, version, entries) in INVENTORIES.items():
        path = HERE / f"{key}.inv"
        data = render(project, version, entries)
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(path.name)
        if not check:
            path.write_bytes(data)
    for name in stale:
        print(f"{'stale' if check else 'wrote'}: {name}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
