"""The dashboard's routes in process: keyed like the control plane, not journaled, and
looking never moves an auto-advancing clock."""

from __future__ import annotations

from pathlib import Path

from mock_server import FakeCartesia


def _dial(fake: FakeCartesia, *numbers: str) -> list[str]:
    made = fake.client().post(
        "/agents/calls",
        json={
            "agent_id": fake.agent_id,
            "from_number_id": fake.from_number_id,
            "outbound_calls": [{"to_number": n} for n in numbers],
        },
    )
    return [c["agent_call_id"] for c in made.json()["calls"]]


def test_looking_does_not_move_an_auto_advancing_clock(tmp_path: Path) -> None:
    with FakeCartesia(auto_advance=True) as fake:
        [call_id] = _dial(fake, "+14155550100")
        http = fake.client()
        before = http.get("/__fake__/clock").json()["now"]
        assert http.get("/__fake__/ui/view").status_code == 200
        detail = http.get(f"/__fake__/ui/calls/{call_id}")
        assert detail.status_code == 200
        assert call_id in detail.text
        fake.timeline_html(tmp_path / "t.html")
        assert http.get("/__fake__/clock").json()["now"] == before
        assert fake.poll_stats() == {}  # looking is not polling


def test_the_page_is_public_and_empty_its_data_needs_a_key_and_is_not_journaled() -> None:
    with FakeCartesia() as fake:
        _dial(fake, "+14155550110")
        fake.run_until_idle()
        anonymous = fake.client(headers={"authorization": ""})
        page = anonymous.get("/__fake__/ui")
        assert page.status_code == 200
        assert "+14155550110" not in page.text
        assert anonymous.get("/__fake__/ui/view").status_code == 401
        view = fake.client().get("/__fake__/ui/view").text
        assert 'data-outcome="busy"' in view
        assert not [e for e in fake.requests() if e.path.startswith("/__fake__/ui")]


def test_recipients_refused_before_dialing_are_rows_with_their_reason() -> None:
    """A batch recipient the provider rejects before a call is placed has no call bar: the
    dashboard draws it as a row of its own, with the reason, beside the dialed ones."""
    with FakeCartesia() as fake:
        http = fake.client()
        made = http.post(
            "/agents/calls/batches",
            json={
                "name": "refusals",
                "agent_id": fake.agent_id,
                "from_number_id": fake.from_number_id,
                "recipients": [{"to_number": "+14155550190"}, {"to_number": "+14155550100"}],
            },
        )
        assert made.status_code == 201, made.text
        fake.run_until_idle()
        view = http.get("/__fake__/ui/view").text
        assert view.count('class="recipient refused"') == 1
        assert 'data-to="+14155550190"' in view
        assert "refused before dialing: The call to +14155550190 was rejected" in view
        assert view.count('class="call outcome-') == 1  # the other one was dialed
