"""A bounded map of keys to bytes, least recently used out first (a render cache)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class LruBytes:
    """Keeps at most ``max_bytes`` of values (and ``max_entries`` of them); thread-safe."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024, max_entries: int = 4096) -> None:
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._max_bytes = max_bytes
        self._max_entries = max_entries
        self._lock = threading.Lock()
        #: What the values held now add up to.
        self.bytes = 0

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: bytes) -> None:
        if len(value) > self._max_bytes:
            return  # never worth evicting everything else for
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= len(old)
            self._items[key] = value
            self.bytes += len(value)
            while self.bytes > self._max_bytes or len(self._items) > self._max_entries:
                _, dropped = self._items.popitem(last=False)
                self.bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._items)
