"""The `ivr` entry point (the installed script runs `app.cli:main`).

`ivr understand` is answered here without loading the command framework (typer and
pydantic take longer to import than the understanding takes to answer); every other
command, `--help` and any argument this quick path does not take run through
`app.commands`, where all commands are defined.
"""

from __future__ import annotations

import sys
from typing import Any


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["understand"]:
        from app.understanding.quick import answer_quickly

        if answer_quickly(args[1:]):
            return
    from app.commands import main as run_command

    run_command()


def __getattr__(name: str) -> Any:
    """`from app.cli import app` (the typer application) keeps working."""
    if name == "app":
        from app.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    main()
