"""Why a phone booking was refused: `BookingError` ; the Chinese texts are in dialogs/messages.yaml.

Shared by the booking services (`appointments`, `appointment_offers`, `patients`) so that
every refusal carries a stable `.code` for the dialog and a `.message` for staff pages;
the codes are listed in docs/appointments.md.

A refusal's days are given as dates (a deadline or release moment as a local datetime),
never as words: `.message` writes them as the consoles and SMS do (12月3日 星期四), and
`.said(today)` is the sentence a call reads out, its days named as every other day of
the call (明天星期二, 今天下午4点: `rules.spoken_visit_day`, `rules.spoken_moment`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from app import texts
from app.hospital.rules import spoken_day, spoken_moment, spoken_time, spoken_visit_day


def _written(value: object) -> object:
    if isinstance(value, datetime):
        return f"{spoken_day(value.date())}{spoken_time(value.time())}"
    if isinstance(value, date):
        return spoken_day(value)
    return value


def _said(value: object, today: date) -> object:
    if isinstance(value, datetime):
        return spoken_moment(value, today)
    if isinstance(value, date):
        return spoken_visit_day(value, today)
    return value


#: How staff pages name the patient of a refused booking.
STAFF_WORD_FOR_PATIENT = "这位老人"


def patient_in_call(call_vars: Mapping[str, Any]) -> str:
    """The patient as the caller hears them in a call (您, 您母亲张秀英), for `.said`."""
    return str(call_vars.get("patient_name") or STAFF_WORD_FOR_PATIENT)


class BookingError(Exception):
    """A booking refused: `.code` for the dialog, `.message` (Chinese) for staff pages,
    `.said(today)` to say to a caller."""

    def __init__(self, code: str, **details: object) -> None:
        written = {k: _written(v) for k, v in details.items()}
        message = texts.refusal(code, who=STAFF_WORD_FOR_PATIENT, **written)
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def said(self, today: date, *, patient: str = STAFF_WORD_FOR_PATIENT) -> str:
        """The refusal as a call says it, the patient named as the caller hears them
        (您 / 您母亲张秀英): 您明天星期二上午8点已经挂了… ."""
        said = {k: _said(v, today) for k, v in self.details.items()}
        return texts.refusal(self.code, who=patient, **said)
