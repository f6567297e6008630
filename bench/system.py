"""Programs from Debian's packages that some tests and benchmarks drive (nginx, Chromium):
found on the machine, or installed with apt-get when running as root on Debian, as a fresh
CI machine does, under a file lock so that parallel test workers wait for one install."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

_PATH = "/usr/sbin:/usr/local/sbin:/usr/bin:/usr/local/bin"


def debian_binary(binary: str, *packages: str) -> str:
    """Where ``binary`` is, installing ``packages`` first when it is missing and that is
    allowed. Raises RuntimeError saying how to install it otherwise."""
    found = shutil.which(binary) or shutil.which(binary, path=_PATH)
    if found:
        return found
    hint = f"{binary} is needed: apt-get install {' '.join(packages)}"
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise RuntimeError(hint)
    with open(Path(tempfile.gettempdir()) / "cartesia-fake-apt.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = shutil.which(binary, path=_PATH)
        if found:
            return found
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
        for command in (["apt-get", "update", "-q"], install):
            subprocess.run(command, env=env, capture_output=True, check=False, timeout=900)
    found = shutil.which(binary, path=_PATH)
    if not found:
        raise RuntimeError(f"{hint} (tried, and it did not install)")
    return found
