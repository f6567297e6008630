"""The commands' displays: rich tables, bars and spinners on a terminal, plain lines (no
escape codes) anywhere else."""

from __future__ import annotations

import io

from mock_server import FakeCartesia
from mock_server.cli import terminal
from mock_server.cli.batch import follow
from mock_server.cli.call import place_and_follow


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_table_is_drawn_on_a_terminal_and_aligned_text_elsewhere() -> None:
    rows = [("create.max_items", "DOC", "at most 100 calls"), ("x.y", "INFERRED", "z")]
    drawn = Tty()
    terminal.table(drawn, ("rule", "provenance", "statement"), rows, title="ledger")
    assert "┃" in drawn.getvalue() or "│" in drawn.getvalue()  # rich's box drawing
    assert "create.max_items" in drawn.getvalue()
    plain = io.StringIO()
    terminal.table(plain, ("rule", "provenance", "statement"), rows, title="ledger")
    lines = plain.getvalue().splitlines()
    assert lines[0] == "ledger"
    assert lines[1].split() == ["rule", "provenance", "statement"]
    assert lines[2].index("DOC") == lines[1].index("provenance")  # aligned columns
    assert "\x1b" not in plain.getvalue()


def test_call_follow_shows_a_spinner_then_a_timeline_table_on_a_terminal() -> None:
    with FakeCartesia() as fake:
        for out, tty in ((Tty(), True), (io.StringIO(), False)):
            code = place_and_follow(
                fake.client(),
                "+14155550175",
                fake.agent_id,
                from_number_id=fake.from_number_id,
                metadata=None,
                follow=True,
                poll=30,
                out=out,
            )
            text = out.getvalue()
            assert code == 0, text
            assert "completed" in text
            assert ("\x1b[" in text) is tty  # colour and cursor codes only on a terminal
            assert "answered" in text


def test_batch_follow_draws_a_bar_on_a_terminal_and_lines_elsewhere() -> None:
    with FakeCartesia() as fake:
        client = fake.client()  # batches: 2026-08-14, the default version
        for out, tty in ((Tty(), True), (io.StringIO(), False)):
            made = client.post(
                "/agents/calls/batches",
                json={
                    "name": "terminal",
                    "agent_id": fake.agent_id,
                    "from_number_id": fake.from_number_id,
                    "recipients": [{"to_number": f"+1415555017{i}"} for i in range(3)],
                },
            )
            assert made.status_code == 201, made.text
            code = follow(client, made.json()["id"], poll=30, out=out)
            text = out.getvalue()
            assert code == 0, text
            if tty:
                assert "━" in text  # rich's bar
                assert "3/3" in text
            else:
                assert "\x1b" not in text
                assert "finished 3" in text.splitlines()[-1]
