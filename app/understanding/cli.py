"""``ivr understand``: understand one text, a batch of JSON lines, or report on a corpus.

The lead registers it with ``app.command("understand")(understand_command)``; it also runs
stand-alone as ``python -m app.understanding.cli``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.understanding import KINDS, understand
from app.understanding.report import read_lines, render, score, understand_row


def _emit(value: object) -> None:
    typer.echo(json.dumps({"value": value}, ensure_ascii=False))


def understand_command(
    text: Annotated[str | None, typer.Argument(help="What the caller said.")] = None,
    expect: Annotated[
        str | None, typer.Option("--expect", help=f"Kind of answer: {', '.join(KINDS)}.")
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Reference date YYYY-MM-DD (default: today).")
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option("--batch", help="JSON lines {expect, text, today, question (optional)}."),
    ] = None,
    question: Annotated[
        str | None,
        typer.Option("--question", help="The yes/no question asked, when it read a detail back."),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Labelled JSON lines: print accuracy.")
    ] = None,
) -> None:
    """Print {"value": ...} for TEXT understood as an answer of kind --expect."""
    if report is not None:
        typer.echo(render(score(read_lines(report))))
        return
    if batch is not None:
        for row in read_lines(batch):
            _emit(understand_row(row))
        return
    if expect not in KINDS:
        typer.echo(f"--expect must be one of: {', '.join(KINDS)}", err=True)
        raise typer.Exit(2)
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        typer.echo("--today must be YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    _emit(understand(expect, text or "", day, question=question))


def main() -> None:
    """Run the command stand-alone."""
    app = typer.Typer(add_completion=False)
    app.command()(understand_command)
    app(args=sys.argv[1:])


if __name__ == "__main__":
    main()
