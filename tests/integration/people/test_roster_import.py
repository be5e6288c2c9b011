"""Importing a messy community roster: dry run, commit, re-import, CSV and the command."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.core.db import Database
from app.people.models import FamilyContact, Person, PersonPhone
from app.people.resident_id import make_resident_id
from app.people.roster_import import RowAction, import_roster, read_roster, rows_from_grid
from support.demo import demo_data

COMMUNITY = "翠湖社区"
ZHAO_ID = make_resident_id("530102", date(1948, 3, 9), 22)
SUN_ID = make_resident_id("530103", date(1944, 7, 1), 31)
_WU_ID = make_resident_id("530111", date(1950, 1, 2), 41)
BAD_ID = _WU_ID[:17] + ("0" if _WU_ID[17] != "0" else "1")  # a wrong check digit


def full_width(text: str) -> str:
    """1 -> １: how digits arrive when typed with a Chinese input method."""
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" or c == "X" else c for c in text)


# (序号, 姓名, 身份证号, 联系电话, 家庭住址, 标志物, 联系人姓名, 关系, 联系人电话)
DATA_ROWS = [
    (
        1,
        "赵桂兰",
        full_width(ZHAO_ID),
        "１３９ ００００ １１１１",
        "翠湖北路8号2栋",
        "菜市场对面",
        "李红",
        "女儿",
        "139-0000-2222",
    ),
    (2, "孙建国", SUN_ID, "0871 6660202", "翠湖北路9号", None, None, None, None),
    (3, "周淑芬", None, "0871-6660202", "翠湖北路9号", None, None, None, None),  # his wife
    (
        4,
        "赵桂兰",
        full_width(ZHAO_ID),
        "１３９ ００００ １１１１",
        "翠湖北路8号2栋",
        "菜市场对面",
        "李红",
        "女儿",
        "139-0000-2222",
    ),  # the same row twice
    (5, "吴大勇", BAD_ID, "13900003333", "翠湖西路1号", None, None, None, None),
    (6, None, None, "13900004444", "翠湖西路2号", None, None, None, None),
    (7, "郑秀珍", None, "138 0000 0001", "翠湖西路3号", None, None, None, None),  # 张秀英's
    (8, "张秀英", None, "138-0000-0001", None, None, "张伟", "侄子", "13900005555"),
]
EXPECTED = {
    4: (RowAction.CREATE, None),
    5: (RowAction.CREATE, None),
    6: (RowAction.REFUSE, "phone_bound_elsewhere"),
    7: (RowAction.UNCHANGED, None),
    8: (RowAction.REFUSE, "bad_id_number"),
    9: (RowAction.REFUSE, "missing_name"),
    10: (RowAction.REFUSE, "phone_bound_elsewhere"),
    12: (RowAction.UPDATE, None),
}


def messy_workbook(path: Path) -> Path:
    """A title row, a two-row header with merged cells, an empty line among the data."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["翠湖社区60岁以上独居、空巢老人花名册"])
    sheet.merge_cells("A1:I1")
    sheet.append(["序号", "姓 名", "身份证号", "联系电话", "家庭住址", "标志物", "紧急联系人"])
    sheet.merge_cells("G2:I2")
    sheet.append([None, None, None, None, None, None, "姓名", "关系", "电话"])
    for column in "ABCDEF":
        sheet.merge_cells(f"{column}2:{column}3")
    for row in DATA_ROWS[:7]:
        sheet.append(list(row))
    sheet.append([])
    sheet.append(list(DATA_ROWS[7]))
    book.save(path)
    return path


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    return messy_workbook(tmp_path / "翠湖社区花名册.xlsx")


@pytest.fixture
def demo(db: Database) -> Database:
    demo_data(db, today=date(2026, 11, 30))
    return db


PlanRows = list[tuple[int, RowAction, str | None]]


def run_import(db: Database, path: Path, *, commit: bool) -> PlanRows:
    with db.session() as session:
        plan = import_roster(
            session, rows=read_roster(path), community_name=COMMUNITY, registered_by="测试"
        )
        if not commit:
            session.rollback()
    return [(r.line, r.action, r.code) for r in plan.rows]


def people_state(db: Database) -> list[tuple[object, ...]]:
    with db.session() as session:
        people = session.execute(
            select(Person.id, Person.full_name, Person.id_number, Person.updated_at)
        ).all()
        phones = session.execute(select(PersonPhone.person_id, PersonPhone.number)).all()
        contacts = session.execute(select(FamilyContact.person_id, FamilyContact.phone)).all()
    return sorted(map(tuple, people)) + sorted(map(tuple, phones)) + sorted(map(tuple, contacts))


def test_the_dry_run_shows_every_row_and_writes_nothing(demo: Database, roster: Path) -> None:
    before = people_state(demo)
    plan = run_import(demo, roster, commit=False)
    assert {line: (action, code) for line, action, code in plan} == EXPECTED
    assert people_state(demo) == before


def test_the_commit_applies_exactly_the_dry_run(demo: Database, roster: Path) -> None:
    assert run_import(demo, roster, commit=False) == run_import(demo, roster, commit=True)
    with demo.session() as session:
        zhao = session.scalars(select(Person).where(Person.full_name == "赵桂兰")).one()
        assert zhao.id_number == ZHAO_ID and zhao.gender == "F"
        assert [p.number for p in zhao.phones] == ["+8613900001111"]
        assert [(p.label, p.address, p.landmark) for p in zhao.places] == [
            ("家", "翠湖北路8号2栋", "菜市场对面")
        ]
        assert [(c.name, c.relation, c.phone) for c in zhao.contacts] == [
            ("李红", "女儿", "+8613900002222")
        ]
        sun = session.scalars(select(Person).where(Person.full_name == "孙建国")).one()
        assert [p.number for p in sun.phones] == ["+868716660202"]
        for refused in ("周淑芬", "吴大勇", "郑秀珍"):
            assert session.scalar(select(Person).where(Person.full_name == refused)) is None
        zhang = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        assert "+8613900005555" in {c.phone for c in zhang.contacts}
        assert len(zhang.places) == 3  # her saved places are kept


def test_importing_the_same_file_again_changes_nothing(demo: Database, roster: Path) -> None:
    run_import(demo, roster, commit=True)
    after_first = people_state(demo)
    again = run_import(demo, roster, commit=True)
    assert {action for _, action, _ in again} <= {RowAction.UNCHANGED, RowAction.REFUSE}
    assert people_state(demo) == after_first


def test_the_shared_landline_refusal_says_why(demo: Database, roster: Path) -> None:
    with demo.session() as session:
        plan = import_roster(
            session, rows=read_roster(roster), community_name=COMMUNITY, registered_by="测试"
        )
        session.rollback()
    wife = next(r for r in plan.rows if r.line == 6)
    assert wife.name == "周淑芬"
    assert "087****0202已经登记在另一位老人名下" in wife.reason
    assert next(r for r in plan.rows if r.line == 7).reason == "与第4行重复"


def test_a_gb18030_csv_from_excel_imports(demo: Database, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(
        "姓名,身份证号,手机/座机,住址\n"
        f'赵桂兰,{full_width(ZHAO_ID)},"１３９ ００００ １１１１，0871-6660303",翠湖北路8号\n'
        ",,,\n"
        "钱玉珍,,139000066,翠湖北路1号\n".encode("gb18030")
    )
    plan = run_import(demo, path, commit=True)
    assert plan == [(2, RowAction.CREATE, None), (4, RowAction.REFUSE, "bad_phone")]
    with demo.session() as session:
        zhao = session.scalars(select(Person).where(Person.full_name == "赵桂兰")).one()
        assert sorted(p.number for p in zhao.phones) == ["+8613900001111", "+868716660303"]
    assert run_import(demo, path, commit=True)[0] == (2, RowAction.UNCHANGED, None)


def test_ivr_people_import_prints_the_plan_and_commits_only_when_asked(
    demo: Database, roster: Path
) -> None:
    env = {**os.environ, "IVR_DATABASE_URL": demo.url, "DATABASE_URL": demo.url}

    def ivr(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "app.cli", "people", "import", str(roster), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)

    def count() -> int:
        with demo.session() as session:
            return session.scalar(select(func.count(Person.id))) or 0

    before = count()
    dry = ivr("--community", COMMUNITY)
    assert dry.returncode == 0, dry.stderr
    assert "这是预览" in dry.stdout and "合计：新建2行，更新1行，不变1行，拒绝4行" in dry.stdout
    assert count() == before
    assert ZHAO_ID not in dry.stdout and "13900001111" not in dry.stdout
    done = ivr("--community", COMMUNITY, "--commit")
    assert done.returncode == 0 and "已导入" in done.stdout
    assert count() == before + 2
    unknown = ivr("--community", "没有这个社区")
    assert unknown.returncode == 2 and "找不到社区“没有这个社区”" in unknown.stderr


def test_a_first_resident_without_digits_is_not_taken_for_a_second_header_row() -> None:
    grid = [
        ["花名册"],
        ["姓名", "住址", "电话"],
        ["王大妈", "翠湖北路", ""],
        ["李大爷", "翠湖南路", "13900007777"],
    ]
    rows = rows_from_grid(grid)
    assert [(r.line, r.name, r.address) for r in rows] == [
        (3, "王大妈", "翠湖北路"),
        (4, "李大爷", "翠湖南路"),
    ]
    assert rows[1].phones == ("13900007777",)
