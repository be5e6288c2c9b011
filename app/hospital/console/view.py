"""What the hospital templates need: the day's bookings grouped, the day navigation, notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import HTTPException
from sqlalchemy.orm import Session

from app.consoles.phone_service import NOT_SENT, action_notice
from app.core.config import Settings
from app.core.local_time import local_today
from app.hospital import day_list as hospital_day
from app.hospital import desk as hospital_desk
from app.hospital.day_list import DeskRow, DeskSchedule, RevealedContact
from app.hospital.enums import ClinicSession
from app.hospital.models import Hospital

NOTICES: dict[str, str] = {
    "checked_in": "已签到。",
    "noshow": "已标记爽约，处罚和短信通知已按本院规则处理。",
    "stopped": (
        "已停诊：该出诊的预约全部取消，约了去医院的车也一起取消；"
        "每位患者（和代约家属）都会收到短信（一条，两件事都说）。"
    ),
    "reopened": (
        "已撤销停诊：这个出诊重新开放预约。停诊时已取消的预约没有恢复，需要的老人请重新预约。"
    ),
}
# The same actions when no phone service is configured: nothing is sent (see
# app/consoles/phone_service.py); the messages wait in the outbox.
UNSENT_NOTICES: dict[str, str] = {
    "noshow": f"已标记爽约，处罚已按本院规则处理。短信通知{NOT_SENT}。",
    "stopped": (
        "已停诊：该出诊的预约全部取消，约了去医院的车也一起取消。"
        f"给患者（和代约家属）的短信{NOT_SENT}。"
    ),
}
WEEKDAYS = "一二三四五六日"
STOP_REASONS = ("医生临时有急诊或手术", "医生生病", "医生外出开会", "设备故障")


@dataclass
class Group:
    session_label: str
    department: str
    rows: list[DeskRow] = field(default_factory=list)
    day_label: str = ""  # search results: the visit day ("12月3日 星期四")


SEARCH_PAGE_SIZE = 20


@dataclass(frozen=True)
class Page:
    """One page of search results: `number` of `pages` (both from 1); rows `first` (from
    0) up to `last` (exclusive) of `total`."""

    number: int
    pages: int
    total: int
    first: int
    last: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(rows: list[DeskRow], number: int, size: int = SEARCH_PAGE_SIZE) -> tuple[
    list[DeskRow], Page
]:
    """The rows of page `number` (a page past the last shows the last one)."""
    pages = max(1, -(-len(rows) // size))
    number = min(max(number, 1), pages)
    first = (number - 1) * size
    shown = rows[first : first + size]
    return shown, Page(number, pages, len(rows), first, first + len(shown))


def hospital_notice(done: str, settings: Settings) -> str | None:
    """The notice shown after the action `done` (None for an unknown one)."""
    return action_notice(done, settings, notices=NOTICES, unsent_notices=UNSENT_NOTICES)


def parse_day(raw: str | None, now: datetime) -> date:
    """`?day=2026-11-30`; empty means today (Kunming time); a bad date is a 400."""
    if not raw:
        return local_today(now)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise HTTPException(status_code=400, detail="日期格式不对，应为 2026-11-30。") from None


def day_title(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def short_day(day: date, today: date | None = None) -> str:
    """12月3日 星期四, with （今天） for today."""
    label = f"{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"
    return label + ("（今天）" if day == today else "")


def group_rows(rows: list[DeskRow], *, today: date | None = None) -> list[Group]:
    """Rows grouped by session and department; with `today` (search results over several
    days) by day first, each group labelled with its day."""
    groups: list[Group] = []
    for row in rows:
        day_label = short_day(row.day, today) if today is not None and row.day else ""
        if not groups or (
            groups[-1].day_label, groups[-1].session_label, groups[-1].department
        ) != (day_label, row.session_label, row.department):
            groups.append(Group(row.session_label, row.department, day_label=day_label))
        groups[-1].rows.append(row)
    return groups


def search_scope(days: list[date], today: date) -> str:
    """Which days a search read, in words: 11月30日（今天）至12月7日[，和11月28日]."""
    window = [d for d in days if d >= today]
    others = [d for d in days if d < today]
    text = ""
    if window:
        first, last = window[0], window[-1]
        text = f"{first.month}月{first.day}日{'（今天）' if first == today else ''}"
        if last != first:
            text += f"至{last.month}月{last.day}日"
    for d in others:
        text += ("，和" if text else "") + f"{d.month}月{d.day}日"
    return text


# A cancel reason longer than this ("医生停诊：" and up to 80 characters typed) is shortened
# in the day table, with the whole text one click away (<details>).
REASON_SHOWN = 16


def day_context(
    session: Session,
    hospital: Hospital,
    day: date,
    now: datetime,
    *,
    revealed: dict[int, RevealedContact] | None = None,
) -> dict[str, Any]:
    rows = hospital_day.day_list(session, hospital_id=hospital.id, day=day)
    schedules: list[DeskSchedule] = hospital_day.day_schedules(
        session, hospital_id=hospital.id, day=day, now=now
    )
    live = [r for r in rows if r.status.value not in ("cancelled", "entered-in-error")]
    return {
        "hospital": hospital,
        "day": day,
        "day_title": day_title(day),
        "today": local_today(now),
        "prev_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "groups": group_rows(rows),
        "schedules": schedules,
        "sessions": [(s, hospital_desk.SESSION_LABELS[s]) for s in ClinicSession],
        "total": len(live),
        "checked_in": sum(1 for r in rows if r.status.value in ("arrived", "checked-in")),
        "waiting": sum(1 for r in rows if r.status.value == "booked"),
        "revealed": revealed or {},
        "reason_shown": REASON_SHOWN,
    }
