"""The ``ivr understand`` command contract, through typer and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from app.understanding.cli import understand_command

ROOT = Path(__file__).resolve().parents[3]


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("understand")(understand_command)

    @app.command("noop")
    def noop() -> None:  # a second command so "understand" stays a sub-command
        pass

    return app


def test_single_text_prints_one_json_object() -> None:
    result = CliRunner().invoke(
        _app(), ["understand", "--expect", "when", "--today", "2025-06-18", "明天下午"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"value": {"date": "2025-06-19", "session": "pm"}}


def test_output_keeps_chinese_characters() -> None:
    result = CliRunner().invoke(_app(), ["understand", "--expect", "department", "牙齿疼"])
    assert result.output.strip() == '{"value": "口腔科"}'


def test_batch_prints_one_line_per_input_in_order(tmp_path: Path) -> None:
    lines = [
        {"expect": "yesno", "text": "莫得问题", "today": "2025-06-18", "extra": 1},
        {"expect": "intent", "text": "我家猫跑了", "today": "2025-06-18"},
        {"expect": "digits", "text": "幺两三", "today": "2025-06-18"},
    ]
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    result = CliRunner().invoke(_app(), ["understand", "--batch", str(batch)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert out == [{"value": "yes"}, {"value": "unknown"}, {"value": "123"}]


def test_bad_kind_exits_with_usage_error() -> None:
    result = CliRunner().invoke(_app(), ["understand", "--expect", "colour", "红"])
    assert result.exit_code == 2


def test_report_prints_accuracy_and_false_accepts(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    rows = [
        {"expect": "yesno", "text": "要得", "today": "2025-06-18", "value": "yes"},
        {"expect": "yesno", "text": "我家猫跑了", "today": "2025-06-18", "value": "unknown"},
        {"expect": "yesno", "text": "要得", "today": "2025-06-18", "value": "no"},
    ]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    result = CliRunner().invoke(_app(), ["understand", "--report", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "yesno" in result.output and "66.7%" in result.output
    assert "false accepts: 0/1" in result.output
    assert "yesno, of 3: yes heard where none was said 1 (33.3%)" in result.output
    assert "要得" in result.output  # the confusion is listed


def test_report_tells_a_confident_wrong_department_from_an_abstention(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    rows = [
        {"expect": "department", "text": "牙齿疼", "value": "口腔科"},  # right
        {"expect": "department", "text": "牙齿疼", "value": "眼科"},  # confidently wrong
        {"expect": "department", "text": "我家猫跑了", "value": "眼科"},  # abstained
        {"expect": "department", "text": "我家猫跑了", "value": None},  # nothing, right
    ]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    result = CliRunner().invoke(_app(), ["understand", "--report", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "of 3 naming one: confident wrong 1 (33.3%), abstained 1 (33.3%)" in result.output


def test_module_runs_as_a_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "app.understanding.cli", "--expect", "yesno", "不得行"],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", check=True,
    )
    assert json.loads(proc.stdout) == {"value": "no"}
