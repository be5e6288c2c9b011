"""Roster import speed: rows/second for a generated community roster (XLSX), checked.

    .venv/bin/python bench/roster_import.py [--rows 10000]

Builds an .xlsx roster of N distinct residents (valid, distinct ID numbers, a mobile and a
landline each, a home and a family contact), migrates a fresh SQLite file, and times
reading the file, the dry run and the commit (`app.people.roster_import`, the code
`ivr people import` runs). Checked after the run, from a new session: the dry run left no
one behind; the commit created every row (none refused, updated or unchanged); every
imported person reads back from the database with the fields of their row (name, ID
number, birth date and gender from it, community, registrar, consent, active, both
numbers with their kinds, the home, the family contact), with one "registered" audit
entry each and the two notices queued (an SMS to the mobile, a call to the landline).
Exits non-zero if any check fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session, selectinload  # noqa: E402

from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.notify.enums import OutboxKind  # noqa: E402
from app.notify.models import OutboxMessage  # noqa: E402
from app.people import audit  # noqa: E402
from app.people.enums import ConsentBasis, PhoneKind, PlaceKind  # noqa: E402
from app.people.models import Community, Person, PersonAuditEntry  # noqa: E402
from app.people.resident_id import make_resident_id  # noqa: E402
from app.people.roster_import import RowAction, import_roster, read_roster  # noqa: E402

COMMUNITY = "翠湖社区"
REGISTRAR = "bench"
BIRTH_DAYS = 7000  # birth dates spread over 7,000 days from 1940-01-01


@dataclass(frozen=True)
class Resident:
    """Row i of the roster: what the file says and what the database should keep."""

    i: int

    @property
    def name(self) -> str:
        return f"测试{self.i:05d}"

    @property
    def born(self) -> date:
        return date(1940, 1, 1) + timedelta(days=self.i % BIRTH_DAYS)

    @property
    def id_number(self) -> str:  # (born, sequence) differs for every i below 7,000,000
        return make_resident_id("530102", self.born, self.i // BIRTH_DAYS)

    @property
    def gender(self) -> str:
        return "M" if int(self.id_number[16]) % 2 else "F"  # GB 11643: odd 17th digit

    @property
    def phones(self) -> set[tuple[str, PhoneKind]]:
        return {
            (f"+86139{self.i:08d}", PhoneKind.MOBILE),
            (f"+868716{self.i:07d}", PhoneKind.LANDLINE),
        }

    @property
    def address(self) -> str:
        return f"翠湖北路{self.i}号"

    @property
    def contact(self) -> tuple[str, str, str]:
        return (f"家属{self.i:05d}", "女儿", f"+86137{self.i:08d}")


def build_roster(path: Path, rows: int) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    # One header row; a bare 关系 there would not be read as the contact's relation (only
    # under a 紧急联系人 group header of two rows), hence 联系人关系.
    sheet.append(
        ["序号", "姓名", "身份证号", "联系电话", "家庭住址"]
        + ["紧急联系人", "联系人关系", "联系人电话"]
    )
    for i in range(rows):
        row = Resident(i)
        name, relation, _ = row.contact
        sheet.append(
            [
                i + 1,
                row.name,
                row.id_number,
                f"139 {i:08d}, 0871-6{i:07d}",
                row.address,
                name,
                relation,
                f"137{i:08d}",
            ]
        )
    book.save(path)


def people_count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


def read_back(session: Session, rows: int) -> list[str]:
    """What differs between the database and the roster's `rows` residents (empty: none)."""
    problems: list[str] = []
    community_id = session.scalar(select(Community.id).where(Community.name == COMMUNITY))
    people = session.scalars(
        select(Person).options(
            selectinload(Person.phones), selectinload(Person.places), selectinload(Person.contacts)
        )
    ).all()
    by_name = {person.full_name: person for person in people}
    if len(people) != rows or len(by_name) != rows:
        problems.append(f"{len(people)} people ({len(by_name)} names) for {rows} rows")
    for i in range(rows):
        want = Resident(i)
        person = by_name.get(want.name)
        if person is None:
            problems.append(f"row {i + 1}: no person named {want.name}")
            continue
        got: dict[str, object] = {
            "id_number": person.id_number,
            "born": person.birth_date,
            "gender": person.gender,
            "phones": {(p.number, p.kind) for p in person.phones},
            "address": [(p.position, p.kind, p.label, p.address) for p in person.places],
            "contact": [(c.name, c.relation, c.phone) for c in person.contacts],
            "rest": (person.community_id, person.registered_by, person.consent_basis,
                     person.active),
        }
        expected: dict[str, object] = {
            "id_number": want.id_number,
            "born": want.born,
            "gender": want.gender,
            "phones": want.phones,
            "address": [(1, PlaceKind.HOME, "家", want.address)],
            "contact": [want.contact],
            "rest": (community_id, REGISTRAR, ConsentBasis.PAPER_FORM, True),
        }
        for field, value in expected.items():
            if got[field] != value:
                problems.append(f"row {i + 1}: {field} {got[field]!r}, expected {value!r}")
    audited = session.execute(
        select(func.count(), func.count(func.distinct(PersonAuditEntry.person_id))).where(
            PersonAuditEntry.action == audit.REGISTERED
        )
    ).one()
    if tuple(audited) != (rows, rows):
        problems.append(f"registered audit entries {audited[0]} for {audited[1]} people")
    notices = dict(
        session.execute(
            select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)
        ).all()
    )
    if notices != {OutboxKind.SMS: rows, OutboxKind.CALL: rows}:
        problems.append(f"notices queued {notices}, expected {rows} SMS and {rows} calls")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.xlsx"
        build_roster(roster, args.rows)
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(url)
        db = Database(url)
        with db.session() as session:
            session.add(Community(name=COMMUNITY, district="五华区"))
        started = time.perf_counter()
        rows = read_roster(roster)
        read_s = time.perf_counter() - started
        timings = {}
        for label, commit in (("dry run", False), ("commit", True)):
            started = time.perf_counter()
            with db.session() as session:
                plan = import_roster(
                    session, rows=rows, community_name=COMMUNITY, registered_by=REGISTRAR
                )
                if not commit:
                    session.rollback()
            timings[label] = time.perf_counter() - started
            if not commit and (left := people_count(db)):
                problems.append(f"the dry run left {left} people")
        actions = {action: plan.count(action) for action in RowAction}
        if actions[RowAction.CREATE] != args.rows:
            problems.append(f"commit plan {dict(actions)}, expected {args.rows} created")
        started = time.perf_counter()
        with db.session() as session:
            problems += read_back(session, args.rows)
        check_s = time.perf_counter() - started
        db.dispose()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    refused = actions[RowAction.REFUSE]
    dry, done = timings["dry run"], timings["commit"]
    checked = f"all {args.rows:,}" if not problems else f"{len(problems)} problems"
    print("| rows | refused | read | dry run | commit | read back and compared |")
    print("|---:|---:|---|---|---|---|")
    print(
        f"| {args.rows:,} | {refused} | {read_s:.1f} s | {dry:.1f} s ({args.rows / dry:.0f} rows/s)"
        f" | {done:.1f} s ({args.rows / done:.0f} rows/s) | {checked} ({check_s:.1f} s) |"
    )
    if problems:
        raise SystemExit("check failed: " + "; ".join(problems[:10]))
    print(
        f"checked: the dry run left no one; the commit created all {args.rows:,} rows; every "
        "person reads back with their row's name, ID number, birth date, gender, community, "
        "registrar, consent, both numbers and kinds, home and contact; one registered audit "
        "entry each; an SMS and a call queued each"
    )


if __name__ == "__main__":
    main()
