"""Kinds of phones, places and consent."""

from __future__ import annotations

from enum import StrEnum


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"


class PlaceKind(StrEnum):
    HOME = "home"
    FAMILY = "family"
    HOSPITAL = "hospital"
    OTHER = "other"


class ConsentBasis(StrEnum):
    """On what basis a person was registered."""

    PAPER_FORM = "paper_form"  # a form signed at the community office
    VERBAL_BY_PHONE = "verbal_by_phone"  # verbal consent, recorded on a phone call
    IN_PERSON = "in_person"  # registered at a hospital desk, ID card shown in person
    # entered by a relative on the family page, after proving their mobile with an SMS code
    FAMILY_SELF_SERVICE = "family_self_service"


# What community staff may choose (the family page records FAMILY_SELF_SERVICE itself).
STAFF_CONSENT_BASES = (ConsentBasis.PAPER_FORM, ConsentBasis.VERBAL_BY_PHONE)
