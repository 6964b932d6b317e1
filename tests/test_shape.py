"""The namespace shape: one description of a service namespace, from its profile alone."""

from __future__ import annotations

import pytest

from cloudstatus._base import FAMILIES
from cloudstatus._catalog import get_profile, load_standard, profile_from_mapping
from cloudstatus._shape import BaseRef, all_key, describe

NAMES = {digit: cls.__name__ for digit, cls in FAMILIES.items()}

PROFILE = profile_from_mapping(
    {
        "service": "shape_svc",
        "title": "Shape Service",
        "source": "tests/test_shape.py",
        "codes": [
            {"code": 409, "name": "Already There", "advice": "DO_NOT_REPEAT"},
            {"code": 503, "name": "", "description": "Down."},
        ],
    }
)


def test_classes_come_root_first_then_families_then_one_per_standard_code():
    """The root, three families and a leaf per standard 3xx-5xx class, bases before use."""
    shape = describe(load_standard(), PROFILE, NAMES)
    root, *families = shape.classes[:4]
    assert (root.name, root.bases, root.service) == (
        "Error",
        (BaseRef("root", "CloudStatusError"),),
        "shape_svc",
    )
    assert [f.name for f in families] == [NAMES[3], NAMES[4], NAMES[5]]
    assert all(f.bases[1] == BaseRef("local", "Error") for f in families)
    leaves = shape.classes[4:]
    standard = {e.class_name for c, e in load_standard().items() if e.class_name and c >= 300}
    assert {leaf.name for leaf in leaves} == standard
    for leaf in leaves:
        assert leaf.status_code is not None
        family = NAMES[leaf.status_code // 100]
        assert leaf.bases == (BaseRef("standard", leaf.name), BaseRef("local", family))
    assert [c for c, _ in shape.status_classes] == sorted(c for c, _ in shape.status_classes)


def test_docstrings_say_what_the_table_says():
    """A documented leaf quotes the table's name and advice; an undocumented one says so."""
    leaves = {c.name: c for c in describe(load_standard(), PROFILE, NAMES).classes}
    conflict = leaves["ConflictError"].doc
    assert conflict.startswith('409 Conflict, from shape_svc (its table: "Already There").')
    assert "(``DO_NOT_REPEAT``)" in conflict
    assert leaves["ServiceUnavailableError"].doc == (
        "503 Service Unavailable, from shape_svc.\n\nDown."
    )
    assert "(not in its table)" in leaves["NotFoundError"].doc
    assert all(max(map(len, c.doc.split("\n"))) <= 88 for c in leaves.values())


def test_aliases_and_names():
    """The table's own names become aliases; __all__ is every name once, in ruff's order."""
    shape = describe(load_standard(), PROFILE, NAMES)
    assert ("AlreadyThereError", "ConflictError") in shape.aliases
    assert ("RequestEntityTooLargeError", "ContentTooLargeError") in shape.aliases
    assert len(set(shape.names)) == len(shape.names)
    assert shape.names == sorted(shape.names, key=all_key)
    assert shape.names[0] == "STATUS_CLASSES" and shape.names[-1] == "codes"
    assert shape.codes == frozenset({409, 503})


@pytest.mark.parametrize(
    ("module", "path", "short"),
    [(None, "cloudstatus.services.dms", "dms"), ("dms_errors", "dms_errors", "dms_errors")],
)
def test_module_doc_names_where_the_namespace_lives(module, path, short):
    """The module docstring refers to the namespace by its import path, with the tree."""
    shape = describe(load_standard(), get_profile("dms"), NAMES, digest="abc", module=module)
    assert f":class:`~{path}.Error`" in shape.doc
    assert f"    * {short}.ConflictError (409)" in shape.doc
    assert "(profile sha256 abc)" in shape.doc
    assert ("Importing this module declares the service 'dms'" in shape.doc) is (module is not None)
    assert shape.hierarchy.startswith(f"* {short}.Error (a CloudStatusError)\n")
