"""The register/edit form of the community console: what the browser sends, read back into
the registration service's inputs, and the rows the template shows again after a refusal.

Repeated rows use lists of same-named fields (text inputs are always sent, so the lists
line up); a contact's permission checkboxes carry the row number as their value.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from starlette.datastructures import FormData

from app.people.enums import STAFF_CONSENT_BASES, ConsentBasis, PlaceKind
from app.people.models import MAX_SAVED_PLACES, Person
from app.people.phones import mask_number
from app.people.registration import HOME_LABEL, ContactInput, PlaceInput
from app.people.resident_id import mask_resident_id

MAX_FIELD = 200  # longer than any column: the service gives the clear message
MAX_ROWS = 30  # more rows than this is not a person's form
EXTRA_PHONE_ROWS = 2
EXTRA_CONTACT_ROWS = 2
PLACE_KIND_LABELS = {
    PlaceKind.FAMILY: "亲友家",
    PlaceKind.HOSPITAL: "医院（常去的医院）",
    PlaceKind.OTHER: "其他",
}


class FormRefused(ValueError):
    """A form no browser sends (too many rows, an unknown choice): a 400."""


@dataclass
class ContactRow:
    name: str = ""
    relation: str = ""
    phone: str = ""
    may_order_taxi: bool = True
    may_book: bool = True
    notified: bool = True


@dataclass
class PersonForm:
    full_name: str = ""
    call_name: str = ""
    id_number: str = ""
    consent_basis: str = ConsentBasis.PAPER_FORM.value
    community_id: str = ""
    phones: list[str] = field(default_factory=list)
    home_label: str = HOME_LABEL
    home_address: str = ""
    home_landmark: str = ""
    places: list[PlaceInput] = field(default_factory=list)
    contacts: list[ContactRow] = field(default_factory=list)
    rebind: bool = False

    # --- reading ------------------------------------------------------------------------

    @classmethod
    def from_form(cls, data: FormData) -> PersonForm:
        def one(name: str) -> str:
            value = data.get(name, "")
            text = value if isinstance(value, str) else ""
            if len(text) > MAX_FIELD:
                raise FormRefused(f"{name} is too long")
            return text

        def many(name: str) -> list[str]:
            values = [v if isinstance(v, str) else "" for v in data.getlist(name)]
            if len(values) > MAX_ROWS or any(len(v) > MAX_FIELD for v in values):
                raise FormRefused(f"{name} has too many rows")
            return values

        labels, addresses = many("place_label"), many("place_address")
        landmarks, kinds = many("place_landmark"), many("place_kind")
        places: list[PlaceInput] = []
        for index, label in enumerate(labels):
            address = _at(addresses, index)
            if not (label.strip() or address.strip()):
                continue  # an empty row
            kind = _at(kinds, index) or PlaceKind.OTHER.value
            if kind not in {k.value for k in PLACE_KIND_LABELS}:
                raise FormRefused("unknown place kind")
            places.append(PlaceInput(label, address, _at(landmarks, index), PlaceKind(kind)))
        names, relations, numbers = (
            many("contact_name"),
            many("contact_relation"),
            many("contact_phone"),
        )
        taxi, book, told = (
            set(many("contact_taxi")),
            set(many("contact_book")),
            set(many("contact_notify")),
        )
        contacts = [
            ContactRow(
                name=name,
                relation=_at(relations, index),
                phone=_at(numbers, index),
                may_order_taxi=str(index) in taxi,
                may_book=str(index) in book,
                notified=str(index) in told,
            )
            for index, name in enumerate(names)
            if name.strip() or _at(relations, index).strip() or _at(numbers, index).strip()
        ]
        consent = one("consent_basis") or ConsentBasis.PAPER_FORM.value
        if consent not in {c.value for c in STAFF_CONSENT_BASES}:
            raise FormRefused("unknown consent basis")
        return cls(
            full_name=one("full_name"),
            call_name=one("call_name"),
            id_number=one("id_number"),
            consent_basis=consent,
            community_id=one("community_id"),
            phones=[p for p in many("phone") if p.strip()],
            home_label=one("home_label"),
            home_address=one("home_address"),
            home_landmark=one("home_landmark"),
            places=places,
            contacts=contacts,
            rebind=one("rebind") == "yes",
        )

    @classmethod
    def of(cls, person: Person) -> PersonForm:
        """The form filled with a registered person's details, numbers masked as on every
        page (`unmask` puts the stored numbers back for the ones left unchanged)."""
        home = next((p for p in person.places if p.kind == PlaceKind.HOME), None)
        masks = _masks(person)
        return cls(
            full_name=person.full_name,
            call_name=person.call_name or "",
            id_number=mask_resident_id(person.id_number) if person.id_number else "",
            consent_basis=(person.consent_basis or ConsentBasis.PAPER_FORM).value,
            community_id=str(person.community_id or ""),
            phones=[masks.get(p.number, p.number) for p in person.phones],
            home_label=home.label if home else HOME_LABEL,
            home_address=home.address if home else "",
            home_landmark=(home.landmark or "") if home else "",
            places=[
                PlaceInput(p.label, p.address, p.landmark, p.kind)
                for p in person.places
                if p is not home
            ],
            contacts=[
                ContactRow(
                    c.name,
                    c.relation,
                    masks.get(c.phone, c.phone),
                    c.may_order_taxi,
                    c.may_act_for,
                    c.notify,
                )
                for c in person.contacts
            ],
        )

    def unmask(self, person: Person) -> PersonForm:
        """Masked numbers left as the edit page showed them stand for the stored ones."""
        stored = {mask: number for number, mask in _masks(person).items()}
        id_number = self.id_number.strip()
        if person.id_number and id_number == mask_resident_id(person.id_number):
            id_number = person.id_number
        return replace(
            self,
            id_number=id_number,
            phones=[stored.get(p.strip(), p) for p in self.phones],
            contacts=[
                replace(c, phone=stored.get(c.phone.strip(), c.phone)) for c in self.contacts
            ],
        )

    # --- for the registration service ---------------------------------------------------

    @property
    def home(self) -> PlaceInput | None:
        if not (self.home_address.strip() or self.home_landmark.strip()):
            return None
        return PlaceInput(self.home_label, self.home_address, self.home_landmark or None)

    @property
    def contact_inputs(self) -> list[ContactInput]:
        return [
            ContactInput(c.name, c.relation, c.phone, c.may_order_taxi, c.may_book, c.notified)
            for c in self.contacts
        ]

    @property
    def community(self) -> int | None:
        return int(self.community_id) if self.community_id.isdigit() else None

    # --- for the template ---------------------------------------------------------------

    @property
    def phone_rows(self) -> list[str]:
        return self.phones + [""] * EXTRA_PHONE_ROWS

    @property
    def place_rows(self) -> list[PlaceInput]:
        blank = PlaceInput("", "", None, PlaceKind.OTHER)
        return self.places + [blank] * max(0, MAX_SAVED_PLACES - 1 - len(self.places))

    @property
    def contact_rows(self) -> list[ContactRow]:
        return self.contacts + [ContactRow() for _ in range(EXTRA_CONTACT_ROWS)]


def _masks(person: Person) -> dict[str, str]:
    """number -> 139****1111 for the person's and contacts' numbers whose mask is unique
    among them (two numbers sharing a mask are shown in full on the edit page)."""
    numbers = {p.number for p in person.phones} | {c.phone for c in person.contacts}
    counts = Counter(mask_number(n) for n in numbers)
    return {n: mask_number(n) for n in numbers if counts[mask_number(n)] == 1}


def _at(values: list[str], index: int) -> str:
    return values[index] if index < len(values) else ""
