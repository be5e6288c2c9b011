"""Why a phone booking was refused: `BookingError` and the Chinese text for each code.

Shared by the booking services (`appointments`, `appointment_offers`, `patients`) so that
every refusal carries a stable `.code` for the dialog and a `.message` the phone flow can
read out; the codes are listed in docs/appointments.md.
"""

from __future__ import annotations

MESSAGES = {
    "patient_not_found": "找不到这位老人的登记信息，请找工作人员帮忙登记。",
    "id_required": "电话挂号要实名，需要先登记身份证号。",
    "id_invalid": "{reason}，请再说一遍。",
    "id_in_use": "这个身份证号已经登记在别人名下了，请找工作人员核对。",
    "id_mismatch": "身份证号里的出生日期和登记的不一样，请再核对一下。",
    "suspended": "因为之前有预约没有去看病，{until}以前不能电话挂号，请到医院现场挂号。",
    "not_allowed": "这个电话号码不能替这位老人挂号，请让老人本人或家属打电话。",
    "slot_not_found": "找不到这个号，请重新选择。",
    "slot_taken": "这个号刚刚被别人挂走了，请换一个时间。",
    "slot_unavailable": "医生这个时段停诊了，请换一个时间。",
    "reserved_for_elderly": "这个号是留给老年人的，请换一个时间。",
    "too_late": "{day}的号现在已经不能在电话里挂了，请换一天，或者到医院现场挂号。",
    "not_yet": "{day}的号还没有放出来，{release}开始可以挂。",
    "closed": "{day}医院不开门诊，请换一天。",
    "already_booked": "这位老人{day}已经挂了{department}的号，同一天同一个科只能挂一个号。",
    "appointment_not_found": "找不到这个预约。",
    "not_cancellable": "这个预约现在不能取消了（{status}）。",
    "cancel_too_late": "取消要在{deadline}以前，已经过了时间，不能在电话里取消了。",
}


class BookingError(Exception):
    """A booking refused: `.code` for the dialog, `.message` (Chinese) to say to the caller."""

    def __init__(self, code: str, **details: object) -> None:
        message = MESSAGES[code].format(**details)
        super().__init__(message)
        self.code = code
        self.message = message
