"""The roster import cannot record a person as registered by their family."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from app.cli import app


def test_the_import_refuses_the_family_self_service_basis(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,电话\n赵桂兰,13900001111\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "people",
            "import",
            str(roster),
            "--community",
            "翠湖社区",
            "--consent",
            "family_self_service",
        ],
    )
    assert result.exit_code == 2
    assert "只能记为纸质同意书或电话口头同意" in result.output
