"""Pure parts of the notifications package: TwiML, back-off, status mapping, scrubbing."""

from __future__ import annotations

from datetime import timedelta

from app.core.config import Settings
from app.notify.callbacks import outbox_status_for
from app.notify.enums import OutboxStatus
from app.notify.outgoing import PermanentSendError, scrub
from app.notify.sender import call_twiml, status_callback_url
from app.notify.worker import MAX_BACKOFF, backoff


def test_call_twiml_says_the_text_twice_slowly_with_a_pause() -> None:
    twiml = call_twiml("云A12345")
    assert twiml.count("云A12345") == 2
    assert twiml.count("<Say") == 2 and "<Pause" in twiml
    assert 'language="cmn-CN"' in twiml and 'rate="80%"' in twiml


def test_backoff_doubles_from_the_base_and_is_capped_at_ten_minutes() -> None:
    settings = Settings(outbox_backoff_seconds=5)
    assert [backoff(settings, n).total_seconds() for n in range(1, 6)] == [5, 10, 20, 40, 80]
    assert backoff(settings, 12) == MAX_BACKOFF == timedelta(minutes=10)


def test_provider_statuses_map_to_outbox_statuses() -> None:
    assert outbox_status_for("delivered") == OutboxStatus.DELIVERED
    assert outbox_status_for("completed") == OutboxStatus.DELIVERED
    for failed in ("failed", "undelivered", "busy", "no-answer", "canceled"):
        assert outbox_status_for(failed) == OutboxStatus.FAILED
    for interim in ("queued", "sent", "ringing", "in-progress"):
        assert outbox_status_for(interim) == OutboxStatus.SENT
    assert outbox_status_for("martian") is None


def test_scrub_masks_numbers_in_provider_errors() -> None:
    text = "The 'To' number +8613800000001 is not a valid phone number. Call 139 0000 0000"
    assert "13800000001" not in scrub(text) and "0000 0000" not in scrub(text)
    assert "13800000001" not in str(PermanentSendError(text))


def test_status_callback_carries_the_outbox_reference() -> None:
    settings = Settings(public_base_url="https://hotline.example.org/")
    assert status_callback_url(settings, 42) == (
        "https://hotline.example.org/twilio/notify/status?ref=42"
    )
