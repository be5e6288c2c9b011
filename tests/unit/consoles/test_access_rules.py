"""Role and hospital access rules, redirects and the sign-in delays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import HTTPException

from app.consoles.auth import (
    can_access_hospital,
    community_scope,
    ensure_community_access,
    ensure_hospital_access,
    hospital_scope,
    require_role,
)
from app.consoles.login import safe_next
from app.consoles.roles import links_for
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from app.staff.throttle import ThrottlePolicy, retry_after_seconds

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _staff(role: StaffRole, hospital_id: int | None = None) -> StaffUser:
    return StaffUser(id=1, username="u", display_name="测试", password_hash="-", role=role,
                     hospital_id=hospital_id, active=True)


def test_hospital_staff_may_only_see_their_own_hospital() -> None:
    nurse = _staff(StaffRole.HOSPITAL_STAFF, hospital_id=7)
    assert can_access_hospital(nurse, 7)
    assert not can_access_hospital(nurse, 8)
    with pytest.raises(HTTPException) as refused:
        ensure_hospital_access(nurse, 8)
    assert refused.value.status_code == 403
    assert hospital_scope(nurse) == 7


def test_admin_sees_every_hospital_and_operator_none() -> None:
    assert can_access_hospital(_staff(StaffRole.ADMIN), 8)
    assert hospital_scope(_staff(StaffRole.ADMIN)) is None
    operator = _staff(StaffRole.OPERATOR)
    assert not can_access_hospital(operator, 8)
    with pytest.raises(HTTPException):
        hospital_scope(operator)


def test_community_staff_may_only_see_their_own_community() -> None:
    worker = StaffUser(id=2, username="w", display_name="社区", password_hash="-",
                       role=StaffRole.COMMUNITY_STAFF, community_id=3, active=True)
    assert community_scope(worker) == 3
    ensure_community_access(worker, 3)
    with pytest.raises(HTTPException) as refused:
        ensure_community_access(worker, 4)
    assert refused.value.status_code == 403
    assert community_scope(_staff(StaffRole.ADMIN)) is None
    with pytest.raises(HTTPException):
        community_scope(_staff(StaffRole.HOSPITAL_STAFF, hospital_id=1))


def test_require_role_admits_only_listed_roles() -> None:
    check = require_role(StaffRole.OPERATOR, StaffRole.ADMIN)
    assert check(_staff(StaffRole.OPERATOR)).role is StaffRole.OPERATOR
    with pytest.raises(HTTPException) as refused:
        check(_staff(StaffRole.HOSPITAL_STAFF, hospital_id=1))
    assert refused.value.status_code == 403


def test_console_links_follow_the_role() -> None:
    assert [link.path for link in links_for(StaffRole.OPERATOR)] == ["/dispatch"]
    assert [link.path for link in links_for(StaffRole.HOSPITAL_STAFF)] == ["/hospital"]
    assert [link.path for link in links_for(StaffRole.COMMUNITY_STAFF)] == ["/people"]
    assert [link.path for link in links_for(StaffRole.ADMIN)] == [
        "/dispatch", "/hospital", "/people", "/console/users", "/console/report",
        "/hospital/holidays"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/dispatch?x=1", "/dispatch?x=1"), ("//evil.example", "/console"),
     ("/\\evil.example", "/console"), ("https://evil.example", "/console"),
     ("", "/console"), ("/login", "/console")],
)
def test_next_page_after_sign_in_is_always_local(target: str, expected: str) -> None:
    assert safe_next(target) == expected


def test_delays_start_after_the_free_failures_and_double_up_to_the_limit() -> None:
    policy = ThrottlePolicy(
        free_failures=3, first_delay=timedelta(seconds=2), max_delay=timedelta(seconds=60)
    )
    delays = [policy.delay_after(n, policy.free_failures) for n in range(1, 10)]
    assert delays[:3] == [None, None, None]
    assert [d.total_seconds() for d in delays[3:] if d] == [2, 4, 8, 16, 32, 60]


def test_retry_after_rounds_up_to_whole_seconds() -> None:
    assert retry_after_seconds(timedelta(milliseconds=1)) == 1
    assert retry_after_seconds(timedelta(seconds=14, milliseconds=1)) == 15
