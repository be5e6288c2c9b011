"""`ivr people ...`: bring a community's residents in from its roster.

`ivr people import FILE --community NAME` prints the row-by-row plan (a dry run: nothing is
written); add `--commit` to apply exactly that plan. Only names and reasons are printed,
never ID or phone numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.core.config import get_settings
from app.core.db import Database
from app.people.enums import STAFF_CONSENT_BASES, ConsentBasis
from app.people.roster_import import (
    ACTION_LABELS,
    ImportPlan,
    RosterError,
    RowAction,
    import_roster,
    read_roster,
)

people_app = typer.Typer(help="Older people served by the hotline.", no_args_is_help=True)


@people_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The roster, .xlsx or .csv.", exists=True)],
    community: Annotated[str, typer.Option("--community", help="Community name, e.g. 翠湖社区.")],
    commit: Annotated[
        bool, typer.Option("--commit", help="Apply the plan (without it: a dry run).")
    ] = False,
    registered_by: Annotated[
        str, typer.Option("--by", help="Who registers these people (recorded on each).")
    ] = "社区花名册导入",
    consent: Annotated[
        ConsentBasis, typer.Option("--consent", help="On what basis they agreed.")
    ] = ConsentBasis.PAPER_FORM,
) -> None:
    """Import a community roster: show what will be created, updated or refused, and why."""
    if consent not in STAFF_CONSENT_BASES:
        typer.echo("错误：花名册导入只能记为纸质同意书或电话口头同意", err=True)
        raise typer.Exit(code=2)
    try:
        rows = read_roster(file)
    except RosterError as error:
        typer.echo(f"错误：{error}", err=True)
        raise typer.Exit(code=2) from None
    database = Database(get_settings().database_url)
    try:
        with database.session() as session:
            try:
                plan = import_roster(
                    session,
                    rows=rows,
                    community_name=community,
                    registered_by=f"{registered_by}（{file.name}）",
                    consent_basis=consent,
                )
            except RosterError as error:
                typer.echo(f"错误：{error}", err=True)
                raise typer.Exit(code=2) from None
            if not commit:
                session.rollback()
    finally:
        database.dispose()
    typer.echo(format_plan(plan))
    typer.echo("已导入。" if commit else "这是预览，没有写入；确认无误后加 --commit 导入。")


def format_plan(plan: ImportPlan) -> str:
    """The plan as a table: row, name, action, reason; then the totals."""
    lines = [f"{'行':>4}  {'姓名':<8}  {'处理':<4}  原因"]
    for row in plan.rows:
        lines.append(
            f"{row.line:>5}  {row.name or '-':<8}  {ACTION_LABELS[row.action]:<4}  {row.reason}"
        )
    totals = "，".join(f"{ACTION_LABELS[a]}{plan.count(a)}行" for a in RowAction)
    lines.append(f"合计：{totals}")
    return "\n".join(lines)
