"""The repository holds no binaries: no wheels, archives or compiled objects are tracked
(they bloat every clone and cannot be reviewed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = (".whl", ".tar.gz", ".zip", ".so", ".pyc", ".egg", ".jar", ".exe", ".dll")


def test_no_binaries_are_tracked() -> None:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert listed.returncode == 0, listed.stderr  # the suite runs from a git checkout
    tracked = listed.stdout.splitlines()
    assert tracked, "git lists no files"
    binaries = [f for f in tracked if f.endswith(BINARY)]
    assert binaries == []
    large = [f for f in tracked if (ROOT / f).is_file() and (ROOT / f).stat().st_size > 1_000_000]
    assert large == [], f"files over 1 MB tracked: {large}"
