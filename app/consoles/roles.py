"""Which role may use which console, and how roles are named in the Chinese UI."""

from __future__ import annotations

from dataclasses import dataclass

from app.staff.enums import StaffRole

ROLE_LABELS: dict[StaffRole, str] = {
    StaffRole.OPERATOR: "调度员",
    StaffRole.HOSPITAL_STAFF: "医院工作人员",
    StaffRole.HOSPITAL_ADMIN: "医院管理员",
    StaffRole.COMMUNITY_STAFF: "社区工作人员",
    StaffRole.FAMILY_DOCTOR: "家庭医生",
    StaffRole.ADMIN: "管理员",
}

DISPATCH_ROLES: tuple[StaffRole, ...] = (StaffRole.OPERATOR, StaffRole.ADMIN)
HOSPITAL_CONSOLE_ROLES: tuple[StaffRole, ...] = (
    StaffRole.HOSPITAL_STAFF,
    StaffRole.HOSPITAL_ADMIN,
    StaffRole.ADMIN,
)
# The admin section of the hospital console (/hospital/{id}/admin): departments, doctors,
# schedule templates, one-off changes, rules. Hospital staff may not use it.
HOSPITAL_ADMIN_ROLES: tuple[StaffRole, ...] = (StaffRole.HOSPITAL_ADMIN, StaffRole.ADMIN)
COMMUNITY_CONSOLE_ROLES: tuple[StaffRole, ...] = (StaffRole.COMMUNITY_STAFF, StaffRole.ADMIN)
USER_ADMIN_ROLES: tuple[StaffRole, ...] = (StaffRole.ADMIN,)
# The family-doctor console (/family-doctor): a family doctor's own signed patients only;
# nobody else, admins included, books from it (they are not anyone's family doctor).
FAMILY_DOCTOR_ROLES: tuple[StaffRole, ...] = (StaffRole.FAMILY_DOCTOR,)


@dataclass(frozen=True)
class ConsoleLink:
    title: str
    path: str
    description: str
    roles: tuple[StaffRole, ...]


CONSOLE_LINKS: tuple[ConsoleLink, ...] = (
    ConsoleLink("调度台", "/dispatch", "叫车队列、派车和回拨", DISPATCH_ROLES),
    ConsoleLink("医院工作台", "/hospital", "号源、预约和停诊", HOSPITAL_CONSOLE_ROLES),
    ConsoleLink(
        "老人登记", "/people", "登记、查找和修改老人资料，打印热线卡", COMMUNITY_CONSOLE_ROLES
    ),
    ConsoleLink(
        "家庭医生工作台", "/family-doctor", "我的签约老人：代约、改约、取消", FAMILY_DOCTOR_ROLES
    ),
    ConsoleLink(
        "用户管理", "/console/users", "新建和停用账号、重设密码、修改角色", USER_ADMIN_ROLES
    ),
    ConsoleLink("适老化报告", "/console/report", "自助办完、转人工、挂断与重问", USER_ADMIN_ROLES),
    ConsoleLink(
        "国家节假日", "/hospital/holidays", "录入内置日历还没有的年份的放假和调休（全部医院共用）",
        USER_ADMIN_ROLES,
    ),
)


def role_label(role: StaffRole | str) -> str:
    return ROLE_LABELS.get(StaffRole(role), str(role))


def links_for(role: StaffRole) -> list[ConsoleLink]:
    """The consoles a role may open, in display order."""
    return [link for link in CONSOLE_LINKS if role in link.roles]
