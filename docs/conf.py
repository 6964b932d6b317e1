"""Sphinx configuration for the cloudstatus documentation.

Build (warnings are errors, nothing is fetched from the network)::

    sphinx-build -n -W --keep-going -b html docs docs/_build/html
    sphinx-build -n -W --keep-going -b doctest docs docs/_build/doctest
"""

from __future__ import annotations

import doctest
import sys
from pathlib import Path

import cloudstatus

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "cloudstatus"
author = "the cloudstatus authors"
copyright = "the cloudstatus authors"
release = cloudstatus.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "cloudstatus_docs",
]

exclude_patterns = ["_build", "_generated", "_inventories", "examples/*.txt"]
templates_path: list[str] = []
html_static_path: list[str] = []
html_theme = "furo"
html_title = f"cloudstatus {release}"
nitpicky = True

# -- autodoc -------------------------------------------------------------------------------

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_default_options = {"show-inheritance": True}

# -- intersphinx: local inventories only (see _inventories/make_inventories.py) ------------

intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", "_inventories/python.inv"),
    "requests": ("https://requests.readthedocs.io/en/latest/", "_inventories/requests.inv"),
    "urllib3": ("https://urllib3.readthedocs.io/en/stable/", "_inventories/urllib3.inv"),
    "pytest": ("https://docs.pytest.org/en/stable/", "_inventories/pytest.inv"),
}

# -- doctest -------------------------------------------------------------------------------

DOCS_DIR = Path(__file__).resolve().parent

# Sphinx's default minus IGNORE_EXCEPTION_DETAIL: the messages shown are checked too.
doctest_default_flags = doctest.ELLIPSIS | doctest.DONT_ACCEPT_TRUE_FOR_1

doctest_global_setup = f"""
import cloudstatus
DOCS_DIR = {str(DOCS_DIR)!r}
"""
# Every group starts with no error-code classes registered, whatever ran before it.
doctest_global_cleanup = """
for _cls in list(cloudstatus.default_registry):
    cloudstatus.default_registry.unregister(_cls)
"""

# -- nitpicky: the few references no inventory can resolve ---------------------------------

nitpick_ignore = [
    # responses publishes no Sphinx documentation (its README is the manual).
    ("py:class", "responses.Response"),
    ("py:class", "responses.RequestsMock"),
    # install() returns the client it was given: a type variable, not a class.
    ("py:class", "_Client"),
]
