"""The `ivr` command: serve, migrate, load demo data, check flows, simulate a call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from app.core.config import get_settings
from app.hospital.cli import schedules_app
from app.hospital.fhir.cli import fhir_app
from app.notify.cli import outbox_app
from app.people.cli import people_app
from app.retention.cli import retention_app
from app.scheduler.cli import scheduler_app
from app.speech.cli import models_app
from app.staff.cli import users_app
from app.understanding.cli import understand_command

app = typer.Typer(
    help="Yunnan elder hotline: one-key taxi and hospital registration by phone.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold passwords or ID numbers
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
recordings_app = typer.Typer(help="Callers' recordings kept on disk.", no_args_is_help=True)
flows_app = typer.Typer(help="Call flows in dialogs/.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(flows_app, name="flows")
app.add_typer(recordings_app, name="recordings")
app.add_typer(models_app, name="models")
app.add_typer(users_app, name="users")
app.add_typer(outbox_app, name="outbox")
app.add_typer(people_app, name="people")
app.add_typer(schedules_app, name="schedules")
app.add_typer(fhir_app, name="fhir")
app.add_typer(retention_app, name="retention")
app.add_typer(scheduler_app, name="scheduler")
app.command("understand")(understand_command)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Run the web service: Twilio webhooks, media streams, consoles, health probes."""
    import uvicorn

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    base = f"http://{host}:{port}"
    typer.echo(
        f"\n  长者服务热线 is starting on {base}\n"
        f"  - staff sign-in:   {base}/login   (demo: admin / chuncheng-2026)\n"
        f"  - dispatch:        {base}/dispatch  (demo: operator / diaodu-2026)\n"
        f"  - hospital:        {base}/hospital  (demo: hospital1 / guahao-2026!)\n"
        f"  - family doctor:   {base}/family-doctor  (demo: familydoc1 / jiating-2026!)\n"
        f"  - health:          {base}/healthz  {base}/readyz\n"
        f"  - Twilio webhook:  {settings.public_base_url}/twilio/voice\n"
        f"  - simulate a call: .venv/bin/ivr call --from +8613800000001\n",
        err=True,
    )
    uvicorn.run(
        "app.main:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        log_config=None,
    )


@app.command()
def start() -> None:
    """Deployment start-up (the Docker image's command): check the configuration, migrate,
    create the bootstrap admin if none exists, check the flows, then serve."""
    from app.startup import start as run_start_up

    run_start_up(get_settings())


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create or update the schema to the latest migration."""
    from app.core.migrate import upgrade

    upgrade(get_settings().database_url, revision)


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision.")]) -> None:
    """Step the schema back to REVISION (`base` removes every table)."""
    from app.core.migrate import downgrade

    downgrade(get_settings().database_url, revision)


@app.command()
def demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only load when the database has no people yet.")
    ] = False,
) -> None:
    """Load realistic demo data: people in Kunming, a taxi company, two hospitals."""
    from app.core.db import Database
    from app.demo_data import load_demo

    database = Database(get_settings().database_url)
    loaded = load_demo(database, only_if_empty=if_empty)
    typer.echo("demo data loaded" if loaded else "database already has data; demo not loaded")
    database.dispose()


@recordings_app.command("purge")
def recordings_purge(
    older_than_days: Annotated[
        int | None, typer.Option(help="Default: IVR_RETENTION_RECORDINGS_DAYS.")
    ] = None,
) -> None:
    """Delete recording files older than the retention period (files only; `ivr retention
    run` also deletes Twilio's recordings and everything else past its period)."""
    from datetime import timedelta

    from app.calls.recordings import purge_recordings
    from app.db.base import utcnow

    settings = get_settings()
    days = older_than_days if older_than_days is not None else settings.retention_recordings_days
    removed = purge_recordings(
        settings.recordings_dir, older_than=timedelta(days=days), now=utcnow()
    )
    typer.echo(f"deleted {removed} recordings older than {days} days")


@flows_app.command("check")
def flows_check(
    directory: Annotated[Path | None, typer.Option(help="Folder of flow files.")] = None,
) -> None:
    """Validate every flow; exit 1 with one line per problem if any is broken."""
    from app.callflow.loader import FlowError
    from app.hotline import load_dialogs

    folder = directory or get_settings().dialogs_dir
    try:
        flows = load_dialogs(folder)
    except FlowError as exc:
        for problem in exc.problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from exc
    states = sum(len(f.states) for f in flows.flows.values())
    typer.echo(f"ok: {len(flows.flows)} flows, {states} states in {folder}")


@app.command()
def call(
    from_number: Annotated[
        str,
        typer.Option(
            "--from",
            help="The caller's number, e.g. +8613800000001; 'anonymous' for a withheld number.",
        ),
    ] = "anonymous",
    to_number: Annotated[str | None, typer.Option("--to", help="The hotline number.")] = None,
    script: Annotated[
        Path | None, typer.Option(help="File with one caller turn per line (keys or text).")
    ] = None,
) -> None:
    """Simulate a call in the terminal against the real engine and database."""
    from app.core.db import Database
    from app.hotline import build_call_service
    from app.simulator import run_call

    settings = get_settings()
    database = Database(settings.database_url)
    service = build_call_service(settings, database)
    if script is not None:
        turns = iter(script.read_text("utf-8").splitlines())
    else:
        typer.echo("按键：输入数字、*、#；说话：输入中文；空行＝沉默；“挂断”＝挂电话。", err=True)
        turns = _interactive_turns()
    run_call(
        service,
        from_number=from_number,
        to_number=to_number or settings.hotline_number,
        turns=turns,
    )
    database.dispose()


def _interactive_turns() -> Iterator[str]:
    while True:
        try:
            yield input("您> ")
        except EOFError:
            return


def main() -> None:
    app(prog_name="ivr")


if __name__ == "__main__":
    main()
