"""A refused action of the dispatch page goes back to the page: Post/Redirect/Get.

Every form of the dispatch page (the queue's 派车, 取消, 暂无车辆, 后台下单 and the
operators' panel: 为来电者叫车, 接听, 回拨, 登记, 备注) answers a refusal (bad input, a ride
someone else took, a page gone stale) the same way: `back_to_dispatch` answers 303 to
`/dispatch` with, in the flash (app/consoles/flash.py, kept on the server), the message,
which form it was (its `<details data-key>`, e.g. `assign-12`) and what was typed. The page
(`take_refusal`) shows the message, opens that form again with what was typed, and a
reload never posts it again.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse

from app.consoles.flash import redirect_with_flash, take_flash

DISPATCH = "/dispatch"


def back_to_dispatch(
    request: Request,
    message: str,
    *,
    form: str | None = None,
    typed: dict[str, Any] | None = None,
    anchor: str | None = None,
    **extra: Any,
) -> RedirectResponse:
    """303 to the dispatch page, which shows `message` and opens `form` with `typed`."""
    data = {"error": message, "form": form, "typed": typed or {}, **extra}
    return redirect_with_flash(request, DISPATCH + (f"#{anchor}" if anchor else ""), data)


def take_refusal(request: Request) -> dict[str, Any]:
    """The page's context after a refusal: `error`, `refused_form`, `typed` and any extra
    (the back-office order's open rides); empty when the page was not reached that way."""
    data = take_flash(request)
    if data is None:
        return {}
    typed = data.get("typed")
    return {
        **{k: v for k, v in data.items() if k not in ("error", "form", "typed")},
        "error": str(data.get("error") or ""),
        "refused_form": data.get("form"),
        "typed": typed if isinstance(typed, dict) else {},
    }
