"""Staff roles."""

from __future__ import annotations

from enum import StrEnum


class StaffRole(StrEnum):
    OPERATOR = "operator"
    HOSPITAL_STAFF = "hospital_staff"
    HOSPITAL_ADMIN = "hospital_admin"  # administers one hospital: clinics, schedules, rules
    COMMUNITY_STAFF = "community_staff"
    ADMIN = "admin"
