"""The generated docs table of the API gateway's error codes, and its drift check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cloudstatus import _generate
from cloudstatus._catalog import load_gateway, load_standard
from tests.conftest import ROOT

TABLE = ROOT / _generate.GATEWAY_CODES_DOC


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the catalog, the generated files and the docs folder, to edit freely."""
    (tmp_path / "cloudstatus").mkdir()
    shutil.copytree(ROOT / "cloudstatus" / "catalog", tmp_path / "cloudstatus" / "catalog")
    shutil.copytree(ROOT / "cloudstatus" / "services", tmp_path / "cloudstatus" / "services")
    shutil.copy(ROOT / "cloudstatus" / "_exceptions.py", tmp_path / "cloudstatus")
    shutil.copytree(ROOT / "docs" / "_generated", tmp_path / "docs" / "_generated")
    return tmp_path


def test_committed_table_is_what_the_catalog_generates():
    """docs/_generated/gateway-codes.rst is exactly the render of gateway.json."""
    assert TABLE.read_text(encoding="utf-8") == _generate.render_gateway_codes(ROOT)


@pytest.mark.parametrize("code", sorted(load_gateway()))
def test_every_gateway_code_has_its_row(code):
    """Each gateway code appears once, followed by its status, meaning and advice."""
    info = load_gateway()[code]
    text = TABLE.read_text(encoding="utf-8")
    row = (
        f"   * - ``{code}``\n"
        f"     - {info.status_code} {load_standard()[info.status_code].reason}\n"
        f"     - {info.description}\n"
        f"     - ``{info.advice.name}``\n"
    )
    assert text.count(f"``{code}``") == 1
    assert row in text


def test_table_names_its_source():
    """The table starts by naming the vendor page the facts come from."""
    source = json.loads((ROOT / "cloudstatus" / "catalog" / "gateway.json").read_text())["source"]
    assert TABLE.read_text(encoding="utf-8").startswith(f"Source: {source}.\n")


def test_gateway_edit_makes_the_table_stale(project):
    """Editing gateway.json makes ``generate --check`` name the docs table, and only it."""
    path = project / "cloudstatus" / "catalog" / "gateway.json"
    data = json.loads(path.read_text())
    data["error_codes"][0]["advice"] = "NONE"
    path.write_text(json.dumps(data, indent=2) + "\n")
    assert _generate.check(project) == [_generate.GATEWAY_CODES_DOC]
    assert _generate.write(project) == [_generate.GATEWAY_CODES_DOC]
    assert _generate.check(project) == []


def test_without_docs_folder_no_table_is_written(project):
    """A checkout without docs/ (an installed package) generates no docs table."""
    shutil.rmtree(project / "docs")
    assert _generate.GATEWAY_CODES_DOC not in _generate.check(project)


def test_retry_page_includes_the_table():
    """The "When to retry" page includes the generated table."""
    page = (ROOT / "docs" / "retry.rst").read_text(encoding="utf-8")
    assert ".. include:: _generated/gateway-codes.rst" in page
