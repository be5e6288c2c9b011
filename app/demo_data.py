"""Realistic demo data for a newcomer's first call: Kunming people, taxis, two hospitals.

Every name, number and address is invented. Numbers +8613800000001..12 are the demo
callers; `ivr call --from +8613800000001` is greeted as 张奶奶.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.calls.models import Hotline
from app.core.db import Database
from app.hospital.enums import ClinicSession, ClinicType
from app.hospital.models import (
    Department,
    Doctor,
    FamilyDoctorPatient,
    Hospital,
    Schedule,
    Slot,
)
from app.hospital.rules import BookingRules
from app.people.enums import PhoneKind, PlaceKind
from app.people.models import Community, FamilyContact, Person, PersonPhone, SavedPlace
from app.people.resident_id import make_resident_id
from app.staff.accounts import create_user
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from app.taxi.enums import VehicleType
from app.taxi.models import Driver, TaxiCompany

SCHEDULE_DAYS = 14
PEOPLE_WITH_ID_NUMBERS = 8
DISTRICT_CODES = ("530102", "530111", "530103", "530112")  # 五华, 官渡, 盘龙, 西山
SLOTS_PER_SESSION = 6
ELDERLY_SLOTS_PER_SESSION = 2  # the share kept for older callers (measure 14)
# The first hospital keeps one more slot at the end of each session for its family doctor
# (measure 17), who books it for the people signed with them.
FAMILY_DOCTOR_SLOTS_PER_SESSION = 1
SESSION_STARTS = {ClinicSession.AM: time(8, 0), ClinicSession.PM: time(14, 0)}
SLOT_MINUTES = 20

DEMO_STAFF = [
    ("admin", "管理员", "chuncheng-2026", StaffRole.ADMIN, None),
    ("operator", "调度员小李", "diaodu-2026", StaffRole.OPERATOR, None),
    ("hospital1", "市一院挂号处", "guahao-2026!", StaffRole.HOSPITAL_STAFF, 0),
    ("hospital2", "滇池医院挂号处", "guahao-2026!", StaffRole.HOSPITAL_STAFF, 1),
    ("familydoc1", "赵敏医生（家庭医生）", "jiating-2026!", StaffRole.FAMILY_DOCTOR, 0),
]
# People (indexes into PEOPLE) signed with the demo family doctor, with their start dates
# counted back from the demo day.
FAMILY_DOCTOR_PATIENTS = [(0, 400), (2, 200), (5, 30)]

COMMUNITIES = [
    ("翠湖社区", "五华区"),
    ("金马社区", "官渡区"),
    ("龙泉社区", "盘龙区"),
    ("马街社区", "西山区"),
]

# name, call name, gender, birth date, community, phones, places, family contacts
PEOPLE: list[
    tuple[
        str,
        str | None,
        str,
        date,
        int,
        list[tuple[str, PhoneKind]],
        list[tuple[PlaceKind, str, str]],
        list[tuple[str, str, str]],
    ]
] = [
    (
        "张秀英",
        "张奶奶",
        "F",
        date(1946, 3, 12),
        0,
        [("+8613800000001", PhoneKind.MOBILE), ("+868715550101", PhoneKind.LANDLINE)],
        [
            (PlaceKind.HOME, "家", "五华区翠湖南路12号翠湖小区3栋2单元"),
            (PlaceKind.FAMILY, "女儿家", "西山区滇池路569号海埂花园8栋"),
            (PlaceKind.HOSPITAL, "市一院", "五华区青年路504号春城第一人民医院"),
        ],
        [("李梅", "女儿", "+8613900000001"), ("李强", "儿子", "+8613900000002")],
    ),
    (
        "王建国",
        "王大爹",
        "M",
        date(1950, 8, 1),
        1,
        [("+8613800000002", PhoneKind.MOBILE)],
        [
            (PlaceKind.HOME, "家", "官渡区金马街道金马小区12栋"),
            (PlaceKind.HOSPITAL, "滇池医院", "西山区滇池路1号滇池老年病医院"),
        ],
        [("王丽", "女儿", "+8613900000003")],
    ),
    (
        "李桂芳",
        None,
        "F",
        date(1941, 11, 23),
        2,
        [("+8613800000003", PhoneKind.MOBILE)],
        [(PlaceKind.HOME, "家", "盘龙区北京路1088号龙泉小区5栋")],
        [("赵军", "儿子", "+8613900000004")],
    ),
    (
        "赵德明",
        None,
        "M",
        date(1955, 5, 5),
        3,
        [("+8613800000004", PhoneKind.MOBILE), ("+868715550104", PhoneKind.LANDLINE)],
        [
            (PlaceKind.HOME, "家", "西山区马街街道马街北社区2栋"),
            (PlaceKind.FAMILY, "儿子家", "呈贡区吴家营街道大学城雨花小区"),
        ],
        [("赵晓燕", "女儿", "+8613900000005")],
    ),
    (
        "陈淑珍",
        "陈奶奶",
        "F",
        date(1938, 2, 2),
        0,
        [("+8613800000005", PhoneKind.MOBILE)],
        [(PlaceKind.HOME, "家", "五华区文林街56号")],
        [("陈伟", "儿子", "+8613900000006"), ("刘医生", "家庭医生", "+8613900000007")],
    ),
    (
        "杨树林",
        None,
        "M",
        date(1948, 9, 9),
        1,
        [("+8613800000006", PhoneKind.MOBILE)],
        [
            (PlaceKind.HOME, "家", "官渡区关上街道东华小区21栋"),
            (PlaceKind.HOSPITAL, "市一院", "五华区青年路504号春城第一人民医院"),
        ],
        [("杨帆", "儿子", "+8613900000008")],
    ),
    (
        "周玉兰",
        None,
        "F",
        date(1952, 12, 30),
        2,
        [("+8613800000007", PhoneKind.MOBILE)],
        [(PlaceKind.HOME, "家", "盘龙区穿金路桃园小区9栋")],
        [("周敏", "女儿", "+8613900000009")],
    ),
    (
        "吴国华",
        None,
        "M",
        date(1944, 4, 18),
        3,
        [("+8613800000008", PhoneKind.MOBILE)],
        [(PlaceKind.HOME, "家", "西山区前卫西路七彩小区3栋")],
        [("吴静", "女儿", "+8613900000010")],
    ),
    (
        "孙美华",
        None,
        "F",
        date(1958, 7, 7),
        0,
        [("+8613800000009", PhoneKind.MOBILE)],
        [(PlaceKind.HOME, "家", "五华区西昌路龙翔小区4栋")],
        [("孙浩", "儿子", "+8613900000011")],
    ),
    (
        "马文才",
        "马大爹",
        "M",
        date(1947, 1, 15),
        1,
        [("+8613800000010", PhoneKind.MOBILE)],
        [(PlaceKind.HOME, "家", "官渡区世纪城兰园6栋")],
        [("马琳", "女儿", "+8613900000012")],
    ),
    (
        "段丽琼",
        None,
        "F",
        date(1943, 10, 1),
        2,
        [("+8613800000011", PhoneKind.MOBILE)],
        [
            (PlaceKind.HOME, "家", "盘龙区白龙路白龙小区7栋"),
            (PlaceKind.FAMILY, "女儿家", "五华区高新区海源中路银海森林"),
        ],
        [("段红", "女儿", "+8613900000013")],
    ),
    (
        "普正华",
        None,
        "M",
        date(1951, 6, 21),
        3,
        [("+8613800000012", PhoneKind.MOBILE)],
        [(PlaceKind.HOME, "家", "西山区碧鸡街道碧鸡小区1栋")],
        [("普小梅", "女儿", "+8613900000014")],
    ),
]

# name, mobile, plate, volunteer (爱心车队), vehicle type, on duty when the demo starts
DRIVERS = [
    ("刘师傅", "+8613700000001", "云A·D1234", True, VehicleType.SEDAN, True),
    ("杨师傅", "+8613700000002", "云A·D5678", False, VehicleType.SEDAN, True),
    ("钱师傅", "+8613700000003", "云A·T2468", True, VehicleType.MPV, True),
    ("何师傅", "+8613700000004", "云A·T1357", False, VehicleType.SEDAN, True),
    ("朱师傅", "+8613700000005", "云A·D8642", False, VehicleType.SEDAN, True),
    ("罗师傅", "+8613700000006", "云A·T9753", True, VehicleType.ACCESSIBLE_VAN, True),
    ("蒋师傅", "+8613700000007", "云A·D3690", False, VehicleType.SEDAN, False),
    ("沈师傅", "+8613700000008", "云A·T4812", False, VehicleType.SEDAN, False),
]
# A second company working one district (its drivers are offered first there).
ZONED_COMPANY = ("官渡爱心车队", "+8687165553100", "官渡区")
ZONED_DRIVERS = [
    ("孙师傅", "+8613700000009", "云A·G2580", True, VehicleType.ACCESSIBLE_VAN, True),
    ("马师傅", "+8613700000010", "云A·G1470", True, VehicleType.SEDAN, False),
]

HOSPITALS = [
    ("春城第一人民医院", "市一院", "五华区青年路504号", "+8687165551000"),
    ("滇池老年病医院", "滇池医院", "西山区滇池路1号", "+8687165552000"),
]
DEPARTMENTS = [
    "心血管内科",
    "呼吸内科",
    "消化内科",
    "神经内科",
    "内分泌科",
    "骨科",
    "眼科",
    "耳鼻喉科",
    "中医科",
    "老年医学科",
]
SURNAMES = "李王张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
HOSPITAL_RULES = {
    "booking_window_days": 7,
    "release_time": "15:00",
    "cancel_deadline": "16:00 the working day before",
    "closed_on_holidays": True,
    "one_booking_per_patient_department_day": True,
}


def load_demo(db: Database, *, only_if_empty: bool = False, today: date | None = None) -> bool:
    """Load the demo set in one transaction; returns False if skipped because not empty."""
    with db.session() as session:
        if only_if_empty and session.scalar(select(func.count(Person.id))):
            return False
        _load(session, today or date.today())
    return True


def _load(session: Session, today: date) -> None:
    session.add(Hotline(number="+868710000000", name="长者服务热线", start_flow="main"))
    communities = [Community(name=n, district=d) for n, d in COMMUNITIES]
    session.add_all(communities)
    session.flush()
    for index, (name, call_name, gender, born, community, phones, places, contacts) in enumerate(
        PEOPLE
    ):
        person = Person(
            full_name=name,
            call_name=call_name,
            gender=gender,
            birth_date=born,
            community_id=communities[community].id,
            id_number=_demo_id(index, gender, born),
        )
        person.phones = [PersonPhone(number=n, kind=k) for n, k in phones]
        person.places = [
            SavedPlace(position=i, kind=kind, label=label, address=address)
            for i, (kind, label, address) in enumerate(places, start=1)
        ]
        person.contacts = [FamilyContact(name=n, relation=r, phone=p) for n, r, p in contacts]
        session.add(person)
    company = TaxiCompany(name="春城出租汽车有限公司", phone="+8687165553000")
    name, phone, zone = ZONED_COMPANY
    zoned = TaxiCompany(name=name, phone=phone, zone=zone)
    session.add_all([company, zoned])
    session.flush()
    for owner, drivers in ((company, DRIVERS), (zoned, ZONED_DRIVERS)):
        session.add_all(
            Driver(
                company_id=owner.id, name=n, phone=p, plate=plate, volunteer=v,
                vehicle_type=kind, accessible=kind == VehicleType.ACCESSIBLE_VAN,
                on_duty=duty, active=True,
            )
            for n, p, plate, v, kind, duty in drivers
        )
    hospitals = [
        Hospital(
            name=n,
            short_name=s,
            address=a,
            phones=[p],
            rules=(
                dict(HOSPITAL_RULES, family_doctor_share_percent=15) if i == 0 else HOSPITAL_RULES
            ),
        )
        for i, (n, s, a, p) in enumerate(HOSPITALS)
    ]
    session.add_all(hospitals)
    session.flush()
    for h_index, hospital in enumerate(hospitals):
        _load_hospital(session, hospital, h_index, today)
    staff: dict[str, StaffUser] = {}
    for username, display, password, role, hospital_index in DEMO_STAFF:
        staff[username] = create_user(
            session,
            username=username,
            display_name=display,
            password=password,
            role=role,
            hospital_id=hospitals[hospital_index].id if hospital_index is not None else None,
            demo=True,  # a published password: refused in production
        )
    people = session.scalars(select(Person).order_by(Person.id)).all()
    doctor = staff["familydoc1"]
    for index, days_ago in FAMILY_DOCTOR_PATIENTS:
        session.add(
            FamilyDoctorPatient(
                doctor_id=doctor.id,
                person_id=people[index].id,
                hospital_id=doctor.hospital_id,
                started_on=today - timedelta(days=days_ago),
                signed_by_id=staff["admin"].id,
                created_at=datetime.combine(today, time(9, 0), UTC),
            )
        )


def _demo_id(index: int, gender: str, born: date) -> str | None:
    """Valid, invented ID numbers for the first people; the rest give theirs on the phone."""
    if index >= PEOPLE_WITH_ID_NUMBERS:
        return None
    sequence = 10 * index + (1 if gender == "M" else 2)  # odd = male, even = female
    return make_resident_id(DISTRICT_CODES[index % len(DISTRICT_CODES)], born, sequence)


def _load_hospital(session: Session, hospital: Hospital, h_index: int, today: date) -> None:
    days = [today + timedelta(days=n) for n in range(SCHEDULE_DAYS)]
    rules = BookingRules.from_json(hospital.rules)  # knows holidays, and years it lacks
    open_days = [d for d in days if not rules.is_closed(d)]
    slot_rows: list[dict[str, object]] = []
    for d_index, name in enumerate(DEPARTMENTS):
        department = Department(hospital_id=hospital.id, name=name)
        session.add(department)
        session.flush()
        for c_index, (title, clinic, fee) in enumerate(
            [("主治医师", ClinicType.GENERAL, 10), ("主任医师", ClinicType.EXPERT, 30)]
        ):
            surname = SURNAMES[(d_index * 2 + c_index + h_index * 7) % len(SURNAMES)]
            doctor = Doctor(
                department_id=department.id,
                name=f"{surname}医生",
                title=title,
                clinic_type=clinic,
                fee_yuan=fee,
            )
            session.add(doctor)
            session.flush()
            for day in open_days:
                sessions = [ClinicSession.AM] if day.weekday() == 5 else list(ClinicSession)
                for clinic_session in sessions:
                    schedule = Schedule(doctor_id=doctor.id, day=day, session=clinic_session)
                    session.add(schedule)
                    session.flush()
                    slot_rows.extend(
                        _slots(schedule.id, clinic_session, family_doctor=h_index == 0)
                    )
    session.execute(insert(Slot), slot_rows)


def _slots(
    schedule_id: int, clinic_session: ClinicSession, *, family_doctor: bool = False
) -> list[dict[str, object]]:
    start = SESSION_STARTS[clinic_session]
    family = FAMILY_DOCTOR_SLOTS_PER_SESSION if family_doctor else 0
    return [
        {
            "schedule_id": schedule_id,
            "start_time": time(start.hour + (n * SLOT_MINUTES) // 60, (n * SLOT_MINUTES) % 60),
            "reserved_for_elderly": n < ELDERLY_SLOTS_PER_SESSION,
            "reserved_for_family_doctor": n >= SLOTS_PER_SESSION,
            "status": "free",
            "version": 1,
        }
        for n in range(SLOTS_PER_SESSION + family)
    ]
