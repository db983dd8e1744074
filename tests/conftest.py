"""Shared fixtures: paths into the repository (tests never read ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The embedded sample pages."""
    return SEEDS


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    """Every sample page, sorted."""
    return sorted(SEEDS.glob("*.txt"))
