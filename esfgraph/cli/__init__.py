"""The `esfgraph` command line: a thin layer over the library API.

Each command lives in its own `cmd_*.py` module (one job each) and registers itself on the
`main` group; this package imports them all so `esfgraph --help` lists every command.
"""

from __future__ import annotations

import importlib
import pkgutil

from esfgraph.cli._group import main

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("cmd_"):
        importlib.import_module(f"{__name__}.{_info.name}")

__all__ = ["main"]
