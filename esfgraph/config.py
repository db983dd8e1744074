"""Settings from `esfgraph.yaml`, with documented defaults (see README, "Configuration")."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from esfgraph.errors import ConfigError

CONFIG_FILE_NAME = "esfgraph.yaml"
#: Default base IRI for data (projects, organisations, places); overridable in esfgraph.yaml.
DEFAULT_BASE_IRI = "https://w3id.org/esfgraph/"


@dataclass(frozen=True)
class Config:
    """All tunable settings; every field has a default so no config file is needed."""

    base_iri: str = DEFAULT_BASE_IRI
    store: str = ".esfgraph/store"
    personal_data: bool = True
    validate: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 30.0
    max_rows: int = 10000
    max_request_bytes: int = 1_000_000
    extra: dict[str, Any] = field(default_factory=dict)

    def store_path(self) -> Path:
        """The store location as a path (relative paths are relative to the working directory)."""
        return Path(self.store)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read a YAML config; with no path, read ./esfgraph.yaml when it exists, else defaults.

    Raises:
        ConfigError: the file cannot be read, is not a mapping, or has a bad value.
    """
    if path is None:
        candidate = Path(CONFIG_FILE_NAME)
        if not candidate.exists():
            return Config()
        path = candidate
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping of keys to values")
    known = {f.name: f for f in fields(Config)}
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known or key == "extra":
            extra[key] = value
            continue
        default = getattr(Config(), key)
        if isinstance(default, bool) and not isinstance(value, bool):
            raise ConfigError(f"{path}: '{key}' must be true or false, got {value!r}")
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{path}: '{key}' must be a number, got {value!r}")
        if isinstance(default, str) and not isinstance(value, str):
            raise ConfigError(f"{path}: '{key}' must be a string, got {value!r}")
        values[key] = value
    config = replace(Config(), **values, extra=extra)
    if not config.base_iri.endswith(("/", "#")):
        raise ConfigError(f"{path}: 'base_iri' must end with '/' or '#', got {config.base_iri!r}")
    return config
