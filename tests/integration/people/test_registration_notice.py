"""Telling a person they were registered (issue 10): every way in (the registration
service the consoles use, the roster import commit) queues an SMS to each mobile and a
short read-out call to each landline, and the outbox sends them to (fake) Twilio."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.notify.sender import TwilioSender
from app.notify.worker import OutboxWorker
from app.people.enums import ConsentBasis
from app.people.models import Community
from app.people.registration import PlaceInput, register_person
from app.people.roster_import import import_roster, rows_from_grid
from support.demo import demo_data
from support.fake_twilio import FakeTwilio
from support.live_server import FakeClock

MOBILE, LANDLINE = "+8613900001111", "+868716660101"


def messages(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def send_all(db: Database, fake_twilio: FakeTwilio) -> None:
    settings = Settings(
        database_url=db.url,
        twilio_account_sid=fake_twilio.account_sid,
        twilio_auth_token=fake_twilio.auth_token,
        twilio_from_number="+868710000000",
        twilio_api_base=fake_twilio.url,
        public_base_url="https://hotline.example.org",
    )
    clock = FakeClock()
    clock.set(datetime.now(UTC) + timedelta(seconds=30))
    worker = OutboxWorker(db, TwilioSender(settings, timeout=2), settings, clock.now)
    while worker.run_once():
        pass


def test_a_registration_tells_the_person_by_sms_and_by_call(
    db: Database, fake_twilio: FakeTwilio
) -> None:
    demo_data(db, today=date(2026, 11, 30))
    with db.session() as session:
        cuihu = session.scalars(select(Community.id).where(Community.name == "翠湖社区")).one()
        register_person(
            session,
            full_name="赵桂兰",
            registered_by="翠湖社区小王（cuihu1）",
            consent_basis=ConsentBasis.PAPER_FORM,
            community_id=cuihu,
            phones=["139 0000 1111", "0871-6660101"],
            home=PlaceInput("家", "翠湖北路8号"),
        )
        session.commit()
    sms, call = messages(db)
    assert (sms.kind, sms.to_number, call.kind, call.to_number) == (
        OutboxKind.SMS,
        MOBILE,
        OutboxKind.CALL,
        LANDLINE,
    )
    assert sms.body.startswith(
        "【长者服务热线】翠湖社区已经为您（赵桂兰）登记了长者服务热线0871-0000000"
    )
    assert "按0告诉工作人员" in sms.body
    assert "翠湖社区已经为您登记了这个热线" in call.body and "按0" in call.body

    send_all(db, fake_twilio)
    (texted,) = fake_twilio.creates("Messages")
    (phoned,) = fake_twilio.creates("Calls")
    assert texted.form["To"] == MOBILE and texted.form["Body"] == sms.body
    assert (
        phoned.form["To"] == LANDLINE and "翠湖社区已经为您登记了这个热线" in phoned.form["Twiml"]
    )


def test_the_roster_import_tells_on_commit_only_and_once(db: Database) -> None:
    demo_data(db, today=date(2026, 11, 30))
    rows = rows_from_grid(
        [
            ["姓名", "电话", "住址"],
            ["赵桂兰", "13900001111", "翠湖北路8号"],
            ["孙建国", "0871-6660101", "翠湖北路9号"],
        ]
    )
    with db.session() as session:  # the dry run is rolled back: nobody is told
        import_roster(session, rows=rows, community_name="翠湖社区", registered_by="王主任")
        session.rollback()
    assert messages(db) == []
    for _ in range(2):  # the commit, then the same file again
        with db.session() as session:
            import_roster(session, rows=rows, community_name="翠湖社区", registered_by="王主任")
            session.commit()
    told = [(m.kind, m.to_number) for m in messages(db)]
    assert told == [(OutboxKind.SMS, MOBILE), (OutboxKind.CALL, LANDLINE)]
