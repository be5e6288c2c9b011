"""Rides after the call: the only code that changes a ride once the phone flow queued it.

Every function is one unit of work on a passed `Session` (the caller commits) and takes
keyword-only arguments. Notifications are written to the outbox in the same transaction
as the change that causes them, so either both are saved or neither is.

Concurrency: a change first takes the ride's row lock (`SELECT ... FOR UPDATE` on
PostgreSQL; on SQLite a no-op write takes the database write lock), then checks the
version the operator saw. Assignment also locks the driver row, so two operators can
neither assign one ride twice nor give one driver two rides. Conflicts raise
`RideConflict` with a Chinese message for the operator. The dispatch console's read
model (the live queue and the drivers roster) is `app.taxi.queue`; the texts
sent when a driver is assigned are composed in `app.taxi.notifications`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import texts
from app.notify.enums import OutboxKind
from app.notify.outbox import enqueue_message
from app.people.age import age_on
from app.people.enums import PlaceKind
from app.people.models import Person, PersonPhone, SavedPlace
from app.people.phones import is_fixed_line
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from app.taxi.notifications import (
    notify_assigned,
    send_sms,
    tell_caller_cancelled,
    tell_passenger_cancelled,
)
from app.taxi.rules import ride_priority

WAITING = (
    RideStatus.DRAFT,
    RideStatus.QUEUED,
    RideStatus.HANDED_TO_PERSON,
    RideStatus.CALLER_HUNG_UP,
    RideStatus.NO_CAR,
)
UNDER_WAY = (RideStatus.ASSIGNED, RideStatus.ARRIVING, RideStatus.PICKED_UP)
LIVE = WAITING + UNDER_WAY
ASSIGNABLE = (
    RideStatus.QUEUED,
    RideStatus.NO_CAR,
    RideStatus.CALLER_HUNG_UP,
    RideStatus.HANDED_TO_PERSON,
)
CANCELLABLE = (*WAITING, RideStatus.SCHEDULED, RideStatus.ASSIGNED, RideStatus.ARRIVING)

STATUS_LABELS: dict[RideStatus, str] = {
    RideStatus.DRAFT: "通话中",
    RideStatus.SCHEDULED: "已预约",
    RideStatus.QUEUED: "等待派车",
    RideStatus.ASSIGNED: "已派车",
    RideStatus.ARRIVING: "车辆即将到达",
    RideStatus.PICKED_UP: "已上车",
    RideStatus.COMPLETED: "已完成",
    RideStatus.CANCELLED: "已取消",
    RideStatus.NO_CAR: "暂无车辆",
    RideStatus.CALLER_HUNG_UP: "来电者已挂断",
    RideStatus.HANDED_TO_PERSON: "已转人工",
}

STALE = "这张叫车单刚刚被其他调度员改过（现在是“{status}”）。页面已更新，请核对后再操作。"
NOT_ASSIGNABLE = "这张叫车单现在是“{status}”，不能派车。"
DRIVER_BUSY = "{name}（{plate}）正在执行另一张叫车单，请选择其他司机。"
DRIVER_INACTIVE = "这位司机已停用，请选择其他司机。"
DRIVER_OFF_DUTY = "{name}（{plate}）现在不在岗（已下班），请选择在岗的司机。"
WRONG_STATUS = "这张叫车单现在是“{status}”，不能改为“{target}”。"
NOT_FOUND = "找不到这张叫车单。"
NEED_PICKUP = "请填写上车地点。"
NEED_CALLER = "请填写来电者姓名或电话号码。"
BAD_ETA = "预计到达时间请填 1 到 120 分钟。"
DUPLICATE = "这位来电者已经有 {count} 张没有结束的叫车单，没有下新单。"


class RideError(Exception):
    """A ride change refused for a reason the operator should read (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RideConflict(RideError):
    """Someone else changed the ride (or took the driver) first."""


class RideNotFound(RideError):
    def __init__(self) -> None:
        super().__init__(NOT_FOUND)


@dataclass(frozen=True)
class OpenRide:
    """A ride not yet finished, as the duplicate-order warning lists it."""

    ride_id: int
    status_label: str
    pickup: str


class DuplicateOrder(RideConflict):
    """The caller already has rides not yet finished (`open_rides`, oldest first): no new
    ride was queued. The consoles show them and offer to order again with `duplicate_ok`."""

    def __init__(self, open_rides: list[OpenRide]) -> None:
        super().__init__(DUPLICATE.format(count=len(open_rides)))
        self.open_rides = open_rides


# --- creating ---------------------------------------------------------------------------


def queue(
    session: Session,
    *,
    now: datetime,
    created_by_staff_id: int | None,
    person_id: int | None = None,
    caller_name: str | None = None,
    caller_number: str | None = None,
    pickup_place_id: int | None = None,
    pickup_address: str | None = None,
    destination: str | None = None,
    to_hospital: bool = False,
    duplicate_ok: bool = True,
) -> Ride:
    """A back-office order (后台下单) for someone who phoned an operator; queued at once.

    The person is the one given, else the one registered with `caller_number`; an
    unregistered caller's name is kept on the ride (`caller_name`), not made into a person
    record nobody verified. The pickup is the saved place given, else the free-text
    address, else the person's home.

    With `duplicate_ok=False` (the consoles' first try) a caller who has a ride not yet
    finished gets `DuplicateOrder` and nothing is queued. The check and the insert run
    under a lock on the caller (`_lock_caller`), so two operators ordering for the same
    person at the same instant make one ride; the second is told of it.
    """
    caller_name = (caller_name or "").strip() or None
    pickup_address = (pickup_address or "").strip() or None
    destination = (destination or "").strip() or None
    person = _resolve_person(session, person_id, caller_number, caller_name)
    if not duplicate_ok and (person is not None or caller_number):
        _lock_caller(session, person.id if person is not None else None, caller_number)
        found = open_rides(
            session, number=caller_number, person_id=person.id if person is not None else None
        )
        if found:
            raise DuplicateOrder(found)
    place = _resolve_place(session, person, pickup_place_id, pickup_address)
    if place is None and pickup_address is None:
        raise RideError(NEED_PICKUP)
    age = age_on(person.birth_date, now.date()) if person is not None else None
    hospital_trip = to_hospital or (place is not None and place.kind == PlaceKind.HOSPITAL)
    ride = Ride(
        person_id=person.id if person is not None else None,
        caller_number=caller_number,
        caller_name=None if person is not None else caller_name,
        pickup_place_id=place.id if place is not None else None,
        pickup_address=pickup_address or (place.address if place is not None else None),
        destination=destination,
        to_hospital=hospital_trip,
        priority=ride_priority(age=age, to_hospital=hospital_trip),
        status=RideStatus.QUEUED,
        queued_at=now,
        cash_payment=True,
        created_by_staff_id=created_by_staff_id,
    )
    session.add(ride)
    session.flush()
    return ride


def open_rides(
    session: Session, *, number: str | None, person_id: int | None
) -> list[OpenRide]:
    """The rides not yet finished of a caller: placed from the number, or of the person
    registered with it, or of the person given. Oldest first.

    Two lookups, by person and by number, each on its own index. One query with an OR of
    the two reads every live ride on PostgreSQL: with a subquery in it always, and without
    one once a plan made while the table was small is kept (docs/performance.md)."""
    people = {person_id} if person_id is not None else set()
    if number:
        people.update(
            session.scalars(select(PersonPhone.person_id).where(PersonPhone.number == number))
        )
    who: list[ColumnElement[bool]] = [Ride.person_id.in_(sorted(people))] if people else []
    if number:
        who.append(Ride.caller_number == number)
    found: dict[int, Ride] = {}
    for condition in who:
        found.update(
            (r.id, r) for r in session.scalars(select(Ride).where(Ride.status.in_(LIVE), condition))
        )
    return [
        OpenRide(r.id, STATUS_LABELS[r.status], r.pickup_address or "（见录音）")
        for _, r in sorted(found.items())
    ]


def _lock_caller(session: Session, person_id: int | None, number: str | None) -> None:
    """Serialise orders for one caller until the transaction ends: a transaction-scoped
    advisory lock on PostgreSQL, keyed on the person (else the number), so two orders
    for the same person wait for each other and others do not; on SQLite a no-op write
    takes the database write lock (the same effect, for every order)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE rides SET id = id WHERE id = -1"))
        return
    key = f"ride-order:person:{person_id}" if person_id is not None else f"ride-order:{number}"
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": digest})


def _resolve_person(
    session: Session, person_id: int | None, number: str | None, name: str | None
) -> Person | None:
    if person_id is not None:
        person = session.get(Person, person_id)
        if person is None:
            raise RideError("找不到这位老人的登记信息。")
        return person
    if number:
        person = session.scalar(
            select(Person).join(PersonPhone).where(PersonPhone.number == number)
        )
        if person is not None:
            return person
    if name is None and number is None:
        raise RideError(NEED_CALLER)
    return None


def _resolve_place(
    session: Session, person: Person | None, place_id: int | None, address: str | None
) -> SavedPlace | None:
    if place_id is not None:
        place = session.get(SavedPlace, place_id)
        if place is None or person is None or place.person_id != person.id:
            raise RideError("这个常用地点不属于这位老人。")
        return place
    if address is None and person is not None:
        return next((p for p in person.places if p.kind == PlaceKind.HOME), None)
    return None


# --- assigning --------------------------------------------------------------------------


def assign_driver(
    session: Session,
    *,
    ride_id: int,
    driver_id: int,
    eta_minutes: int,
    expected_version: int,
    notify_voice_call: bool = True,
) -> Ride:
    """Give the ride to a driver and tell the caller and family (SMS, optional call).

    Raises RideConflict when the ride changed since the operator saw `expected_version`,
    is no longer waiting for a car, or the driver is not on duty (or stopped) or already
    has an active ride (app/taxi/fleet.py has the duty rules).
    """
    if not 1 <= eta_minutes <= 120:
        raise RideError(BAD_ETA)
    ride = _locked_ride(session, ride_id)
    _check_version(ride, expected_version)
    if ride.status not in ASSIGNABLE:
        raise RideConflict(NOT_ASSIGNABLE.format(status=STATUS_LABELS[ride.status]))
    driver = _locked_driver(session, driver_id)
    busy = session.scalar(
        select(func.count(Ride.id)).where(
            Ride.driver_id == driver.id, Ride.status.in_(UNDER_WAY), Ride.id != ride.id
        )
    )
    if busy:
        raise RideConflict(DRIVER_BUSY.format(name=driver.name, plate=driver.plate))
    ride.driver_id = driver.id
    ride.eta_minutes = eta_minutes
    ride.status = RideStatus.ASSIGNED
    _flush(session, ride)
    notify_assigned(session, ride, driver, notify_voice_call=notify_voice_call)
    return ride


# --- other transitions ------------------------------------------------------------------


def mark_arriving(session: Session, *, ride_id: int, expected_version: int) -> Ride:
    return _move(session, ride_id, expected_version, (RideStatus.ASSIGNED,), RideStatus.ARRIVING)


def mark_picked_up(session: Session, *, ride_id: int, expected_version: int) -> Ride:
    allowed = (RideStatus.ASSIGNED, RideStatus.ARRIVING)
    return _move(session, ride_id, expected_version, allowed, RideStatus.PICKED_UP)


def mark_completed(
    session: Session, *, ride_id: int, expected_version: int, cash_payment: bool = True
) -> Ride:
    """The trip is over; the fare was paid in cash to the driver (offline settlement)."""
    allowed = (RideStatus.ARRIVING, RideStatus.PICKED_UP)
    ride = _move(session, ride_id, expected_version, allowed, RideStatus.COMPLETED)
    ride.cash_payment = cash_payment
    return ride


def cancel(
    session: Session,
    *,
    ride_id: int,
    expected_version: int,
    reason: str,
    notify: bool = True,
    by_number: str | None = None,
) -> Ride:
    """Cancel; an assigned driver is told by SMS with the reason, and so is the caller.
    A ride a relative ordered for the person is theirs to wait for: the person is told
    too (`tell_passenger_cancelled`), unless they cancelled it themself from `by_number`.
    `notify=False` leaves telling the caller to the change that caused it (a stopped
    clinic session tells the patient of the appointment and the ride in one message)."""
    reason = reason.strip()[:100] or "调度员取消"
    ride = _locked_ride(session, ride_id)
    _check_version(ride, expected_version)
    _check_from(ride, CANCELLABLE, RideStatus.CANCELLED)
    had_driver = ride.status in UNDER_WAY and ride.driver_id is not None
    caller_waiting = ride.status not in (RideStatus.DRAFT, RideStatus.CALLER_HUNG_UP)
    ride.status = RideStatus.CANCELLED
    ride.cancel_reason = reason
    _flush(session, ride)
    if had_driver:
        driver = session.get(Driver, ride.driver_id)
        if driver is not None:
            send_sms(
                session,
                driver.phone,
                texts.sms("ride_cancelled_driver", ride_id=ride.id, reason=reason),
                f"ride:{ride.id}:cancelled:sms:driver:{driver.id}",
            )
    if ride.caller_number and caller_waiting and notify:
        tell_caller_cancelled(session, ride)
    if caller_waiting and notify:
        tell_passenger_cancelled(session, ride, by_number=by_number)
    return ride


def no_car_found(
    session: Session, *, ride_id: int, expected_version: int, notify_voice_call: bool = True
) -> Ride:
    """No car is available: tell the caller; the ride stays in the queue (status no_car)."""
    allowed = (RideStatus.QUEUED, RideStatus.CALLER_HUNG_UP, RideStatus.HANDED_TO_PERSON)
    ride = _move(session, ride_id, expected_version, allowed, RideStatus.NO_CAR)
    if ride.caller_number:
        # A fixed line cannot read an SMS: it gets the call below whatever was asked.
        landline = is_fixed_line(ride.caller_number)
        if not landline:
            send_sms(
                session,
                ride.caller_number,
                texts.sms("ride_no_car"),
                f"ride:{ride.id}:no_car:sms:{ride.caller_number}",
            )
        if notify_voice_call or landline:
            enqueue_message(
                session,
                kind=OutboxKind.CALL,
                to_number=ride.caller_number,
                body=texts.voice("ride_no_car"),
                idempotency_key=f"ride:{ride.id}:no_car:call:{ride.caller_number}",
            )
    return ride


def keep_waiting(session: Session, *, ride_id: int, expected_version: int) -> Ride:
    """The caller told "no car" phoned back to keep waiting: the ride is queued again with
    its priority and its place in the queue (`queued_at`) kept."""
    return _move(session, ride_id, expected_version, (RideStatus.NO_CAR,), RideStatus.QUEUED)


BOOKING_NOT_CONFIRMED_HUNG_UP = "预约没有确认，来电者已挂断"
BOOKING_NOT_CONFIRMED_HANDED = "预约没有确认，已转人工"


def settle_call_drafts(session: Session, *, call_id: str, handed_to_person: bool) -> list[Ride]:
    """A call ended or was handed to a person: no request it opened stays "通话中".

    Each draft of a ride now the call left becomes "handed to a person" (an operator took
    the caller) or "caller hung up"; both wait in the queue for an operator to assign,
    call back or cancel. A draft of a ride booked ahead (`pickup_at`) was never confirmed
    and nobody waits for it now: it is cancelled (`abandon_draft`), never put in the live
    queue, where a car could be sent at once for a pickup days later. Drafts only: a ride
    the caller confirmed is not touched.
    """
    drafts = list(
        session.scalars(
            select(Ride).where(Ride.call_id == call_id, Ride.status == RideStatus.DRAFT)
        )
    )
    for ride in drafts:
        abandon_draft(session, ride, handed_to_person=handed_to_person)
    if drafts:
        _flush(session, drafts[0])
    return drafts


def abandon_draft(session: Session, ride: Ride, *, handed_to_person: bool) -> None:
    """The call left this draft unconfirmed. A ride now waits for an operator ("来电者已挂断"
    or "已转人工"); a booking is cancelled with the reason (no SMS: it was never confirmed)."""
    if ride.status != RideStatus.DRAFT:
        return
    if ride.pickup_at is not None:
        ride.status = RideStatus.CANCELLED
        ride.cancel_reason = (
            BOOKING_NOT_CONFIRMED_HANDED if handed_to_person else BOOKING_NOT_CONFIRMED_HUNG_UP
        )
        return
    ride.status = RideStatus.HANDED_TO_PERSON if handed_to_person else RideStatus.CALLER_HUNG_UP


# --- helpers ----------------------------------------------------------------------------


def _locked_ride(session: Session, ride_id: int) -> Ride:
    """Load the ride under a row lock (a write lock on SQLite), with fresh values."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks; a no-op write takes the database write lock now, so the
        # checks below read what no other writer can change before we commit.
        session.execute(text("UPDATE rides SET version = version WHERE id = :id"), {"id": ride_id})
    ride = session.get(Ride, ride_id, with_for_update=True, populate_existing=True)
    if ride is None:
        raise RideNotFound()
    return ride


def _locked_driver(session: Session, driver_id: int, *, on_duty_now: bool = True) -> Driver:
    """The driver under a row lock; active, and on duty unless `on_duty_now` is False (a
    driver named ahead for a booked ride)."""
    driver = session.get(Driver, driver_id, with_for_update=True, populate_existing=True)
    if driver is None:
        raise RideError("找不到这位司机。")
    if not driver.active or not driver.company.active:
        raise RideConflict(DRIVER_INACTIVE)
    if on_duty_now and not driver.on_duty:
        # A forged or stale form, or another operator took the driver off duty just now.
        raise RideConflict(DRIVER_OFF_DUTY.format(name=driver.name, plate=driver.plate))
    return driver


def _check_version(ride: Ride, expected_version: int) -> None:
    if ride.version != expected_version:
        raise RideConflict(STALE.format(status=STATUS_LABELS[ride.status]))


def _check_from(ride: Ride, allowed: Iterable[RideStatus], target: RideStatus) -> None:
    if ride.status not in tuple(allowed):
        raise RideConflict(
            WRONG_STATUS.format(status=STATUS_LABELS[ride.status], target=STATUS_LABELS[target])
        )


def _move(
    session: Session,
    ride_id: int,
    expected_version: int,
    allowed: tuple[RideStatus, ...],
    target: RideStatus,
) -> Ride:
    ride = _locked_ride(session, ride_id)
    _check_version(ride, expected_version)
    _check_from(ride, allowed, target)
    ride.status = target
    _flush(session, ride)
    return ride


def _flush(session: Session, ride: Ride) -> None:
    """Write the change; the version check in the UPDATE is the last line of defence."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise RideConflict(STALE.format(status="已更新")) from exc
