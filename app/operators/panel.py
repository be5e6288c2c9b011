"""What the operators' panel shows: every caller who needs a person, and a change marker.

`open_requests` lists the open rows (waiting on the line, being connected, talking, or
waiting for a call-back), emergencies first, then the longest wait. For each it reads who
called (the registered person: name, age, number), why the call reached a person, where
in the call flow they were and what they pressed or said. `change_marker` is the cheap
fingerprint the dispatch console's event stream polls (open rows only, by index).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.calls.enums import TransferReason
from app.calls.models import Call, CallStep
from app.hospital.patients import SELF, patients_for_caller
from app.operators.enums import (
    OPEN,
    OUTCOME_LABELS,
    STATUS_LABELS,
    CallbackOutcome,
    RequestStatus,
)
from app.operators.models import OperatorRequest
from app.people.age import age_on
from app.people.models import Person, PersonPhone
from app.staff.models import StaffUser

REASON_LABELS: dict[TransferReason, str] = {
    TransferReason.ASKED: "来电者要求转人工（按0或说“转人工”）",
    TransferReason.SILENCE: "两次没有回应",
    TransferReason.NOT_UNDERSTOOD: "两次没有听懂",
    TransferReason.SYSTEM_ERROR: "系统出错",
    TransferReason.EMERGENCY: "说到紧急情况（已提示拨打120）",
    TransferReason.FLOW: "自助流程办不了（如未登记、没有号源、拒绝下单）",
}
FLOW_LABELS = {
    "main": "主菜单", "taxi": "叫车", "hospital": "挂号", "ahead": "约车", "reminder": "提醒电话",
}
# The step of a flow in the operators' words, by the start of the state's name (first match
# wins); a state not listed shows as its flow alone, never by its internal name.
STEP_LABELS: dict[str, tuple[tuple[str, str], ...]] = {
    "main": (("welcome", "问候"), ("greet", "问候"), ("other_help", "要找人工")),
    "taxi": (
        ("for_whom", "给谁叫车"), ("who", "给谁叫车"), ("whose_car", "给谁叫车"),
        ("pick_passenger", "给谁叫车"), ("draft_late", "车赶不上看病"),
        ("booked_late", "车赶不上看病"), ("booked_soon", "已经有车"), ("both_cars", "已经有车"),
        ("second_car", "已经有车"), ("instead_car", "已经有车"), ("moved_car", "已经有车"),
        ("late_time_said", "车赶不上看病"),
        ("confirm_passenger", "给谁叫车"), ("more_passengers", "给谁叫车"),
        ("confirm_home", "确认在家上车"), ("other_place", "选上车地点"),
        ("choose_place", "选上车地点"), ("pick_place", "选上车地点"),
        ("confirm_place", "选上车地点"), ("record_pickup", "说上车地点"),
        ("note_pickup", "说上车地点"), ("confirm_heard", "说上车地点"),
        ("confirm_recorded", "说上车地点"), ("to_hospital", "去哪家医院"),
        ("confirm_hospital", "去哪家医院"), ("status", "问车到哪了"),
        ("say_status", "问车到哪了"), ("describe_ride", "问车到哪了"),
        ("ride_query", "问车到哪了"), ("no_ride", "问车到哪了"), ("one_car", "问车到哪了"),
        ("say_no_car", "暂无车辆"), ("no_car", "暂无车辆"), ("keep_waiting", "暂无车辆"),
        ("waiting_again", "暂无车辆"), ("confirm_cancel", "取消叫车"), ("cancel", "取消叫车"),
    ),
    "hospital": (
        ("who", "给谁挂号"), ("pick_patient", "给谁挂号"), ("confirm_patient", "给谁挂号"),
        ("more_patients", "给谁挂号"), ("other_patient", "给谁挂号"),
        ("relative", "核对家人身份"), ("check_relative", "核对家人身份"),
        ("ask_relative", "核对家人身份"), ("ask_last_four", "核对身份证后四位"),
        ("check_last_four", "核对身份证后四位"), ("last_four", "核对身份证后四位"),
        ("ask_id", "输身份证号"), ("check_typed_id", "输身份证号"), ("id_", "输身份证号"),
        ("confirm_id", "输身份证号"), ("retype_id", "输身份证号"),
        ("department", "选科室"), ("pick_department", "选科室"),
        ("more_departments", "选科室"), ("choose_department", "选科室"),
        ("check_department", "选科室"), ("dizzy", "选科室"), ("heart_signs", "选科室"),
        ("stroke_signs", "选科室"), ("first_offer", "选号"), ("offer", "选号"),
        ("later_offer", "选号"), ("choose_day", "选日子"), ("ask_day", "选日子"),
        ("more_days", "选日子"), ("day_", "选日子"), ("booking_details", "取消挂号"),
        ("confirm_cancel", "取消挂号"), ("cancel_booking", "取消挂号"),
        ("trip", "约去医院的车"), ("book_trip", "约去医院的车"),
        ("replace_time_said", "约去医院的车"),
        ("relative_unregistered", "家人没有登记"),
        ("self_unregistered", "自己没有登记"), ("query", "问挂的号"),
        ("confirm_query", "问挂的号"), ("move", "改挂号时间"), ("other_day_move", "改挂号时间"),
        ("later_move", "改挂号时间"), ("no_later_move", "改挂号时间"), ("no_move", "改挂号时间"),
        ("cannot_move", "改挂号时间"), ("confirm_move", "改挂号时间"), ("moved", "改挂号时间"),
        ("choose_nearest", "选科室"), ("expert_offer", "选号"), ("offer_what", "选号"),
        ("no_booking", "问挂的号"), ("has_booking", "已经挂了号"),
        ("same_department", "已经挂了号"), ("not_offered", "选科室"),
    ),
    "ahead": (
        ("day", "约哪天"), ("other_day", "约哪天"), ("note_day", "约哪天"),
        ("hour", "约几点"), ("note_hour", "约几点"), ("confirm_cancel", "取消约车"),
        ("booked", "听约的车"), ("ask_last_four", "核对身份证后四位"),
        ("withheld", "听约的车"),
        ("listed_late", "车赶不上看病"), ("late_time_said", "车赶不上看病"), ("soon", "约几点"),
        ("past_today", "约几点"), ("what_to_change", "改约的车"),
        ("which_place", "改约的车"), ("ask_destination", "改约的车"),
        ("keep_or_change", "改约的车"), ("ask_place_address", "说去的地址"),
        ("place_address", "说去的地址"),
    ),
    "reminder": (
        ("ask_last_four", "核对身份证后四位"), ("last_four", "核对身份证后四位"),
        ("confirm_cancel", "取消挂号"), ("trip", "约去医院的车"),
    ),
}
MAX_ACTIONS = 12
REDACTED = "[redacted"  # how the call service stores answers to sensitive questions


@dataclass(frozen=True)
class PanelEntry:
    id: int
    status: RequestStatus
    status_label: str
    emergency: bool
    person_name: str | None
    age: int | None
    caller_number: str | None
    reason: str
    reached: str | None  # flow and question the caller had reached
    actions: tuple[str, ...]  # what the caller pressed or said, in order
    queued_at: datetime
    waiting_seconds: int
    operator_name: str | None
    outcome: CallbackOutcome | None
    outcome_label: str | None
    attempts: int
    note: str | None
    ride_id: int | None
    callback_offered: bool
    operator_id: int | None
    operator_note: str | None
    has_recording: bool
    family: tuple[tuple[str, str], ...]  # (relation and name, phone) of each family contact
    registered: bool = False  # the caller (or their number) is a registered person
    # Relatives who list the caller's number as a family contact allowed to book for them
    # (e.g. "张秀英（来电者是老人的女儿）"): 为来电者挂号 may book for them too.
    relatives: tuple[str, ...] = ()

    @property
    def on_the_line(self) -> bool:
        return self.status in (RequestStatus.WAITING, RequestStatus.RINGING)

    @property
    def talking(self) -> bool:
        """The operator's phone is ringing or they are talking: the screen-pop is theirs."""
        return self.status in (
            RequestStatus.RINGING,
            RequestStatus.CONNECTED,
            RequestStatus.CALLING_BACK,
        )

    @property
    def waiting_label(self) -> str:
        minutes, seconds = divmod(self.waiting_seconds, 60)
        return f"{minutes}分{seconds:02d}秒" if minutes else f"{seconds}秒"


def open_requests(session: Session, *, now: datetime) -> list[PanelEntry]:
    rows = session.execute(
        select(OperatorRequest, Call, StaffUser)
        .outerjoin(Call, OperatorRequest.call_id == Call.id)
        .outerjoin(StaffUser, OperatorRequest.operator_id == StaffUser.id)
        .where(OperatorRequest.status.in_(OPEN))
        .order_by(
            func.coalesce(Call.emergency, False).desc(),
            OperatorRequest.queued_at.asc(),
            OperatorRequest.id.asc(),
        )
    ).all()
    return [_entry(session, row, call, staff, now) for row, call, staff in rows]


def _person(session: Session, call: Call | None, number: str | None) -> Person | None:
    if call is not None and call.person_id is not None:
        return session.get(Person, call.person_id)
    if not number:
        return None
    return session.scalar(
        select(Person).join(PersonPhone).where(PersonPhone.number == number).limit(1)
    )


def _entry(
    session: Session,
    row: OperatorRequest,
    call: Call | None,
    staff: StaffUser | None,
    now: datetime,
) -> PanelEntry:
    person = _person(session, call, row.caller_number)
    reached, actions, recording, note = _what_happened(session, row.call_id)
    if call is not None and call.transfer_reason is not None:
        reason = REASON_LABELS[call.transfer_reason]
    else:
        reason = "叫车后需要回拨" if row.ride_id else "需要人工"
    if note:
        reason = f"{reason}：{note}"  # what the flow knew the person must do first
    return PanelEntry(
        id=row.id,
        status=row.status,
        status_label=STATUS_LABELS[row.status],
        emergency=bool(call and call.emergency),
        person_name=(person.call_name or person.full_name) if person else None,
        age=age_on(person.birth_date, now.date()) if person else None,
        caller_number=row.caller_number,
        reason=reason,
        reached=reached,
        actions=actions,
        queued_at=row.queued_at,
        waiting_seconds=max(0, int((now - row.queued_at).total_seconds())),
        operator_name=staff.display_name if staff else None,
        outcome=row.outcome,
        outcome_label=OUTCOME_LABELS[row.outcome] if row.outcome else None,
        attempts=row.attempts,
        note=row.note,
        ride_id=row.ride_id,
        callback_offered=row.callback_offered,
        operator_id=row.operator_id,
        operator_note=row.operator_note,
        has_recording=recording is not None,
        family=tuple((f"{c.relation} {c.name}", c.phone) for c in person.contacts)
        if person
        else (),
        registered=person is not None,
        relatives=_relatives(session, row.caller_number),
    )


def _relatives(session: Session, number: str | None) -> tuple[str, ...]:
    if not number:
        return ()
    return tuple(
        f"{p.person.full_name}（来电者是老人的{p.relation}）"
        for p in patients_for_caller(session, number=number)
        if p.relation != SELF and p.person.active
    )


def _what_happened(
    session: Session, call_id: str | None
) -> tuple[str | None, tuple[str, ...], str | None, str]:
    """The question reached when the call was handed over, the caller's answers, the
    location of their last recorded words, and the note the hand-over carried
    (`Transfer.note`: what the flow knew the person must do first, or "").

    Steps of sensitive questions (an ID number) were stored redacted and show as such;
    their recordings are never offered.
    """
    if call_id is None:
        return None, (), None, ""
    steps = session.scalars(
        select(CallStep).where(CallStep.call_id == call_id).order_by(CallStep.step)
    ).all()
    reached: str | None = None
    actions: list[str] = []
    recording: str | None = None
    note = ""
    for step in steps:
        handed = next((o for o in step.outputs if o.get("kind") == "transfer"), None)
        if handed is not None and reached is None:
            reached = _state_label(step.state_before)
            note = str(handed.get("note") or "")
        event = step.event
        kind = event.get("kind")
        digits, said = str(event.get("digits") or ""), str(event.get("text") or "")
        if digits.startswith(REDACTED) or said.startswith(REDACTED):
            actions.append("输入了保密内容（如身份证号）")
        elif kind == "keys":
            actions.append(f"按了 {digits}")
        elif kind == "speech":
            actions.append(f"说：“{said}”" if said else "说了话（没有听清）")
            recording = event.get("recording_url") or recording
        elif kind == "silence":
            actions.append("没有回应")
    return reached, tuple(actions[-MAX_ACTIONS:]), recording, note


def shown_number(session: Session, request_id: int, *, family: int | None = None) -> str | None:
    """The full number behind a masked one of an open request, on 显示号码: the caller's,
    or (`family`, the position in the panel's list) that of a family member of theirs."""
    row = session.get(OperatorRequest, request_id)
    if row is None or row.status not in OPEN:
        return None
    if family is None:
        return row.caller_number
    call = session.get(Call, row.call_id) if row.call_id else None
    person = _person(session, call, row.caller_number)
    contacts = list(person.contacts) if person is not None else []
    return contacts[family].phone if 0 <= family < len(contacts) else None


def last_recording(session: Session, request_id: int) -> str | None:
    """Where the caller's last recorded words of an open request are stored, if any."""
    row = session.get(OperatorRequest, request_id)
    if row is None or row.status not in OPEN:
        return None
    return _what_happened(session, row.call_id)[2]


def _state_label(ref: str) -> str | None:
    """挂号 · 选科室: the flow and the step in Chinese, never an internal state name."""
    flow, _, state = ref.partition(".")
    if flow not in FLOW_LABELS:
        return None
    step = next(
        (label for prefix, label in STEP_LABELS.get(flow, ()) if state.startswith(prefix)), None
    )
    return f"{FLOW_LABELS[flow]} · {step}" if step else FLOW_LABELS[flow]


def change_marker(session: Session) -> tuple[int, str, int, int]:
    """A fingerprint of the panel: newest row, latest change, and count and versions of
    the open rows (read through ix_operator_requests_status; closed rows are never read)."""
    latest_id = select(func.max(OperatorRequest.id)).scalar_subquery()
    latest_update = select(func.max(OperatorRequest.updated_at)).scalar_subquery()
    top, latest, count, versions = session.execute(
        select(
            latest_id,
            latest_update,
            func.count(OperatorRequest.id),
            func.coalesce(func.sum(OperatorRequest.version + OperatorRequest.id), 0),
        ).where(OperatorRequest.status.in_(OPEN))
    ).one()
    return int(top or 0), str(latest), int(count), int(versions)
