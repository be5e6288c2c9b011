"""`ivr users ...`: create, list and manage staff users from the command line.

`create`, `list`, `passwd`, `deactivate`, `reactivate`, `role` (role and hospital or
community scope), `signout` (end every session of a user at once) and `unlock` (forget
the sign-in throttles of a username, e.g. after the real user mistyped many times).

Registered in app/commands.py (`LAZY_COMMANDS`) as `ivr users`.
Passwords are never taken as an argument: `--password-stdin` reads one line from standard
input, otherwise an interactive hidden prompt asks twice.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.db import Database
from app.people.phones import mask_number
from app.staff import accounts, sessions, throttle
from app.staff.enums import StaffRole
from app.staff.models import StaffUser

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
        int | None, typer.Option("--hospital-id", help="Required for hospital roles.")
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


UsernameArg = Annotated[str, typer.Argument(help="The user's sign-in name.")]


def _change_user(username: str, change: Callable[[Session, StaffUser], str]) -> None:
    """Run `change` on the named user in one transaction and print what it returns."""
    database = _database()
    try:
        with database.session() as session:
            user = accounts.get_user_by_username(session, username)
            if user is None:
                typer.echo(f"Error: no staff user {username!r}", err=True)
                raise typer.Exit(1)
            message = change(session, user)
    except accounts.StaffUserError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    typer.echo(message)


def _now() -> datetime:
    return datetime.now(UTC)


@users_app.command("passwd")
def passwd(
    username: UsernameArg,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a new password; every session of the user ends."""
    password = _read_password(password_stdin)

    def change(session: Session, user: StaffUser) -> str:
        accounts.set_password(session, user, password, now=_now())
        return f"Password of {user.username} changed; their sessions have ended."

    _change_user(username, change)


@users_app.command("deactivate")
def deactivate(username: UsernameArg) -> None:
    """Deactivate a user: they cannot sign in, and their sessions end at once."""

    def change(session: Session, user: StaffUser) -> str:
        accounts.set_active(session, user, False, now=_now())
        return f"Deactivated {user.username}; their sessions have ended."

    _change_user(username, change)


@users_app.command("reactivate")
def reactivate(username: UsernameArg) -> None:
    """Let a deactivated user sign in again."""

    def change(session: Session, user: StaffUser) -> str:
        accounts.set_active(session, user, True, now=_now())
        return f"Reactivated {user.username}."

    _change_user(username, change)


@users_app.command("role")
def role(
    username: UsernameArg,
    new_role: Annotated[StaffRole, typer.Option("--role", help="The new role.")],
    hospital_id: Annotated[
        int | None, typer.Option("--hospital-id", help="Required for hospital roles.")
    ] = None,
    community_id: Annotated[
        int | None, typer.Option("--community-id", help="Required for community_staff.")
    ] = None,
) -> None:
    """Change a user's role and hospital or community; they sign in again."""

    def change(session: Session, user: StaffUser) -> str:
        accounts.set_role(
            session, user, role=new_role, hospital_id=hospital_id, community_id=community_id,
            now=_now(),
        )
        return f"{user.username} is now {new_role.value}; their sessions have ended."

    _change_user(username, change)


@users_app.command("phone")
def phone(
    username: UsernameArg,
    number: Annotated[str, typer.Argument(help="The operator's own phone; \"\" clears it.")],
) -> None:
    """Set the phone an operator answers callers on (rung on 接听 and 回拨)."""

    def change(session: Session, user: StaffUser) -> str:
        stored = accounts.set_phone(session, user, number)
        if stored is None:
            return f"Cleared the phone number of {user.username}."
        return f"{user.username} answers callers on {mask_number(stored)}."

    _change_user(username, change)


@users_app.command("signout")
def signout(username: UsernameArg) -> None:
    """End every session of a user at once (e.g. a lost or shared computer)."""

    def change(session: Session, user: StaffUser) -> str:
        ended = sessions.end_user_sessions(
            session, user_id=user.id, now=_now(), reason="everywhere"
        )
        return f"Ended {ended} session(s) of {user.username}."

    _change_user(username, change)


@users_app.command("unlock")
def unlock(username: UsernameArg) -> None:
    """Forget the sign-in delays of a username (from every address)."""
    database = _database()
    try:
        with database.session() as session:
            cleared = throttle.clear_account(
                session, username=accounts.normalize_username(username)
            )
    finally:
        database.dispose()
    typer.echo(f"Cleared {cleared} sign-in throttle(s) of {username}.")
