"""`ivr understand` answered by `app.cli.main` without typer: the same output as the typer
command, and everything it does not take left to that command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.understanding.cli import understand_command
from app.understanding.quick import answer_quickly

ROOT = Path(__file__).resolve().parents[3]


def _typer_output(args: list[str]) -> str:
    app = typer.Typer()
    app.command("understand")(understand_command)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(app, ["understand", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _quick_output(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert answer_quickly(args) is True
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["--expect", "when", "--today", "2025-06-18", "明天下午"],
        ["--today=2025-06-18", "下礼拜三上午", "--expect=when"],
        ["--expect", "department", "牙齿疼"],
        ["--expect", "intent", ""],
    ],
)
def test_single_answers_match_the_typer_command(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _quick_output(args, capsys) == _typer_output(args)


def test_batch_and_report_match_the_typer_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"expect": "yesno", "text": "要得", "today": "2025-06-18", "value": "yes"},
        {"expect": "digits", "text": "幺两三", "today": "2025-06-18", "value": "124"},
        {"expect": "when", "text": "后天上午", "today": "2025-06-18", "value": None},
    ]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    for args in (["--batch", str(corpus)], ["--report", str(corpus)]):
        assert _quick_output(args, capsys) == _typer_output(args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["--expect", "colour", "红"],
        ["--expect", "when", "--today", "2025-13-01", "明天"],
        ["--expect", "when", "明天", "下午"],
        ["--expect"],
        ["--verbose", "--expect", "intent", "叫车"],
        ["--batch", "/nonexistent/lines.jsonl"],
    ],
)
def test_anything_else_is_left_to_the_typer_command(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert answer_quickly(args) is False
    assert capsys.readouterr().out == ""


def test_ivr_understand_loads_neither_typer_nor_the_service() -> None:
    code = (
        "import sys; from app.cli import main;"
        "sys.argv = ['ivr', 'understand', '--expect', 'intent', '我要叫个车']; main();"
        "heavy = ('typer', 'pydantic', 'sqlalchemy', 'fastapi');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.splitlines() == ['{"value": "taxi"}', "[]"]


def test_other_commands_and_help_still_run_through_typer() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    for command in ("understand", "serve", "db", "schedules", "users", "retention", "models"):
        assert command in out.stdout
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "understand", "--expect", "colour", "红"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 2 and "--expect must be one of" in out.stderr
