"""Start-up cost of reading a whole --state log before serving (``Store.check``): every
record's shape, instant and knob values are checked without building any tenant.

    python3 -m bench.state_check            # 1,000,000 logged operations

Prints the time to check the log and the rate, beside the time SQLite alone takes to read
the same rows (the floor).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from mock_server.domain.tenants.oplog import OPS
from mock_server.service.persistence import Store

PLACE = {
    "format": 2,
    "command": {
        "agent_id": "agent_Fo7pKNBUwLZxrTd6jvhpaE",
        "from_number_id": "ap_Q8PRh7lXyZsawXJmN2KcT5",
        "destinations": [["+14155550100", None, None, None]],
    },
}


def _rows(n: int) -> list[tuple[str, str, str, int]]:
    kinds = [
        ("create_outbound", json.dumps(PLACE)),
        ("advance_to", None),
        ("cancel", json.dumps({"call_id": "call_x"})),
        ("configure", json.dumps({"changes": {"dial_interval_seconds": 2.0}})),
    ]
    rows = []
    for i in range(n):
        op, args = kinds[i % len(kinds)]
        rows.append((f"sk_tenant_{i % 50}", op, args or json.dumps({"target": i}), i))
    return rows


def main(n: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.sqlite3"
        Store(path, seed=0).close()
        with sqlite3.connect(path) as db:
            db.executemany("INSERT INTO ops (tenant, op, args, at) VALUES (?, ?, ?, ?)", _rows(n))
        with sqlite3.connect(path) as db:
            started = time.perf_counter()
            for _ in db.execute("SELECT seq, tenant, op, args, typeof(at), at FROM ops"):
                pass
            floor = time.perf_counter() - started
        store = Store(path, seed=0)
        started = time.perf_counter()
        store.check(OPS)
        took = time.perf_counter() - started
        store.close()
    print(
        f"{n:,} logged operations: checked in {took:.2f} s ({n / took:,.0f} ops/s); "
        f"SQLite alone reads them in {floor:.2f} s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
