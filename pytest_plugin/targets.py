"""What the plugin's fixtures hand to tests: a tenant on the session server, and a target
(the in-process fake or a live base URL) that a dialer under test can be pointed at."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

from mock_server import FakeCartesia
from mock_server.kit.facade import DEFAULT_BASE_URL, DEFAULT_VERSION


def _headers(api_key: str, version: str) -> dict[str, str]:
    return {"authorization": f"Bearer {api_key}", "cartesia-version": version}


@dataclass
class ServerTenant:
    """A fresh tenant (a new API key) on the session's live server."""

    url: str
    api_key: str
    fake: FakeCartesia
    #: The Cartesia-Version its clients send (ini ``cartesia_api_version``).
    api_version: str = DEFAULT_VERSION
    _clients: list[httpx.Client] = field(default_factory=list)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx.Client for this tenant on the live server."""
        headers = _headers(self.api_key, self.api_version)
        c = httpx.Client(base_url=self.url, headers=headers, **kwargs)
        self._clients.append(c)
        return c

    def advance(self, seconds: float) -> None:
        self.fake.advance(seconds, api_key=self.api_key)

    def run_until_idle(self) -> None:
        self.fake.run_until_idle(api_key=self.api_key)

    def close(self) -> None:
        for c in self._clients:
            c.close()


@dataclass
class CartesiaTarget:
    """Where the code under test should send its requests.

    ``fake`` is the in-process fake (None when the target is a live base URL). ``transport``
    is the in-process transport to give an httpx client (None when live).
    """

    base_url: str
    api_key: str
    fake: FakeCartesia | None
    api_version: str = DEFAULT_VERSION
    _clients: list[httpx.Client] = field(default_factory=list)

    @property
    def transport(self) -> httpx.BaseTransport | None:
        return self.fake.transport() if self.fake is not None else None

    @property
    def is_live(self) -> bool:
        return self.fake is None

    def http_client(self, **kwargs: Any) -> httpx.Client:
        """An httpx.Client with base URL, key and version set, bound to the target."""
        transport = self.transport
        if transport is not None:
            kwargs.setdefault("transport", transport)
        headers = _headers(self.api_key, self.api_version)
        c = httpx.Client(base_url=self.base_url, headers=headers, **kwargs)
        self._clients.append(c)
        return c

    def close(self) -> None:
        for c in self._clients:
            c.close()


_tenant_numbers = itertools.count(1)


def new_tenant_key(prefix: str) -> str:
    """A key no other test in this process uses (xdist workers add their id to the prefix)."""
    return f"{prefix}_{next(_tenant_numbers)}"


__all__ = ["DEFAULT_BASE_URL", "CartesiaTarget", "ServerTenant", "new_tenant_key"]
