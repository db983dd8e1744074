"""The house's import direction (STYLE.md "Growing the house", issue 21 "The house").

The web app (esfgraph.serve.app) is the one composer on top: it mounts the SPARQL protocol, the
explorer and the change pages. What they share lives below all of them in esfgraph.web, and the
server's settings in esfgraph.serve.settings, so none of them imports another or the app.

The rules are checked on the source with `ast` (every import statement, nested and under
TYPE_CHECKING too, relative ones resolved, `importlib.import_module("...")` with a literal
name), and once at run time: importing a lower room must not load a higher one. A synthetic
tree with one breach of each rule shows the check is not vacuous.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import esfgraph

PACKAGE_DIR = Path(esfgraph.__file__).parent


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package under `root` (a directory named like the package)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join([package, *parts])] = path
    return out


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports_of(name: str, path: Path, known: set[str], package: str) -> set[str]:
    """The modules of `package` that module `name` imports anywhere in its source.

    `from a.b import c` counts as `a.b.c` when that is a module, else as `a.b`.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = name if _is_package(path) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.add(sub if sub in known else source)
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name)
                       and node.func.id in ("import_module", "__import__")))):
            found.add(node.args[0].value)
    return {m for m in found if m == package or m.startswith(package + ".")}


def _under(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".")


def rules(package: str) -> list[tuple[str, tuple[str, ...], tuple[str, ...], str]]:
    """(importer room, rooms it must not import, importers exempt, why)."""
    p = package
    top = (f"{p}.library", f"{p}.cli")
    return [
        (f"{p}.web", (f"{p}.serve", f"{p}.explore", f"{p}.changes", *top), (),
         "the shared room sits below the protocol, the explorer and the change pages"),
        (f"{p}.explore", (f"{p}.serve", f"{p}.changes", *top), (),
         "the explorer imports neither the server nor the change pages"),
        (f"{p}.changes", (f"{p}.serve", f"{p}.explore", *top), (),
         "the change pages import neither the server nor the explorer"),
        (f"{p}.serve", (f"{p}.explore", f"{p}.changes", *top), (f"{p}.serve.app",),
         "only the app composes the explorer and the change pages"),
        (p, (f"{p}.serve.app",), (f"{p}.serve",),
         "nothing imports the app but the serve package's entry point"),
    ]


def violations(root: Path, package: str = "esfgraph") -> list[str]:
    """Every import against the house's direction, as `importer -> imported (why)`."""
    files = module_files(root, package)
    known = set(files)
    out = []
    for name, path in files.items():
        targets = imports_of(name, path, known, package)
        for room, forbidden, exempt, why in rules(package):
            if not _under(name, room) or name in exempt:
                continue
            for target in sorted(targets):
                if any(_under(target, f) for f in forbidden) and not _under(target, name):
                    out.append(f"{name} -> {target} ({why})")
    return sorted(set(out))


def test_the_package_imports_in_one_direction() -> None:
    assert violations(PACKAGE_DIR) == []


def test_the_scan_sees_the_real_imports() -> None:
    """The rooms exist and the scanner resolves their imports (a scan of nothing passes)."""
    files = module_files(PACKAGE_DIR, "esfgraph")
    known = set(files)
    for room in ("esfgraph.web", "esfgraph.serve", "esfgraph.explore", "esfgraph.changes"):
        assert sum(_under(m, room) for m in files) >= 3, room
    app = imports_of("esfgraph.serve.app", files["esfgraph.serve.app"], known, "esfgraph")
    assert {"esfgraph.explore.web.routes", "esfgraph.changes.web", "esfgraph.web.security",
            "esfgraph.serve.settings"} <= app
    routes = imports_of("esfgraph.explore.web.routes", files["esfgraph.explore.web.routes"],
                        known, "esfgraph")
    assert {"esfgraph.web.render", "esfgraph.web.statements"} <= routes
    backend = imports_of("esfgraph.serve.backend", files["esfgraph.serve.backend"], known,
                         "esfgraph")
    assert "esfgraph.serve.settings" in backend and "esfgraph.serve.app" not in backend


def test_lower_rooms_load_without_the_higher_ones() -> None:
    """At run time too: importing the shared room, the explorer's pages or the change pages
    loads neither the app nor a sibling (any esfgraph.serve module would run serve/__init__,
    which imports the app)."""
    probe = (
        "import sys\n"
        "def loaded(*rooms):\n"
        "    return sorted(m for m in sys.modules if any(m == r or m.startswith(r + '.')"
        " for r in rooms))\n"
        "import esfgraph.web.render, esfgraph.web.statements, esfgraph.web.results, "
        "esfgraph.web.security\n"
        "print('web', loaded('esfgraph.serve', 'esfgraph.explore', 'esfgraph.changes'))\n"
        "import esfgraph.changes.web\n"
        "print('changes', loaded('esfgraph.serve', 'esfgraph.explore'))\n"
        "import esfgraph.explore.web.routes, esfgraph.explore.api\n"
        "print('explore', loaded('esfgraph.serve'))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, check=True).stdout.splitlines()
    assert out == ["web []", "changes []", "explore []"], out


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_tree_against_the_direction_is_caught(tmp_path: Path) -> None:
    """One breach of each rule, in each form of import the scanner reads."""
    root = tmp_path / "esfgraph"
    for rel in ("__init__.py", "web/__init__.py", "explore/__init__.py",
                "explore/web/__init__.py", "changes/__init__.py", "library/__init__.py"):
        _write(root, rel, "")
    _write(root, "serve/__init__.py", "from esfgraph.serve.app import create_app\n")
    _write(root, "serve/settings.py", "X = 1\n")
    # the shared room reaching up into the explorer (a plain from-import)
    _write(root, "web/render.py", "from esfgraph.explore.web.routes import render\n")
    _write(root, "explore/web/routes.py",
           "def f():\n    from esfgraph.serve import pages\n    return pages\n")  # nested
    _write(root, "changes/web.py", "import esfgraph.explore.web.routes\n")  # plain import
    # relative import from the serve package into the change pages, outside the app
    _write(root, "serve/pages.py", "from ..changes import web\n")
    _write(root, "serve/backend.py",  # under TYPE_CHECKING: still an import against the grain
           "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
           "    from esfgraph.serve.app import ServeSettings\n")
    _write(root, "serve/app.py", "from esfgraph.explore.web import routes\n"
                                 "from esfgraph.changes import web\n"
                                 "from esfgraph.serve import settings\n")
    _write(root, "library/serving.py",
           "import importlib\nAPP = importlib.import_module('esfgraph.serve.app')\n")
    found = violations(root)
    by_pair = {v.split(" (")[0] for v in found}
    assert by_pair == {
        "esfgraph.web.render -> esfgraph.explore.web.routes",
        "esfgraph.explore.web.routes -> esfgraph.serve.pages",
        "esfgraph.changes.web -> esfgraph.explore.web.routes",
        "esfgraph.serve.pages -> esfgraph.changes.web",
        "esfgraph.serve.backend -> esfgraph.serve.app",
        "esfgraph.library.serving -> esfgraph.serve.app",
    }, found
    # the app itself composing the explorer and the changes, and serve/__init__ importing the
    # app, are what the house wants: not reported
    assert not any(v.startswith(("esfgraph.serve.app ", "esfgraph.serve ->")) for v in found)
