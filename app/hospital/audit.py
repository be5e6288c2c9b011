"""The audit trail of hospital administration, and the error its services raise.

Every change made in the admin section (app.hospital.administration, app.hospital.schedules),
and every 停诊 and its undo at the desk (app.hospital.desk), writes one `HospitalAudit` row
in the same transaction: who (`staff_user_id`), when, what
(`action`, `target`, `detail` with the values before and after). Patient data never goes
into `detail`: administration changes clinics, not bookings (a 停诊 records how many
bookings it cancelled, never whose).
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
    "doctor_disabled": "停用医生",
    "doctor_enabled": "启用医生",
    "family_doctor_sign": "家庭医生签约",
    "family_doctor_end": "家庭医生解约",
    "template_added": "新增排班模板",
    "template_changed": "修改排班模板",
    "template_removed": "删除排班模板",
    "change_added": "新增临时调整",
    "change_removed": "撤销临时调整",
    "rules_changed": "修改预约规则",
    "calendar_changed": "修改休息日/工作日",
    "sessions_generated": "生成号源",
    "session_kept": "保留有预约的出诊",
    "session_stopped": "停诊",
    "session_reopened": "撤销停诊",
    "phones_changed": "修改医院电话",
    "fhir_token_created": "新建HIS接口凭证",
    "fhir_token_rotated": "轮换HIS接口凭证",
    "fhir_token_revoked": "吊销HIS接口凭证",
    "fhir_webhook_set": "设置HIS推送地址",
    "his_import": "HIS导入号源",
}


DETAIL_LABELS: dict[str, str] = {
    "name": "名称",
    "display_name": "本院叫法",
    "department": "科室",
    "doctor": "医生",
    "doctor_id": "医生编号",
    "started_on": "签约日期",
    "title": "职称",
    "clinic": "号别",
    "fee_yuan": "挂号费",
    "weekday": "星期",
    "session": "时段",
    "capacity": "号源数",
    "capacity_before": "原号源数",
    "kind": "类型",
    "day": "日期",
    "note": "备注",
    "created": "新生成",
    "updated": "已更新",
    "unchanged": "未变",
    "expires": "有效期至",
    "url": "推送地址",
    "resized": "调整号源",
    "withdrawn": "撤下",
    "conflicts": "待处理",
    "booking_window_days": "预约周期",
    "release_time": "放号时间",
    "next_day_close_time": "次日号截止",
    "cancel_deadline": "取消截止",
    "noshow_penalties": "爽约处罚",
    "elderly_share_percent": "长者电话预留%",
    "onsite_share_percent": "现场预留%",
    "family_doctor_share_percent": "家庭医生预留%",
    "elderly_release": "长者号放开",
    "reason": "原因",
    "cancelled": "取消的预约",
    "rides_cancelled": "一起取消的车",
    "still_cancelled": "停诊时已取消（不恢复）",
    "phones": "医院电话",
}


def _value(value: Any) -> str:
    if value is None or value == "":
        return "（无）"
    if isinstance(value, dict):
        return "，".join(f"{DETAIL_LABELS.get(k, k)} {_value(v)}" for k, v in value.items())
    return str(value)


class AdminError(Exception):
    """A refused administrative change; `message` is Chinese, for the hospital admin."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field  # the form field it is about, if one (shown next to it)


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

    @property
    def summary(self) -> list[str]:
        """The detail as short Chinese lines: 号源数 6 → 8."""
        lines = []
        for key, value in self.detail.items():
            label = DETAIL_LABELS.get(key, key)
            if key == "changed" and isinstance(value, dict):
                lines += [
                    f"{DETAIL_LABELS.get(k, k)}：{_value(v['before'])} → {_value(v['after'])}"
                    for k, v in value.items()
                    if isinstance(v, dict)
                ]
            elif key in ("before", "after") and isinstance(value, dict):
                lines.append(f"{'原来' if key == 'before' else '改为'}：{_value(value)}")
            elif value is not None:
                lines.append(f"{label}：{_value(value)}")
        return lines


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
