"""Staff roles."""

from __future__ import annotations

from enum import StrEnum


class StaffRole(StrEnum):
    OPERATOR = "operator"
    HOSPITAL_STAFF = "hospital_staff"
    HOSPITAL_ADMIN = "hospital_admin"  # administers one hospital: clinics, schedules, rules
    COMMUNITY_STAFF = "community_staff"
    # A family doctor (家庭签约医生) of one hospital or community health centre: books for
    # the patients signed with them from the family-doctor share (app.hospital.family_doctors).
    FAMILY_DOCTOR = "family_doctor"
    ADMIN = "admin"
