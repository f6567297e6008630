"""Test environments beyond the README's command (which is the main suite on the newest
releases). ``.ci/run`` runs the README's command, then ``nox``.

    nox -s line      the Line bridge suite, with the real cartesia-line (older Starlette)
    nox -s lowest    the main suite on the lowest versions pyproject.toml allows
    nox -s docs      the docs site, built with --strict
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nox

nox.options.sessions = ["line", "lowest", "docs"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
PYTHON = "3.11"


def _lowest() -> list[str]:
    """Each runtime dependency pinned to the lowest version its ``>=`` allows."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = []
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+(?:\[[^\]]+\])?)>=([^,;\s]+)", requirement)
        if match is None:
            raise ValueError(f"cannot pin {requirement!r}: use NAME>=VERSION")
        pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


@nox.session(python=PYTHON)
def line(session: nox.Session) -> None:
    """The Line bridge with the real cartesia-line agent SDK."""
    session.install("-e", ".[test,line]")
    session.run("python", "-m", "pytest", "tests_line", "-p", "no:randomly", *session.posargs)


@nox.session(python=PYTHON)
def lowest(session: nox.Session) -> None:
    """The main suite on the lowest supported runtime dependencies."""
    session.install("-e", ".[test]", *_lowest())
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The docs site, every warning an error."""
    session.install("-e", ".[docs]")
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        str(ROOT / "site"),
        env={"NO_MKDOCS_2_WARNING": "1"},
    )
