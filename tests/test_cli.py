"""Every command has help with an example and is documented in the README."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from esfgraph import __version__
from esfgraph.cli import main
from tests.conftest import REPO

COMMANDS = sorted(main.commands)


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_there_are_commands() -> None:
    assert {"parse", "build", "query", "export", "validate", "serve"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_example(name: str) -> None:
    result = CliRunner().invoke(main, [name, "-h"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`esfgraph {name} -h` shows no example"


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_readme(name: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"esfgraph {name}" in readme, f"`esfgraph {name}` is not documented in README.md"


def test_commands_are_hyphenated() -> None:
    for name in COMMANDS:
        assert name == name.lower() and "_" not in name, name
        assert isinstance(main.commands[name], click.Command)
