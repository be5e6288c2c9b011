"""Why a phone booking was refused: `BookingError` ; the Chinese texts are in dialogs/messages.yaml.

Shared by the booking services (`appointments`, `appointment_offers`, `patients`) so that
every refusal carries a stable `.code` for the dialog and a `.message` the phone flow can
read out; the codes are listed in docs/appointments.md.
"""

from __future__ import annotations

from app import texts


class BookingError(Exception):
    """A booking refused: `.code` for the dialog, `.message` (Chinese) to say to the caller."""

    def __init__(self, code: str, **details: object) -> None:
        message = texts.refusal(code, **details)
        super().__init__(message)
        self.code = code
        self.message = message
