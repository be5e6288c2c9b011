"""`ivr fhir ...`: the HIS link of a hospital from the command line.

    ivr fhir token create HOSPITAL_ID NAME [--days 365]   prints the token once
    ivr fhir token rotate HOSPITAL_ID CLIENT_ID           new token; the old one lasts 24 h
    ivr fhir token revoke HOSPITAL_ID CLIENT_ID
    ivr fhir token list HOSPITAL_ID
    ivr fhir webhook HOSPITAL_ID URL                       "" clears it; prints the secret

Changes are audited as made by the system (no staff user).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, TypeVar

import typer
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.db import Database
from app.hospital.audit import AdminError
from app.hospital.fhir import push, tokens

fhir_app = typer.Typer(
    help="The HIS link (FHIR): API tokens and the webhook.", no_args_is_help=True
)
token_app = typer.Typer(help="Per-hospital API tokens.", no_args_is_help=True)
fhir_app.add_typer(token_app, name="token")
T = TypeVar("T")


@contextmanager
def _session() -> Iterator[Session]:
    database = Database(get_settings().database_url)
    try:
        with database.session() as session:
            yield session
    finally:
        database.dispose()


def _run(action: Callable[[Session, datetime], T]) -> T:
    try:
        with _session() as session:
            return action(session, datetime.now(UTC))
    except AdminError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


@token_app.command("create")
def create_command(
    hospital_id: int,
    name: str,
    days: Annotated[int, typer.Option(help="Days until the token expires.")] = 365,
) -> None:
    """Create a token; it is printed once and stored only hashed."""
    issued = _run(
        lambda session, now: tokens.create(
            session,
            hospital_id=hospital_id,
            name=name,
            actor_id=None,
            now=now,
            lifetime=timedelta(days=days),
        )
    )
    typer.echo(f"client {issued.client.id}, expires {issued.client.expires_at:%Y-%m-%d}")
    typer.echo(issued.token)


@token_app.command("rotate")
def rotate_command(hospital_id: int, client_id: int) -> None:
    """A new token for the client; the old one keeps working for 24 hours."""
    issued = _run(
        lambda session, now: tokens.rotate(
            session, hospital_id=hospital_id, client_id=client_id, actor_id=None, now=now
        )
    )
    typer.echo(f"client {issued.client.id}, expires {issued.client.expires_at:%Y-%m-%d}")
    typer.echo(issued.token)


@token_app.command("revoke")
def revoke_command(hospital_id: int, client_id: int) -> None:
    """End a token now."""
    _run(
        lambda session, now: tokens.revoke(
            session, hospital_id=hospital_id, client_id=client_id, actor_id=None, now=now
        )
    )
    typer.echo(f"client {client_id} revoked")


@token_app.command("list")
def list_command(hospital_id: int) -> None:
    """The hospital's tokens (prefix only), newest first."""
    now = datetime.now(UTC)
    with _session() as session:
        for client in tokens.clients(session, hospital_id=hospital_id):
            state = (
                "revoked"
                if client.revoked_at
                else "expired"
                if client.expires_at <= now
                else f"valid until {client.expires_at:%Y-%m-%d %H:%M}"
            )
            typer.echo(f"{client.id}\t{client.name}\t{client.token_prefix}…\t{state}")


@fhir_app.command("webhook")
def webhook_command(hospital_id: int, url: str) -> None:
    """Set where appointment changes are pushed ("" stops pushing); prints the signing key."""
    link = _run(
        lambda session, now: push.set_webhook(
            session, hospital_id=hospital_id, url=url, actor_id=None, now=now
        )
    )
    typer.echo(f"webhook: {link.webhook_url or '(none)'}")
    typer.echo(f"signing secret: {link.webhook_secret}")
