"""Kinds of phones and places."""

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
