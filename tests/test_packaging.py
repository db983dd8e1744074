"""The wheel ships everything the package reads at run time (regression: the query page's
assets were missing from the wheel while an editable install hid it)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_contains_every_runtime_resource(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--disable-pip-version-check", "-w", str(tmp_path), str(REPO)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("esfgraph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    pkg = REPO / "esfgraph"
    wanted = {f"esfgraph/{p.relative_to(pkg).as_posix()}"
              for pattern in ("ontology/*.ttl", "shapes/*.ttl", "data/*", "queries/*.rq",
                              "jsonld/*.jsonld", "serve/static/*",
                              "explore/web/templates/*.html", "explore/web/static/*",
                              "explore/web/geo/*")
              for p in pkg.glob(pattern)}
    assert len(wanted) > 20
    assert wanted <= names, sorted(wanted - names)
