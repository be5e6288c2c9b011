"""Twilio request signatures: every webhook and media-stream handshake must be signed.

Twilio signs the URL *it* requested (the public one, e.g. https://hotline.example.org/...)
plus the sorted POST parameters, keyed by the account auth token. Behind a proxy or load
balancer the URL the app sees (http://127.0.0.1:8000/...) differs, so the URL checked is
always `settings.public_base_url` + path + query, never the internal one.

Validation is skipped only when no auth token is configured and the service is not in
production (local development, the simulator); a warning is logged once in that case.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request, Response, WebSocket
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute
from starlette.datastructures import FormData
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from app.core import metrics
from app.core.config import Settings

logger = logging.getLogger(__name__)

_warned_unsigned = False


class MalformedWebhook(ValueError):
    """The request body is not a form Twilio could have sent."""


class WebhookRejected(Exception):
    """Answer with `status` and a plain-text `message` (see `routes.TwilioRoute`)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def public_url(settings: Settings, path: str, query: str = "", *, websocket: bool = False) -> str:
    """The URL Twilio used for this request: public base + path (+ ?query)."""
    base = settings.public_base_url.rstrip("/")
    if websocket:
        if base.startswith("https://"):
            base = "wss://" + base[len("https://") :]
        elif base.startswith("http://"):
            base = "ws://" + base[len("http://") :]
    return base + path + (f"?{query}" if query else "")


def signature_required(settings: Settings) -> bool:
    """False only for development without a token (logged once); production always checks."""
    global _warned_unsigned
    if settings.twilio_auth_token or settings.is_production:
        return True
    if not _warned_unsigned:
        logger.warning(
            "IVR_TWILIO_AUTH_TOKEN is not set: Twilio signatures are NOT checked "
            "(development only; production refuses to start without it)"
        )
        _warned_unsigned = True
    return False


def is_valid(
    settings: Settings,
    *,
    url: str,
    params: Mapping[str, str] | FormData,
    signature: str | None,
    settings_header: str | None = None,
) -> bool:
    """Check one signature; False for a missing one or when no token is configured."""
    if not signature or not settings.twilio_auth_token:
        return False
    validator = RequestValidator(settings.twilio_auth_token)
    algorithm = get_signature_algorithm(settings_header)
    return bool(validator.validate(url, params, signature, algorithm))


async def read_form(request: Request) -> FormData:
    """The webhook's form fields; MalformedWebhook for anything that is not a form."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        raise MalformedWebhook(
            f"expected application/x-www-form-urlencoded, got {content_type or 'no content type'}"
        )
    try:
        return await request.form()
    except Exception as exc:  # the multipart/urlencoded parser's own errors
        raise MalformedWebhook(f"unreadable form body: {exc}") from exc


async def verified_form(request: Request) -> FormData:
    """Dependency: the form of a correctly signed Twilio request; else WebhookRejected
    (403 for a missing/forged signature, 400 for a body that is not a form)."""
    settings: Settings = request.app.state.settings
    try:
        form = await read_form(request)
    except MalformedWebhook as exc:
        raise WebhookRejected(400, f"malformed Twilio webhook: {exc}") from exc
    if not signature_required(settings):
        return form
    url = public_url(settings, request.url.path, request.url.query)
    if not is_valid(
        settings,
        url=url,
        params=form,
        signature=request.headers.get(SIGNATURE_HEADER),
        settings_header=request.headers.get(SIGNATURE_SETTINGS_HEADER),
    ):
        logger.warning("rejected a Twilio webhook with a missing or invalid signature")
        raise WebhookRejected(403, "invalid or missing X-Twilio-Signature")
    return form


def websocket_signed(websocket: WebSocket) -> bool:
    """Media-stream handshake: Twilio signs the wss:// URL with no parameters."""
    settings: Settings = websocket.app.state.settings
    if not signature_required(settings):
        return True
    url = public_url(settings, websocket.url.path, websocket.url.query, websocket=True)
    return is_valid(
        settings,
        url=url,
        params={},
        signature=websocket.headers.get(SIGNATURE_HEADER),
        settings_header=websocket.headers.get(SIGNATURE_SETTINGS_HEADER),
    )


TwilioForm = Annotated[FormData, Depends(verified_form)]


class TwilioWebhookRoute(APIRoute):
    """Turns `WebhookRejected` (bad signature or body) into a plain-text 403/400, and
    times every webhook for `/metrics`, labelled by its route template."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                with metrics.WEBHOOK_SECONDS.labels(route=self.path).time():
                    return await handler(request)
            except WebhookRejected as exc:
                return PlainTextResponse(exc.message, status_code=exc.status)

        return route
