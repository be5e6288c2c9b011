"""The audit trail of hospital administration, and the error its services raise.

Every change made in the admin section (app.hospital.administration, app.hospital.schedules)
writes one `HospitalAudit` row in the same transaction: who (`staff_user_id`), when, what
(`action`, `target`, `detail` with the values before and after). Patient data never goes
into `detail`: administration changes clinics, not bookings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hospital.models import HospitalAudit
from app.staff.models import StaffUser

ACTION_LABELS: dict[str, str] = {
    "department_added": "新增科室",
    "department_renamed": "修改科室显示名",
    "doctor_added": "新增医生",
    "doctor_changed": "修改医生",
    "template_added": "新增排班模板",
    "template_changed": "修改排班模板",
    "template_removed": "删除排班模板",
    "change_added": "新增临时调整",
    "change_removed": "撤销临时调整",
    "rules_changed": "修改预约规则",
    "calendar_changed": "修改休息日/工作日",
    "sessions_generated": "生成号源",
    "session_kept": "保留有预约的出诊",
}


class AdminError(Exception):
    """A refused administrative change; `message` is Chinese, for the hospital admin."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AdminNotFound(AdminError):
    """The id is not one of this hospital's (or does not exist): nothing is changed."""


def record(
    session: Session,
    /,
    *,
    hospital_id: int,
    actor_id: int | None,
    now: datetime,
    action: str,
    target: str,
    **detail: Any,
) -> None:
    session.add(
        HospitalAudit(
            hospital_id=hospital_id,
            staff_user_id=actor_id,
            at=now,
            action=action,
            target=target[:60],
            detail=detail,
        )
    )


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    who: str
    action: str
    target: str
    detail: dict[str, Any]

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def recent(session: Session, *, hospital_id: int, limit: int = 50) -> list[AuditRow]:
    """The hospital's latest changes, newest first."""
    rows = session.execute(
        select(HospitalAudit, StaffUser.display_name)
        .outerjoin(StaffUser, StaffUser.id == HospitalAudit.staff_user_id)
        .where(HospitalAudit.hospital_id == hospital_id)
        .order_by(HospitalAudit.id.desc())
        .limit(limit)
    ).all()
    return [
        AuditRow(a.at, name or "系统", a.action, a.target, dict(a.detail or {})) for a, name in rows
    ]
