"""app.taxi.history on the real database (SQLite and PostgreSQL): search, filters, pages,
and which hospital a hospital trip went to."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import Database
from app.people.enums import PlaceKind
from app.people.models import SavedPlace
from app.taxi import history, rides
from app.taxi.enums import RideStatus
from app.taxi.history import HistoryQuery
from app.taxi.models import Driver, Ride
from support.demo import demo_data

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Kunming
ZHANG = "+8613800000001"
WANG = "+8613800000002"


@pytest.fixture
def demo(db: Database) -> Database:
    demo_data(db, today=NOW.date())
    return db


def _ride(db: Database, number: str | None, *, at: datetime = NOW, **kw: object) -> int:
    with db.session() as session:
        ride = rides.queue(session, now=at, created_by_staff_id=None, caller_number=number,
                           **kw)  # type: ignore[arg-type]
        ride.created_at = at
        return ride.id


def _version(session: Session, ride_id: int) -> int:
    ride = session.get(Ride, ride_id)
    assert ride is not None
    return ride.version


def _ids(db: Database, **kw: object) -> list[int]:
    with db.session() as session:
        page = history.search(session, HistoryQuery(**kw))  # type: ignore[arg-type]
        return [r.ride_id for r in page.rows]


def test_search_by_name_number_tail_and_plate(demo: Database) -> None:
    zhang = _ride(demo, ZHANG)
    wang = _ride(demo, WANG)
    stranger = _ride(demo, None, caller_name="李大爷", pickup_address="北京路1号")
    with demo.session() as session:
        liu = session.scalars(select(Driver.id).where(Driver.plate == "云A·D1234")).one()
        rides.assign_driver(session, ride_id=wang, driver_id=liu, eta_minutes=5,
                            expected_version=_version(session, wang))
    assert _ids(demo, text="张奶奶") == [zhang]  # registered call name
    assert _ids(demo, text="李大爷") == [stranger]  # the name an unregistered caller gave
    assert _ids(demo, text="0001") == [zhang]  # number tail
    assert _ids(demo, text="13800000002") == [wang]  # the whole number
    # However it was typed or pasted: country code, spaces, dashes, brackets.
    for typed in ("+86 138-0000-0002", "+8613800000002", "0086 138 0000 0002",
                  "（+86）13800000002", "138-0000-0002", " +86 138 0000 0002 "):
        assert _ids(demo, text=typed) == [wang], typed
    assert sorted(_ids(demo, text="+86 138")) == sorted([zhang, wang])  # a number's start
    assert _ids(demo, text="+86 139") == []
    assert _ids(demo, text="d1234") == [wang]  # plate part, any case
    assert _ids(demo, text="云A·D1234") == [wang] == _ids(demo, text="云AD1234")
    assert _ids(demo, text="刘师傅") == [wang]  # the driver's name
    assert _ids(demo, text="1234") == [wang]  # digits: number tail or plate digits
    assert _ids(demo, text="王五麻子") == []
    assert _ids(demo, text="%") == []  # no wildcard injection


def test_a_nul_character_in_the_search_is_ignored(demo: Database) -> None:
    """A NUL cannot be a PostgreSQL text parameter: it is dropped, not a server error."""
    zhang = _ride(demo, ZHANG)
    _ride(demo, WANG)
    assert _ids(demo, text="张奶\x00奶") == [zhang]
    assert len(_ids(demo, text="\x00")) == 2


def test_status_and_local_date_filters(demo: Database) -> None:
    # 2026-11-29 23:30 in Kunming is 15:30 UTC the same day; 00:30 on the 30th is 16:30 UTC.
    late = _ride(demo, ZHANG, at=datetime(2026, 11, 29, 15, 30, tzinfo=UTC))
    early = _ride(demo, WANG, at=datetime(2026, 11, 29, 16, 30, tzinfo=UTC))
    cancelled = _ride(demo, "+8613800000003", at=NOW)
    with demo.session() as session:
        rides.cancel(session, ride_id=cancelled, expected_version=_version(session, cancelled),
                     reason="重复下单")
    assert _ids(demo, date_from=date(2026, 11, 30)) == [cancelled, early]
    assert _ids(demo, date_to=date(2026, 11, 29)) == [late]
    assert _ids(demo, date_from=date(2026, 11, 29), date_to=date(2026, 11, 29)) == [late]
    assert _ids(demo, statuses=(RideStatus.CANCELLED,)) == [cancelled]
    assert _ids(demo, statuses=(RideStatus.QUEUED, RideStatus.CANCELLED)) == [
        cancelled, early, late
    ]
    with demo.session() as session:
        (row,) = history.search(session, HistoryQuery(text="0003")).rows
    assert row.status_label == "已取消" and row.cancel_reason == "重复下单"


def test_pages_of_twenty_five_newest_first(demo: Database) -> None:
    made = [
        _ride(demo, None, caller_name=f"来电者{i}", pickup_address="北京路1号",
              at=NOW - timedelta(minutes=60 - i))
        for i in range(history.PAGE_SIZE + 3)
    ]
    with demo.session() as session:
        first = history.search(session, HistoryQuery())
        second = history.search(session, HistoryQuery(page=2))
        beyond = history.search(session, HistoryQuery(page=99))
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (28, 2, 25, 3)
    assert [r.ride_id for r in first.rows + second.rows] == list(reversed(made))
    assert beyond.page == 2  # past the end: the last page


def test_a_hospital_trip_shows_which_hospital(demo: Database) -> None:
    named = _ride(demo, ZHANG, to_hospital=True, destination="春城第一人民医院")
    unnamed = _ride(demo, WANG, to_hospital=True)  # the flow writes "医院" without a usual one
    with demo.session() as session:
        session.get(Ride, unnamed).destination = "医院"  # type: ignore[union-attr]
        place = session.scalars(
            select(SavedPlace).where(SavedPlace.kind == PlaceKind.HOSPITAL)
        ).first()
        assert place is not None
        person_id, place_id, label = place.person_id, place.id, place.label
    home_from_hospital = _ride(demo, None, person_id=person_id, pickup_place_id=place_id)
    plain = _ride(demo, "+8613800000003")
    with demo.session() as session:
        shown = {r.ride_id: r.hospital for r in history.search(session, HistoryQuery()).rows}
    assert shown[named] == "春城第一人民医院"
    assert shown[unnamed] == "医院（没有说明哪一家）"
    assert shown[home_from_hospital] == f"从{label}出发"
    assert shown[plain] is None
