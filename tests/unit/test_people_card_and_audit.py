"""The card's key sequences and the audit trail's change lines, on people built in memory."""

from __future__ import annotations

from app.people.audit import describe_changes, snapshot
from app.people.card import place_keys, written_number
from app.people.enums import PhoneKind, PlaceKind
from app.people.models import FamilyContact, Person, PersonPhone, SavedPlace


def _person(*places: tuple[int, PlaceKind, str]) -> Person:
    person = Person(full_name="赵桂兰", phones=[], places=[], contacts=[])
    for position, kind, label in places:
        person.places.append(
            SavedPlace(position=position, kind=kind, label=label, address=f"{label}的地址")
        )
    return person


def test_card_keys_follow_the_taxi_flow() -> None:
    person = _person(
        (1, PlaceKind.HOME, "家"),
        (2, PlaceKind.FAMILY, "女儿家"),
        *[(n, PlaceKind.OTHER, f"地点{n}") for n in range(3, 10)],
    )
    keys = {p.label: p.keys for p in place_keys(person)}
    assert keys["家"] == "1 → 1"
    assert keys["女儿家"] == "1 → 2 → 2 → 1"
    assert keys["地点7"] == "1 → 2 → 7 → 1"
    assert keys["地点8"] == "按1叫车，再按2，然后说“地点8”"  # 8 cancels a ride on the status menu
    assert keys["地点9"] == "按1叫车，再按2，然后说“地点9”"  # 9 means "none of these" in the menu


def test_card_keys_without_a_home_skip_the_home_question() -> None:
    person = _person((1, PlaceKind.FAMILY, "女儿家"), (2, PlaceKind.HOSPITAL, "市一院"))
    assert [(p.label, p.keys) for p in place_keys(person)] == [
        ("女儿家", "1 → 1 → 1"),
        ("市一院", "1 → 2 → 1"),
    ]


def test_hotline_numbers_are_written_as_in_china() -> None:
    assert written_number("+868710000000") == "0871-0000000"
    assert written_number("+861088886666") == "010-88886666"
    assert written_number("+8613800000001") == "13800000001"


def test_audit_lines_name_each_change_with_masked_numbers() -> None:
    person = _person((1, PlaceKind.HOME, "家"), (2, PlaceKind.FAMILY, "女儿家"))
    person.id_number = "530102194803090223"
    person.phones.append(PersonPhone(number="+8613900001111", kind=PhoneKind.MOBILE))
    person.contacts.append(
        FamilyContact(
            name="李红",
            relation="女儿",
            phone="+8613900002222",
            may_order_taxi=True,
            may_act_for=True,
            notify=True,
        )
    )
    before = snapshot(person)
    person.full_name = "赵桂芝"
    person.id_number = None
    person.phones[0] = PersonPhone(number="+868716660101", kind=PhoneKind.LANDLINE)
    person.places[1].address = "北京路1号"
    person.places.pop(0)
    person.contacts[0].may_act_for = False
    lines = describe_changes(before, snapshot(person))
    assert lines == [
        "姓名：赵桂兰 → 赵桂芝",
        "身份证号：530102********0223 → 未登记",
        "新增电话：087****0101",
        "删除电话：139****1111",
        "删除地点1：家",
        "修改地点2（女儿家）：地址",
        "修改家属：李红（女儿）139****2222：代挂号 可以 → 不可以",
    ]
    assert describe_changes(before, before) == []
    text = "\n".join(lines)
    assert "13900001111" not in text and "194803090223" not in text
