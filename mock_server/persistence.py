"""Persistent state: an SQLite operation log, written before each change is acknowledged.

Each change to a tenant is appended and committed (``synchronous=FULL``) inside the tenant's
lock, before the response leaves, so a crash — even ``kill -9`` — loses nothing that was
acknowledged. A tenant is rebuilt from its own operations when its key is first used after a
start, or again after ``max_tenants`` evicted it (see ``domain.oplog``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ops (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant TEXT NOT NULL,
    op TEXT NOT NULL,
    args TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ops_by_tenant ON ops (tenant, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class StateFileError(RuntimeError):
    """The state file cannot be used (unreadable, not ours, or made with another seed)."""


class Store:
    """An append-only log of tenant operations in one SQLite file."""

    def __init__(self, path: str | Path, *, seed: int) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StateFileError(f"cannot use state file {self.path}: {exc}") from None
        self._lock = threading.Lock()
        row = self._db.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('seed', ?)", (str(seed),))
        elif row[0] != str(seed):
            raise StateFileError(
                f"state file {self.path} was made with --seed {row[0]}, not {seed}"
            )

    def recorder(self, tenant: str) -> Callable[[str, dict[str, Any], int], None]:
        """The callback a tenant calls after each change."""

        def record(op: str, args: dict[str, Any], at: int) -> None:
            text = json.dumps(args, separators=(",", ":"))
            with self._lock:
                self._db.execute(
                    "INSERT INTO ops (tenant, op, args, at) VALUES (?, ?, ?, ?)",
                    (tenant, op, text, at),
                )

        return record

    def operations(self, tenant: str) -> Iterator[tuple[str, dict[str, Any], int]]:
        """The tenant's logged operations, oldest first: (op, args, at)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT op, args, at FROM ops WHERE tenant = ? ORDER BY seq", (tenant,)
            ).fetchall()
        for op, args, at in rows:
            yield op, json.loads(args), at

    def first_at(self, tenant: str) -> int | None:
        """When the tenant's first logged operation happened (None if it has none)."""
        with self._lock:
            row = self._db.execute(
                "SELECT at FROM ops WHERE tenant = ? ORDER BY seq LIMIT 1", (tenant,)
            ).fetchone()
        return None if row is None else int(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
