"""Local Sphinx extension for the cloudstatus docs.

* ``.. status-classes::`` documents the generated per-code exception classes, read
  from ``cloudstatus.STATUS_CLASSES`` at build time so no hand-kept list can drift.
* A consistency check warns (an error under ``-W``) when a name in
  ``cloudstatus.__all__`` has no entry in the API reference.
* ``.. command::`` shows a command-line session and runs it under the doctest builder.
* Attribute comments (``#:``) of the classes ``cloudstatus`` re-exports are found in
  the private modules that define them (the package sets ``__module__`` to
  ``"cloudstatus"``, so autodoc would look in ``cloudstatus/__init__.py``).
* Names that annotations use bare, imported under ``TYPE_CHECKING`` (``Response``),
  resolve to the object they stand for.

``.. command:: explain 409 --service dms`` with the expected output as content shows
a console session (``$ python -m cloudstatus explain 409 --service dms`` and the
output) and, for the doctest builder, runs the same arguments through
``cloudstatus._cli.main`` and compares what it prints (stdout and stderr, as a
terminal shows them) with the content. ``:exit: 2`` expects that exit status.
"""

from __future__ import annotations

import shlex
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

_RUNNER = "_cloudstatus_command"

# Defined in the doctest namespace before each command runs.
_SETUP = f"""\
def {_RUNNER}(args):
    import contextlib, sys
    from cloudstatus._cli import main
    with contextlib.redirect_stderr(sys.stdout):
        return main(args)
"""


_SIGNATURE = "(message=None, **attributes)"
_FAMILY_TITLES = {3: "3xx: redirection", 4: "4xx: client errors", 5: "5xx: server errors"}


class StatusClassesDirective(SphinxDirective):
    """One ``autoexception`` per generated class and alias, grouped by family."""

    def run(self) -> list[nodes.Node]:
        import cloudstatus
        from cloudstatus import _exceptions

        aliases: dict[type, list[str]] = {}
        for name in _exceptions.__all__:
            obj = getattr(_exceptions, name)
            if isinstance(obj, type) and obj.__name__ != name:
                aliases.setdefault(obj, []).append(name)
        lines: list[str] = []
        for digit, title in _FAMILY_TITLES.items():
            lines += [f".. rubric:: {title}", ""]
            for code, cls in sorted(cloudstatus.STATUS_CLASSES.items()):
                if code // 100 != digit:
                    continue
                # The constructor is CloudStatusError's, documented there once.
                lines += [f".. autoexception:: cloudstatus.{cls.__name__}{_SIGNATURE}", ""]
                for alias in sorted(aliases.get(cls, ())):
                    lines += [f".. autoexception:: cloudstatus.{alias}{_SIGNATURE}", ""]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source="<status-classes>"), 0, container)
        return container.children


class CommandDirective(SphinxDirective):
    """A ``python -m cloudstatus ...`` session, shown as console text and run as a doctest."""

    has_content = True
    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = {
        "exit": directives.nonnegative_int,
        "group": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        line = self.arguments[0]
        args = shlex.split(line)
        output = "\n".join(self.content)
        status = self.options.get("exit", 0)
        shown = f"$ python -m cloudstatus {line}\n{output}".rstrip("\n")
        test_lines = [
            *(f"... {x}" if i else f">>> {x}" for i, x in enumerate(_SETUP.splitlines())),
            "...",
            f">>> {_RUNNER}({args!r}) == {status}",
            *(x if x.strip() else "<BLANKLINE>" for x in self.content),
            "True",
        ]
        node = nodes.literal_block(
            shown,
            shown,
            testnodetype="doctest",
            groups=[self.options.get("group", "default")],
        )
        node["test"] = "\n".join(test_lines)
        node["language"] = "console"
        node["options"] = {}
        self.set_source_info(node)
        return [node]


# Modules whose public names ``cloudstatus/__init__.py`` re-exports.
_PRIVATE_MODULES = (
    "cloudstatus._base",
    "cloudstatus._catalog",
    "cloudstatus._exceptions",
    "cloudstatus._hook",
    "cloudstatus._parse",
    "cloudstatus._registry",
    "cloudstatus._resolve",
)


def _merge_attribute_comments(app: Any) -> None:
    from sphinx.pycode import ModuleAnalyzer

    import cloudstatus

    public = ModuleAnalyzer.for_module("cloudstatus")  # cached: autodoc gets this object
    public.analyze()
    for modname in _PRIVATE_MODULES:
        private = ModuleAnalyzer.for_module(modname)
        private.analyze()
        for key, doc in private.attr_docs.items():
            scope, name = key
            if (scope or name in cloudstatus.__all__) and key not in public.attr_docs:
                public.attr_docs[key] = doc
        for key, annotation in private.annotations.items():
            public.annotations.setdefault(key, annotation)
        for name, order in private.tagorder.items():
            public.tagorder.setdefault(name, order)


# Bare names in annotations (imported under TYPE_CHECKING, or from a private module)
# and the object each stands for.
_BARE_NAMES = {
    "BaseHTTPResponse": "urllib3.response.BaseHTTPResponse",
    "CloudStatusError": "cloudstatus.CloudStatusError",
    "ErrorMock": "cloudstatus.testing.ErrorMock",
    "HookOptions": "cloudstatus.HookOptions",
    "PreparedRequest": "requests.PreparedRequest",
    "RateLimit": "cloudstatus.RateLimit",
    "Registry": "cloudstatus.Registry",
    "Request": "requests.Request",
    "Response": "requests.Response",
    "ServiceProfile": "cloudstatus.ServiceProfile",
}


def _resolve_bare_name(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    target = _BARE_NAMES.get(node.get("reftarget", ""))
    if node.get("refdomain") != "py" or target is None:
        return None
    node = node.deepcopy()
    node["reftarget"] = target
    found = env.get_domain("py").resolve_xref(
        env, node.get("refdoc", ""), app.builder, node["reftype"], target, node, contnode
    )
    if found is None:
        from sphinx.ext import intersphinx

        found = intersphinx.missing_reference(app, env, node, contnode)
    return found


def _check_public_names(app: Any, env: Any) -> None:
    import cloudstatus

    documented = set(env.get_domain("py").objects)
    for name in cloudstatus.__all__:
        if f"cloudstatus.{name}" not in documented:
            logger.warning("cloudstatus.%s is in __all__ but not in the API reference", name)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("command", CommandDirective)
    app.add_directive("status-classes", StatusClassesDirective)
    app.connect("env-check-consistency", _check_public_names)
    app.connect("builder-inited", _merge_attribute_comments)
    app.connect("missing-reference", _resolve_bare_name)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
