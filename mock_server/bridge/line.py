"""The Line agent bridge: an answered call is played to the team's ``VoiceAgentApp`` over its
``/ws`` websocket, exactly as Cartesia's harness does (start frame, then user turns).

The conversation happens in zero virtual time at the answer instant; its turns get virtual
timestamps from their length, and the call is scheduled to end when the conversation did —
``agent_hangup`` on the agent's ``end_call``, ``client_hangup`` when the callee has said
everything. Any bridge failure ends the call ``failed``/``error`` with a clear message.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from mock_server.bridge.loop import BridgeLoop
from mock_server.domain.calls.transcripts import Turn
from mock_server.domain.models import Agent, Call, CallStatus, PlannedEnd

DEFAULT_SAYS = ("Hi, who is this?", "Okay, thank you. Goodbye.")


def _speech_seconds(text: str) -> float:
    return 0.3 + len(text) / 15  # about 15 characters a second


@dataclass
class _Transcript:
    turns: list[Turn] = field(default_factory=list)
    cursor: float = 0.5

    def add(
        self,
        role: str,
        text: str,
        *,
        tool_calls: list[dict[str, Any]] | None = None,
        end_reason: str | None = None,
    ) -> None:
        start = self.cursor
        end = start + _speech_seconds(text)
        self.turns.append(
            Turn(role, text, round(start, 3), round(end, 3), end_reason, tuple(tool_calls or ()))
        )
        self.cursor = end + 0.5


def _summary(content: object) -> str:
    """A traceback's first and last lines (where it was, and what was raised)."""
    lines = [line.strip() for line in str(content).splitlines() if line.strip()]
    if len(lines) > 2:
        lines = [lines[0].split("Traceback")[0].strip() or lines[0], lines[-1]]
    return " ... ".join(lines)[:500]


class BridgeError(Exception):
    """The agent could not be reached, broke the protocol, or raised."""


@dataclass
class LineBridge:
    """Plays answered calls to Line agents. ``quiet_seconds``: real time to wait for the
    agent's next frame before its turn is taken to be over."""

    loop: BridgeLoop = field(default_factory=BridgeLoop)
    connect_timeout: float = 5.0
    quiet_seconds: float = 5.0
    total_timeout: float = 60.0
    api_base_url: str = "https://api.cartesia.ai"

    def __call__(self, call: Call, agent: Agent, from_number: str, says: tuple[str, ...]) -> None:
        """Run the conversation for ``call`` and record its transcript and planned end."""
        assert agent.line_url is not None
        transcript = _Transcript()
        try:
            ended_by = self.loop.run(
                self._converse(
                    agent.line_url,
                    self._start_frame(call, agent, from_number),
                    says or DEFAULT_SAYS,
                    transcript,
                ),
                timeout=self.total_timeout,
            )
        except (BridgeError, TimeoutError) as exc:
            reason = str(exc) or "the conversation took too long"
        except Exception as exc:  # never let a bridge failure break the fake itself
            reason = f"unexpected failure: {type(exc).__name__}: {exc}"
        else:
            reason = ""
        if reason:
            call.transcript = transcript.turns
            call.planned_end = PlannedEnd(
                round(transcript.cursor * 1000),
                CallStatus.FAILED,
                "error",
                f"Line agent bridge: {reason}",
            )
            return
        call.transcript = transcript.turns
        reason = "agent_hangup" if ended_by == "agent" else "client_hangup"
        call.planned_end = PlannedEnd(round(transcript.cursor * 1000), CallStatus.COMPLETED, reason)

    def _start_frame(self, call: Call, agent: Agent, from_number: str) -> dict[str, Any]:
        return {
            "type": "start",
            "call_id": "CA" + call.id[5:].lower().ljust(32, "0"),
            "from": from_number,
            "to": call.to_number,
            "agent_call_id": call.id,
            "agent": {"id": agent.id},
            "metadata": call.metadata or {},
            # Line 0.2.19's StartInput has no such field and ignores it (ledger
            # bridge.start_frame); sent so agent code reading the raw frame can see it.
            "dynamic_variables": call.dynamic_variables or {},
            "agent_token": "cartesia-fake-agent-token",
            "api_base_url": self.api_base_url,
        }

    async def _converse(
        self, url: str, start: dict[str, Any], says: tuple[str, ...], transcript: _Transcript
    ) -> str:
        # imported here: only bridged calls need websockets, and start-up stays fast
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

        try:
            async with connect(url, open_timeout=self.connect_timeout, close_timeout=1) as ws:
                await ws.send(json.dumps(start))
                if await self._agent_turn(ws, transcript):
                    return "agent"
                for line in says:
                    await ws.send(json.dumps({"type": "user_state", "value": "speaking"}))
                    await ws.send(json.dumps({"type": "message", "content": line}))
                    await ws.send(json.dumps({"type": "user_state", "value": "idle"}))
                    transcript.add("user", line)
                    if await self._agent_turn(ws, transcript):
                        return "agent"
                return "client"
        except (OSError, InvalidHandshake, InvalidURI) as exc:
            raise BridgeError(f"cannot reach the agent at {url}: {exc}") from None
        except ConnectionClosed as exc:
            raise BridgeError(f"the agent closed the websocket ({exc})") from None

    async def _agent_turn(self, ws: Any, transcript: _Transcript) -> bool:
        """Read the agent's frames until it finishes its turn; True if it ended the call."""
        texts: list[str] = []
        tools: list[dict[str, Any]] = []

        def flush(end_reason: str | None) -> None:
            if texts or tools:
                transcript.add(
                    "assistant", " ".join(texts), tool_calls=tools or None, end_reason=end_reason
                )
            texts.clear()
            tools.clear()

        while True:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=self.quiet_seconds)
            except TimeoutError:
                flush("tts_completed")
                return False
            try:
                frame = json.loads(raw)
            except (TypeError, ValueError):
                raise BridgeError(f"the agent sent a frame that is not JSON: {raw!r:.80}") from None
            kind = frame.get("type") if isinstance(frame, dict) else None
            if kind == "message":
                texts.append(str(frame.get("content", "")))
            elif kind == "tool_call":
                tools.append(
                    {
                        key: frame.get(key)
                        for key in ("id", "name", "arguments", "result")
                        if key in frame
                    }
                )
            elif kind == "end_call":
                flush("call_ended")
                return True
            elif kind == "error":
                flush(None)
                raise BridgeError(f"the agent reported an error: {_summary(frame.get('content'))}")
            elif kind == "response_end":
                flush("tts_completed")
                return False
