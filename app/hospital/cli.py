"""`ivr schedules generate`: make every hospital's sessions of the booking window from its
weekly templates and one-off changes (app.hospital.schedules). Run it once a day (e.g.
from cron shortly after midnight): the window moves on by a day every day. Idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from app.core.config import get_settings
from app.core.db import Database
from app.hospital import holidays, schedules

schedules_app = typer.Typer(help="Hospital schedules (weekly templates).", no_args_is_help=True)


@schedules_app.command("generate")
def generate_command() -> None:
    """Generate the booking window's sessions of every hospital that has templates."""
    database = Database(get_settings().database_url)
    holidays.watch(database)  # closed days of the years the package lacks, as entered
    try:
        with database.session() as session:
            results = schedules.generate_all(session, now=datetime.now(UTC))
            for hospital, result in results:
                typer.echo(
                    f"{hospital.short_name}: created {result.created}, resized {result.resized},"
                    f" withdrawn {result.withdrawn}, to decide {len(result.conflicts)}"
                )
            if not results:
                typer.echo("No hospital has weekly templates yet.")
    finally:
        database.dispose()
