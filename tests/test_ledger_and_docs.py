"""The behaviour ledger is complete and matches the README; README examples run."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from mock_server import FakeCartesia, Settings
from mock_server.ledger import LEDGER, markdown_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_knob_has_a_ledger_entry_and_back() -> None:
    knobs = {f.name for f in fields(Settings)}
    named = {e.knob for e in LEDGER if e.knob}
    assert knobs == named


def test_entries_are_well_formed() -> None:
    ids = [e.id for e in LEDGER]
    assert len(ids) == len(set(ids))
    for entry in LEDGER:
        assert re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", entry.id)
        if entry.provenance == "DOC":
            assert entry.source.startswith("https://"), entry.id
        else:
            assert entry.source, entry.id
            assert not entry.source.startswith("https://"), entry.id


def test_served_ledger_matches_and_shows_knob_values() -> None:
    with FakeCartesia(max_outbound_calls=7) as fake:
        doc = fake.client().get("/__fake__/behaviors").json()
    assert [b["id"] for b in doc["behaviors"]] == [e.id for e in LEDGER]
    [entry] = [b for b in doc["behaviors"] if b["id"] == "create.max_items"]
    assert entry["knob_value"] == 7


def test_readme_fidelity_section_is_generated_from_the_ledger() -> None:
    section = README.split("<!-- ledger:start -->\n", 1)[1].split("\n<!-- ledger:end -->")[0]
    assert section == markdown_table(), "run: cartesia-fake behaviors --markdown"


def test_readme_python_examples_run(capsys) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert "['created', 'dialed', 'answered', 'ended']" in capsys.readouterr().out


_PHONE = re.compile(r"\+\d{8,15}\b")
_FICTIONAL = (
    re.compile(r"\+1\d{3}5550[01]\d\d"),  # NANP: 555-0100..0199 are reserved for fiction
    re.compile(r"\+4420794600\d\d|\+44207946\d{4}"),  # Ofcom's drama range for London
)


def _doc_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "ARCHITECTURE.md"]
    files += sorted((ROOT / "examples").glob("*.py"))
    files += sorted((ROOT / "docs").rglob("*.md")) if (ROOT / "docs").is_dir() else []
    return files


@pytest.mark.parametrize("path", _doc_files(), ids=lambda p: p.name)
def test_docs_and_examples_dial_only_fictional_numbers(path: Path) -> None:
    """Every destination a user could copy from the docs or examples is fictional: pointed at
    the real API, none can ring a person. (Numbers built in code, such as
    ``f"+121255501{70 + i}"``, are checked by their literal prefix.)"""
    text = path.read_text("utf-8")
    real = [
        m.group(0)
        for m in _PHONE.finditer(text)
        if not any(f.match(m.group(0)) for f in _FICTIONAL)
        and not re.fullmatch(r"\+1\d{3}5550[01]", m.group(0)[:10])
    ]
    assert real == [], f"{path.name} dials numbers that could be real: {real}"


def test_the_readme_names_every_public_name_of_the_kit() -> None:
    import contracts
    import contracts.strategies
    import mock_server

    readme = (ROOT / "README.md").read_text("utf-8")
    reference = readme[readme.index("## Public API reference") :]
    names = [
        *mock_server.__all__,
        *contracts.__all__,
        *contracts.strategies.__all__,
        *(n for n in dir(FakeCartesia) if not n.startswith("_")),
    ]
    missing = [n for n in names if f"`{n}`" not in reference]
    assert missing == [], f"public names the README's reference does not name: {missing}"
