"""app.taxi.fleet on the real database (SQLite and PostgreSQL): validation, duty status,
what assignment offers, and the races between duty changes and assignments."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.db import Database
from app.notify.models import OutboxMessage
from app.taxi import fleet, rides
from app.taxi import queue as ride_queue
from app.taxi.enums import RideStatus, VehicleType
from app.taxi.models import Driver, Ride, TaxiCompany
from support.demo import demo_data

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
ZHANG = "+8613800000001"  # home in 五华区
WANG = "+8613800000002"


@pytest.fixture
def demo(db: Database) -> Database:
    demo_data(db, today=NOW.date())
    return db


def _order(db: Database, number: str | None = ZHANG, **kw: object) -> int:
    with db.session() as session:
        return rides.queue(
            session, now=NOW, created_by_staff_id=None, caller_number=number, **kw  # type: ignore[arg-type]
        ).id


def _driver(db: Database, plate: str) -> Driver:
    with db.session() as session:
        driver = session.scalars(select(Driver).where(Driver.plate == plate)).one()
        session.expunge(driver)
        return driver


def _company(db: Database, name: str = "春城出租汽车有限公司") -> int:
    with db.session() as session:
        return session.scalars(select(TaxiCompany.id).where(TaxiCompany.name == name)).one()


def _add_driver(db: Database, plate: str = "云A·K2026", **kw: object) -> int:
    fields: dict[str, object] = {
        "company_id": _company(db), "name": "赵师傅", "phone": "137 0000 0099",
        "plate": plate, "vehicle_type": VehicleType.SEDAN, "accessible": False,
    }
    fields.update(kw)
    with db.session() as session:
        return fleet.save_driver(session, **fields).id  # type: ignore[arg-type]


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("云A·D1234", "云A·D1234"),
        ("云a d1234", "云A·D1234"),
        ("云A-12345", "云A·12345"),
        ("京B12D45", "京B·12D45"),
        ("云AD12345", "云A·D12345"),  # new energy, small car
        ("云A12345F", "云A·12345F"),  # new energy, large car
    ],
)
def test_plates_of_mainland_china_are_accepted_and_written_one_way(typed: str, stored: str) -> None:
    assert fleet.normalise_plate(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "A·D1234", "XA·D1234", "云A·D123", "云A·D1234567", "云A·DI234", "云A·O1234",
              "粤Z·1234港", "云1·D1234"],
)
def test_what_is_not_a_plate_is_refused(typed: str) -> None:
    assert fleet.normalise_plate(typed) is None


def test_a_new_driver_is_validated_normalised_and_starts_off_duty(demo: Database) -> None:
    driver_id = _add_driver(demo, plate="云a k2026")
    with demo.session() as session:
        driver = session.get(Driver, driver_id)
        assert driver is not None
        assert (driver.plate, driver.phone, driver.on_duty, driver.active) == (
            "云A·K2026", "+8613700000099", False, True
        )
    for bad, message in [
        ({"plate": "云A·123"}, "车牌格式不对"),
        ({"plate": "云A·D1234"}, "已经登记在刘师傅名下"),
        # 刘师傅's mobile, typed another way: one number, one driver.
        ({"phone": "+86 137-0000-0001"}, "手机号 137****0001 已经登记在刘师傅名下"),
        ({"phone": "0871-5550101"}, "手机号"),  # a landline cannot get the ride by SMS
        ({"phone": "12345"}, "手机号"),
        ({"name": "  "}, "姓名"),
        ({"vehicle_type": "tractor"}, "车型"),
    ]:
        with demo.session() as session, pytest.raises(fleet.FleetError) as refused:
            fleet.save_driver(session, **{  # type: ignore[arg-type]
                "company_id": _company(demo), "name": "钱师傅", "phone": "13700000098",
                "plate": "云A·K2027", "vehicle_type": "sedan", "accessible": False, **bad,
            })
        assert message in refused.value.message, bad


def test_an_accessible_van_always_takes_a_wheelchair(demo: Database) -> None:
    driver_id = _add_driver(demo, vehicle_type="accessible_van", accessible=False)
    with demo.session() as session:
        assert session.get(Driver, driver_id).accessible  # type: ignore[union-attr]


def test_companies_validate_phone_zone_and_unique_name(demo: Database) -> None:
    with demo.session() as session:
        company = fleet.save_company(session, name="盘龙的士", phone="0871 65553200", zone="盘龙区")
        assert (company.phone, company.zone, company.active) == ("+8687165553200", "盘龙区", True)
        for typed, stored in (("13700000001", "+8613700000001"), ("400-812-3123", "+864008123123"),
                              ("010 6555 1234", "+861065551234")):
            other = fleet.save_company(session, company_id=company.id, name="盘龙的士", phone=typed)
            assert other.phone == stored, typed
        # A number saved before the stricter check stays when the company is edited.
        company.phone = "+868715553200"
        kept = fleet.save_company(
            session, company_id=company.id, name="盘龙的士", phone=company.phone
        )
        assert (kept.name, kept.phone) == ("盘龙的士", "+868715553200")
        with pytest.raises(fleet.FleetError):
            fleet.save_company(
                session, company_id=company.id, name="盘龙的士", phone="0871 5553201"
            )
    for kw, message in [
        ({"name": "盘龙的士", "phone": "13700000001"}, "已经有一家"),
        ({"name": "新公司", "phone": "abc"}, "公司电话"),
        # Possible-looking but not numbers the numbering plan has: checked with phonenumbers.
        ({"name": "新公司", "phone": "12345678"}, "公司电话"),
        ({"name": "新公司", "phone": "0871 5553200"}, "公司电话"),  # Kunming dropped 7 digits
        ({"name": "新公司", "phone": "1380000000"}, "公司电话"),  # a mobile one digit short
        ({"name": "新公司", "phone": "+1 415 555 2671"}, "公司电话"),  # not a Chinese number
        ({"name": "新公司", "phone": "13700000001", "zone": "北京路"}, "不是昆明的区县"),
        ({"name": "新公司", "phone": "13700000001", "zone": "朝阳区"}, "“朝阳区”不是昆明的区县"),
    ]:
        with demo.session() as session, pytest.raises(fleet.FleetError) as refused:
            fleet.save_company(session, **kw)  # type: ignore[arg-type]
        assert message in refused.value.message


# --- duty and what assignment offers ----------------------------------------------------


def test_only_on_duty_free_drivers_are_offered(demo: Database) -> None:
    new = _add_driver(demo)
    with demo.session() as session:
        offered = {d.plate for d, _ in ride_queue.drivers_roster(session)}
    assert "云A·K2026" not in offered and "云A·D3690" not in offered  # both off duty
    assert "云A·D1234" in offered
    with demo.session() as session:
        fleet.set_on_duty(session, driver_id=new, on_duty=True, now=NOW)
    with demo.session() as session:
        roster = dict((d.plate, free) for d, free in ride_queue.drivers_roster(session))
    assert roster["云A·K2026"] is True


def test_assigning_an_off_duty_driver_is_refused_and_nothing_is_written(demo: Database) -> None:
    ride_id = _order(demo)
    off = _driver(demo, "云A·D3690")  # 蒋师傅, off duty in the demo
    with demo.session() as session, pytest.raises(rides.RideConflict) as refused:
        rides.assign_driver(session, ride_id=ride_id, driver_id=off.id, eta_minutes=10,
                            expected_version=1)
    assert "不在岗" in refused.value.message
    with demo.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.QUEUED and ride.driver_id is None
        assert session.scalars(select(OutboxMessage)).first() is None


def test_a_stopped_driver_or_company_cannot_go_on_duty_or_be_assigned(demo: Database) -> None:
    zoned = _company(demo, "官渡爱心车队")
    sun = _driver(demo, "云A·G2580")
    with demo.session() as session:
        fleet.set_company_active(session, company_id=zoned, active=False, now=NOW)
    with demo.session() as session:
        assert session.get(Driver, sun.id).on_duty is False  # type: ignore[union-attr]
        with pytest.raises(fleet.FleetError):
            fleet.set_on_duty(session, driver_id=sun.id, on_duty=True, now=NOW)
    liu = _driver(demo, "云A·D1234")
    with demo.session() as session:
        fleet.set_driver_active(session, driver_id=liu.id, active=False, now=NOW)
    ride_id = _order(demo)
    with demo.session() as session, pytest.raises(rides.RideConflict):
        rides.assign_driver(session, ride_id=ride_id, driver_id=liu.id, eta_minutes=5,
                            expected_version=1)


def test_going_off_duty_keeps_the_ride_under_way(demo: Database) -> None:
    ride_id = _order(demo)
    liu = _driver(demo, "云A·D1234")
    with demo.session() as session:
        rides.assign_driver(session, ride_id=ride_id, driver_id=liu.id, eta_minutes=5,
                            expected_version=1)
    with demo.session() as session:
        fleet.set_on_duty(session, driver_id=liu.id, on_duty=False, now=NOW)
    with demo.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.ASSIGNED
        assert ride.driver_id == liu.id
        _, board = fleet.fleet_board(session)
        row = next(r for r in board if r.driver.id == liu.id)
        assert row.state_label == f"已下班，完成当前行程 · 叫车单 #{ride_id}（已派车）"
        assert liu.plate not in {d.plate for d, _ in ride_queue.drivers_roster(session)}
        # ... and the ride runs to its end with them.
        rides.mark_picked_up(session, ride_id=ride_id, expected_version=ride.version)
    # A driver with a ride under way cannot be stopped: the ride would lose its driver.
    with demo.session() as session, pytest.raises(fleet.FleetError) as refused:
        fleet.set_driver_active(session, driver_id=liu.id, active=False, now=NOW)
    assert f"#{ride_id}" in refused.value.message
    with demo.session() as session, pytest.raises(fleet.FleetError) as refused:
        fleet.set_company_active(session, company_id=liu.company_id, active=False, now=NOW)
    assert f"刘师傅正在执行叫车单 #{ride_id}" in refused.value.message
    with demo.session() as session:
        company = session.get(TaxiCompany, liu.company_id)
        assert company is not None and company.active  # nothing of it saved


def test_drivers_of_the_pickup_zone_are_suggested_first(demo: Database) -> None:
    guandu = _order(demo, WANG)  # 王: home in 官渡区
    wuhua = _order(demo, ZHANG)
    with demo.session() as session:
        entries = ride_queue.live_queue(session, now=NOW)
        waiting = [(e.ride_id, e.pickup_address) for e in entries if e.waiting]
        _, board = fleet.fleet_board(session, waiting=waiting)
    suggestion = {r.driver.plate: r.suggested_ride_id for r in board}
    assert suggestion["云A·G2580"] == guandu  # 官渡爱心车队, zone 官渡区, on duty
    assert suggestion["云A·G1470"] is None  # off duty
    assert suggestion["云A·D1234"] is None  # its company has no zone
    assert wuhua not in suggestion.values()
    assert fleet.in_zone("官渡区", "官渡区金马街道金马小区12栋")
    assert not fleet.in_zone(None, "官渡区金马街道")


# --- races ------------------------------------------------------------------------------


def _race(*actions: object) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action: object) -> None:
        barrier.wait()
        try:
            outcomes.append(action())  # type: ignore[operator]
        except (rides.RideError, fleet.FleetError) as exc:
            outcomes.append("refused: " + exc.message)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_one_driver_for_two_rides_at_once_one_wins_the_other_is_told(demo: Database) -> None:
    first, second = _order(demo, ZHANG), _order(demo, WANG)
    liu = _driver(demo, "云A·D1234")

    def assign(ride_id: int) -> object:
        def action() -> str:
            with demo.session() as session:
                rides.assign_driver(session, ride_id=ride_id, driver_id=liu.id,
                                    eta_minutes=10, expected_version=1)
            return f"assigned {ride_id}"
        return action

    outcomes = _race(assign(first), assign(second))
    assert len(outcomes) == 2
    won = [o for o in outcomes if o.startswith("assigned")]
    lost = [o for o in outcomes if o.startswith("refused")]
    assert len(won) == 1 and len(lost) == 1 and "另一张叫车单" in lost[0]
    with demo.session() as session:
        statuses = {r.id: (r.status, r.driver_id) for r in session.scalars(select(Ride))}
    winner = int(won[0].split()[1])
    loser = second if winner == first else first
    assert statuses[winner] == (RideStatus.ASSIGNED, liu.id)
    assert statuses[loser] == (RideStatus.QUEUED, None)  # still waiting, nothing lost


@pytest.mark.parametrize("repeat", range(3))
def test_off_duty_at_the_moment_of_assignment_ends_one_consistent_way(
    demo: Database, repeat: int
) -> None:
    ride_id = _order(demo)
    liu = _driver(demo, "云A·D1234")

    def assign() -> str:
        with demo.session() as session:
            rides.assign_driver(session, ride_id=ride_id, driver_id=liu.id, eta_minutes=10,
                                expected_version=1)
        return "assigned"

    def off_duty() -> str:
        with demo.session() as session:
            fleet.set_on_duty(session, driver_id=liu.id, on_duty=False, now=NOW)
        return "off duty"

    outcomes = _race(assign, off_duty)
    assert "off duty" in outcomes  # going off duty is never refused
    with demo.session() as session:
        ride = session.get(Ride, ride_id)
        driver = session.get(Driver, liu.id)
        assert ride is not None and driver is not None and driver.on_duty is False
        sent = session.scalars(select(OutboxMessage)).all()
    if "assigned" in outcomes:  # assignment first: the driver keeps the ride
        assert ride.status == RideStatus.ASSIGNED and ride.driver_id == liu.id and sent
    else:  # duty change first: the assignment was refused, the ride still waits
        assert any("不在岗" in o for o in outcomes)
        assert ride.status == RideStatus.QUEUED and ride.driver_id is None and not sent


def test_the_drivers_marker_changes_with_duty_and_only_then(demo: Database) -> None:
    with demo.session() as session:
        first = fleet.change_marker(session)
        assert fleet.change_marker(session) == first
    jiang = _driver(demo, "云A·D3690")
    with demo.session() as session:
        fleet.set_on_duty(session, driver_id=jiang.id, on_duty=True, now=NOW)
    with demo.session() as session:
        on = fleet.change_marker(session)
        fleet.set_on_duty(session, driver_id=jiang.id, on_duty=False, now=NOW)
    with demo.session() as session:
        off = fleet.change_marker(session)
    assert len({first, on, off}) == 3


def test_the_database_refuses_a_second_driver_with_the_same_mobile(demo: Database) -> None:
    liu = _driver(demo, "云A·D1234")
    with pytest.raises(IntegrityError), demo.session() as session:
        session.add(Driver(company_id=liu.company_id, name="假师傅", phone=liu.phone,
                           plate="云A·K9999", active=True, on_duty=False))
        session.flush()


@pytest.mark.parametrize("repeat", range(2))
def test_two_operators_adding_one_mobile_at_once_one_driver_is_saved(
    demo: Database, repeat: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both pass the "number on file?" check before either writes: the constraint decides.
    checked = threading.Barrier(2)
    real_flush = Session.flush

    def flush_after_both_checked(self: Session, *args: object, **kw: object) -> None:
        if any(isinstance(o, Driver) for o in self.new):
            with contextlib.suppress(threading.BrokenBarrierError):
                checked.wait(timeout=2)
        real_flush(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Session, "flush", flush_after_both_checked)

    def add(plate: str) -> object:
        def action() -> str:
            return f"saved {_add_driver(demo, plate=plate, phone='13700000099')}"
        return action

    outcomes = _race(add("云A·K2026"), add("云A·K2027"))
    assert sorted(o.split()[0] for o in outcomes) == ["refused:", "saved"], outcomes
    refused = next(o for o in outcomes if o.startswith("refused"))
    assert "137****0099" in refused and "一个手机号只能登记一位司机" in refused
    with demo.session() as session:
        holders = session.scalars(select(Driver).where(Driver.phone == "+8613700000099")).all()
        assert len(holders) == 1
