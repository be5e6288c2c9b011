"""Roster import speed: rows/second for a generated community roster (XLSX).

    .venv/bin/python bench/roster_import.py [--rows 10000]

Builds an .xlsx roster of N residents (valid IDs, a mobile and a landline each, a home
and a family contact), migrates a fresh SQLite file, and times reading the file, the dry
run and the commit (`app.people.roster_import`, the code `ivr people import` runs).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from openpyxl import Workbook  # noqa: E402

from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.people.models import Community  # noqa: E402
from app.people.resident_id import make_resident_id  # noqa: E402
from app.people.roster_import import import_roster, read_roster  # noqa: E402

COMMUNITY = "翠湖社区"


def build_roster(path: Path, rows: int) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["序号", "姓名", "身份证号", "联系电话", "家庭住址"] + ["紧急联系人", "关系", "联系人电话"]
    )
    for i in range(rows):
        born = date(1940, 1, 1) + timedelta(days=i % 7000)
        sheet.append(
            [
                i + 1,
                f"测试{i:05d}",
                make_resident_id("530102", born, i % 1000),
                f"139 {i:08d}, 0871-6{i:07d}"[:30],
                f"翠湖北路{i}号",
                f"家属{i:05d}",
                "女儿",
                f"137{i:08d}",
            ]
        )
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
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
                    session, rows=rows, community_name=COMMUNITY, registered_by="bench"
                )
                if not commit:
                    session.rollback()
            timings[label] = time.perf_counter() - started
        db.dispose()
    refused = sum(1 for r in plan.rows if r.action == "refuse")
    print(f"rows: {args.rows}  refused: {refused}  read: {read_s:.1f} s")
    for label, seconds in timings.items():
        print(f"{label:8}: {seconds:6.1f} s  {args.rows / seconds:7.0f} rows/s")


if __name__ == "__main__":
    main()
