"""Seed files (JSON or TOML): agents, numbers and callee scripts for every new tenant."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import contracts
from mock_server.domain.tenants.seed import Seed


class SeedFileError(ValueError):
    """A seed file that cannot be read or breaks the ``seed_file`` contract."""


def load_seed_file(path: str | Path) -> Seed:
    """Read and validate ``path``; errors name the file and every offending field."""
    file = Path(path)
    if file.suffix.lower() in (".yaml", ".yml"):
        raise SeedFileError(
            f"seed file {file}: YAML is not supported; write the same fields as JSON "
            "(seed.json) or TOML (seed.toml)"
        )
    try:
        text = file.read_text("utf-8")
    except OSError as exc:
        raise SeedFileError(f"cannot read seed file {file}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text) if file.suffix == ".toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise SeedFileError(
            f"seed file {file} is not valid {'TOML' if file.suffix == '.toml' else 'JSON'} "
            f"(a .toml file is read as TOML, any other as JSON): {exc}"
        ) from None
    errors = contracts.errors_of("seed_file", data)
    if errors:
        lines = "; ".join(f"{e.path}: {e.message}" for e in errors)
        raise SeedFileError(f"seed file {file} is invalid: {lines}")
    return Seed.from_dict(data)
