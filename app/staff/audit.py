"""The audit trail of staff accounts: which admin did what to whom, and when.

Every change made on 用户管理 (/console/users) writes one `StaffAudit` row in the same
transaction as the change. `detail` is a short Chinese line; it never holds a password
(nor its hash) and phone numbers in it are masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.staff.models import StaffAudit, StaffUser

CREATED = "created"
PASSWORD = "password"
DEACTIVATED = "deactivated"
REACTIVATED = "reactivated"
ROLE = "role"
UNLOCKED = "unlocked"
SIGNED_OUT = "signed_out"
PHONE = "phone"

ACTION_LABELS = {
    CREATED: "新建账号",
    PASSWORD: "重设密码",
    DEACTIVATED: "停用",
    REACTIVATED: "恢复启用",
    ROLE: "修改角色",
    UNLOCKED: "解除登录限制",
    SIGNED_OUT: "全部下线",
    PHONE: "设置接听电话",
}
MAX_DETAIL_LENGTH = 200


def record(
    session: Session,
    *,
    actor_id: int | None,
    target_id: int,
    action: str,
    now: datetime,
    detail: str = "",
) -> None:
    """Add one entry (flushed with the change it records; the caller commits)."""
    session.add(
        StaffAudit(
            at=now,
            actor_id=actor_id,
            target_id=target_id,
            action=action,
            detail=detail[:MAX_DETAIL_LENGTH],
        )
    )


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    target: str
    action: str
    detail: str

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def recent(session: Session, *, limit: int = 50) -> list[AuditRow]:
    """The latest entries, newest first; the actor and target by username."""
    actor, target = aliased(StaffUser), aliased(StaffUser)
    rows = session.execute(
        select(StaffAudit, actor.username, target.username)
        .outerjoin(actor, actor.id == StaffAudit.actor_id)
        .join(target, target.id == StaffAudit.target_id)
        .order_by(StaffAudit.id.desc())
        .limit(limit)
    ).all()
    return [
        AuditRow(entry.at, actor_name or "系统", target_name, entry.action, entry.detail)
        for entry, actor_name, target_name in rows
    ]
