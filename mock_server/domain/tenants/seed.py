"""What a new tenant starts with: by default, the ids of the documented curl example."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mock_server.domain.models import CalleeScript, Provider

DOC_AGENT_ID = "agent_Fo7pKNBUwLZxrTd6jvhpaE"
DOC_NUMBER_ID = "ap_Q8PRh7lXyZsawXJmN2KcT5"
DOC_NUMBER = "+12025550100"


@dataclass(frozen=True, slots=True)
class AgentSeed:
    id: str
    name: str = "Outbound agent"
    deployed: bool = True


@dataclass(frozen=True, slots=True)
class NumberSeed:
    id: str
    number: str
    provider: Provider = "cartesia"
    organization: Literal["self", "other"] = "self"
    can_place_outbound: bool = True
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Seed:
    """Agents, numbers and callee scripts given to every new (or reset) tenant."""

    agents: tuple[AgentSeed, ...] = ()
    numbers: tuple[NumberSeed, ...] = ()
    callees: Mapping[str, CalleeScript] = field(default_factory=dict)
    default_callee: CalleeScript | None = None

    @classmethod
    def documented(cls) -> Seed:
        """The agent and Cartesia number of the documented example."""
        return cls(
            agents=(AgentSeed(DOC_AGENT_ID),),
            numbers=(NumberSeed(DOC_NUMBER_ID, DOC_NUMBER, label="Documented example number"),),
        )

    @classmethod
    def empty(cls) -> Seed:
        return cls()

    def fingerprint(self) -> str:
        """A short digest of what new tenants start with: a log replayed onto another
        starting world would not rebuild the same tenants."""
        import hashlib

        callees = sorted((k, repr(v)) for k, v in self.callees.items())
        text = repr((self.agents, self.numbers, callees, repr(self.default_callee)))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Seed:
        """Build from an already-validated seed-file document."""
        agents = tuple(
            AgentSeed(a["id"], a.get("name", "Outbound agent"), a.get("deployed", True))
            for a in data.get("agents", [])
        )
        numbers = tuple(
            NumberSeed(
                n["id"],
                n["number"],
                n.get("provider", "cartesia"),
                n.get("organization", "self"),
                n.get("can_place_outbound", True),
                n.get("label"),
            )
            for n in data.get("phone_numbers", [])
        )
        callees = {number: script_from(s) for number, s in data.get("callees", {}).items()}
        default = data.get("default_callee")
        return cls(agents, numbers, callees, script_from(default) if default else None)


def script_from(data: Mapping[str, Any]) -> CalleeScript:
    """A callee script from its control-plane JSON form (already validated)."""
    outcome = data["outcome"]
    base = CalleeScript()
    talk = data.get("talk_seconds", base.talk_seconds if outcome == "answer" else None)
    return CalleeScript(
        outcome=outcome,
        ring_seconds=float(data.get("ring_seconds", base.ring_seconds)),
        talk_seconds=None if talk is None else float(talk),
        hangup_by=data.get("hangup_by", "client"),
        says=tuple(data.get("says", ())),
    )
