"""POST /twilio/notify/status over real HTTP: signed callbacks update the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from outbox_helpers import enqueue, row
from sqlalchemy import update
from twilio.request_validator import RequestValidator

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from app.notify.enums import OutboxStatus
from app.notify.models import OutboxMessage
from support.live_server import TEST_SECRET, serve_in_thread

PATH = "/twilio/notify/status"


@pytest.fixture
def server(notify_settings: Settings) -> Iterator[tuple[str, Settings]]:
    # No in-process worker: these tests put messages in states by hand.
    settings = notify_settings.model_copy(
        update={"secret_key": TEST_SECRET, "outbox_in_process": False}
    )
    app = create_app(settings)
    uvicorn_server, thread, url = serve_in_thread(app)
    yield url, settings
    uvicorn_server.should_exit = True
    thread.join(timeout=15)


def post(
    server: tuple[str, Settings], params: dict[str, str], *, query: str = "", forged: bool = False
) -> httpx.Response:
    url, settings = server
    public = settings.public_base_url + PATH + (f"?{query}" if query else "")
    signature = RequestValidator(settings.twilio_auth_token).compute_signature(public, params)
    if forged:
        signature = RequestValidator("not-the-token").compute_signature(public, params)
    return httpx.post(
        url + PATH + (f"?{query}" if query else ""),
        data=params,
        headers={"X-Twilio-Signature": signature},
        timeout=10,
    )


def sent(db: Database, key: str, sid: str) -> int:
    message_id = enqueue(db, key)
    with db.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(status=OutboxStatus.SENT, provider_sid=sid)
        )
    return message_id


def test_signed_delivered_callback_marks_delivered(db: Database, server) -> None:  # type: ignore[no-untyped-def]
    message_id = sent(db, "k1", "SM" + "1" * 32)
    response = post(server, {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered"})
    assert response.status_code == 204
    assert row(db, message_id).status == OutboxStatus.DELIVERED
    # a late interim callback does not undo "delivered"
    post(server, {"MessageSid": "SM" + "1" * 32, "MessageStatus": "sent"})
    assert row(db, message_id).status == OutboxStatus.DELIVERED


def test_call_no_answer_marks_failed(db: Database, server) -> None:  # type: ignore[no-untyped-def]
    message_id = sent(db, "k2", "CA" + "2" * 32)
    response = post(server, {"CallSid": "CA" + "2" * 32, "CallStatus": "no-answer"})
    assert response.status_code == 204
    stored = row(db, message_id)
    assert stored.status == OutboxStatus.FAILED and "no-answer" in (stored.last_error or "")


def test_undelivered_sms_marks_failed_with_error_code(db: Database, server) -> None:  # type: ignore[no-untyped-def]
    message_id = sent(db, "k3", "SM" + "3" * 32)
    post(
        server,
        {"MessageSid": "SM" + "3" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"},
    )
    assert "30003" in (row(db, message_id).last_error or "")


def test_forged_signature_is_403_and_changes_nothing(db: Database, server) -> None:  # type: ignore[no-untyped-def]
    message_id = sent(db, "k4", "SM" + "4" * 32)
    response = post(
        server, {"MessageSid": "SM" + "4" * 32, "MessageStatus": "delivered"}, forged=True
    )
    assert response.status_code == 403
    assert row(db, message_id).status == OutboxStatus.SENT


def test_a_control_character_in_a_field_is_400_and_changes_nothing(db: Database, server) -> None:  # type: ignore[no-untyped-def]
    message_id = sent(db, "k7", "SM" + "7" * 32)
    for fields in (
        {"MessageSid": "SM" + "7" * 32 + "\x00", "MessageStatus": "delivered"},
        {"MessageSid": "SM" + "7" * 32, "MessageStatus": "failed", "ErrorCode": "3\x000"},
    ):
        assert post(server, fields).status_code == 400, fields
    assert row(db, message_id).status == OutboxStatus.SENT


def test_unknown_sid_is_204(db: Database, server) -> None:  # type: ignore[no-untyped-def]
    response = post(server, {"MessageSid": "SM" + "9" * 32, "MessageStatus": "delivered"})
    assert response.status_code == 204


def test_ref_records_the_sid_of_a_message_left_sending(db: Database, server) -> None:  # type: ignore[no-untyped-def]
    message_id = enqueue(db, "k5")
    with db.session() as session:
        session.execute(update(OutboxMessage).values(status=OutboxStatus.SENDING))
    response = post(
        server, {"MessageSid": "SM" + "5" * 32, "MessageStatus": "sent"}, query=f"ref={message_id}"
    )
    assert response.status_code == 204
    stored = row(db, message_id)
    assert stored.status == OutboxStatus.SENT and stored.provider_sid == "SM" + "5" * 32


@pytest.mark.parametrize(
    "ref", ["99999999999999999999", "9223372036854775808", "2147483648", "²", "-1", "1e3"]
)
def test_a_mangled_ref_is_an_unknown_message_not_an_error(db: Database, server, ref: str) -> None:  # type: ignore[no-untyped-def]
    message_id = enqueue(db, "k6")
    with db.session() as session:
        session.execute(update(OutboxMessage).values(status=OutboxStatus.SENDING))
    response = post(
        server, {"MessageSid": "SM" + "6" * 32, "MessageStatus": "sent"}, query=f"ref={quote(ref)}"
    )
    assert response.status_code == 204  # like any unknown sid: nothing to record
    stored = row(db, message_id)
    assert stored.status == OutboxStatus.SENDING and stored.provider_sid is None
