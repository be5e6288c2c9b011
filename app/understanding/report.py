"""Accuracy report over a labelled corpus (JSON lines with ``expect``, ``text``, ``today``,
``value``, and for a yes/no answer optionally the ``question`` asked): accuracy per kind,
the confusions, and the false-accept rate on lines whose expected value is "nothing
understood" (out-of-domain or deliberately ambiguous)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.understanding import NOTHING, understand

DEFAULT_TODAY = dt.date(2025, 6, 18)


def read_lines(path: Path) -> list[dict[str, Any]]:
    """Parse a JSON-lines file, skipping blank lines."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def today_of(row: dict[str, Any]) -> dt.date:
    raw = row.get("today")
    return dt.date.fromisoformat(raw) if raw else dt.date.today()


@dataclass
class KindScore:
    """Counts for one kind of answer."""

    total: int = 0
    correct: int = 0
    nothing_total: int = 0
    false_accepts: int = 0
    #: Of the lines naming something (not "nothing"): answered with something else (a
    #: confident wrong answer), or with nothing (an abstention: the caller is asked again).
    wrong: int = 0
    abstained: int = 0
    #: yes/no: a yes heard where the caller did not say yes (it would commit something).
    false_yes: int = 0
    confusions: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class Report:
    """Scores per kind plus the overall false-accept rate."""

    kinds: dict[str, KindScore] = field(default_factory=dict)

    @property
    def nothing_total(self) -> int:
        return sum(k.nothing_total for k in self.kinds.values())

    @property
    def false_accepts(self) -> int:
        return sum(k.false_accepts for k in self.kinds.values())

    @property
    def false_accept_rate(self) -> float:
        return self.false_accepts / self.nothing_total if self.nothing_total else 0.0


def understand_row(row: dict[str, Any]) -> object:
    """The answer to one line of a batch: ``expect``, ``text``, ``today`` and, for a yes/no
    answer to a read-back, the ``question`` asked (optional)."""
    return understand(
        row["expect"], row.get("text") or "", today_of(row), question=row.get("question")
    )


def score(rows: Iterable[dict[str, Any]]) -> Report:
    """Run :func:`understand` on every labelled row and count."""
    report = Report()
    for row in rows:
        kind = row["expect"]
        got = understand_row(row)
        s = report.kinds.setdefault(kind, KindScore())
        s.total += 1
        if got == row["value"]:
            s.correct += 1
        else:
            s.confusions.append((row["text"], row["value"], got))
        if row["value"] == NOTHING[kind]:
            s.nothing_total += 1
            if got != NOTHING[kind]:
                s.false_accepts += 1
        elif got == NOTHING[kind]:
            s.abstained += 1
        elif got != row["value"]:
            s.wrong += 1
        if kind == "yesno" and got == "yes" and row["value"] != "yes":
            s.false_yes += 1
    return report


def render(report: Report) -> str:
    """Human-readable text of a report."""
    lines = [f"{'kind':<12}{'n':>6}{'correct':>9}{'accuracy':>10}"]
    for kind, s in report.kinds.items():
        lines.append(f"{kind:<12}{s.total:>6}{s.correct:>9}{s.accuracy:>10.1%}")
    lines.append(
        f"false accepts: {report.false_accepts}/{report.nothing_total}"
        f" = {report.false_accept_rate:.1%}"
    )
    department = report.kinds.get("department")
    if department is not None:  # a confident wrong department should be rarer than asking
        named = department.total - department.nothing_total
        lines.append(
            f"department, of {named} naming one: confident wrong {department.wrong}"
            f" ({department.wrong / max(named, 1):.1%}), abstained {department.abstained}"
            f" ({department.abstained / max(named, 1):.1%})"
        )
    yesno = report.kinds.get("yesno")
    if yesno is not None:  # a yes commits: one heard where none was said is the costly miss
        lines.append(
            f"yesno, of {yesno.total}: yes heard where none was said {yesno.false_yes}"
            f" ({yesno.false_yes / max(yesno.total, 1):.1%}), asked again {yesno.abstained}"
            f" ({yesno.abstained / max(yesno.total, 1):.1%})"
        )
    lines.append("confusions (text | expected | got):")
    for kind, s in report.kinds.items():
        for text, want, got in s.confusions:
            w = json.dumps(want, ensure_ascii=False)
            g = json.dumps(got, ensure_ascii=False)
            lines.append(f"  [{kind}] {text} | {w} | {g}")
    return "\n".join(lines)
