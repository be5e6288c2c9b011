"""The demo callers replayed over Twilio-signed webhooks on a live server (real HTTP on
loopback, SQLite and PostgreSQL), one server per backend and six calls in a row:

1. 李梅 books for her mother 张秀英 (hospital for a relative);
2. 张秀英 hears that booking and cancels it, after the last four digits of her ID number
   (a wrong try first);
3. 张秀英 books for herself;
4. 张秀英 calls a taxi home with one key and a confirmation;
5. 张秀英 calls again and hears how her ride is going (the greeting said once);
6. 王建国 says an emergency sentence at the menu: the 120 advice, slowly, and a person.

Every request is signed with twilio's RequestValidator over the public URL, as Twilio
signs it. The hotline runs the real flows, understanding, booking rules and database; only
the speech model is a stand-in (no Chinese model on the test machine) returning what
Vosk would for the caller's recording. Each call checks what was said and the database.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import select
from telephony_harness import HOTLINE, Hotline, HotlineFactory

from app.callflow.voice import PROSODY_RATE
from app.calls.enums import CallStatus, TransferReason
from app.calls.models import Call
from app.core.db import Database
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment
from app.hotline import build_call_service
from app.people.models import Person
from app.speech.recognizer import RecognitionResult
from app.speech.service import Speech
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.demo import demo_data

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ZHANG = "+8613800000001"  # 张秀英 (张奶奶), home saved
LI_MEI = "+8613900000001"  # 李梅, 张秀英's daughter
WANG = "+8613800000002"  # 王建国
HOTLINE_NAME = "长者服务热线"


class _StandInModel:
    """What the hotline needs of a Vosk model: it "hears" `text` in any recording."""

    sample_rate = 8000

    def __init__(self) -> None:
        self.text = ""

    def recognizer(self, phrases: Sequence[str] | None = None) -> _StandInModel:
        return self

    def accept(self, audio: bytes) -> None:
        pass

    def final(self, reason: str = "") -> RecognitionResult:
        return RecognitionResult(text=self.text, reason=reason)


class TwilioCall:
    """One call as Twilio drives it: the start webhook, then one step per answer."""

    def __init__(self, hotline: Hotline, sid: str, caller: str) -> None:
        self.hotline, self.sid, self.caller = hotline, sid, caller
        self.said: list[list[tuple[str, str]]] = []  # per response: (text, rate)
        self.twiml = ""

    def _post(self, path: str, extra: dict[str, str]) -> None:
        params = {
            "CallSid": self.sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.caller,
            "To": HOTLINE,
            "Direction": "inbound",
            **extra,
        }
        response = self.hotline.post(path, params)
        assert response.status_code == 200, response.text
        self.twiml = response.text
        root = ET.fromstring(response.text)
        self.said.append([(p.text or "", p.attrib["rate"]) for p in root.iter("prosody")])

    def start(self) -> TwilioCall:
        self._post("/twilio/voice", {"CallStatus": "ringing"})
        return self

    def _step_path(self) -> str:
        root = ET.fromstring(self.twiml)
        waiting = root.find("Gather")
        if waiting is None:
            waiting = root.find("Record")
        assert waiting is not None, f"the hotline is not waiting for the caller: {self.twiml}"
        match = re.search(r"(/twilio/voice/step\?step=\d+)$", waiting.attrib["action"])
        assert match, waiting.attrib["action"]
        return match.group(1)

    def press(self, digits: str) -> str:
        self._post(self._step_path(), {"CallStatus": "in-progress", "Digits": digits})
        return self.last

    def speak(self, recording_url: str) -> str:
        self._post(
            self._step_path(),
            {"CallStatus": "in-progress", "RecordingUrl": recording_url, "RecordingDuration": "3"},
        )
        return self.last

    def hang_up(self) -> None:
        self._post("/twilio/voice/status", {"CallStatus": "completed", "CallDuration": "60"})

    @property
    def last(self) -> str:
        return "".join(text for text, _ in self.said[-1])

    @property
    def first_sentence(self) -> str:
        return re.split(r"[。？！]", self.said[0][0][0])[0]

    @property
    def ended_with(self) -> str:
        root = ET.fromstring(self.twiml)
        return root[-1].tag


def _appointments(db: Database) -> list[Appointment]:
    with db.session() as session:
        return list(session.scalars(select(Appointment).order_by(Appointment.id)))


def _call(db: Database, sid: str) -> Call:
    with db.session() as session:
        call = session.get(Call, sid)
        assert call is not None
        return call


def test_the_demo_callers_replayed_over_signed_webhooks(
    db: Database, hotline_factory: HotlineFactory, recordings: str
) -> None:
    demo_data(db, today=TODAY)
    hotline = hotline_factory()
    hotline.app.state.call_service = build_call_service(
        hotline.settings, hotline.app.state.db, clock=lambda: NOW
    )
    model = _StandInModel()
    hotline.app.state.speech = Speech(model=model, status="stand-in")  # type: ignore[arg-type]
    with db.session() as session:
        zhang = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        zhang_id, id_number = zhang.id, zhang.id_number
    assert id_number is not None
    last_four = id_number[-4:].replace("X", "*")  # X is typed with *

    # 1. Hospital for a relative: the relation and the patient are named; the last four
    # digits of the patient's ID number come before anything about her bookings.
    daughter = TwilioCall(hotline, "CA" + "1" * 32, LI_MEI).start()
    assert HOTLINE_NAME in daughter.first_sentence
    assert "是给您母亲张秀英挂号吗" in daughter.press("2")
    assert "请输入您母亲张秀英身份证号的最后4位" in daughter.press("1")
    assert "内科" in daughter.press(last_four) and "按0" in daughter.last
    assert "心血管内科" in daughter.press("1")
    offer = daughter.press("1")
    assert "明天星期二上午8点" in offer and "春城第一人民医院" in offer
    assert "要不要约车送您母亲张秀英去医院" in daughter.press("1")  # the car to hospital
    assert "不约车" in daughter.press("2") and daughter.ended_with == "Hangup"
    (booked,) = _appointments(db)
    assert booked.patient_id == zhang_id and booked.status == AppointmentStatus.BOOKED
    assert booked.booked_by_contact_id is not None

    # 2. Cancel it: nothing is read out before the last four digits of the ID number.
    cancel = TwilioCall(hotline, "CA" + "2" * 32, ZHANG).start()
    assert "张奶奶您好" in cancel.first_sentence and HOTLINE_NAME in cancel.first_sentence
    assert "您女儿为您挂了一个号" in cancel.press("2")  # the daughter booked it
    assert "最后4位" in cancel.press("2")
    wrong = "1111" if last_four != "1111" else "2222"
    retry = cancel.press(wrong)
    assert "后4位不对，请再按一遍" in retry and "明天" not in retry
    details = cancel.press(last_four)
    assert "心血管内科" in details and "要取消这个号，请按8" in details
    assert "要取消明天星期二上午8点心血管内科的号吗？取消，请再按8" in cancel.press("8")
    assert "已经取消了" in cancel.press("8") and cancel.ended_with == "Hangup"
    assert [a.status for a in _appointments(db)] == [AppointmentStatus.CANCELLED]

    # 3. Hospital for herself: the earliest slot first, booked on her yes.
    self_booking = TwilioCall(hotline, "CA" + "3" * 32, ZHANG).start()
    assert "内科" in self_booking.press("2")
    self_booking.press("1")
    assert "明天星期二上午8点" in self_booking.press("1")
    assert "挂好了" in self_booking.press("1")
    cancelled, mine = _appointments(db)
    assert mine.status == AppointmentStatus.BOOKED and mine.patient_id == zhang_id
    assert mine.booked_by_number == ZHANG and mine.booked_by_contact_id is None

    # 4. One-key taxi home: key 1, then yes.
    taxi = TwilioCall(hotline, "CA" + "4" * 32, ZHANG).start()
    assert "叫车到您家，按1" in taxi.said[0][0][0]
    assert "车到家接您。对，按1" in taxi.press("1")
    assert "车已经叫了" in taxi.press("1") and taxi.ended_with == "Hangup"
    with db.session() as session:
        (ride,) = session.scalars(select(Ride)).all()
        assert ride.status == RideStatus.QUEUED and ride.call_id == taxi.sid

    # 5. Status: the ride's state first, the greeting once, no new ride.
    status = TwilioCall(hotline, "CA" + "5" * 32, ZHANG).start()
    assert HOTLINE_NAME in status.first_sentence
    first_turn = "".join(text for text, *_ in status.said[0][1:])
    assert "您叫的车" in first_turn and "取消叫车，请按8" in first_turn
    assert first_turn.index("您叫的车") < first_turn.index("取消叫车，请按8")
    again = status.press("1")
    assert "您叫的车" in again and HOTLINE_NAME not in again
    status.hang_up()
    with db.session() as session:
        rides = session.scalars(select(Ride)).all()
        assert [(r.status, r.call_id) for r in rides] == [(RideStatus.QUEUED, taxi.sid)]
    assert _call(db, status.sid).status == CallStatus.CALLER_HUNG_UP

    # 6. Emergency words at the menu: the 120 advice, slowly, and a person at once.
    model.text = "胸口 疼 得 很 喘 不 过 气"  # as the recogniser writes it
    emergency = TwilioCall(hotline, "CA" + "6" * 32, WANG).start()
    assert HOTLINE_NAME in emergency.first_sentence
    emergency.speak(recordings)
    advice = [(text, rate) for text, rate in emergency.said[-1] if "拨打120" in text]
    assert advice and advice[0][1] == PROSODY_RATE["slow"]
    assert ET.fromstring(emergency.twiml).findtext("Enqueue") == "operators"
    call = _call(db, emergency.sid)
    assert call.status == CallStatus.TRANSFERRED
    assert call.transfer_reason == TransferReason.EMERGENCY and call.emergency is True
    assert cancelled.status == AppointmentStatus.CANCELLED  # nothing else moved
