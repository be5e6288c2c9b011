"""`ivr retention run [--dry-run]`: the retention job now, with its report per kind."""

from __future__ import annotations

from typing import Annotated

import typer

from app.core.config import get_settings

retention_app = typer.Typer(
    help="Retention of personal data (periods: IVR_RETENTION_*_DAYS).", no_args_is_help=True
)


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would be removed; change nothing.")
    ] = False,
) -> None:
    """Delete or anonymise what is past its period; print counts per kind (no personal data).

    Claims today like the job inside `ivr serve`: a second run the same day does nothing.
    A dry run claims nothing and can be repeated."""
    from app.core.db import Database
    from app.db.base import utcnow
    from app.retention.job import run_daily, run_retention

    settings = get_settings()
    database = Database(settings.database_url)
    try:
        now = utcnow()
        if dry_run:
            report = run_retention(database, settings, now=now, dry_run=True)
        else:
            found = run_daily(database, settings, now=now)
            if found is None:
                typer.echo("retention already ran today; nothing done")
                return
            report = found
    finally:
        database.dispose()
    if dry_run:
        typer.echo("dry run: nothing changed; would remove:")
    for line in report.lines():
        typer.echo(line)
