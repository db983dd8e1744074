"""The click group every command registers on, and shared option bundles."""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable

import click

from esfgraph import Config, EsfgraphError, __version__, load_config

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="esfgraph")
def main() -> None:
    """esfgraph: ESF project pages → a linked-data knowledge graph.

    \b
    Example:
      esfgraph build seeds/ && esfgraph query --name money-per-region
    """


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--config FILE` and pass the loaded `Config` as the `config` keyword."""

    @click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                  help="YAML config file (default: ./esfgraph.yaml when present).")
    @functools.wraps(func)
    def wrapper(*args: Any, config_path: str | None, **kwargs: Any) -> Any:
        try:
            config = load_config(config_path)
        except EsfgraphError as exc:
            raise click.UsageError(str(exc)) from exc
        return func(*args, config=config, **kwargs)

    return wrapper


def fail(message: str, code: int = 2) -> None:
    """Print an error to stderr (no traceback) and exit with `code`."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


__all__ = ["CONTEXT_SETTINGS", "Config", "config_option", "fail", "main"]
