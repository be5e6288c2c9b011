"""Keypad menus of the hospital flow: at most three choices said per question.

Without a speech model every question must be answerable by keys, and an older caller
keeps three choices in mind at most. `page` cuts any list into pages of three (keys 1-3),
with key 9 for the next page; `menu_text` says a page with the key before the (long)
detail: "按1，心血管内科；按2，呼吸内科；按3，消化内科；更多的，按9".

Departments are chosen in two steps: a group (内科 / 外科 / 其他), then a department of
the group, covering every department the hospitals have (`department_groups`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

PAGE_SIZE = 3
MORE_KEY = "9"

T = TypeVar("T")

# The three groups said at the department question, in order.
GROUPS = ("内科", "外科", "其他科")
_INTERNAL = ("内分泌科", "老年医学科", "肾内科", "血液科", "风湿免疫科", "感染科", "全科")
_SURGICAL = ("骨科", "泌尿科", "普外科", "肛肠科", "烧伤科", "疼痛科")


def department_group(name: str) -> str:
    """内科 / 外科 / 其他科 for a canonical department name."""
    if name.endswith("内科") or name in _INTERNAL:
        return "内科"
    if name.endswith("外科") or name in _SURGICAL:
        return "外科"
    return "其他科"


def department_groups(names: Sequence[str]) -> dict[str, list[str]]:
    """Every department under its group (groups without a department are left out)."""
    groups: dict[str, list[str]] = {}
    for group in GROUPS:
        members = [n for n in names if department_group(n) == group]
        if members:
            groups[group] = members
    return groups


def page_count(items: Sequence[object]) -> int:
    return max(1, -(-len(items) // PAGE_SIZE))


def page(items: Sequence[T], number: int) -> list[T]:
    """The `number`-th page (from 0; wraps around) of at most three items."""
    number %= page_count(items)
    return list(items[number * PAGE_SIZE : (number + 1) * PAGE_SIZE])


def more_label(items: Sequence[object], number: int, label: str) -> str | None:
    """What key 9 says on page `number`: `label` while pages follow, 从头再听 on the last
    page of several, nothing when everything fits on one page."""
    pages = page_count(items)
    if pages == 1:
        return None
    return label if number % pages < pages - 1 else "从头再听"


def group_menu_text(groups: Sequence[str]) -> str:
    """内科，请按1；外科，请按2；其他科，请按3 (at most the three GROUPS)."""
    return "；".join(f"{group}，请按{i}" for i, group in enumerate(groups, start=1))


def menu_text(labels: Sequence[str], *, more: str | None = None) -> str:
    """按1，A；按2，B；按3，C；{more}，按9 — the key before the detail."""
    parts = [f"按{i}，{label}" for i, label in enumerate(labels, start=1)]
    if more:
        parts.append(f"{more}，按{MORE_KEY}")
    return "；".join(parts)


def chosen(items: Sequence[T], number: int, key: object) -> T | None:
    """The item on page `number` that key `key` (1-3, as int or str) stands for."""
    try:
        index = int(str(key)) - 1
    except ValueError:
        return None
    shown = page(items, number)
    return shown[index] if 0 <= index < len(shown) else None
