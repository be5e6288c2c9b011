"""Registering, updating and deactivating older people on the real database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.core.db import Database
from app.people.audit import Actor
from app.people.enums import ConsentBasis, PhoneKind, PlaceKind
from app.people.models import Community, Person, PersonPhone
from app.people.registration import (
    ContactInput,
    PlaceInput,
    RegistrationError,
    deactivate_person,
    register_person,
    update_person,
)
from app.people.resident_id import make_resident_id
from support.demo import demo_data

BORN = date(1948, 3, 9)
GOOD_ID = make_resident_id("530102", BORN, 22)  # even sequence: female
MOBILE = "139 0000 1111"
LANDLINE = "0871-6660101"
DEMO_MOBILE = "+8613800000001"  # 张秀英's phone in the demo set

STAFF = Actor("翠湖社区 王主任")


@pytest.fixture
def community_id(db: Database) -> int:
    demo_data(db, today=date(2026, 11, 30))
    with db.session() as session:
        return session.scalars(select(Community.id).where(Community.name == "翠湖社区")).one()


def _register(db: Database, community_id: int, **changes: object) -> int:
    fields: dict[str, object] = {
        "full_name": "赵桂兰",
        "registered_by": "翠湖社区 王主任",
        "consent_basis": ConsentBasis.PAPER_FORM,
        "community_id": community_id,
        "id_number": GOOD_ID,
        "phones": [MOBILE, LANDLINE],
        "home": PlaceInput(label="", address="翠湖北路8号2栋1单元", landmark="菜市场对面"),
        "places": [PlaceInput(label="女儿家", address="北京路100号", kind=PlaceKind.FAMILY)],
        "contacts": [ContactInput(name="李红", relation="女儿", phone="13900002222")],
    }
    fields.update(changes)
    with db.session() as session:
        return register_person(session, **fields).id  # type: ignore[arg-type]


def _refusal(db: Database, community_id: int, **changes: object) -> RegistrationError:
    with pytest.raises(RegistrationError) as caught:
        _register(db, community_id, **changes)
    return caught.value


def test_registration_derives_birth_date_and_sex_and_records_consent(
    db: Database, community_id: int
) -> None:
    person_id = _register(db, community_id)
    with db.session() as session:
        person = session.get_one(Person, person_id)
        assert (person.birth_date, person.gender) == (BORN, "F")
        assert person.registered_by == "翠湖社区 王主任"
        assert person.consent_basis == ConsentBasis.PAPER_FORM
        assert person.registered_at is not None and person.active
        assert {(p.number, p.kind) for p in person.phones} == {
            ("+8613900001111", PhoneKind.MOBILE),
            ("+868716660101", PhoneKind.LANDLINE),
        }
        home, daughter = person.places
        assert (home.position, home.kind, home.label, home.landmark) == (
            1,
            PlaceKind.HOME,
            "家",
            "菜市场对面",
        )
        assert (daughter.position, daughter.label) == (2, "女儿家")
        (contact,) = person.contacts
        assert contact.phone == "+8613900002222"
        assert contact.may_order_taxi and contact.may_act_for and contact.notify


def test_a_wrong_check_digit_is_refused_with_the_reason(db: Database, community_id: int) -> None:
    wrong_last = GOOD_ID[:17] + ("1" if GOOD_ID[17] != "1" else "2")
    error = _refusal(db, community_id, id_number=wrong_last)
    assert error.code == "bad_id_number"
    assert error.message == "身份证号不对：身份证号的最后一位不对"


def test_the_id_may_be_left_empty_for_later(db: Database, community_id: int) -> None:
    person_id = _register(db, community_id, id_number=None)
    with db.session() as session:
        assert session.get_one(Person, person_id).id_number is None


def test_a_number_bound_to_another_person_is_refused_not_silently_moved(
    db: Database, community_id: int
) -> None:
    error = _refusal(db, community_id, phones=[DEMO_MOBILE])
    assert error.code == "phone_bound_elsewhere"
    assert "138****0001已经登记在另一位老人名下" in error.message
    assert "改绑" in error.message
    with db.session() as session:
        owner = session.scalars(
            select(Person.full_name).join(PersonPhone).where(PersonPhone.number == DEMO_MOBILE)
        ).one()
        assert owner == "张秀英"
        assert session.scalar(select(Person).where(Person.full_name == "赵桂兰")) is None


def test_an_explicit_rebind_moves_the_number(db: Database, community_id: int) -> None:
    person_id = _register(db, community_id, phones=[DEMO_MOBILE], rebind=True)
    with db.session() as session:
        owner = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == DEMO_MOBILE)
        ).one()
        assert owner == person_id


def test_more_than_ten_places_are_refused(db: Database, community_id: int) -> None:
    places = [PlaceInput(label=f"地方{i}", address=f"北京路{i}号") for i in range(10)]
    error = _refusal(db, community_id, places=places)  # plus the home: eleven
    assert error.code == "too_many_places"
    assert error.message == "最多只能保存10个常用地点（家也算一个）"


def test_a_missing_name_is_refused(db: Database, community_id: int) -> None:
    error = _refusal(db, community_id, full_name="  ")
    assert (error.code, error.message) == ("missing_name", "请填写老人的姓名")


def test_a_landline_without_area_code_is_refused(db: Database, community_id: int) -> None:
    error = _refusal(db, community_id, phones=["6660101"])
    assert error.code == "bad_phone" and "区号" in error.message


def test_two_places_with_the_same_label_are_refused(db: Database, community_id: int) -> None:
    error = _refusal(
        db, community_id, places=[PlaceInput("女儿家", "北京路1号"), PlaceInput("女儿家", "x路2号")]
    )
    assert error.code == "duplicate_place_label"


def test_an_id_number_belongs_to_one_person(db: Database, community_id: int) -> None:
    _register(db, community_id)
    error = _refusal(db, community_id, full_name="赵桂芳", phones=["13900003333"])
    assert error.code == "id_number_taken"


def test_update_applies_the_same_rules_and_keeps_place_rows(
    db: Database, community_id: int
) -> None:
    person_id = _register(db, community_id)
    with db.session() as session:
        home_id = session.get_one(Person, person_id).places[0].id
    with db.session() as session, pytest.raises(RegistrationError) as caught:
        update_person(
            session, person_id=person_id, changed_by=STAFF, full_name="赵桂兰", phones=[DEMO_MOBILE]
        )
    assert caught.value.code == "phone_bound_elsewhere"
    with db.session() as session:
        update_person(
            session,
            person_id=person_id,
            changed_by=STAFF,
            full_name="赵桂兰",
            id_number=GOOD_ID,
            phones=[MOBILE],
            home=PlaceInput(label="家", address="翠湖北路10号"),
            contacts=[
                ContactInput(
                    name="李红", relation="女儿", phone="13900002222", may_order_taxi=False
                )
            ],
        )
    with db.session() as session:
        person = session.get_one(Person, person_id)
        assert [p.number for p in person.phones] == ["+8613900001111"]
        assert [(p.id, p.address) for p in person.places] == [(home_id, "翠湖北路10号")]
        (contact,) = person.contacts
        assert not contact.may_order_taxi and contact.may_act_for


def test_deactivating_unbinds_the_numbers_so_they_can_be_registered_again(
    db: Database, community_id: int
) -> None:
    person_id = _register(db, community_id)
    with db.session() as session:
        deactivate_person(session, person_id=person_id, changed_by=STAFF)
    with db.session() as session:
        person = session.get_one(Person, person_id)
        assert not person.active and person.deactivated_at is not None
        assert person.phones == [] and person.full_name == "赵桂兰"
    _register(db, community_id, full_name="钱玉珍", id_number=None)
    with db.session() as session, pytest.raises(RegistrationError) as caught:
        deactivate_person(session, person_id=person_id, changed_by=STAFF)
    assert caught.value.code == "inactive_person"
