"""The FastAPI application: Twilio endpoints, staff consoles and health probes."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import health, metrics
from app.background import start_background_jobs
from app.consoles import routes as console_routes
from app.consoles.http import install_error_pages
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.logging import configure_logging
from app.hospital import console as hospital_console
from app.hospital import holidays
from app.hospital.fhir import api as fhir_api
from app.hotline import build_call_service, load_hotline_flows
from app.notify import routes as notification_routes
from app.operators import console as operators_console
from app.people import console as community_console
from app.people import family as family_page
from app.reports import router as report_router
from app.speech.service import get_speech
from app.staff import pages as staff_pages
from app.startup import pause_collector, resume_collector
from app.taxi import console as dispatch_console
from app.telephony import reminder_routes
from app.telephony import routes as twilio_routes
from app.telephony.prompt_audio import default_prompt_audio
from app.understanding import KINDS
from app.understanding.phrases import phrase_list

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, background_jobs: bool = True) -> FastAPI:
    """Build the service. Start-up refuses a broken flow or an unfit production configuration
    (`Settings.check_production_ready`), and logs the speech, prompt voice and notifications
    state that `/readyz` reports. With `background_jobs` its lifespan runs the outbox worker,
    retention and scheduler (`app.background`); a worker of `ivr serve --workers N` is built
    without them (its supervisor runs them once)."""
    settings = settings or get_settings()
    settings.check_production_ready()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holidays.watch(app.state.db)  # the holidays a service admin entered (app.hospital)
        jobs = start_background_jobs(app.state.db, settings) if background_jobs else None
        if jobs is None:
            logger.info("background jobs: none in this worker (its supervisor runs them)")
        yield
        if jobs is not None:
            jobs.stop()
        holidays.unwatch(app.state.db)
        app.state.db.dispose()

    api_docs = settings.is_development  # /docs, /redoc, /openapi.json: development only
    app = FastAPI(
        title="Yunnan elder hotline",
        lifespan=lifespan,
        docs_url="/docs" if api_docs else None,
        redoc_url="/redoc" if api_docs else None,
        openapi_url="/openapi.json" if api_docs else None,
    )
    app.state.settings = settings
    app.state.db = Database(settings.database_url)
    app.state.flows = load_hotline_flows(settings)  # a broken flow stops start-up here
    app.state.call_service = build_call_service(settings, app.state.db, flows=app.state.flows)
    app.state.metrics_registry = metrics.registry_for(app.state.db)
    app.state.speech = get_speech(
        settings.models_dir,
        settings.speech_model,
        remote_url=settings.speech_remote_url or None,
        manifest=settings.models_manifest,
    )
    app.state.speech_status = app.state.speech.status
    logger.info("speech: %s", app.state.speech_status)
    # The placeholder is a logged warning; keypad-only, the voice is checked, not warmed up.
    app.state.prompt_audio = default_prompt_audio(warm=app.state.speech.available)
    logger.info("prompt voice: %s", app.state.prompt_audio.voice_status)
    app.state.notifications_status = notifications_status(settings)
    log_notifications = logger.info if settings.notifications_configured else logger.warning
    log_notifications("notifications: %s", app.state.notifications_status)
    if app.state.speech.available:  # words the model lacks are reported now, not dropped
        app.state.speech.check_phrase_lists({kind: phrase_list(kind) for kind in KINDS})
    install_error_pages(app)  # browser pages: Chinese error pages, not raw JSON 404/405/422
    app.include_router(health.router)
    app.include_router(metrics.router)
    # Twilio's webhooks first: a request is matched against the routes in order, and
    # these are the hot path (no other route's path starts with /twilio).
    app.include_router(twilio_routes.router)
    app.include_router(reminder_routes.router)
    app.include_router(notification_routes.router)
    # The consoles' packages list their routers rather than gathering them in one router:
    # FastAPI builds a route where it is declared and again, on first use, for the app; a
    # router included in another had every route built once more, for nothing, when the
    # app included the outer one (about 0.2 s of start-up).
    for router in (
        *console_routes.routers,
        staff_pages.router,
        report_router,
        *dispatch_console.routers,
        *operators_console.routers,
        *hospital_console.routers,
        *community_console.routers,
        family_page.router,
        fhir_api.router,
    ):
        app.include_router(router)
    return app


def notifications_status(settings: Settings) -> str:
    """Whether SMS and callback calls can go out, and who sends them."""
    if not settings.notifications_configured:
        return "not configured: no SMS or callback call is sent (set IVR_TWILIO_*)"
    if settings.outbox_in_process:
        return "twilio, sent by the worker inside ivr serve"
    return "twilio, sent by a separate `ivr outbox run`"


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory app.main:create_app_from_env`: one process serving
    alone, background jobs included."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    try:
        return create_app(settings)
    finally:
        resume_collector()  # paused by `ivr serve` until now (app.startup.pause_collector)


def create_worker_app_from_env() -> FastAPI:
    """Factory of each worker process of `ivr serve --workers N`: HTTP only, the background
    jobs run once, in the supervisor process (`app.startup.serve`). A worker that cannot
    be built exits with uvicorn's start-up failure code, so the supervisor stops (and
    `ivr serve` exits non-zero) instead of starting it again and again. Once built, what
    start-up made is frozen (`app.startup.resume_collector`): a full collection over it
    stalled a worker's requests (docs/performance.md)."""
    from uvicorn.config import STARTUP_FAILURE

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    pause_collector()  # as for one process: start-up's objects frozen once built
    try:
        app = create_app(settings, background_jobs=False)
    except Exception:
        resume_collector(freeze=False)
        logger.exception("worker: the service could not be built")
        sys.exit(STARTUP_FAILURE)
    resume_collector()
    return app
