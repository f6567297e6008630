"""The behaviour ledger is complete and matches its docs page; the docs' examples run; the
docs dial only fictional numbers and name every public name."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from mock_server import FakeCartesia, Settings
from mock_server.service.ledger import LEDGER, markdown_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"


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


def test_the_versions_page_is_generated_from_the_lineage() -> None:
    from mock_server.routes.version_docs import markdown_table as versions_table

    page = (DOCS / "versions.md").read_text()
    section = page.split("<!-- versions:start -->\n", 1)[1].split("\n<!-- versions:end -->")[0]
    assert section == versions_table(), "run: python3 -m mock_server.routes.version_docs"


def test_the_ledger_page_is_generated_from_the_ledger() -> None:
    page = (DOCS / "ledger.md").read_text()
    section = page.split("<!-- ledger:start -->\n", 1)[1].split("\n<!-- ledger:end -->")[0]
    assert section == markdown_table(), "run: cartesia-fake behaviors --markdown"


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def _blocks(path: Path, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", path.read_text("utf-8"), re.S)


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.name)
def test_the_python_examples_of_each_page_run(
    page: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each page's Python blocks, in order, in one namespace (a later block may use an
    earlier one's names). Blocks that are pytest files (``# test_….py``) run through pytest
    in tests/plugin/test_examples.py."""
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for block in _blocks(page, "python"):
        if not block.startswith("# test_"):
            exec(compile(block, str(page.relative_to(ROOT)), "exec"), namespace)
    if page.name == "in-process.md":
        assert "['created', 'dialed', 'answered', 'ended']" in capsys.readouterr().out


def test_every_guide_page_has_a_running_example() -> None:
    without = [
        p.name
        for p in _pages()
        if p.parent == DOCS
        and not _blocks(p, "python")
        and p.name
        not in {"reference.md", "limits.md", "performance.md", "development.md", "deploy.md"}
        and not _blocks(p, "bash")
    ]
    assert without == []


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.name)
def test_the_documented_command_lines_parse(page: Path) -> None:
    """Every ``cartesia-fake …`` line in a page's shell blocks names options that exist and
    values they accept (parsed, not run)."""
    import shlex

    from mock_server.cli.main import _parser

    for block in _blocks(page, "bash"):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("cartesia-fake "):
                _parser().parse_args(shlex.split(line.split(" #")[0].rstrip(" &"))[1:])


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


def test_the_reference_page_names_every_public_name_of_the_kit() -> None:
    import contracts
    import contracts.strategies
    import mock_server

    reference = (DOCS / "reference.md").read_text("utf-8")
    names = [
        *mock_server.__all__,
        *contracts.__all__,
        *contracts.strategies.__all__,
        *(n for n in dir(FakeCartesia) if not n.startswith("_")),
    ]
    missing = [n for n in names if f"`{n}`" not in reference]
    assert missing == [], f"public names docs/reference.md does not name: {missing}"
