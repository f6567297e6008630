"""The versions page's table, made from the lineage and the route table (a test keeps
``docs/versions.md`` equal to it): each version, its base, what it is, and what it serves."""

from __future__ import annotations

from contracts import Lineage
from mock_server.routes.api import API_ROUTES
from mock_server.wire.versions import SHIPPED_WIRE, WireTable


def _served(version: str, lineage: Lineage) -> list[str]:
    return [
        f"{s.method} {s.path}"
        for s in API_ROUTES
        if s.kind == "api" and version in s.versions(lineage)
    ]


def _routes(version: str, lineage: Lineage) -> str:
    served = _served(version, lineage)
    base = lineage.get(version).base
    if base is not None and _served(base, lineage) == served:
        return f"as {base}"
    if len(served) == sum(1 for s in API_ROUTES if s.kind == "api"):
        return "every route"
    return ", ".join(f"`{route}`" for route in served)


def markdown_table(table: WireTable = SHIPPED_WIRE) -> str:
    """Versions × base × routes × shapes, oldest first."""
    lineage = table.lineage
    rows = [
        "| version | base | what it is | routes | call statuses | errors | changes shapes |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for entry in lineage.versions:
        wire = table.get(entry.name)
        statuses = ", ".join(dict.fromkeys(wire.status_names.values()))
        if wire.cancelled_status:
            statuses += f", {wire.cancelled_status}"
        changed = ", ".join(f"`{n}`" for n in lineage.overrides(entry.name)) or "none"
        rows.append(
            f"| `{entry.name}` | {entry.base or '—'} | {entry.summary} | "
            f"{_routes(entry.name, lineage)} | {statuses} | {wire.error_format} | {changed} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":  # rewrite the table in docs/versions.md
    import pathlib

    page = pathlib.Path("docs/versions.md")
    text = page.read_text()
    head, rest = text.split("<!-- versions:start -->\n", 1)
    tail = rest.split("\n<!-- versions:end -->", 1)[1]
    page.write_text(
        f"{head}<!-- versions:start -->\n{markdown_table()}\n<!-- versions:end -->{tail}"
    )
