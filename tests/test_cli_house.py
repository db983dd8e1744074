"""The house drawing: the CLI (esfgraph/cli/) is a thin layer over the public API.

Every `cli/` module may import from esfgraph only the names in `esfgraph.__all__` (plus
`__version__` and the cli package's own helpers), and may reach `esfgraph.X` only for a
public X. Anything else would make the CLI depend on internals that the API does not
promise, and the Python API would fall behind the command line again.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import esfgraph

CLI = Path(esfgraph.__file__).resolve().parent / "cli"

#: (module file, imported name) pairs that may not go through the public API yet, each
#: with the reason. Keep this list short and empty it as the API grows.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def _violations(path: Path) -> list[str]:
    public = set(esfgraph.__all__)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.split(".")[0] == "esfgraph":
            if node.module.startswith("esfgraph.cli"):
                continue
            for alias in node.names:
                ok = node.module == "esfgraph" and alias.name in public
                if not ok and (path.name, f"{node.module}.{alias.name}") not in EXCEPTIONS:
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "esfgraph" and alias.name != "esfgraph" \
                        and not alias.name.startswith("esfgraph.cli"):
                    found.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.value.id == "esfgraph" and node.attr not in public:
            found.append(f"line {node.lineno}: esfgraph.{node.attr}")
    return found


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=lambda p: p.name)
def test_cli_module_uses_only_public_names(path: Path) -> None:
    assert _violations(path) == [], (
        f"{path.name} reaches past the public API; add the capability to esfgraph/__init__.py "
        "(or, if it truly cannot go there yet, to EXCEPTIONS with the reason)")


def test_the_check_catches_an_internal_import(tmp_path: Path) -> None:
    bad = tmp_path / "cmd_bad.py"
    bad.write_text("from esfgraph.store import Store\nimport esfgraph.query\n"
                   "import esfgraph\nesfgraph.pipeline.build\nfrom esfgraph import open\n",
                   encoding="utf-8")
    assert [v.split(":")[0] for v in _violations(bad)] == ["line 1", "line 2", "line 4"]


def test_every_command_module_is_checked() -> None:
    names = {p.name for p in CLI.glob("cmd_*.py")}
    assert {"cmd_build.py", "cmd_query.py", "cmd_serve.py", "cmd_parse.py"} <= names


def test_the_api_reference_page_documents_exactly_the_public_names() -> None:
    """docs/api/esfgraph.html (pdoc) is regenerated when `__all__` changes."""
    import re

    page = (CLI.parent.parent / "docs" / "api" / "esfgraph.html").read_text(encoding="utf-8")
    documented = set(re.findall(r'<section id="([A-Za-z_]+)">', page))
    assert documented == set(esfgraph.__all__), \
        "run `bash scripts/api-docs.sh` and commit docs/api/"
