"""`ivr start`: the one start-up sequence of a deployment (the Docker image's command).

1. check the configuration (`Settings.production_problems`: in production a placeholder
   secret, a missing `IVR_PUBLIC_BASE_URL` or half a Twilio configuration stops here);
2. migrate the database to the latest schema (`ivr db upgrade`);
3. create the first admin from `IVR_BOOTSTRAP_ADMIN_*` when the database has no admin;
4. load and validate the call flows;
5. serve (`ivr serve` without the development banner; `IVR_WORKERS` processes, see
   `serve`); the app logs speech, prompt voice and notifications state, which `/readyz`
   reports too.

Each failing step logs why and exits non-zero before anything is served. It runs the same
inside and outside Docker (tests/integration/test_startup.py runs it on SQLite).
"""

from __future__ import annotations

import gc
import logging

from app.core.config import Settings
from app.core.logging import configure_logging

logger = logging.getLogger(__name__)

EXIT_CONFIGURATION = 2
EXIT_BOOTSTRAP = 3
EXIT_FLOWS = 4
EXIT_SERVE = 5


class StartupError(SystemExit):
    """A start-up step failed; the process exits with `code` after logging why."""


def check_configuration(settings: Settings) -> None:
    problems = settings.production_problems()
    for problem in problems:
        logger.error("configuration: %s", problem)
    if problems:
        raise StartupError(EXIT_CONFIGURATION)
    logger.info("configuration: ok (%s)", settings.environment)


def migrate(settings: Settings) -> None:
    from app.core.migrate import upgrade

    upgrade(settings.database_url)
    logger.info("database: migrated to the latest schema")


def bootstrap_first_admin(settings: Settings) -> None:
    """Create the bootstrap admin if one is configured and no admin exists yet."""
    if not settings.bootstrap_admin_username:
        return
    from app.core.db import Database
    from app.staff.accounts import StaffUserError
    from app.staff.bootstrap import bootstrap_admin

    database = Database(settings.database_url)
    try:
        with database.session() as session:
            outcome = bootstrap_admin(
                session,
                username=settings.bootstrap_admin_username,
                password=settings.bootstrap_admin_password.get_secret_value(),
            )
    except StaffUserError as error:  # the message names the rule, never the password
        logger.error("bootstrap admin refused: %s", error)
        raise StartupError(EXIT_BOOTSTRAP) from None
    finally:
        database.dispose()
    logger.info("bootstrap admin: %s", outcome.value)


def check_flows(settings: Settings) -> None:
    from app.callflow.loader import FlowError
    from app.hotline import load_hotline_flows

    try:
        flows = load_hotline_flows(settings)
    except FlowError as error:
        for problem in error.problems:
            logger.error("flows: %s", problem)
        raise StartupError(EXIT_FLOWS) from None
    logger.info("flows: %s", ", ".join(sorted(flows.names())))


def workers_problem(database_url: str, workers: int, reload: bool) -> str | None:
    """Why `workers` service processes cannot run here, or None.

    Several workers are allowed on PostgreSQL and on a SQLite file: every process opens its
    own connections; SQLite runs in WAL mode (readers do not wait for the writer) with a
    30 s busy timeout (a writer waits for the one before it), and each webhook step is one
    short transaction (docs/performance.md). An in-memory SQLite database exists once per
    process, so the workers would not share one: refused. Reloading runs one process.
    """
    if workers < 1:
        return f"--workers must be at least 1, not {workers}"
    if workers == 1:
        return None
    if reload:
        return "--reload runs one process: use it without --workers"
    in_memory = (
        ":memory:" in database_url
        or "mode=memory" in database_url
        or database_url.split("?")[0].rstrip("/").endswith(":")  # sqlite:// names no file
    )
    if database_url.startswith("sqlite") and in_memory:
        return "an in-memory SQLite database is one per process: use a file or PostgreSQL"
    return None


def serve(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    reload: bool = False,
) -> None:
    """Serve under uvicorn. One worker (the default, `IVR_WORKERS`): one process whose app
    runs the background jobs (`app.background`). Several (`--workers N`): uvicorn's
    supervisor process starts N worker processes that share the listening socket, each
    built by `create_worker_app_from_env` (HTTP only), and this supervisor process runs the
    background jobs itself, once, until the workers have stopped."""
    import uvicorn

    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    problem = workers_problem(settings.database_url, workers, reload)
    if problem:
        logger.error("serve: %s", problem)
        raise StartupError(EXIT_CONFIGURATION)
    logger.info("serving on %s:%s for %s", host, port, settings.public_base_url)
    if workers == 1:
        if not reload:  # (with --reload this process only watches files)
            pause_collector()  # until `create_app_from_env` has built the app
        uvicorn.run(
            "app.main:create_app_from_env",
            factory=True,
            host=host,
            port=port,
            reload=reload,
            log_config=None,
        )
        return
    run_workers(settings, host=host, port=port, workers=workers)


def pause_collector() -> None:
    """Pause Python's cyclic garbage collector while `ivr serve` imports and builds the
    service; `resume_collector` ends the pause. Start-up makes some 250,000 objects, nearly
    all kept as long as the process runs (modules, routes, models, flows), and the collector
    went through them again and again while they were made: 0.25-0.35 s of CPU, about a
    sixth of a keypad-only start-up (docs/performance.md)."""
    gc.disable()


def resume_collector(*, freeze: bool = True) -> None:
    """End a pause of `pause_collector`, if one is under way. What start-up made is frozen
    first (`gc.freeze`: later collections skip it; going through it once would cost
    0.1-0.3 s, and the few hundred cyclic leftovers of start-up stay), then the collector
    runs again for everything made from then on. `freeze=False` (the app could not be
    built) only lets the collector run again."""
    if not gc.isenabled():
        if freeze:
            gc.freeze()
        gc.enable()


def run_workers(
    settings: Settings, *, host: str, port: int, workers: int,
    app: str = "app.main:create_worker_app_from_env",
) -> None:
    """`ivr serve --workers N`: uvicorn's supervisor (`Multiprocess`) with N workers, and
    the background jobs in this process. It restarts a worker that dies after it started
    serving; when one cannot start (its app cannot be built, or its start-up fails) it
    stops them all. Exits non-zero, saying why, when the database URL is unusable (2),
    the address cannot be bound or a worker could not start (5); the jobs are started
    only once the socket is bound."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    from app.background import start_background_jobs
    from app.core.db import Database

    settings.check_production_ready()
    try:
        database = Database(settings.database_url)
    except Exception as error:  # never the URL itself: it may hold a password
        logger.error("serve: the database URL cannot be used (%s): check DATABASE_URL",
                     type(error).__name__)
        raise StartupError(EXIT_CONFIGURATION) from None
    config = uvicorn.Config(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
    )
    try:
        sock = config.bind_socket()
    except SystemExit:  # uvicorn has logged the system's error
        database.dispose()
        logger.error("serve: cannot listen on %s:%s (is another service using the port?)",
                     host, port)
        raise StartupError(EXIT_SERVE) from None
    jobs = start_background_jobs(database, settings)
    supervisor = Multiprocess(config, sockets=[sock])
    try:
        supervisor.run()
    finally:
        sock.close()
        jobs.stop()
        database.dispose()
    failed = [str(p.pid) for p in supervisor.processes if p.exitcode == STARTUP_FAILURE]
    if failed:
        logger.error("serve: worker process %s could not start (its error is above); "
                     "every worker has been stopped", ", ".join(failed))
        raise StartupError(EXIT_SERVE)


def start(settings: Settings) -> None:
    """Check, migrate, bootstrap, check flows, serve: the whole start-up, in this order."""
    configure_logging(settings.log_level, settings.log_json)
    check_configuration(settings)
    migrate(settings)
    bootstrap_first_admin(settings)
    check_flows(settings)
    serve(settings)
