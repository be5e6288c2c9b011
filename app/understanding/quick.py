"""`ivr understand` answered without the command framework (called by `app.cli.main`).

Takes exactly the arguments `understand_command` (app/understanding/cli.py) takes, in the
same meaning, and prints the same lines. Anything else (`--help`, an unknown option, a
kind or date that is not valid, a missing file) is left to that command, which prints its
usual message: `answer_quickly` then returns False without printing anything.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

_OPTIONS = ("--expect", "--today", "--batch", "--report", "--question")


def _parse(args: list[str]) -> dict[str, str] | None:
    found: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name in _OPTIONS:
            given = value if equals else next(rest, None)
            if given is None:
                return None
            found[name] = given
        elif arg.startswith("-") or "text" in found:
            return None  # --help, another option, "--", or a second text
        else:
            found["text"] = arg
    return found


def answer_quickly(args: list[str]) -> bool:
    """Print the answer to `ivr understand ARGS` and return True, or return False."""
    options = _parse(args)
    if options is None:
        return False
    for name in ("--report", "--batch"):
        if name in options and not Path(options[name]).is_file():
            return False
    from app.understanding import KINDS, understand
    from app.understanding.report import read_lines, render, score, understand_row

    if "--report" in options:
        print(render(score(read_lines(Path(options["--report"])))))
        return True
    if "--batch" in options:
        for row in read_lines(Path(options["--batch"])):
            print(json.dumps({"value": understand_row(row)}, ensure_ascii=False))
        return True
    expect = options.get("--expect")
    if expect not in KINDS:
        return False
    try:
        today = options.get("--today")
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        return False
    value = understand(expect, options.get("text") or "", day, question=options.get("--question"))
    print(json.dumps({"value": value}, ensure_ascii=False))
    return True
