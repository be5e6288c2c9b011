"""Whole calls played through the real call service, as the simulator plays them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from app.calls.service import CallService
from app.core.config import Settings
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.hotline import build_call_service
from app.people.models import Person
from app.simulator import run_call
from app.taxi.models import Ride
from support.demo import demo_data

#: The hotline's own number, dialled by every simulated caller.
HOTLINE = "+868710000000"


def demo_call_service(db: Database, *, today: date, now: datetime) -> CallService:
    """The call service on the demo set of ``today``, its clock stopped at ``now``."""
    demo_data(db, today=today)
    return build_call_service(Settings(database_url=db.url), db, clock=lambda: now)


def all_said(lines: list[str]) -> str:
    """A call's lines as one text, to look for what was said across lines."""
    return "\n".join(lines)


def said_after(lines: list[str], answer: str) -> str:
    """Everything the caller heard after giving ``answer``."""
    return all_said(lines[lines.index(f"来电者：{answer}") + 1 :])


def play(service: CallService, number: str, *turns: str) -> list[str]:
    """Call the hotline from ``number`` with ``turns`` (keys, words, "hangup"); every line
    the simulator shows (prompts, the caller's turns, notes) in order."""
    lines: list[str] = []
    run_call(service, from_number=number, to_number=HOTLINE, turns=iter(turns), show=lines.append)
    return lines


def rides(db: Database) -> list[Ride]:
    """Every ride in the database, in the order they were made."""
    with db.session() as session:
        return list(session.scalars(select(Ride).order_by(Ride.id)))


def local_pickup(ride: Ride) -> datetime:
    """A booked ride's pickup time in Kunming."""
    assert ride.pickup_at is not None
    return ride.pickup_at.astimezone(LOCAL_TZ)


def last_four(db: Database, full_name: str = "张秀英") -> str:
    """The last four characters of a person's ID number as typed (X is typed with *)."""
    with db.session() as session:
        person = session.scalars(select(Person).where(Person.full_name == full_name)).one()
        assert person.id_number is not None
        return person.id_number[-4:].replace("X", "*")
