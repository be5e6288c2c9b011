"""`ivr outbox run` (the worker loop) and `ivr outbox status` (messages per status).

Registered in app/commands.py (`LAZY_COMMANDS`) as `ivr outbox`.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from sqlalchemy import func, select

from app.core.config import get_settings
from app.core.db import Database
from app.core.logging import configure_logging
from app.notify.enums import OutboxStatus
from app.notify.models import OutboxMessage
from app.notify.runner import WorkerThread, default_sender
from app.notify.unconfigured import BANNER, NOT_SENT
from app.notify.worker import OutboxWorker

NOT_CONFIGURED_HINT = (
    "Twilio is not configured (set IVR_TWILIO_ACCOUNT_SID, IVR_TWILIO_AUTH_TOKEN and "
    "IVR_TWILIO_FROM_NUMBER); pending messages stay unsent until it is."
)

outbox_app = typer.Typer(help="The notification outbox (SMS and calls).", no_args_is_help=True)


@outbox_app.command("run")
def run(
    once: Annotated[bool, typer.Option("--once", help="Send what is due now, then exit.")] = False,
) -> None:
    """Send queued SMS and calls through Twilio, and appointment pushes to the hospitals'
    HIS, until Ctrl-C (or once, with --once). Without Twilio settings SMS and calls wait."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    db = Database(settings.database_url)
    if not settings.notifications_configured:
        typer.echo("Twilio is not configured: only HIS pushes are sent", err=True)
    sender = default_sender(db, settings)
    worker = OutboxWorker(db, sender, settings, kinds=sender.kinds)
    try:
        if once:
            total = 0
            while handled := worker.run_once():
                total += handled
            typer.echo(f"handled {total} message(s)", err=True)
            return
        handle = WorkerThread(worker).start()
        typer.echo("outbox worker running; Ctrl-C stops it", err=True)
        try:
            while handle.running:
                time.sleep(0.5)
        except KeyboardInterrupt:
            typer.echo("stopping: finishing the message in flight...", err=True)
        handle.stop()
    finally:
        db.dispose()


@outbox_app.command("status")
def status() -> None:
    """Print how many outbox messages are in each status, and say so when nothing can be
    sent because Twilio is not configured."""
    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            rows = session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
    finally:
        db.dispose()
    counts = {OutboxStatus(row[0]): int(row[1]) for row in rows}
    for value in OutboxStatus:
        typer.echo(f"{value.value:<10} {counts.get(value, 0)}")
    if not settings.notifications_configured:
        typer.echo(f"{BANNER}\n{NOT_SENT}: {NOT_CONFIGURED_HINT}")
