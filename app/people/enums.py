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
