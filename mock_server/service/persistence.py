"""Persistent state: an SQLite operation log, written before each change is acknowledged.

Each change to a tenant is appended and committed (``synchronous=FULL``) inside the tenant's
lock, before the response leaves, so a crash — even ``kill -9`` — loses nothing that was
acknowledged. A tenant is rebuilt from its own operations when its key is first used after a
start, or again after ``max_tenants`` evicted it (see ``domain.oplog``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import IO, Any

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


class StateFileInUse(StateFileError):
    """Another process holds the state file (never recovered by moving it aside)."""


class NotDurable(Exception):
    """A change could not be written to the state file (the disk is full, say)."""


class Store:
    """An append-only log of tenant operations in one SQLite file, owned by one process: an
    OS lock on ``FILE.lock`` (``fcntl.flock``, released by the kernel even after ``kill -9``)
    keeps a second server off the same file."""

    def __init__(self, path: str | Path, *, seed: int, world: str | None = None) -> None:
        # the file itself, however it is reached (a symlink, a relative path): one lock
        self.path = Path(path).resolve()
        try:
            self._owner = _own(self.path)
        except OSError as exc:
            raise StateFileError(
                f"cannot use state file {self.path}: {exc.strerror or exc} (is its folder "
                "there, writable, and not full?)"
            ) from None
        try:
            self._open(seed, world)
        except (sqlite3.Error, StateFileError) as exc:  # closes what it opened, then says why
            with contextlib.suppress(sqlite3.Error, AttributeError):
                self._db.close()
            self._owner.close()
            if isinstance(exc, StateFileError):
                raise
            raise StateFileError(  # a full or read-only disk, after the file opened
                f"cannot use state file {self.path}: {exc} (is its disk full or read-only?)"
            ) from None

    def _open(self, seed: int, world: str | None) -> None:
        if self.path.exists() and self.path.stat().st_size == 0:
            self._owner.close()
            raise StateFileError(
                f"state file {self.path} is empty (truncated?); it holds no log to restore. "
                "Use --state-recover to move it aside and start fresh."
            )
        wal = Path(f"{self.path}-wal")
        had_wal = wal.exists()
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
        made_with = self._db.execute("SELECT value FROM meta WHERE key = 'world'").fetchone()
        if world is not None and made_with is None:
            self._db.execute("INSERT INTO meta VALUES ('world', ?)", (world,))
        elif world is not None and made_with[0] != world:
            self._db.close()
            self._owner.close()
            raise StateFileError(
                f"state file {self.path} was made with another starting world (another "
                "--seed-file, or with/without --no-seed); its log would not replay onto this "
                "one. Start with the same options, or use --state-recover to start fresh."
            )
        # An "open" mark in the main file itself (checkpointed): a file still marked open was
        # not closed cleanly, and after a crash its log's tail lives in FILE-wal, which SQLite
        # keeps while the file is open. Marked open with no FILE-wal beside it, the file was
        # copied or moved without its log: the tail is gone, so refuse rather than start short.
        opened = self._db.execute("SELECT value FROM meta WHERE key = 'open'").fetchone()
        if opened is not None and opened[0] == "1" and not had_wal:
            self._db.close()
            self._owner.close()
            raise StateFileError(
                f"state file {self.path} was not closed cleanly and its write-ahead log "
                f"{wal} is missing: what was logged since its last checkpoint is lost. Copy "
                f"{wal.name} along with it, or use --state-recover to move it aside and start "
                "fresh."
            )
        self._salt = self._key_salt()
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('open', '1')")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _key_salt(self) -> bytes:
        """The file's secret for hashing API keys (made once). A file from before keys were
        hashed has its raw keys replaced by their hashes, in one transaction."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'key_salt'").fetchone()
        if row is not None:
            return bytes.fromhex(row[0])
        salt = os.urandom(32)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            raw = [k for (k,) in self._db.execute("SELECT DISTINCT tenant FROM ops")]
            for key in raw:
                self._db.execute(
                    "UPDATE ops SET tenant = ? WHERE tenant = ?", (_hashed(salt, key), key)
                )
            self._db.execute("INSERT INTO meta VALUES ('key_salt', ?)", (salt.hex(),))
            self._db.execute("COMMIT")
        return salt

    def tenant_id(self, key: str) -> str:
        """What the file stores for an API key: a keyed hash, never the key (the same key
        is the same tenant whenever it comes back)."""
        return _hashed(self._salt, key)

    def check(self, known_ops: frozenset[str]) -> None:
        """Read the whole log once, without applying it: a corrupted page, a table of
        another layout, an unknown operation, arguments that are not JSON or not of the
        operation's shape (``oplog_args.json``; ``configure`` values as the knobs take
        them), or an instant that is not an integer or goes back in time is a
        StateFileError naming the file, the tenant and the operation. What only replaying
        can find (an operation on a call the log never made) quarantines that tenant
        instead (``Service``)."""
        shapes = _op_shapes()
        last: dict[str, int] = {}
        seen: dict[str, str | None] = {}
        try:
            with self._lock:
                verdict = self._db.execute("PRAGMA quick_check").fetchone()[0]
                rows = self._db.execute(
                    "SELECT seq, tenant, op, args, typeof(at), at FROM ops ORDER BY seq"
                )
                for seq, tenant, op, args, at_type, at in rows:
                    if op not in known_ops:
                        raise StateFileError(
                            f"state file {self.path}: operation {seq} of tenant {tenant!r} is "
                            f"{op!r}, which this version cannot replay"
                        )
                    if op == "configure":  # the knob check is dear; its arguments repeat
                        problem = seen.get(args, "")
                        if problem == "":
                            problem = seen[args] = _args_problem(shapes, op, args)
                    else:
                        problem = _args_problem(shapes, op, args)
                    if problem is None and at_type != "integer":
                        problem = "an instant that is not an integer"
                    elif problem is None and at < last.get(tenant, at):
                        problem = f"an instant that goes back in time ({at} ms)"
                    if problem is not None:
                        raise StateFileError(
                            f"state file {self.path}: operation {seq} ({op}) of tenant "
                            f"{tenant!r} has {problem}"
                        )
                    last[tenant] = at
        except sqlite3.DatabaseError as exc:
            raise StateFileError(
                f"state file {self.path} is damaged or of another layout: {exc}"
            ) from None
        if verdict != "ok":
            raise StateFileError(f"state file {self.path} is damaged: {verdict}")

    def last_at(self, tenant: str) -> int | None:
        """When the tenant's last logged operation happened (None if it has none)."""
        with self._lock:
            row = self._db.execute(
                "SELECT at FROM ops WHERE tenant = ? ORDER BY seq DESC LIMIT 1",
                (self.tenant_id(tenant),),
            ).fetchone()
        return None if row is None else int(row[0])

    def recorder(self, tenant: str) -> Callable[[str, dict[str, Any], int], None]:
        """The callback a tenant calls after each change."""
        tenant = self.tenant_id(tenant)

        def record(op: str, args: dict[str, Any], at: int) -> None:
            text = json.dumps(args, separators=(",", ":"))
            try:
                with self._lock:
                    self._db.execute(
                        "INSERT INTO ops (tenant, op, args, at) VALUES (?, ?, ?, ?)",
                        (tenant, op, text, at),
                    )
            except sqlite3.Error as exc:  # a full disk, a read-only or vanished file
                raise NotDurable(f"state file {self.path}: cannot log {op}: {exc}") from None

        return record

    def operations(self, tenant: str) -> Iterator[tuple[str, dict[str, Any], int]]:
        """The tenant's logged operations, oldest first: (op, args, at)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT op, args, at FROM ops WHERE tenant = ? ORDER BY seq",
                (self.tenant_id(tenant),),
            ).fetchall()
        for op, args, at in rows:
            yield op, json.loads(args), at

    def first_at(self, tenant: str) -> int | None:
        """When the tenant's first logged operation happened (None if it has none)."""
        with self._lock:
            row = self._db.execute(
                "SELECT at FROM ops WHERE tenant = ? ORDER BY seq LIMIT 1",
                (self.tenant_id(tenant),),
            ).fetchone()
        return None if row is None else int(row[0])

    def close(self) -> None:
        """Mark the file closed (checkpointed into the main file) and let it go."""
        with contextlib.suppress(sqlite3.Error), self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('open', '0')")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with self._lock:
            self._db.close()
        self._owner.close()


def _hashed(salt: bytes, key: str) -> str:
    """An API key as the state file stores it: HMAC-SHA-256 under the file's salt."""
    digest = hmac.new(salt, key.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return "hmac:" + digest.hexdigest()[:40]


def _op_shapes() -> dict[str, Any]:
    """A compiled validator of each operation's arguments (``oplog_args.json``)."""
    import jsonschema_rs

    text = resources.files("mock_server.service").joinpath("oplog_args.json").read_text("utf-8")
    ops: dict[str, Any] = json.loads(text)["ops"]
    return {op: jsonschema_rs.validator_for(shape) for op, shape in ops.items()}


def _args_problem(shapes: dict[str, Any], op: str, text: str) -> str | None:
    """Why the logged ``text`` cannot be ``op``'s arguments, as words (None: it can)."""
    try:
        args = json.loads(text)
    except (ValueError, TypeError):
        return "arguments that are not JSON"
    problem = _shape_problem(shapes, op, args)
    return None if problem is None else f"arguments it cannot replay: {problem}"


def _shape_problem(shapes: dict[str, Any], op: str, args: Any) -> str | None:
    """Why ``args`` cannot be ``op``'s arguments (None: they can)."""
    shape = shapes.get(op)
    if shape is not None and not shape.is_valid(args):
        error = next(iter(shape.iter_errors(args)))
        path = "/".join(str(p) for p in error.instance_path) or "(the arguments)"
        return f"{path}: {error.message}"
    if op == "configure":
        from mock_server.domain.tenants.knobs import KnobError
        from mock_server.service.knob_values import check as check_knobs

        try:
            check_knobs(args["changes"])
        except KnobError as exc:
            return f"changes: {exc}"
    return None


def _own(path: Path) -> IO[str]:
    """Hold ``path``'s lock file for this process (StateFileError if another holds it)."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the process's life
    except OSError as exc:
        raise StateFileError(f"cannot use state file {path}: {exc}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        owner = handle.read().strip() or "another process"
        handle.close()
        raise StateFileInUse(
            f"state file {path} is in use by another cartesia-fake (pid {owner}); "
            "two servers on one state file would hand out the same ids"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def move_aside(path: str | Path) -> Path | None:
    """``--state-recover``: rename a state file (and its -wal/-shm) out of the way."""
    source = Path(path)
    if not source.exists():
        return None
    n = 1
    while (target := source.with_name(f"{source.name}.bad-{n}")).exists():
        n += 1
    source.rename(target)
    for suffix in ("-wal", "-shm"):
        side = source.with_name(source.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target
