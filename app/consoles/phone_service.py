"""What the consoles say when no phone service (Twilio) is configured.

Without `Settings.notifications_configured` nothing in the outbox is sent: every console
page shows `BANNER` (see base.html), and an action that would text or call someone says
`NOT_SENT` instead of "queued". The messages are still written to the outbox, so they go
out once Twilio is configured; the wording only has to stay true until then.

Staff read plain Chinese: the banner names no product or command (the administrator's
`ivr outbox status` keeps the technical wording of app/notify/unconfigured.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request

from app.core.config import Settings
from app.notify.unconfigured import NOT_SENT

__all__ = ["BANNER", "NOT_SENT", "action_notice", "phone_service_missing"]

BANNER = "电话服务未配置：短信和回拨电话不会发出。请联系系统管理员。"


def phone_service_missing(request: Request) -> bool:
    """True when this app cannot send SMS or calls (for the shared banner)."""
    settings: Settings | None = getattr(request.app.state, "settings", None)
    return settings is not None and not settings.notifications_configured


def action_notice(
    done: str,
    settings: Settings,
    *,
    notices: Mapping[str, str],
    unsent_notices: Mapping[str, str],
) -> str | None:
    """The notice after an action: the "not sent" wording for an action that texts or
    calls someone while no phone service is configured, the usual one otherwise."""
    if not settings.notifications_configured and done in unsent_notices:
        return unsent_notices[done]
    return notices.get(done)
