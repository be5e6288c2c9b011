"""TwilioSender against the fake Twilio over loopback: requests, TwiML, error classes."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest

from app.core.config import Settings
from app.notify.enums import OutboxKind
from app.notify.outgoing import Outgoing, PermanentSendError, TransientSendError
from app.notify.sender import TwilioSender
from support.fake_twilio import FakeTwilio

TO = "+8613800000001"
TEXT = "车牌云A12345，司机电话13900000000，约8分钟到。"


def outgoing(kind: OutboxKind = OutboxKind.SMS, message_id: int = 7) -> Outgoing:
    return Outgoing(message_id, kind, TO, TEXT, datetime.now(UTC))


def test_sms_request_has_to_from_body_callback_and_auth(
    sender: TwilioSender, fake_twilio: FakeTwilio, twilio_settings: Settings
) -> None:
    sid = sender.send(outgoing())
    assert sid.startswith("SM")
    [request] = fake_twilio.creates("Messages")
    assert request.form["To"] == TO
    assert request.form["From"] == twilio_settings.twilio_from_number
    assert request.form["Body"] == TEXT
    assert (
        request.form["StatusCallback"] == "https://hotline.example.org/twilio/notify/status?ref=7"
    )
    assert request.auth == (fake_twilio.account_sid, fake_twilio.auth_token)
    assert request.path == f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"


def test_call_twiml_reads_text_twice_slowly_in_mandarin(
    sender: TwilioSender, fake_twilio: FakeTwilio
) -> None:
    sid = sender.send(outgoing(OutboxKind.CALL))
    assert sid.startswith("CA")
    [request] = fake_twilio.creates("Calls")
    twiml = request.form["Twiml"]
    assert twiml.count(TEXT) == 2
    assert 'language="cmn-CN"' in twiml and "<prosody rate=" in twiml
    assert request.form["StatusCallback"].endswith("/twilio/notify/status?ref=7")


def test_400_is_permanent_and_masks_the_number(
    sender: TwilioSender, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.invalid_numbers.add(TO)
    with pytest.raises(PermanentSendError) as error:
        sender.send(outgoing())
    assert "21211" in str(error.value)
    assert TO not in str(error.value)


def test_500_is_transient_and_certain(sender: TwilioSender, fake_twilio: FakeTwilio) -> None:
    fake_twilio.mode = "error500"
    with pytest.raises(TransientSendError) as error:
        sender.send(outgoing())
    assert not error.value.ambiguous


@pytest.mark.parametrize("mode", ["hang", "drop", "drop_before"])
def test_no_answer_is_transient_and_ambiguous(
    sender: TwilioSender, fake_twilio: FakeTwilio, mode: str
) -> None:
    fake_twilio.mode = mode
    fake_twilio.hang_seconds = 1.5
    with pytest.raises(TransientSendError) as error:
        sender.send(outgoing())
    assert error.value.ambiguous


def test_refused_connection_is_transient_and_certain(twilio_settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    settings = twilio_settings.model_copy(update={"twilio_api_base": f"http://127.0.0.1:{port}"})
    with pytest.raises(TransientSendError) as error:
        TwilioSender(settings, timeout=0.5).send(outgoing())
    assert not error.value.ambiguous


def test_find_sent_sees_a_message_whose_answer_was_lost(
    sender: TwilioSender, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.mode = "drop"
    with pytest.raises(TransientSendError):
        sender.send(outgoing())
    [created] = fake_twilio.created_of("Messages")
    assert sender.find_sent(outgoing(), exclude=set()) == created["sid"]
    assert sender.find_sent(outgoing(), exclude={str(created["sid"])}) is None
    assert sender.find_sent(outgoing(OutboxKind.CALL), exclude=set()) is None
