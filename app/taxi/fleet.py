"""Taxi companies and drivers: validation, changes, duty status, and the fleet board.

Operators (and admins) keep the fleet on the dispatch console (`/dispatch/fleet`). Every
command here is one unit of work on a passed `Session` (the route commits) and takes
keyword-only arguments; a refusal raises `FleetError` with a Chinese message.

Rules (docs/dispatch.md, "Drivers and fleet"):

- A plate is a mainland China plate: a province abbreviation, the city letter and five
  characters (letters without I and O, or digits), or six for a new-energy car
  (D/F + five, or five digits + D/F). It is stored as `云A·D1234` whatever separator
  was typed, and is unique.
- A driver's phone must be a mobile (the driver gets the ride by SMS); a company's may be
  a landline.
- Duty: only active drivers of active companies go on duty, and only drivers on duty and
  without a ride under way are offered for a ride (`app.taxi.queue.drivers_roster`,
  checked again in `app.taxi.rides.assign_driver`). Going off duty while a ride is under
  way is allowed and keeps the ride: the driver finishes it and is offered for no new one.
  Deactivating a driver (or a company) with a ride under way is refused.
- Duty changes take the driver's row lock (a write lock on SQLite), as assignment does, so
  a driver taken off duty at the moment another operator assigns them ends one of two
  ways: the assignment came first (the driver keeps the ride, now off duty), or the duty
  change came first (the assignment is refused with "已下班").
- A driver's mobile is unique: two drivers with one number would get each other's rides.
- Zone: a company may give one of Kunming's districts or counties (五华区,
  `app.people.places.KUNMING_DISTRICTS`), nothing else. A ride's pickup is "in the zone" when
  its pickup address contains that name; no geocoding. Drivers of a company whose zone
  holds the pickup are offered first for that ride, and the fleet board suggests to each
  free driver of a zoned company the first waiting ride (queue order) in its zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.people.phones import chinese_business_number, is_mobile, mask_number, normalise_number
from app.people.places import KUNMING_DISTRICTS
from app.taxi.enums import VehicleType
from app.taxi.models import Driver, Ride, TaxiCompany
from app.taxi.rides import STATUS_LABELS, UNDER_WAY

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"  # plates never use I or O
_PLATE = re.compile(
    rf"^(?P<province>[{PROVINCES}])(?P<city>[A-Z])"
    rf"(?P<serial>[{_LETTER}0-9]{{5}}|[DF][{_LETTER}0-9][0-9]{{4}}|[0-9]{{5}}[DF])$"
)
_SEPARATORS = re.compile(r"[\s·•・.\-－—]")

BAD_PLATE = "车牌格式不对，请按“云A·D1234”填写（新能源车牌六位，如“云A·D12345”）。"
PLATE_TAKEN = "车牌 {plate} 已经登记在{name}名下。"
BAD_DRIVER_PHONE = "请填写司机的手机号（11位，派车短信发到这个号码）。"
BAD_COMPANY_PHONE = (
    "公司电话不对：请填写11位手机号，或带区号的座机号（如 0871-65551234），或400电话。"
)
NEED_NAME = "请填写姓名。"
NEED_COMPANY_NAME = "请填写公司名称。"
COMPANY_TAKEN = "已经有一家叫“{name}”的公司。"
BAD_ZONE = "服务区域“{zone}”不是昆明的区县。请从列表里选一个（例如“五华区”），或者不填。"
PHONE_TAKEN = "手机号 {number} 已经登记在{name}名下，一个手机号只能登记一位司机。"
OTHER = "另一位司机"
NO_COMPANY = "找不到这家出租车公司。"
COMPANY_INACTIVE = "这家公司已停用，请选择其他公司或先启用它。"
NO_DRIVER = "找不到这位司机。"
DRIVER_INACTIVE = "这位司机已停用，不能上岗。请先启用。"
BUSY_CANNOT_DEACTIVATE = "{name}正在执行叫车单 #{ride_id}，请先完成或取消这张单，再停用。"
COMPANY_BUSY = "这家公司的{name}正在执行叫车单 #{ride_id}，请先完成或取消这张单，再停用公司。"
BAD_VEHICLE = "请选择车型。"


class FleetError(Exception):
    """A fleet change refused for a reason the operator should read (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- validation -------------------------------------------------------------------------


def normalise_plate(raw: str) -> str | None:
    """`云a d1234`, `云A-D1234`, `云AD1234` -> `云A·D1234`; None if it is not a plate."""
    plate = _SEPARATORS.sub("", raw or "").upper()
    match = _PLATE.match(plate)
    if match is None:
        return None
    return f"{match['province']}{match['city']}·{match['serial']}"


def _name(raw: str, message: str = NEED_NAME, limit: int = 50) -> str:
    name = (raw or "").strip()
    if not name or len(name) > limit:
        raise FleetError(message)
    return name


def _zone(raw: str | None) -> str | None:
    zone = (raw or "").strip()
    if not zone:
        return None
    if zone not in KUNMING_DISTRICTS:
        raise FleetError(BAD_ZONE.format(zone=zone[:30]))
    return zone


def in_zone(zone: str | None, pickup_address: str | None) -> bool:
    """The rule for "near": the pickup address names the company's district."""
    return bool(zone and pickup_address and zone in pickup_address)


# --- companies --------------------------------------------------------------------------


def save_company(
    session: Session, *, company_id: int | None = None, name: str, phone: str,
    zone: str | None = None,
) -> TaxiCompany:
    """Add a company (company_id None) or change one."""
    name = _name(name, NEED_COMPANY_NAME, 100)
    number = chinese_business_number(phone) if (phone or "").strip() else None
    if number is None and company_id is not None and (phone or "").strip():
        # The number on file, kept unchanged, although saved before the stricter check.
        on_file = _company(session, company_id).phone
        number = on_file if on_file and normalise_number(phone) == on_file else None
    if number is None:
        raise FleetError(BAD_COMPANY_PHONE)
    zone_name = _zone(zone)
    clash = session.scalar(
        select(TaxiCompany.id).where(TaxiCompany.name == name, TaxiCompany.id != (company_id or 0))
    )
    if clash is not None:
        raise FleetError(COMPANY_TAKEN.format(name=name))
    if company_id is None:
        company = TaxiCompany(name=name, phone=number, zone=zone_name, active=True)
        session.add(company)
    else:
        company = _company(session, company_id)
        company.name, company.phone, company.zone = name, number, zone_name
    session.flush()
    return company


def set_company_active(
    session: Session, *, company_id: int, active: bool, now: datetime
) -> TaxiCompany:
    """Stop (or resume) a company: a stopped company's drivers go off duty and are offered
    for nothing; refused while one of them has a ride under way."""
    company = _company(session, company_id)
    if not active:
        if session.get_bind().dialect.name == "sqlite":
            # No row locks: a write takes the database write lock now, as rides.py does.
            session.execute(
                text("UPDATE taxi_companies SET active = active WHERE id = :id"),
                {"id": company.id},
            )
        # Lock the drivers first (as assignment does), then look for rides under way.
        drivers = list(
            session.scalars(
                select(Driver)
                .where(Driver.company_id == company.id)
                .order_by(Driver.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        )
        busy = session.execute(
            select(Driver.name, Ride.id)
            .join(Ride, Ride.driver_id == Driver.id)
            .where(Driver.company_id == company.id, Ride.status.in_(UNDER_WAY))
            .limit(1)
        ).first()
        if busy is not None:
            raise FleetError(COMPANY_BUSY.format(name=busy[0], ride_id=busy[1]))
        for driver in drivers:
            if driver.on_duty:
                driver.on_duty = False
                driver.duty_changed_at = now
    company.active = active
    session.flush()
    return company


def _company(session: Session, company_id: int) -> TaxiCompany:
    company = session.get(TaxiCompany, company_id)
    if company is None:
        raise FleetError(NO_COMPANY)
    return company


# --- drivers ----------------------------------------------------------------------------


def save_driver(
    session: Session, *, driver_id: int | None = None, company_id: int, name: str,
    phone: str, plate: str, vehicle_type: VehicleType | str, accessible: bool,
    volunteer: bool = False,
) -> Driver:
    """Add a driver (driver_id None; off duty until put on duty) or change one."""
    name = _name(name)
    number = normalise_number(phone) if (phone or "").strip() else None
    if number is None or not is_mobile(number):
        raise FleetError(BAD_DRIVER_PHONE)
    normalised = normalise_plate(plate)
    if normalised is None:
        raise FleetError(BAD_PLATE)
    try:
        kind = VehicleType(vehicle_type)
    except ValueError as exc:
        raise FleetError(BAD_VEHICLE) from exc
    company = _company(session, company_id)
    owner = session.execute(
        select(Driver.id, Driver.name).where(Driver.plate == normalised)
    ).first()
    if owner is not None and owner[0] != driver_id:
        raise FleetError(PLATE_TAKEN.format(plate=normalised, name=owner[1]))
    holder = session.execute(
        select(Driver.id, Driver.name).where(Driver.phone == number, Driver.id != (driver_id or 0))
    ).first()
    if holder is not None:
        raise FleetError(PHONE_TAKEN.format(number=mask_number(number), name=holder[1]))
    if driver_id is None:
        if not company.active:
            raise FleetError(COMPANY_INACTIVE)
        driver = Driver(company_id=company.id, active=True, on_duty=False)
        session.add(driver)
    else:
        driver = _driver(session, driver_id)
        if driver.company_id != company.id and not company.active:
            raise FleetError(COMPANY_INACTIVE)
    driver.company_id = company.id
    driver.name, driver.phone, driver.plate = name, number, normalised
    driver.vehicle_type = kind
    # An accessible van takes a wheelchair by definition; other cars as ticked.
    driver.accessible = accessible or kind == VehicleType.ACCESSIBLE_VAN
    driver.volunteer = volunteer
    try:
        session.flush()
    except IntegrityError as exc:
        # Another operator saved the same mobile or plate at this very moment: the unique
        # constraints (migration 0024 for the mobile) decide. The session must be rolled
        # back now (the console does), so the loser is told without a name.
        if "phone" in str(exc.orig):
            raise FleetError(PHONE_TAKEN.format(number=mask_number(number), name=OTHER)) from exc
        raise FleetError(PLATE_TAKEN.format(plate=normalised, name=OTHER)) from exc
    return driver


def set_on_duty(session: Session, *, driver_id: int, on_duty: bool, now: datetime) -> Driver:
    """Put a driver on or off duty. Off duty keeps a ride under way (see the module)."""
    driver = _locked_driver(session, driver_id)
    if on_duty:
        if not driver.active:
            raise FleetError(DRIVER_INACTIVE)
        company = session.get(TaxiCompany, driver.company_id)
        if company is None or not company.active:
            raise FleetError(COMPANY_INACTIVE)
    if driver.on_duty != on_duty:
        driver.on_duty = on_duty
        driver.duty_changed_at = now
    session.flush()
    return driver


def set_driver_active(
    session: Session, *, driver_id: int, active: bool, now: datetime
) -> Driver:
    """Stop (or resume) a driver. Stopping takes them off duty; refused while a ride of
    theirs is under way (it would lose its driver)."""
    driver = _locked_driver(session, driver_id)
    if not active:
        ride_id = current_ride_id(session, driver.id)
        if ride_id is not None:
            raise FleetError(BUSY_CANNOT_DEACTIVATE.format(name=driver.name, ride_id=ride_id))
        if driver.on_duty:
            driver.on_duty = False
            driver.duty_changed_at = now
    else:
        company = session.get(TaxiCompany, driver.company_id)
        if company is None or not company.active:
            raise FleetError(COMPANY_INACTIVE)
    driver.active = active
    session.flush()
    return driver


def current_ride_id(session: Session, driver_id: int) -> int | None:
    return session.scalar(
        select(Ride.id).where(Ride.driver_id == driver_id, Ride.status.in_(UNDER_WAY)).limit(1)
    )


def _locked_driver(session: Session, driver_id: int) -> Driver:
    """The driver under the same lock assignment takes (row lock; write lock on SQLite)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE drivers SET id = id WHERE id = :id"), {"id": driver_id})
    driver = session.get(Driver, driver_id, with_for_update=True, populate_existing=True)
    if driver is None:
        raise FleetError(NO_DRIVER)
    return driver


def _driver(session: Session, driver_id: int) -> Driver:
    driver = session.get(Driver, driver_id)
    if driver is None:
        raise FleetError(NO_DRIVER)
    return driver


# --- the fleet board (read model) -------------------------------------------------------


def change_marker(session: Session) -> tuple[int, int, str]:
    """Changes when a driver goes on or off duty, or is stopped or resumed: the open
    consoles then refresh their assign forms (the drivers table is small: one scan)."""
    latest_change = select(func.max(Driver.duty_changed_at)).scalar_subquery()
    count, ids, latest = session.execute(
        select(
            func.count(Driver.id), func.coalesce(func.sum(Driver.id), 0), latest_change
        ).where(Driver.on_duty.is_(True), Driver.active.is_(True))
    ).one()
    return int(count), int(ids), str(latest)



@dataclass(frozen=True)
class DriverRow:
    """One driver on the fleet page: who, which car, on duty or not, doing what now."""

    driver: Driver
    company: TaxiCompany
    ride_id: int | None
    ride_status_label: str | None
    suggested_ride_id: int | None

    @property
    def free(self) -> bool:
        return self.ride_id is None

    @property
    def state_label(self) -> str:
        if not self.driver.active:
            return "已停用"
        if self.ride_id is not None:
            prefix = "在岗" if self.driver.on_duty else "已下班，完成当前行程"
            return f"{prefix} · 叫车单 #{self.ride_id}（{self.ride_status_label}）"
        return "在岗 · 空闲" if self.driver.on_duty else "下班"


@dataclass(frozen=True)
class CompanyRow:
    company: TaxiCompany
    drivers: int
    on_duty: int


def fleet_board(
    session: Session, *, waiting: list[tuple[int, str | None]] | None = None
) -> tuple[list[CompanyRow], list[DriverRow]]:
    """Companies with driver counts, and every driver with what they are doing now.

    `waiting` is the queue's waiting rides in queue order as (ride id, pickup address),
    for the zone suggestion; drivers are listed on duty first, then by company and name.
    """
    rides_now = {
        driver_id: (ride_id, status)
        for driver_id, ride_id, status in session.execute(
            select(Ride.driver_id, Ride.id, Ride.status).where(
                Ride.status.in_(UNDER_WAY), Ride.driver_id.is_not(None)
            )
        )
    }
    companies = {c.id: c for c in session.scalars(select(TaxiCompany).order_by(TaxiCompany.id))}
    drivers = session.scalars(select(Driver).order_by(Driver.company_id, Driver.id)).all()
    rows: list[DriverRow] = []
    for d in drivers:
        ride = rides_now.get(d.id)
        company = companies[d.company_id]
        suggestion = None
        if ride is None and d.on_duty and d.active and company.zone and waiting:
            suggestion = next(
                (rid for rid, address in waiting if in_zone(company.zone, address)), None
            )
        rows.append(
            DriverRow(
                driver=d, company=company,
                ride_id=ride[0] if ride else None,
                ride_status_label=STATUS_LABELS[ride[1]] if ride else None,
                suggested_ride_id=suggestion,
            )
        )
    rows.sort(key=lambda r: (not r.driver.active, not r.driver.on_duty))
    counts: dict[int, int] = {}
    on_duty: dict[int, int] = {}
    for d in drivers:
        if d.active:
            counts[d.company_id] = counts.get(d.company_id, 0) + 1
            on_duty[d.company_id] = on_duty.get(d.company_id, 0) + int(d.on_duty)
    company_rows = [
        CompanyRow(c, counts.get(c.id, 0), on_duty.get(c.id, 0)) for c in companies.values()
    ]
    return company_rows, rows
