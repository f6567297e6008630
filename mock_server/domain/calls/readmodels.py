"""What the domain answers to reads: a call with what is needed to show it.

A read hands a ``CallView`` of the live call to the caller's renderer while the tenant's
lock is held (so the view never changes half-way through rendering); ``snapshot`` makes a
copy for later use (a webhook payload rendered when it is sent).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

from mock_server.domain.calls.outbound import ItemResult
from mock_server.domain.calls.transcripts import Turn, final_key, synthetic
from mock_server.domain.journal.journal import DuplicateDial
from mock_server.domain.models import Agent, Call, PhoneNumber


class Placement(NamedTuple):
    """What ``POST /agents/calls`` decided: each destination's fate (in request order), the
    duplicate dials it made, the number's provider, and whether its last dial waits in line
    behind another (pacing)."""

    results: list[ItemResult]
    duplicates: list[DuplicateDial]
    provider: str
    dial_waits: bool


class CallView(NamedTuple):
    """One call as of ``now``, with its agent and number (either may be gone). A NamedTuple:
    one is made per call shown."""

    call: Call
    agent: Agent | None
    number: PhoneNumber | None
    now: int

    def snapshot(self) -> CallView:
        """A copy that later changes to the call do not reach."""
        return CallView(copy.copy(self.call), self.agent, self.number, self.now)

    @property
    def agent_name(self) -> str | None:
        return self.agent.name if self.agent is not None else None

    @property
    def from_number(self) -> str:
        return self.number.number if self.number is not None else ""

    @property
    def account_type(self) -> str:
        return self.number.provider if self.number is not None else "cartesia"

    def transcript(self) -> list[Turn] | None:
        return synthetic(self.call, self.agent_name or "your agent", self.now)

    def final_transcript_key(self) -> tuple[int, str, str | None] | None:
        """Equal keys, equal transcripts; None while the transcript can change."""
        return final_key(self.call, self.agent_name or "your agent")


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CallPage(Generic[T]):
    """One page of List Calls, newest first, each call as the reader's renderer showed it."""

    calls: list[T]
    next_page: str | None
    has_more: bool
