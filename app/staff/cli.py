"""`ivr users ...`: create and list staff users from the command line.

The lead registers it in app/cli.py as `app.add_typer(users_app, name="users")`.
Passwords are never taken as an argument: `--password-stdin` reads one line from standard
input, otherwise an interactive hidden prompt asks twice.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from app.core.config import get_settings
from app.core.db import Database
from app.staff import accounts
from app.staff.enums import StaffRole

users_app = typer.Typer(help="Manage staff users of the web consoles.", no_args_is_help=True)


def _database() -> Database:
    return Database(get_settings().database_url)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_app.command("create")
def create(
    username: Annotated[
        str, typer.Option("--username", help="Sign-in name (a-z, 0-9, . _ -).")
    ],
    name: Annotated[str, typer.Option("--name", help="Display name, e.g. 李调度.")],
    role: Annotated[StaffRole, typer.Option("--role", help="The staff role.")],
    hospital_id: Annotated[
        int | None, typer.Option("--hospital-id", help="Required for hospital_staff.")
    ] = None,
    community_id: Annotated[
        int | None, typer.Option("--community-id", help="Required for community_staff.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a staff user (e.g. the first admin)."""
    password = _read_password(password_stdin)
    database = _database()
    try:
        with database.session() as session:
            user = accounts.create_user(
                session,
                username=username,
                display_name=name,
                password=password,
                role=role,
                hospital_id=hospital_id,
                community_id=community_id,
            )
            user_id, stored_name = user.id, user.username
    except accounts.StaffUserError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    typer.echo(f"Created staff user #{user_id} {stored_name} ({role.value}).")


@users_app.command("list")
def list_users() -> None:
    """List staff users (never their passwords)."""
    database = _database()
    try:
        with database.session() as session:
            users = accounts.list_users(session)
            lines = [
                f"{u.id:>4}  {u.username:<20} {u.role.value:<16} "
                f"{'active' if u.active else 'inactive':<8} "
                f"hospital={u.hospital_id or '-'} community={u.community_id or '-'}  "
                f"{u.display_name}"
                for u in users
            ]
    finally:
        database.dispose()
    if not lines:
        typer.echo("No staff users yet. Create the first admin with `ivr users create`.")
    for line in lines:
        typer.echo(line)
