"""The `ivr` command as a newcomer runs it: real processes, a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

COMMANDS = [
    [],
    ["serve"],
    ["db"],
    ["db", "upgrade"],
    ["db", "downgrade"],
    ["demo"],
    ["flows"],
    ["flows", "check"],
    ["call"],
    ["recordings", "purge"],
    ["retention"],
    ["retention", "run"],
    ["scheduler"],
    ["scheduler", "run"],
    ["scheduler", "status"],
]


def ivr(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        input=stdin,
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'ivr.sqlite3'}"
    env = {"DATABASE_URL": url}
    assert ivr("db", "upgrade", env=env).returncode == 0
    loaded = ivr("demo", "--if-empty", env=env)
    assert loaded.returncode == 0 and "demo data loaded" in loaded.stdout
    again = ivr("demo", "--if-empty", env=env)
    assert "not loaded" in again.stdout
    return env


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "ivr")
def test_every_command_has_help(command: list[str]) -> None:
    result = ivr(*command, "--help")
    assert result.returncode == 0 and "Usage" in result.stdout


def test_flows_check_accepts_the_shipped_flows() -> None:
    result = ivr("flows", "check")
    assert result.returncode == 0 and result.stdout.startswith("ok: ")


def test_flows_check_rejects_a_broken_flow_with_a_clear_message(tmp_path: Path) -> None:
    for name in ("common.yaml", "main.yaml"):
        (tmp_path / name).write_text((Path("dialogs") / name).read_text("utf-8"), "utf-8")
    broken = (tmp_path / "main.yaml").read_text("utf-8").replace("1: taxi", "1: taxii")
    (tmp_path / "main.yaml").write_text(broken, "utf-8")
    result = ivr("flows", "check", "--directory", str(tmp_path))
    assert result.returncode == 1
    assert "error: main.yaml: state 'menu': key 1 goes to unknown state 'taxii'" in result.stderr


def test_scripted_call_from_a_demo_number_is_greeted_and_repeat_and_transfer_work(
    demo_db: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "call.txt"
    script.write_text("*\n再说一遍\n0\n", "utf-8")
    result = ivr("call", "--from", "+8613800000001", "--script", str(script), env=demo_db)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[0].startswith("热线：张奶奶您好，长者服务热线。叫车到您家，按1")
    assert sum("热线（慢速）：张奶奶您好，长者服务热线。" in line for line in lines) == 2
    assert "[转接人工：asked]" in result.stdout


def test_scheduler_runs_once_and_counts_its_jobs(demo_db: dict[str, str]) -> None:
    ran = ivr("scheduler", "run", "--once", env=demo_db)
    assert ran.returncode == 0 and "handled 0 job(s)" in ran.stderr, ran.stderr
    status = ivr("scheduler", "status", env=demo_db)
    assert status.returncode == 0 and "pending" in status.stdout and "dropped" in status.stdout


def test_scripted_taxi_call_queues_a_ride(demo_db: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "taxi.txt"
    script.write_text("1\n对的\n", "utf-8")
    result = ivr("call", "--from", "+8613800000002", "--script", str(script), env=demo_db)
    assert "王大爹您好" in result.stdout
    assert "车已经叫了" in result.stdout and "[挂断]" in result.stdout


def test_interactive_call_ends_cleanly_when_input_ends(demo_db: dict[str, str]) -> None:
    result = ivr("call", "--from", "+8613800000003", env=demo_db, stdin="2\n")
    assert result.returncode == 0
    assert "李奶奶您好" in result.stdout and "哪个科" in result.stdout
    assert result.stdout.rstrip().endswith("字计）]")  # the call was closed, not left hanging


def test_recordings_past_the_retention_period_are_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    old, recent, other = folder / "CA1-2.wav", folder / "CA2-2.wav", folder / "notes.txt"
    for path in (old, recent, other):
        path.write_bytes(b"RIFF")
    long_ago = time.time() - 100 * 86400
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    result = ivr(
        "recordings",
        "purge",
        env={"IVR_RECORDINGS_DIR": str(folder), "IVR_RETENTION_RECORDINGS_DAYS": "90"},
    )
    assert result.returncode == 0 and "deleted 1 recordings" in result.stdout
    assert not old.exists() and recent.exists() and other.exists()


def test_retention_run_reports_counts_once_a_day_and_a_dry_run_changes_nothing(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    old = folder / "CA1-2.wav"
    old.write_bytes(b"RIFF")
    long_ago = time.time() - 31 * 86400
    os.utime(old, (long_ago, long_ago))
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ivr.sqlite3'}",
        "IVR_RECORDINGS_DIR": str(folder),
    }
    assert ivr("db", "upgrade", env=env).returncode == 0

    dry = ivr("retention", "run", "--dry-run", env=env)
    assert dry.returncode == 0 and "dry run: nothing changed" in dry.stdout
    assert "recordings: files_deleted=1 " in dry.stdout and old.exists()

    run = ivr("retention", "run", env=env)
    assert run.returncode == 0 and not old.exists()
    lines = run.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "recordings",
        "transcripts",
        "rides",
        "outbox",
        "audit",
        "staff_sessions",
        "family_codes",
        "staff_flashes",
    ]
    assert "recordings: files_deleted=1 " in run.stdout
    assert "staff_sessions: sessions=0" in lines and "family_codes: codes=0" in lines
    assert "staff_flashes: flashes=0" in lines

    again = ivr("retention", "run", env=env)
    assert again.returncode == 0 and "already ran today" in again.stdout


@pytest.mark.parametrize(
    ("arguments", "database_url", "problem"),
    [
        (["--workers", "2", "--reload"], None, "--reload runs one process"),
        (["--workers", "2"], "sqlite://", "an in-memory SQLite database is one per process"),
        (["--workers", "3"], "sqlite:///:memory:", "an in-memory SQLite database"),
    ],
)
def test_serve_refuses_workers_that_could_not_share_one_database_or_reload(
    arguments: list[str], database_url: str | None, problem: str
) -> None:
    env = {"DATABASE_URL": database_url} if database_url else None
    result = ivr("serve", "--port", "1", *arguments, env=env)
    assert result.returncode == 2
    assert problem in result.stderr
    assert "Started parent process" not in result.stderr


def test_serve_takes_at_least_one_worker() -> None:
    result = ivr("serve", "--workers", "0")
    assert result.returncode == 2 and "--workers" in result.stderr
