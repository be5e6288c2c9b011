"""`ivr users create` and `ivr users list` against the real database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from app.core.config import Settings
from app.core.db import Database
from app.staff import accounts, cli
from support.live_server import add_hospital, add_staff

runner = CliRunner()


@pytest.fixture(autouse=True)
def _cli_database(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(database_url=db.url, secret_key="x" * 40)
    monkeypatch.setattr(cli, "get_settings", lambda: settings)


def test_create_reads_password_from_stdin_and_the_user_can_sign_in(db: Database) -> None:
    result = runner.invoke(
        cli.users_app,
        ["create", "--username", "first.admin", "--name", "王管理", "--role", "admin",
         "--password-stdin"],
        input="a-long-admin-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a-long-admin-password" not in result.output
    with db.session() as session:
        user = accounts.authenticate(
            session, username="first.admin", password="a-long-admin-password",
            now=datetime.now(UTC), address="192.0.2.1",
        ).user
        assert user is not None and user.display_name == "王管理"


def test_create_prompts_twice_for_the_password_when_not_on_stdin(db: Database) -> None:
    args = ["create", "--username", "li.op", "--name", "李调度", "--role", "operator"]
    mismatch = runner.invoke(cli.users_app, args, input="first-password\nother-password\n"
                             "first-password\nfirst-password\n")
    assert mismatch.exit_code == 0, mismatch.output
    assert "do not match" in mismatch.output.lower()
    with db.session() as session:
        assert accounts.get_user_by_username(session, "li.op") is not None


def test_create_refuses_a_short_password(db: Database) -> None:
    result = runner.invoke(
        cli.users_app,
        ["create", "--username", "li.op", "--name", "李调度", "--role", "operator",
         "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "至少要10个字符" in result.output
    with db.session() as session:
        assert accounts.list_users(session) == []


def test_create_has_no_plain_password_argument() -> None:
    result = runner.invoke(
        cli.users_app,
        ["create", "--username", "li.op", "--name", "李调度", "--role", "operator",
         "--password", "a-long-password-here"],
    )
    assert result.exit_code == 2


def test_create_hospital_staff_needs_a_hospital(db: Database) -> None:
    base = ["create", "--username", "nurse.li", "--name", "李护士", "--role", "hospital_staff",
            "--password-stdin"]
    refused = runner.invoke(cli.users_app, base, input="a-long-password-here\n")
    assert refused.exit_code == 1 and "必须属于一家医院" in refused.output
    hospital_id = add_hospital(db)
    created = runner.invoke(cli.users_app, [*base, "--hospital-id", str(hospital_id)],
                            input="a-long-password-here\n")
    assert created.exit_code == 0, created.output


def test_list_shows_users_but_never_password_hashes(db: Database) -> None:
    runner.invoke(
        cli.users_app,
        ["create", "--username", "li.op", "--name", "李调度", "--role", "operator",
         "--password-stdin"],
        input="a-long-password-here\n",
    )
    result = runner.invoke(cli.users_app, ["list"])
    assert result.exit_code == 0
    assert "li.op" in result.output and "operator" in result.output
    assert "$argon2" not in result.output


def _create(username: str, role: str = "operator", *extra: str) -> None:
    result = runner.invoke(
        cli.users_app,
        ["create", "--username", username, "--name", "测试", "--role", role, *extra,
         "--password-stdin"],
        input="a-long-password-here\n",
    )
    assert result.exit_code == 0, result.output


def _can_sign_in(db: Database, username: str, password: str) -> bool:
    with db.session() as session:
        return accounts.authenticate(
            session, username=username, password=password, now=datetime.now(UTC),
            address="192.0.2.1",
        ).user is not None


def test_passwd_sets_a_new_password_read_from_stdin(db: Database) -> None:
    _create("li.op")
    result = runner.invoke(
        cli.users_app, ["passwd", "li.op", "--password-stdin"], input="another-long-password\n"
    )
    assert result.exit_code == 0, result.output
    assert not _can_sign_in(db, "li.op", "a-long-password-here")
    assert _can_sign_in(db, "li.op", "another-long-password")


def test_passwd_refuses_a_short_password_and_an_unknown_user(db: Database) -> None:
    _create("li.op")
    short = runner.invoke(cli.users_app, ["passwd", "li.op", "--password-stdin"], input="x\n")
    assert short.exit_code == 1 and "至少要10个字符" in short.output
    unknown = runner.invoke(
        cli.users_app, ["passwd", "nobody", "--password-stdin"], input="a-long-password-2\n"
    )
    assert unknown.exit_code == 1 and "no staff user" in unknown.output
    assert _can_sign_in(db, "li.op", "a-long-password-here")


def test_deactivate_and_reactivate(db: Database) -> None:
    _create("li.op")
    assert runner.invoke(cli.users_app, ["deactivate", "li.op"]).exit_code == 0
    assert not _can_sign_in(db, "li.op", "a-long-password-here")
    assert "inactive" in runner.invoke(cli.users_app, ["list"]).output
    assert runner.invoke(cli.users_app, ["reactivate", "li.op"]).exit_code == 0
    assert _can_sign_in(db, "li.op", "a-long-password-here")


def test_role_changes_role_and_scope_with_the_same_rules_as_create(db: Database) -> None:
    _create("li.op")
    hospital_id = add_hospital(db)
    unbound = runner.invoke(cli.users_app, ["role", "li.op", "--role", "hospital_staff"])
    assert unbound.exit_code == 1 and "必须属于一家医院" in unbound.output
    bound = runner.invoke(
        cli.users_app,
        ["role", "li.op", "--role", "hospital_staff", "--hospital-id", str(hospital_id)],
    )
    assert bound.exit_code == 0, bound.output
    with db.session() as session:
        user = accounts.get_user_by_username(session, "li.op")
        assert user is not None
        assert user.role.value == "hospital_staff" and user.hospital_id == hospital_id
    back = runner.invoke(cli.users_app, ["role", "li.op", "--role", "operator"])
    assert back.exit_code == 0, back.output
    with db.session() as session:
        user = accounts.get_user_by_username(session, "li.op")
        assert user is not None and user.hospital_id is None


def test_phone_sets_normalises_masks_and_clears_an_operators_number(db: Database) -> None:
    add_staff(db, "li.op")
    done = runner.invoke(cli.users_app, ["phone", "li.op", "158 0000 0001"])
    assert done.exit_code == 0, done.output
    assert "158****0001" in done.output and "15800000001" not in done.output
    with db.session() as session:
        user = accounts.get_user_by_username(session, "li.op")
        assert user is not None and user.phone_number == "+8615800000001"
    for fragment in ("12", "12345"):  # a fragment is no phone to ring
        bad = runner.invoke(cli.users_app, ["phone", "li.op", fragment])
        assert bad.exit_code == 1 and "电话号码格式不对" in bad.output
    cleared = runner.invoke(cli.users_app, ["phone", "li.op", ""])
    assert cleared.exit_code == 0 and "Cleared" in cleared.output
    with db.session() as session:
        user = accounts.get_user_by_username(session, "li.op")
        assert user is not None and user.phone_number is None
