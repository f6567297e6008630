"""A fleet: N ``cartesia-fake serve`` processes, each with its own ``--state`` file, behind a
real nginx running ``deploy/nginx.conf`` (a consistent hash of the API key picks the
process). Used by the scale-out test and ``python3 -m bench.scaleout``.

Needs nginx (Debian: ``apt-get install nginx-light``); ``nginx_binary`` installs it when
running as root on Debian, as a fresh CI machine does.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.served import _free_port, start_fake
from bench.system import debian_binary

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str:
    """Where nginx is (installed from Debian's packages first when missing and allowed)."""
    return debian_binary("nginx", "nginx-light")


def render_config(ports: list[int], listen: int) -> str:
    """``deploy/nginx.conf`` with its upstream servers on ``ports`` and its listener on
    ``listen`` (loopback): everything else is the shipped file, unchanged."""
    text = CONFIG.read_text()
    servers = "".join(
        f"        server 127.0.0.1:{port} max_fails=0;  # cartesia-fake upstream\n"
        for port in ports
    )
    text, count = re.subn(r"(?m)^\s*server \S+ max_fails=0;  # cartesia-fake upstream\n", "", text)
    assert count, "deploy/nginx.conf has no upstream server lines"
    text = text.replace("        keepalive 64;", servers + "        keepalive 64;", 1)
    text = re.sub(r"listen \d+;  # cartesia-fake listen", f"listen 127.0.0.1:{listen};", text)
    return text


def _close_pipes(proc: subprocess.Popen[str]) -> None:
    """Close what we read from an ended process (a reader thread may still hold stderr)."""
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError, ValueError):
                pipe.close()


class Fleet:
    """``size`` fakes with ``--state`` and nginx in front; ``url`` is nginx's."""

    def __init__(self, size: int, *extra: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="cartesia-fleet-"))
        self.extra = extra
        self.procs: list[subprocess.Popen[str]] = []
        self.urls: list[str] = []
        try:
            for i in range(size):
                proc, url = start_fake("--state", str(self.dir / f"fake{i}.db"), *extra)
                self.procs.append(proc)
                self.urls.append(url)
            self.ports = [int(url.rsplit(":", 1)[1]) for url in self.urls]
            listen = _free_port()
            (self.dir / "nginx.conf").write_text(render_config(self.ports, listen))
            self.nginx = subprocess.Popen(
                [nginx_binary(), "-p", str(self.dir), "-c", "nginx.conf", "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            self.url = f"http://127.0.0.1:{listen}"
            self._wait_for_nginx()
        except BaseException:
            self.close()
            raise

    def _wait_for_nginx(self) -> None:
        for _ in range(500):
            if self.nginx.poll() is not None:
                err = self.nginx.stderr.read() if self.nginx.stderr else ""
                raise RuntimeError(f"nginx exited: {err}")
            try:
                httpx.get(f"{self.url}/__fake__/clock", headers={"x-api-key": "probe"}, timeout=2)
                threading.Thread(target=self._drain, daemon=True).start()
                return
            except httpx.TransportError:
                time.sleep(0.02)
        raise RuntimeError("nginx did not start listening")

    def _drain(self) -> None:
        if self.nginx.stderr is not None:
            self.nginx.stderr.read()

    def kill(self, index: int) -> None:
        """kill -9 one fake (no shutdown, no checkpoint)."""
        self.procs[index].send_signal(signal.SIGKILL)
        self.procs[index].wait(timeout=30)
        _close_pipes(self.procs[index])

    def restart(self, index: int) -> None:
        """Start the fake again on its port with its state file."""
        proc, url = start_fake(
            "--state", str(self.dir / f"fake{index}.db"), *self.extra, port=self.ports[index]
        )
        self.procs[index] = proc
        self.urls[index] = url

    def close(self) -> None:
        nginx = getattr(self, "nginx", None)
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
            _close_pipes(proc)
        if nginx is not None:
            _close_pipes(nginx)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
