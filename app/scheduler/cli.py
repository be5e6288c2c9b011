"""`ivr scheduler run [--once]` and `ivr scheduler status`.

Registered in app/commands.py (`LAZY_COMMANDS`) as `ivr scheduler`.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from sqlalchemy import func, select

from app.core.config import get_settings
from app.core.db import Database
from app.core.logging import configure_logging
from app.hospital import holidays
from app.scheduler.enums import JobStatus
from app.scheduler.models import ScheduledJob
from app.scheduler.runner import Scheduler, SchedulerThread

scheduler_app = typer.Typer(
    help="Time-based work: booked rides released, reminders.", no_args_is_help=True
)


@scheduler_app.command("run")
def run(
    once: Annotated[bool, typer.Option("--once", help="Run what is due now, then exit.")] = False,
) -> None:
    """Run due jobs until Ctrl-C (or once, with --once). Safe next to `ivr serve`'s own
    scheduler and other copies: each job occurrence is done by one of them, once."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    db = Database(settings.database_url)
    holidays.watch(db)  # regular rides skip the holidays a service admin entered
    try:
        scheduler = Scheduler(db, settings)
        if once:
            total = 0
            while (report := scheduler.run_once()).handled:
                total += report.handled
            typer.echo(f"handled {total} job(s)", err=True)
            return
        handle = SchedulerThread(scheduler).start()
        typer.echo("scheduler running; Ctrl-C stops it", err=True)
        try:
            while handle.running:
                time.sleep(0.5)
        except KeyboardInterrupt:
            typer.echo("stopping...", err=True)
        handle.stop()
    finally:
        db.dispose()


@scheduler_app.command("status")
def status() -> None:
    """How many jobs are in each status."""
    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            rows = session.execute(
                select(ScheduledJob.status, func.count()).group_by(ScheduledJob.status)
            ).all()
    finally:
        db.dispose()
    counts = {JobStatus(row[0]): int(row[1]) for row in rows}
    for value in JobStatus:
        typer.echo(f"{value.value:<10} {counts.get(value, 0)}")
