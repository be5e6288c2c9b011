"""Ride history for the dispatch console (`/dispatch/history`): search, filters, pages.

One search box takes what an operator has at hand when someone phones about a past ride:

- a whole phone number however typed (`+86 138-0000-0001`, `0086 13800000001`,
  `0871 5550101`): that caller's rides (`app.people.phones.typed_number`);
- the start of a number with its country code (`+86 138`): callers whose number starts so;
- digits only (3 to 11, spaces and dashes dropped): the tail of the caller's number
  (`…0001`), or part of a plate;
- a plate or part of one (`云A·D1234`, `d1234`, `AD12`; separators ignored);
- anything else: part of the rider's name (registered name or call name, or the name an
  unregistered caller gave), or of the driver's name.

Filters: statuses (any of them; none means all) and a date range in local time (China),
on the day the ride was created. Newest first, `PAGE_SIZE` a page. Numbers come back
whole; the page masks them. A hospital trip shows which hospital: the destination the
flow or the operator wrote (the caller's usual hospital by name, or "医院" when they had
none), or the hospital the ride started from (a saved place of kind hospital).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from app.core.local_time import LOCAL_TZ
from app.people.enums import PlaceKind
from app.people.models import Person, SavedPlace
from app.people.phones import typed_number
from app.taxi.enums import RideStatus
from app.taxi.fleet import PROVINCES
from app.taxi.models import Driver, Ride
from app.taxi.rides import STATUS_LABELS

PAGE_SIZE = 25
_DIGITS = re.compile(r"^[0-9]{3,11}$")
_PLATE_PART = re.compile(rf"^[{PROVINCES}]?[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*$")
_SEPARATORS = re.compile(r"[\s·•・.\-－—]")
_PHONE_TYPED = re.compile(r"^\(?\+?[0-9][0-9\s\-－—()]*$")
_COUNTRY = re.compile(r"^(?:\+|00)86")
# Statuses offered as filters, in the order of a ride's life (draft: still on the phone).
FILTER_STATUSES = tuple(s for s in RideStatus if s != RideStatus.DRAFT)


@dataclass(frozen=True)
class HistoryQuery:
    text: str = ""
    statuses: tuple[RideStatus, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1


@dataclass(frozen=True)
class HistoryRow:
    ride_id: int
    created_at: datetime
    status: RideStatus
    status_label: str
    rider: str | None
    caller_number: str | None
    pickup: str | None
    destination: str | None
    hospital: str | None  # which hospital, for a hospital trip
    driver_name: str | None
    driver_plate: str | None
    cancel_reason: str | None
    back_office: bool


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryRow]
    total: int
    page: int
    pages: int
    query: HistoryQuery = field(default_factory=HistoryQuery)


def search(session: Session, query: HistoryQuery) -> HistoryPage:
    """One page of rides matching `query`, newest first, with the total count."""
    base = _filtered(query)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, query.page), pages)
    rows = session.execute(
        base.add_columns(Person, SavedPlace, Driver)
        .order_by(Ride.created_at.desc(), Ride.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return HistoryPage(
        [_row(ride, person, place, driver) for ride, person, place, driver in rows],
        total, page, pages, query,
    )


def _filtered(query: HistoryQuery) -> Select[Ride]:
    stmt = (
        select(Ride)
        .outerjoin(Person, Ride.person_id == Person.id)
        .outerjoin(SavedPlace, Ride.pickup_place_id == SavedPlace.id)
        .outerjoin(Driver, Ride.driver_id == Driver.id)
        .where(Ride.status != RideStatus.DRAFT)
    )
    if query.statuses:
        stmt = stmt.where(Ride.status.in_(query.statuses))
    if query.date_from is not None:
        stmt = stmt.where(Ride.created_at >= _local_midnight(query.date_from))
    if query.date_to is not None:
        stmt = stmt.where(Ride.created_at < _local_midnight(query.date_to + timedelta(days=1)))
    text = query.text.replace("\x00", "").strip()  # PostgreSQL text holds no NUL
    if text:
        stmt = stmt.where(_matches(text))
    return stmt


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def _plate_column() -> ColumnElement[str]:
    """The plate without its separator, upper case: `云A·D1234` -> `云AD1234`."""
    return func.upper(func.replace(Driver.plate, "·", ""))


def _matches(text: str) -> ColumnElement[bool]:
    compact = _SEPARATORS.sub("", text)
    typed = _phone_typed(text)
    if typed is not None:
        whole = typed_number(typed)
        if whole is not None:
            return Ride.caller_number == whole
        digits = re.sub(r"[^0-9+]", "", typed)
        if _COUNTRY.match(digits):  # "+86 138": the start of a number, country code and all
            return Ride.caller_number.like("+86" + _COUNTRY.sub("", digits) + "%")
    if _DIGITS.match(compact):
        return or_(
            Ride.caller_number.like(f"%{compact}"),
            _plate_column().like(f"%{compact}%"),
        )
    if _PLATE_PART.match(compact):
        return _plate_column().like(f"%{_escape(compact.upper())}%", escape="\\")
    like = f"%{_escape(text)}%"
    return or_(
        Person.full_name.like(like, escape="\\"),
        Person.call_name.like(like, escape="\\"),
        Ride.caller_name.like(like, escape="\\"),
        Driver.name.like(like, escape="\\"),
    )


def _phone_typed(text: str) -> str | None:
    """The text as a phone number (full-width `＋` and brackets made plain), when it
    looks like one: digits with an optional leading +, spaces, dashes, brackets."""
    plain = text.strip().replace("＋", "+").replace("（", "(").replace("）", ")")
    return plain if _PHONE_TYPED.match(plain) else None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row(
    ride: Ride, person: Person | None, place: SavedPlace | None, driver: Driver | None
) -> HistoryRow:
    return HistoryRow(
        ride_id=ride.id,
        created_at=ride.queued_at or ride.created_at,
        status=ride.status,
        status_label=STATUS_LABELS[ride.status],
        rider=(person.call_name or person.full_name) if person else ride.caller_name,
        caller_number=ride.caller_number,
        pickup=(place.label + " · " if place else "") + (ride.pickup_address or "")
        or ride.pickup_transcript,
        destination=ride.destination,
        hospital=hospital_of(ride, place),
        driver_name=driver.name if driver else None,
        driver_plate=driver.plate if driver else None,
        cancel_reason=ride.cancel_reason,
        back_office=ride.created_by_staff_id is not None,
    )


def hospital_of(ride: Ride, place: SavedPlace | None) -> str | None:
    """Which hospital a hospital trip is about; None for any other ride."""
    if place is not None and place.kind == PlaceKind.HOSPITAL:
        return f"从{place.label}出发"
    if not ride.to_hospital:
        return None
    if ride.destination and ride.destination != "医院":
        return ride.destination
    return "医院（没有说明哪一家）"
