"""Importing a community's roster of older residents from CSV or XLSX, as they really are.

Real rosters have a title row and merged header cells (a 紧急联系人 group over 姓名 / 关系 /
电话), full-width digits, numbers written with spaces or dashes, two numbers in one cell,
the same person twice, bad ID numbers and empty lines. `read_roster` turns a file into
`RosterRow`s; `import_roster` runs each row through the registration service in the
session it is given and returns the row-by-row plan (created / updated / unchanged /
refused, with the reason). A dry run is the same run rolled back, so a commit applies
exactly what the dry run showed. Matching: by ID number, else by name + one of the row's
phone numbers; importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.people.audit import Actor
from app.people.enums import ConsentBasis, PlaceKind
from app.people.models import Community, Person, PersonPhone
from app.people.phones import normalise_number
from app.people.registration import (
    ContactInput,
    PlaceInput,
    RegistrationError,
    register_person,
    update_person,
)
from app.people.resident_id import InvalidResidentId, parse_resident_id

HEADER_SEARCH_ROWS = 10
SUB_HEADER_WORDS = {"序号", "姓名", "关系", "性别", "年龄", "备注", "称谓"}
NUMBER_SEPARATORS = re.compile(r"[,，;；/、|\n]+")


class RosterError(ValueError):
    """The file cannot be read as a roster at all (message in Chinese for staff)."""


class RowAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSE = "refuse"


ACTION_LABELS = {
    RowAction.CREATE: "新建",
    RowAction.UPDATE: "更新",
    RowAction.UNCHANGED: "不变",
    RowAction.REFUSE: "拒绝",
}


@dataclass(frozen=True)
class RosterRow:
    """One resident as read from the file (line = the row number staff see in Excel)."""

    line: int
    name: str
    id_number: str
    phones: tuple[str, ...]
    address: str
    landmark: str
    contact_name: str
    contact_relation: str
    contact_phone: str


@dataclass(frozen=True)
class RowPlan:
    line: int
    name: str
    action: RowAction
    reason: str
    code: str | None = None  # RegistrationError code when refused
    person_id: int | None = None


@dataclass
class ImportPlan:
    rows: list[RowPlan] = field(default_factory=list)

    def count(self, action: RowAction) -> int:
        return sum(1 for r in self.rows if r.action == action)


# --- reading ---------------------------------------------------------------------------


def read_roster(path: Path) -> list[RosterRow]:
    """Read a .csv (UTF-8 or GB18030, as Excel saves it) or .xlsx roster."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        grid = _xlsx_grid(path)
    elif suffix == ".csv":
        grid = _csv_grid(path.read_bytes())
    else:
        raise RosterError("只能导入 .xlsx 或 .csv 文件")
    return rows_from_grid(grid)


def rows_from_grid(grid: Sequence[Sequence[str]]) -> list[RosterRow]:
    """Find the header (one or two rows), map its columns, and read every non-empty row."""
    header_at = next(
        (i for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]) if "姓名" in map(_compact, row)),
        None,
    )
    if header_at is None:
        raise RosterError("找不到表头：前10行里没有“姓名”这一列")
    headers = [_compact(c) for c in grid[header_at]]
    first_data = header_at + 1
    if first_data < len(grid) and _is_sub_header(grid[first_data]):
        sub = [_compact(c) for c in grid[first_data]]
        headers = [h if s in ("", h) else h + s for h, s in _zip_padded(headers, sub)]
        first_data += 1
    columns = _columns(headers)
    if "name" not in columns:
        raise RosterError("找不到“姓名”这一列")
    rows: list[RosterRow] = []
    for index in range(first_data, len(grid)):
        cells = grid[index]
        if not any(c.strip() for c in cells):
            continue
        rows.append(_row(index + 1, cells, columns))
    return rows


def _xlsx_grid(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise RosterError(f"无法读取这个Excel文件：{type(exc).__name__}") from None
    sheet = book.worksheets[0]
    grid = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    # A merged cell holds its value in the top-left cell only: spread it over the range
    # within the header area, where groups like 紧急联系人 span several columns.
    for merged in sheet.merged_cells.ranges:
        if merged.min_row > HEADER_SEARCH_ROWS + 1:
            continue
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, merged.max_row):
            for c in range(merged.min_col - 1, merged.max_col):
                grid[r][c] = value
    book.close()
    return grid


def _csv_grid(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError("无法识别CSV文件的编码（请另存为UTF-8）")
    return [[_cell_text(c) for c in row] for row in csv.reader(io.StringIO(text))]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    # NFKC turns full-width digits, letters and spaces into plain ones: １３８ -> 138.
    return unicodedata.normalize("NFKC", str(value)).strip()


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_sub_header(cells: Sequence[str]) -> bool:
    """A second header row (姓名 / 关系 / 电话 under 紧急联系人), not a first resident."""
    texts = [_compact(c) for c in cells if c.strip()]
    return len(texts) >= 2 and all(t in SUB_HEADER_WORDS or _column_key(t) for t in texts)


def _zip_padded(a: list[str], b: list[str]) -> Iterable[tuple[str, str]]:
    width = max(len(a), len(b))
    return zip(a + [""] * (width - len(a)), b + [""] * (width - len(b)), strict=True)


def _columns(headers: list[str]) -> dict[str, list[int]]:
    columns: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        key = _column_key(header)
        if key is not None:
            columns.setdefault(key, []).append(index)
    return columns


def _column_key(header: str) -> str | None:
    is_phone = any(w in header for w in ("电话", "手机", "座机", "号码"))
    if any(w in header for w in ("联系人", "紧急", "家属", "子女", "监护")):
        if "关系" in header:
            return "contact_relation"
        return "contact_phone" if is_phone else "contact_name"
    if "身份证" in header:
        return "id_number"
    if "姓名" in header:
        return "name"
    if "地标" in header or "标志" in header:
        return "landmark"
    if "地址" in header or "住址" in header:
        return "address"
    if is_phone:
        return "phone"
    return None


def _row(line: int, cells: Sequence[str], columns: dict[str, list[int]]) -> RosterRow:
    def text(key: str) -> str:
        values = [cells[i] for i in columns.get(key, []) if i < len(cells) and cells[i]]
        return " ".join(values).strip()

    phones: list[str] = []
    for index in columns.get("phone", []):
        if index < len(cells):
            phones.extend(p.strip() for p in NUMBER_SEPARATORS.split(cells[index]) if p.strip())
    return RosterRow(
        line=line,
        name=_compact(text("name")),
        id_number=_compact(text("id_number")),
        phones=tuple(phones),
        address=text("address"),
        landmark=text("landmark"),
        contact_name=_compact(text("contact_name")),
        contact_relation=_compact(text("contact_relation")),
        contact_phone=text("contact_phone"),
    )


# --- importing -------------------------------------------------------------------------


def import_roster(
    session: Session,
    *,
    rows: Sequence[RosterRow],
    community_name: str,
    registered_by: str,
    consent_basis: ConsentBasis = ConsentBasis.PAPER_FORM,
    now: datetime | None = None,
) -> ImportPlan:
    """Apply the rows in `session` (commit it to keep them, roll back for a dry run)."""
    community = session.scalar(select(Community).where(Community.name == community_name))
    if community is None:
        raise RosterError(f"找不到社区“{community_name}”")
    plan = ImportPlan()
    seen: dict[tuple[object, ...], int] = {}
    for row in rows:
        key = _content(row)
        if key in seen:
            plan.rows.append(
                RowPlan(row.line, row.name, RowAction.UNCHANGED, f"与第{seen[key]}行重复")
            )
            continue
        seen[key] = row.line
        plan.rows.append(
            _import_row(
                session,
                row=row,
                community=community,
                registered_by=registered_by,
                consent_basis=consent_basis,
                now=now,
            )
        )
    return plan


def _content(row: RosterRow) -> tuple[object, ...]:
    return (
        row.name,
        row.id_number,
        row.phones,
        row.address,
        row.landmark,
        row.contact_name,
        row.contact_relation,
        row.contact_phone,
    )


def _import_row(
    session: Session,
    *,
    row: RosterRow,
    community: Community,
    registered_by: str,
    consent_basis: ConsentBasis,
    now: datetime | None,
) -> RowPlan:
    def refuse(code: str, reason: str) -> RowPlan:
        return RowPlan(row.line, row.name, RowAction.REFUSE, reason, code=code)

    if not row.name:
        return refuse("missing_name", "缺少姓名")
    try:
        person = _match(session, row)
        if person is not None and person.community_id != community.id:
            return refuse("other_community", "这位老人已登记在其他社区")
        if person is not None and not person.active:
            return refuse("inactive_person", "这位老人已经停用")
        home = PlaceInput(label="家", address=row.address, landmark=row.landmark or None)
        contact = _contact(row)
        if person is None:
            created = register_person(
                session,
                full_name=row.name,
                registered_by=registered_by,
                consent_basis=consent_basis,
                community_id=community.id,
                id_number=row.id_number or None,
                phones=row.phones,
                home=home if row.address else None,
                contacts=[contact] if contact else [],
                now=now,
            )
            return RowPlan(row.line, row.name, RowAction.CREATE, "新登记", person_id=created.id)
        return _update(
            session,
            person=person,
            row=row,
            home=home,
            contact=contact,
            actor=Actor(registered_by),
            now=now,
        )
    except RegistrationError as error:
        return refuse(error.code, error.message)


def _match(session: Session, row: RosterRow) -> Person | None:
    if row.id_number:
        try:
            number = parse_resident_id(row.id_number).number
        except InvalidResidentId:
            number = None  # the registration service refuses it with the reason
        if number is not None:
            by_id = session.scalar(select(Person).where(Person.id_number == number))
            if by_id is not None:
                return by_id
    numbers = [n for n in map(normalise_number, row.phones) if n]
    if not numbers:
        return None
    return session.scalar(
        select(Person)
        .join(PersonPhone)
        .where(Person.full_name == row.name, PersonPhone.number.in_(numbers))
        .limit(1)
    )


def _contact(row: RosterRow) -> ContactInput | None:
    if not (row.contact_name or row.contact_phone):
        return None
    return ContactInput(
        name=row.contact_name, relation=row.contact_relation or "家属", phone=row.contact_phone
    )


def _update(
    session: Session,
    *,
    person: Person,
    row: RosterRow,
    home: PlaceInput,
    contact: ContactInput | None,
    actor: Actor,
    now: datetime | None,
) -> RowPlan:
    """Merge the row into what is known: add numbers and a contact, set the home and ID."""
    phones = [p.number for p in person.phones]
    phones += [p for p in row.phones if normalise_number(p) not in phones]
    places = [PlaceInput(p.label, p.address, p.landmark, p.kind) for p in person.places]
    has_home = bool(places) and places[0].kind == PlaceKind.HOME
    if row.address:
        landmark = row.landmark or (places[0].landmark if has_home else None)
        new_home = PlaceInput(home.label, row.address, landmark, PlaceKind.HOME)
        places = [new_home, *places[1:]] if has_home else [new_home, *places]
    contacts = [
        ContactInput(c.name, c.relation, c.phone, c.may_order_taxi, c.may_act_for, c.notify)
        for c in person.contacts
    ]
    if contact is not None:
        number = normalise_number(contact.phone)
        contacts = [c for c in contacts if c.phone != number] + [contact]
    before = _snapshot(person)
    update_person(
        session,
        person_id=person.id,
        changed_by=actor,
        full_name=row.name,
        id_number=row.id_number or person.id_number,
        call_name=person.call_name,
        phones=phones,
        home=places[0] if places and places[0].kind == PlaceKind.HOME else None,
        places=[p for p in places if p.kind != PlaceKind.HOME],
        contacts=contacts,
        now=now,
    )
    if _snapshot(person) == before:
        return RowPlan(row.line, row.name, RowAction.UNCHANGED, "已登记，没有变化", None, person.id)
    return RowPlan(row.line, row.name, RowAction.UPDATE, "已登记，更新资料", None, person.id)


def _snapshot(person: Person) -> tuple[object, ...]:
    return (
        person.full_name,
        person.id_number,
        tuple(sorted(p.number for p in person.phones)),
        tuple((p.position, p.kind, p.label, p.address, p.landmark) for p in person.places),
        tuple(
            sorted(
                (c.name, c.relation, c.phone, c.may_order_taxi, c.may_act_for, c.notify)
                for c in person.contacts
            )
        ),
    )
