"""`ivr start`, the Docker image's command, run outside Docker as a real process: on a
temporary SQLite database it migrates, creates the bootstrap admin, serves /healthz and
/readyz, and stops on SIGTERM; in production with missing settings it refuses to start
before touching the database."""

from __future__ import annotations

import gc
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.core.config import PROJECT_ROOT, Settings
from app.core.db import Database
from app.main import create_app
from app.staff.enums import StaffRole
from app.staff.models import StaffUser

ADMIN_PASSWORD = "bootstrap-secret-2026"


def ivr_command() -> list[str]:
    script = Path(sys.executable).parent / "ivr"
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


def clean_environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The test's own environment without any IVR_ or DATABASE_URL setting, plus these."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("IVR_") and k != "DATABASE_URL"
    }
    env.update(
        {
            "IVR_DIALOGS_DIR": str(PROJECT_ROOT / "dialogs"),
            "IVR_GRAMMARS_DIR": str(PROJECT_ROOT / "grammars"),
            "IVR_MODELS_DIR": str(tmp_path / "models"),  # no model: keypad-only, fast
            "IVR_RECORDINGS_DIR": str(tmp_path / "recordings"),
            **settings,
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"ivr start exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("ivr start did not answer /healthz in time")


def test_ivr_start_migrates_bootstraps_the_admin_serves_and_stops(tmp_path: Path) -> None:
    database_file = tmp_path / "ivr.sqlite3"
    database_url = f"sqlite:///{database_file}"
    port = free_port()
    env = clean_environment(
        tmp_path,
        DATABASE_URL=database_url,
        IVR_HOST="127.0.0.1",
        IVR_PORT=str(port),
        IVR_BOOTSTRAP_ADMIN_USERNAME="root.admin",
        IVR_BOOTSTRAP_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    log = tmp_path / "start.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*ivr_command(), "start"], cwd=tmp_path, env=env, stdout=output, stderr=output
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for_health(url, process)
            assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
            ready = httpx.get(f"{url}/readyz").json()
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    text = log.read_text("utf-8", errors="replace")
    # uvicorn shuts down gracefully, then re-raises SIGTERM (or exits 0 on older versions)
    assert process.returncode in (0, -signal.SIGTERM), text
    assert "Application shutdown complete" in text
    assert ready["status"] == "ready" and ready["database"] == "ok"
    assert ready["notifications"].startswith("not configured")
    assert ready["prompt_voice"] == "espeak-ng (cmn)"
    for step in ("configuration: ok", "database: migrated", "bootstrap admin: created", "flows:"):
        assert step in text, step
    assert "notifications: not configured" in text
    jobs = f"background jobs in process {process.pid}: outbox worker, retention, scheduler"
    assert text.count("background jobs in process") == 1 and jobs in text
    assert ADMIN_PASSWORD not in text
    database = Database(database_url)
    try:
        with database.session() as session:
            query = select(StaffUser.username).where(StaffUser.role == StaffRole.ADMIN)
            assert list(session.scalars(query)) == ["root.admin"]
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"IVR_ENVIRONMENT": "production"}, "IVR_PUBLIC_BASE_URL must be set"),
        (
            {
                "IVR_ENVIRONMENT": "production",
                "IVR_SECRET_KEY": "k" * 40,
                "IVR_PUBLIC_BASE_URL": "https://hotline.example.org",
                "IVR_TWILIO_AUTH_TOKEN": "token",
            },
            "IVR_TWILIO_ACCOUNT_SID, IVR_TWILIO_FROM_NUMBER must be set",
        ),
        ({"IVR_BOOTSTRAP_ADMIN_USERNAME": "root.admin"}, "IVR_BOOTSTRAP_ADMIN_PASSWORD"),
    ],
)
def test_ivr_start_refuses_an_unfit_configuration_before_touching_the_database(
    tmp_path: Path, settings: dict[str, str], problem: str
) -> None:
    database_file = tmp_path / "ivr.sqlite3"
    env = clean_environment(tmp_path, DATABASE_URL=f"sqlite:///{database_file}", **settings)
    result = subprocess.run(
        [*ivr_command(), "start"], cwd=tmp_path, env=env, capture_output=True, timeout=120
    )
    assert result.returncode == 2
    assert problem in result.stderr.decode("utf-8")
    assert not database_file.exists()


def test_ivr_start_refuses_a_bootstrap_password_the_policy_rejects(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'ivr.sqlite3'}"
    env = clean_environment(
        tmp_path,
        DATABASE_URL=database_url,
        IVR_BOOTSTRAP_ADMIN_USERNAME="root.admin",
        IVR_BOOTSTRAP_ADMIN_PASSWORD="short",
    )
    result = subprocess.run(
        [*ivr_command(), "start"], cwd=tmp_path, env=env, capture_output=True, timeout=120
    )
    output = result.stdout.decode("utf-8") + result.stderr.decode("utf-8")
    assert result.returncode == 3
    assert "bootstrap admin refused" in output and '"short"' not in output


BACKGROUND_THREADS = {"outbox-worker", "retention", "scheduler"}


@pytest.mark.parametrize("background_jobs", [True, False])
def test_only_an_app_built_with_background_jobs_runs_them_in_its_lifespan(
    db: Database, tmp_path: Path, background_jobs: bool
) -> None:
    settings = Settings(
        database_url=db.url,
        models_dir=tmp_path / "models",
        outbox_in_process=True,
        retention_in_process=True,  # the test environment turns it off by default
        retention_hour=23,
        scheduler_in_process=True,
    )
    app = create_app(settings, background_jobs=background_jobs)
    before = {thread.name for thread in threading.enumerate()}
    assert not before & BACKGROUND_THREADS
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        running = {thread.name for thread in threading.enumerate()} & BACKGROUND_THREADS
    assert running == (BACKGROUND_THREADS if background_jobs else set())
    time.sleep(0.1)  # stopped and joined at shutdown
    assert not {thread.name for thread in threading.enumerate()} & BACKGROUND_THREADS


def wait_for_log(log: Path, pattern: str, count: int, timeout: float = 90) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.findall(pattern, log.read_text("utf-8", errors="replace"))
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{pattern!r} not logged {count} times in time")


def test_ivr_serve_with_two_workers_runs_the_background_jobs_once_in_the_supervisor(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'ivr.sqlite3'}"
    env = clean_environment(tmp_path, DATABASE_URL=database_url, IVR_LOG_JSON="false")
    migrated = subprocess.run(
        [*ivr_command(), "db", "upgrade"], cwd=tmp_path, env=env, capture_output=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    log = tmp_path / "serve.log"
    command = [*ivr_command(), "serve", "--workers", "2", "--host", "127.0.0.1", "--port"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, str(port)], cwd=tmp_path, env=env, stdout=output, stderr=output
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for_health(url, process)
            servers = wait_for_log(log, r"Started server process \[(\d+)\]", 2)
            wait_for_log(log, r"Application startup complete", 2)
            answers = [httpx.get(f"{url}/readyz").json()["status"] for _ in range(6)]
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    text = log.read_text("utf-8", errors="replace")
    assert answers == ["ready"] * 6
    assert len(set(servers)) == 2 and str(process.pid) not in servers, text
    jobs = re.findall(r"background jobs in process (\d+): (.*)", text)
    assert jobs == [(str(process.pid), "outbox worker, retention, scheduler")], text
    assert "outbox worker stopped" in text and text.count("outbox worker started") == 1
    assert text.count("Application shutdown complete") == 2


def test_ivr_serve_with_workers_exits_non_zero_when_the_port_is_taken(tmp_path: Path) -> None:
    env = clean_environment(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'ivr.sqlite3'}",
                            IVR_LOG_JSON="false")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*ivr_command(), "serve", "--workers", "2", "--host", "127.0.0.1", "--port",
             str(port)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 5, result.stderr
    assert f"serve: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "background jobs in process" not in result.stderr  # nothing started


BROKEN_WORKER = """
import sys
from uvicorn.config import STARTUP_FAILURE

def create():  # as app.main.create_worker_app_from_env when the app cannot be built
    print("worker: the service could not be built", file=sys.stderr)
    sys.exit(STARTUP_FAILURE)
"""
RUN_WORKERS = """
import sys
from app.core.config import Settings
from app.core.logging import configure_logging
from app.startup import run_workers
configure_logging("INFO", False)
settings = Settings(database_url=sys.argv[1], outbox_in_process=False,
                    retention_in_process=False, scheduler_in_process=False)
run_workers(settings, host="127.0.0.1", port=int(sys.argv[2]), workers=2,
            app=sys.argv[3])
"""
WORKER_THAT_DIES_ONCE = """
import os
import sys
import threading

async def app(scope, receive, send):
    while scope["type"] == "lifespan":
        message = await receive()
        await send({"type": message["type"] + ".complete"})
        if message["type"] == "lifespan.shutdown":
            return

def create():
    try:  # the first worker to claim the mark dies once it serves; its replacement stays
        os.close(os.open("died-once", os.O_CREAT | os.O_EXCL))
        threading.Timer(0.3, os._exit, (1,)).start()
    except FileExistsError:
        pass
    print("worker built", file=sys.stderr, flush=True)
    return app
"""


def test_the_supervisor_exits_non_zero_when_its_workers_cannot_start(tmp_path: Path) -> None:
    """uvicorn's supervisor stops when a worker cannot start; `ivr serve` then says so and
    exits 5 (it used to exit 0, as after a clean stop)."""
    (tmp_path / "broken_worker.py").write_text(BROKEN_WORKER)
    env = clean_environment(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(PROJECT_ROOT)])
    result = subprocess.run(
        [sys.executable, "-c", RUN_WORKERS, f"sqlite:///{tmp_path / 'ivr.sqlite3'}",
         str(free_port()), "broken_worker:create"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 5, result.stderr
    assert result.stderr.count("worker: the service could not be built") >= 1
    assert re.search(r"serve: worker process [\d, ]+ could not start", result.stderr), (
        result.stderr)


def test_a_worker_that_dies_after_it_started_is_replaced(tmp_path: Path) -> None:
    """As documented (docs/performance.md): a worker that dies once serving is restarted,
    the service goes on, and a stop by SIGTERM still exits 0."""
    (tmp_path / "dying_worker.py").write_text(WORKER_THAT_DIES_ONCE)
    env = clean_environment(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(PROJECT_ROOT)])
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", RUN_WORKERS, f"sqlite:///{tmp_path / 'ivr.sqlite3'}",
             str(free_port()), "dying_worker:create"],
            cwd=tmp_path, env=env, stdout=output, stderr=output,
        )
        try:
            wait_for_log(log, r"Child process \[\d+\] died", 1, timeout=30)
            wait_for_log(log, r"worker built", 3, timeout=30)  # two, then the replacement
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    assert process.returncode == 0, log.read_text("utf-8", errors="replace")


def test_a_worker_whose_app_cannot_be_built_exits_with_the_start_up_failure_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that uvicorn's supervisor stops instead of starting it again and again."""
    from uvicorn.config import STARTUP_FAILURE

    from app.core.config import get_settings
    from app.main import create_worker_app_from_env

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ivr.sqlite3'}")
    monkeypatch.setenv("IVR_DIALOGS_DIR", str(tmp_path / "no-dialogs"))
    get_settings.cache_clear()
    frozen = gc.get_freeze_count()
    try:
        with pytest.raises(SystemExit) as stopped:
            create_worker_app_from_env()
    finally:
        get_settings.cache_clear()
    assert stopped.value.code == STARTUP_FAILURE
    assert gc.isenabled() and gc.get_freeze_count() == frozen  # collector back, nothing frozen


KEYPAD_ONLY_APP = """
import sys
from app.core.config import Settings
from app.main import create_app
app = create_app(Settings(database_url=sys.argv[1], models_dir=sys.argv[2]))
assert app.state.speech.keypad_only, app.state.speech.status
print(app.state.prompt_audio.voice_status)
print(",".join(sorted(name for name in sys.modules if name.split(".")[0] in sys.argv[3:])))
"""


def test_a_keypad_only_service_starts_without_numpy_vosk_pydub_or_websockets(
    tmp_path: Path,
) -> None:
    """They are the speech stack's: loaded with the first media-stream prompt or turn."""
    database_url = f"sqlite:///{tmp_path / 'ivr.sqlite3'}"
    heavy = ["numpy", "vosk", "pydub", "websockets", "soxr"]
    env = clean_environment(tmp_path)
    result = _python(tmp_path, env, KEYPAD_ONLY_APP, database_url, str(tmp_path / "models"), *heavy)
    assert result.returncode == 0, result.stderr
    voice, loaded = result.stdout.splitlines()
    assert voice == "espeak-ng (cmn)"  # the voice is still checked at start-up
    assert loaded == ""



KEYPAD_ONLY_STARTED = """
import asyncio, sys, threading
from app.core.config import Settings
from app.core.migrate import upgrade
from app.main import create_app
upgrade(sys.argv[1])
app = create_app(Settings(database_url=sys.argv[1], models_dir=sys.argv[2]))

async def start_and_stop():
    async with app.router.lifespan_context(app):  # starts the background jobs
        print(",".join(sorted(thread.name for thread in threading.enumerate())))

asyncio.run(start_and_stop())
print(",".join(sorted(name for name in sys.modules if name in sys.argv[3:])))
"""


def test_a_service_without_twilio_starts_without_the_http_clients(tmp_path: Path) -> None:
    """The twilio REST client, requests and httpx are loaded when a message is sent, a call
    placed or a recording fetched, not to build the service and start its jobs."""
    database_url = f"sqlite:///{tmp_path / 'ivr.sqlite3'}"
    clients = ["httpx", "requests", "twilio.rest", "twilio.http.http_client"]
    result = _python(
        tmp_path, clean_environment(tmp_path), KEYPAD_ONLY_STARTED, database_url,
        str(tmp_path / "models"), *clients,
    )
    assert result.returncode == 0, result.stderr
    threads, loaded = result.stdout.splitlines()[-2:]
    assert {"outbox-worker", "retention", "scheduler"} <= set(threads.split(","))
    assert loaded == ""


SERVE_WITHOUT_LISTENING = """
import gc, importlib
import uvicorn
from app.core.config import get_settings
from app.startup import serve

def load_only(target, *, factory, **options):  # uvicorn.run without the server
    module, name = target.split(":")
    print("collector during start-up:", gc.isenabled())
    getattr(importlib.import_module(module), name)()
    print("collector once built:", gc.isenabled(), gc.get_freeze_count() > 0)

uvicorn.run = load_only
serve(get_settings())
"""


def test_serve_pauses_the_garbage_collector_only_until_the_app_is_built(
    tmp_path: Path,
) -> None:
    """`ivr serve` builds the app with the collector paused; it must run again afterwards,
    or the service would never free a reference cycle."""
    env = clean_environment(tmp_path, IVR_DATABASE_URL=f"sqlite:///{tmp_path / 'ivr.sqlite3'}")
    result = _python(tmp_path, env, SERVE_WITHOUT_LISTENING)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [
        "collector during start-up: False",
        "collector once built: True True",
    ]


WORKER_BUILT = """
import gc
from app.main import create_worker_app_from_env
create_worker_app_from_env()
print("collector once built:", gc.isenabled())
print("frozen:", gc.get_freeze_count() > 100_000, gc.get_freeze_count() > len(gc.get_objects()))
"""


def test_a_worker_freezes_start_up_objects_once_its_app_is_built(tmp_path: Path) -> None:
    """Each worker of `ivr serve --workers N` freezes what start-up made, as one process
    does: a full collection over those objects (some 200,000) stalled a worker's requests
    for 0.1 s or more of CPU (docs/performance.md). The collector still runs for the rest."""
    env = clean_environment(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'ivr.sqlite3'}")
    result = _python(tmp_path, env, WORKER_BUILT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [
        "collector once built: True",
        "frozen: True True",
    ]


def _python(
    tmp_path: Path, env: dict[str, str], code: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new Python process in ``tmp_path`` with ``env``, output captured."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
