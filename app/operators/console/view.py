"""What the operators' panel template needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.operators import panel, registration
from app.people.phones import local_number, mask_number
from app.staff.models import StaffUser

NOTICES = {
    "caller_picked_up": "正在拨打您的电话，接起后就和来电者通话。",
    "calling_back": "正在拨打您的电话，接起后系统会拨打来电者。",
    "ordered": "已为来电者下单，已进入叫车队列。",
    "noted": "备注已保存。",
    "booked": "已为来电者挂号，确认短信已排队发送；看病前一天会有提醒电话。",
    "registered": "已登记这位来电者（电话号码和家庭住址），并告诉老人是热线登记的、怎样撤销。",
}


def marker(session: Session) -> str:
    return "|".join(map(str, panel.change_marker(session)))


def panel_context(
    session: Session, settings: Settings, now: datetime, staff: StaffUser
) -> dict[str, Any]:
    entries = panel.open_requests(session, now=now)
    return {
        # 登记为老人 chooses one (only drawn for an unregistered caller on the line).
        "operator_communities": (
            registration.communities(session)
            if any(e.talking and e.operator_id == staff.id and not e.registered for e in entries)
            else []
        ),
        "operator_entries": entries,
        "operator_on_line": sum(1 for e in entries if e.on_the_line),
        "operator_phone_missing": not staff.phone_number,
        "mask_number": mask_number,
        "local_number": local_number,
        "operator_staff_id": staff.id,
        "operator_offer_seconds": settings.operator_callback_offer_seconds,
    }
