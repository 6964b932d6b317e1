"""The public surface: what ``import cloudstatus`` offers, and under which names."""

from __future__ import annotations

import builtins

import cloudstatus
from cloudstatus._catalog import load_standard

HAND_WRITTEN = {
    "Advice",
    "ClientError",
    "CloudStatusError",
    "RedirectionError",
    "RegistrationError",
    "Registry",
    "ServerError",
    "ServiceProfile",
    "StatusInfo",
    "__version__",
    "default_registry",
    "error_class",
    "error_from_response",
    "install",
    "raise_for_status",
    "status_info",
    "uninstall",
    "ErrorBody",
    "ErrorCodeInfo",
    "error_code_info",
    "RateLimit",
    "HookOptions",
}


def _generated_names() -> set[str]:
    names = {"CATALOG_DIGEST", "STATUS_CLASSES"}
    for code, entry in load_standard().items():
        if code >= 300 and entry.class_name:
            names.add(entry.class_name)
            names.update(entry.aliases)
    return names


def test_all_is_exactly_the_public_names():
    """__all__ lists the hand-written names plus one class (and its aliases) per code."""
    assert set(cloudstatus.__all__) == HAND_WRITTEN | _generated_names()


def test_all_is_sorted_and_unique():
    """__all__ is sorted with no repeats, so diffs of it stay readable."""
    assert cloudstatus.__all__ == sorted(set(cloudstatus.__all__))


def test_every_exported_name_exists():
    """Every name in __all__ is an attribute of the package."""
    missing = [n for n in cloudstatus.__all__ if not hasattr(cloudstatus, n)]
    assert missing == []


def test_public_classes_report_the_package_as_their_module():
    """Exported classes say ``cloudstatus`` so tracebacks show the importable name."""
    wrong = [
        n
        for n in cloudstatus.__all__
        if isinstance(getattr(cloudstatus, n), type)
        and getattr(cloudstatus, n).__module__ != "cloudstatus"
    ]
    assert wrong == []


def test_no_exported_name_shadows_a_builtin():
    """``from cloudstatus import *`` never hides a builtin such as NotImplementedError."""
    assert set(cloudstatus.__all__) & set(dir(builtins)) == set()


def test_public_names_have_docstrings():
    """Every exported class and function documents itself."""
    undocumented = [
        n
        for n in cloudstatus.__all__
        if callable(getattr(cloudstatus, n)) and not (getattr(cloudstatus, n).__doc__ or "").strip()
    ]
    assert undocumented == []


def test_unknown_attribute_is_an_attribute_error():
    """A name the package does not have raises AttributeError naming it."""
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = cloudstatus.Nope


def test_lazy_names_load_on_first_use():
    """The parsers, status_info, error_code_info and catalog types arrive on first access."""
    import subprocess
    import sys

    code = (
        "import sys, cloudstatus\n"
        "assert 'cloudstatus._parse' not in sys.modules\n"
        "assert 'cloudstatus._catalog' not in sys.modules\n"
        "assert 'xml.etree.ElementTree' not in sys.modules\n"
        "assert cloudstatus.ErrorBody.__module__ == 'cloudstatus'\n"
        "assert cloudstatus.status_info(409).reason == 'Conflict'\n"
        "assert cloudstatus.ErrorCodeInfo.__module__ == 'cloudstatus'\n"
        "assert cloudstatus.error_code_info('APIGW.0308').status_code == 429\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
