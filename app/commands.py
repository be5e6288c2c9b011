"""The `ivr` commands: serve, migrate, load demo data, check flows, simulate a call.

Run through `app.cli.main` (the `ivr` script), which answers `ivr understand` before this
module (and typer) is even imported."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer import _click as click  # the click typer vendors (its types)

    from app.core.config import Settings

#: Commands imported only when they run (or when `ivr --help` lists them), so that, for
#: instance, `ivr understand` loads neither the web service, the ORM nor the speech stack.
LAZY_COMMANDS: dict[str, str] = {
    "understand": "app.understanding.cli:understand_command",
    "models": "app.speech.cli:models_app",
    "users": "app.staff.cli:users_app",
    "outbox": "app.notify.cli:outbox_app",
    "people": "app.people.cli:people_app",
    "schedules": "app.hospital.cli:schedules_app",
    "fhir": "app.hospital.fhir.cli:fhir_app",
    "retention": "app.retention.cli:retention_app",
    "scheduler": "app.scheduler.cli:scheduler_app",
}


def _load_command(name: str) -> click.Command:
    """The click command of a lazy sub-app or command, built as `add_typer` would."""
    module, _, attribute = LAZY_COMMANDS[name].partition(":")
    target = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer(add_completion=False)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    holder.command("_")(lambda: None)  # two entries: the holder is a group, not one command
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    return group.commands[name]


class LazyGroup(TyperGroup):
    """The `ivr` group: the commands of :data:`LAZY_COMMANDS` are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        eager = super().list_commands(ctx)
        return [*eager, *(name for name in LAZY_COMMANDS if name not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            self.commands[cmd_name] = _load_command(cmd_name)
        return super().get_command(ctx, cmd_name)


def get_settings() -> Settings:
    from app.core.config import get_settings as settings

    return settings()


app = typer.Typer(
    cls=LazyGroup,
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


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Service processes sharing the port (default IVR_WORKERS, 1). The outbox "
            "worker, retention and scheduler still run once, in the supervisor process.",
        ),
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Run the web service: Twilio webhooks, media streams, consoles, health probes."""
    from app.core.logging import configure_logging
    from app.startup import serve as run_server

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
    configure_logging(settings.log_level, settings.log_json)
    run_server(settings, host=host, port=port, workers=workers, reload=reload)


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
