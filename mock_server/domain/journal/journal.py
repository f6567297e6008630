"""The request journal (bounded) and the duplicate-dial detector."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_server.domain.models import Call


@dataclass(slots=True)
class JournalEntry:
    at: int
    method: str
    path: str
    status: int
    headers: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    body: str | None = None
    #: The ledger rules the answer relied on (ids; strict mode fails on INFERRED ones).
    rules: tuple[str, ...] = ()
    #: The request's and the answer's bodies as sent (at most ``BODY_BYTES`` each; secrets
    #: in a request body redacted), for tests that assert what the dialer sent.
    request_body: bytes | None = None
    response_body: bytes | None = None

    def request_json(self) -> Any:
        """The request body parsed (None without one); a body the journal cut at its limit
        is a ValueError that says so."""
        return _parsed(self.request_body, "request")

    def response_json(self) -> Any:
        """The answer's body parsed, as ``request_json``."""
        return _parsed(self.response_body, "response")


#: The journal keeps at most this much of each header value (a 4 MB User-Agent is not kept).
HEADER_BYTES = 256


@dataclass(slots=True)
class Recorded:
    """A request as the pipeline had it in hand, kept raw: the header values, rules and
    bodies are decoded, deduplicated and redacted into a ``JournalEntry`` only when someone
    reads the journal (most requests are never read back). Bodies are already cut at
    ``BODY_BYTES`` and header values at ``HEADER_BYTES``, so the byte bound counts what is
    held."""

    at: int
    method: str
    path: str
    status: int
    #: The journaled headers, values cut, as they came.
    headers: list[tuple[bytes, bytes]]
    warnings: list[str]
    body: str | None
    rules: list[str]
    request_body: bytes | None
    response_body: bytes | None
    _entry: JournalEntry | None = None

    def entry(self) -> JournalEntry:
        """The journal entry, built on the first read."""
        if self._entry is None:
            headers: dict[str, str] = {}
            for raw_name, raw_value in self.headers:
                name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            self._entry = JournalEntry(
                at=self.at,
                method=self.method,
                path=self.path,
                status=self.status,
                headers=headers,
                warnings=list(self.warnings),
                body=self.body,
                rules=tuple(dict.fromkeys(self.rules)),
                request_body=journal_body(self.request_body),
                response_body=journal_body(self.response_body),
            )
        return self._entry

    def size(self) -> int:
        """About how many bytes the record holds (what the journal's byte bound counts)."""
        held = 96 + len(self.path) + 16 * len(self.rules) + len(self.body or "")
        for name, value in self.headers:
            held += len(name) + len(value)
        for warning in self.warnings:
            held += len(warning)
        return held + len(self.request_body or b"") + len(self.response_body or b"")


#: The journal keeps at most this much of each request and response body.
BODY_BYTES = 65_536
#: Below this many bytes a body is searched for secrets at once; above, it is cut first.
_SMALL = 2048
_SECRET_NAMES = (b"secret", b"api_key", b"apikey", b"password", b"token", b"authorization")
_SECRET = re.compile(
    rb'("(?:secret|api_key|apikey|password|token|authorization)"\s*:\s*)"[^"]*"', re.I
)
#: A secret's value that the cut at ``BODY_BYTES`` left unterminated.
_SECRET_CUT = re.compile(
    rb'("(?:secret|api_key|apikey|password|token|authorization)"\s*:\s*)"[^"]*\Z', re.I
)


def _parsed(body: bytes | None, which: str) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError as exc:
        if len(body) >= BODY_BYTES:
            raise ValueError(
                f"the journal keeps the first {BODY_BYTES:,} bytes of each body and this "
                f"{which} body was longer: it was cut, so it does not parse as JSON "
                f"(read entry.{which}_body for the bytes kept)"
            ) from None
        raise ValueError(f"the {which} body is not JSON: {exc}") from None


def journal_body(raw: bytes | None) -> bytes | None:
    """A body as the journal keeps it: at most ``BODY_BYTES``, secrets' values redacted
    (one cut short at the limit too). The cut comes first, and the pattern runs only when a
    secret's name is there at all: a 0.8 MB answer costs what its first 64 KiB do."""
    if not raw:
        return None
    if len(raw) <= _SMALL:  # the usual body: one search says whether there is a secret
        return _SECRET.sub(rb'\1"***"', raw) if _SECRET.search(raw) is not None else raw
    kept = raw[:BODY_BYTES]
    lowered = kept.lower()
    if any(name in lowered for name in _SECRET_NAMES):
        kept = _SECRET.sub(rb'\1"***"', kept)
        kept = _SECRET_CUT.sub(rb'\1"***', kept)
    return kept


@dataclass(slots=True)
class PollStat:
    """How one thing was polled (a call, a batch, a list): how often, and the virtual time
    between polls."""

    count: int
    first_at: int
    last_at: int
    #: The shortest virtual gap between two polls in ms (None after one poll).
    min_gap_ms: int | None = None

    def seen(self, at: int) -> None:
        gap = at - self.last_at
        self.min_gap_ms = gap if self.min_gap_ms is None else min(self.min_gap_ms, gap)
        self.count += 1
        self.last_at = at

    def describe(self, call_id: str) -> str:
        span = (self.last_at - self.first_at) / 1000
        rate = f"{self.count / span:.3g} polls per virtual second" if span else "no time passed"
        gap = "" if self.min_gap_ms is None else f", shortest gap {self.min_gap_ms / 1000:g}s"
        return f"{call_id}: {self.count:,} polls over {span:g} virtual s ({rate}{gap})"


@dataclass(frozen=True, slots=True)
class DuplicateDial:
    """Two dials to ``to_number`` from ``from_number_id`` within the window."""

    from_number_id: str
    to_number: str
    first_call_id: str
    second_call_id: str
    seconds_apart: float

    def describe(self) -> str:
        return (
            f"duplicate dial: {self.to_number} from {self.from_number_id} by "
            f"{self.second_call_id}, {self.seconds_apart:g}s after {self.first_call_id}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "from_number_id": self.from_number_id,
            "to_number": self.to_number,
            "first_call_id": self.first_call_id,
            "second_call_id": self.second_call_id,
            "seconds_apart": self.seconds_apart,
        }


class Journal:
    """The newest requests, oldest first — at most ``size`` of them and about ``max_bytes``
    (the oldest go first) — plus every duplicate dial seen."""

    def __init__(self, size: int, duplicate_window_ms: int, max_bytes: int = 8_388_608) -> None:
        self._records: deque[Recorded] = deque()
        self._size = size
        self._max_bytes = max_bytes
        #: What the records held now add up to (``Recorded.size``), and each one's.
        self.bytes = 0
        self._sizes: deque[int] = deque()
        self.duplicates: deque[DuplicateDial] = deque(maxlen=size)
        #: Two dials of one pair this close (ms) are a duplicate (``World.configure``).
        self.duplicate_window_ms = duplicate_window_ms
        #: call id -> how it was polled (Get Call), for budgets and poll-interval checks
        self.polls: dict[str, PollStat] = {}
        #: from-number id -> destination -> the newest call from that number to it
        #: (nested, and the call itself as value: no tuple per call).
        self._last_dial: dict[str, dict[str, Call]] = {}

    def polled(self, call_id: str, at: int) -> None:
        stat = self.polls.get(call_id)
        if stat is None:
            self.polls[call_id] = PollStat(1, at, at)
        else:
            stat.seen(at)

    @property
    def entries(self) -> list[JournalEntry]:
        """Every request held, oldest first."""
        return [r.entry() for r in self._records]

    def tail(self, count: int) -> list[JournalEntry]:
        """The newest ``count`` requests, oldest first."""
        records = self._records
        start = max(0, len(records) - count)
        return [records[i].entry() for i in range(start, len(records))]

    def record(self, record: Recorded) -> None:
        records, sizes = self._records, self._sizes
        size = record.size()
        records.append(record)
        sizes.append(size)
        self.bytes += size
        while len(records) > self._size or (self.bytes > self._max_bytes and len(records) > 1):
            records.popleft()
            self.bytes -= sizes.popleft()

    def note_dials(self, calls: Iterable[Call], at: int) -> list[DuplicateDial]:
        """Remember each new call, in order; return the duplicate dials among them: the same
        (from, to) pair dialled again within the window."""
        found: list[DuplicateDial] = []
        window = self.duplicate_window_ms
        for call in calls:
            last = self._last_dial.get(call.from_number_id)
            if last is None:
                last = self._last_dial[call.from_number_id] = {}
            previous = last.get(call.to_number)
            last[call.to_number] = call
            if previous is not None and at - previous.created_at <= window:
                dup = DuplicateDial(
                    call.from_number_id,
                    call.to_number,
                    previous.id,
                    call.id,
                    (at - previous.created_at) / 1000,
                )
                self.duplicates.append(dup)
                found.append(dup)
        return found
