"""What the commands show while they run: tables, a spinner, a progress bar.

On a terminal they come from ``rich``; anywhere else (a pipe, a CI log, a file) they are
plain lines, one per change, with no escape codes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:
    from rich.console import Console


def is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream: plain lines
        return False


def console(out: TextIO) -> Console:
    from rich.console import Console

    return Console(file=out, force_terminal=True, highlight=False, soft_wrap=False)


def table(
    out: TextIO,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
) -> None:
    """Rows under their column names: a rich table on a terminal, aligned text elsewhere."""
    cells = [[str(v) for v in row] for row in rows]
    if is_terminal(out):
        from rich.table import Table

        shown = Table(*columns, title=title, title_justify="left", header_style="bold")
        for row in cells:
            shown.add_row(*row)
        console(out).print(shown)
        return
    if title:
        print(title, file=out)
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    for row in [list(columns), *cells]:
        line = "  ".join(v.ljust(w) for v, w in zip(row[:-1], widths[:-1], strict=True))
        print(f"{line}  {row[-1]}".rstrip() if len(row) > 1 else row[0], file=out)


class Steps:
    """Progress through ``total`` steps: a bar on a terminal, a line per step elsewhere."""

    def __init__(self, out: TextIO, description: str, total: int | None) -> None:
        self.out = out
        self._tty = is_terminal(out)
        self._progress: Any = None
        if self._tty:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[detail]}"),
                console=console(out),
                transient=False,
            )
            self._task = self._progress.add_task(description, total=total, detail="")

    def update(
        self, done: int, detail: str, *, total: int | None = None, line: str | None = None
    ) -> None:
        """Show ``done`` steps with ``detail`` beside the bar; without a terminal, print
        ``line`` (when given) instead."""
        if self._progress is not None:
            self._progress.update(self._task, completed=done, total=total, detail=detail)
        elif line is not None:
            print(line, file=self.out, flush=True)

    def __enter__(self) -> Steps:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


@contextmanager
def spinner(out: TextIO, text: str) -> Iterator[Any]:
    """A spinner with ``text`` on a terminal (its ``update(status=…)`` changes the text);
    elsewhere nothing at all."""
    if not is_terminal(out):
        yield None
        return
    with console(out).status(text) as status:
        yield status


class Report(Protocol):
    def to_markdown(self) -> str: ...

    def to_json(self) -> str: ...


def write_report(path: str, report: Report) -> None:
    """A command's report as a file: ``.md`` Markdown (a CI summary), anything else JSON."""
    text = report.to_markdown() if path.endswith(".md") else report.to_json()
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
