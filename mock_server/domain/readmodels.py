"""What the domain answers to reads: snapshots of calls with what is needed to show them.

A ``CallView`` is taken under the tenant's lock and holds a copy of the call, so the HTTP
layer can render it afterwards while other requests move the clock.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from mock_server.domain.models import Agent, Call, PhoneNumber
from mock_server.domain.transcripts import Turn, synthetic


@dataclass(frozen=True, slots=True)
class CallView:
    """One call as of ``now``, with its agent and number (either may be gone)."""

    call: Call
    agent: Agent | None
    number: PhoneNumber | None
    now: int

    @classmethod
    def of(cls, call: Call, agent: Agent | None, number: PhoneNumber | None, now: int) -> CallView:
        return cls(copy.copy(call), agent, number, now)

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


@dataclass(frozen=True, slots=True)
class CallPage:
    """One page of List Calls, newest first."""

    calls: list[CallView]
    next_page: str | None
    has_more: bool
