"""The family page's person form: what a relative may enter, read back into the
registration service's inputs.

Smaller than the community console's form: the older person's name, call name, ID
number, their phones, home and other saved places, and who the relative is to them.
The relative's own number is the verified one and becomes a family contact with every
permission (order taxis, book appointments, be told). On an update, numbers and
contacts already on file are kept (shown masked; the community office removes them),
and the ID number is kept when left empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData

from app.people.enums import PlaceKind
from app.people.models import MAX_SAVED_PLACES, Person
from app.people.phones import mask_number
from app.people.registration import ContactInput, PlaceInput

MAX_FIELD = 200
MAX_ROWS = 12
NEW_PHONE_ROWS = 2
EXTRA_PLACES = 2


class FormRefused(ValueError):
    """A form no browser sends: a 400."""


@dataclass
class FamilyForm:
    full_name: str = ""
    call_name: str = ""
    id_number: str = ""
    community_id: str = ""
    new_phones: list[str] = field(default_factory=list)
    home_address: str = ""
    home_landmark: str = ""
    places: list[tuple[str, str, str]] = field(default_factory=list)  # label, address, landmark
    my_name: str = ""
    my_relation: str = ""
    parent_agreed: bool = False  # the relative states the person agreed to be registered

    @classmethod
    def from_form(cls, data: FormData) -> FamilyForm:
        def one(name: str) -> str:
            value = data.get(name, "")
            text = value if isinstance(value, str) else ""
            if len(text) > MAX_FIELD:
                raise FormRefused(name)
            return text.strip()

        def many(name: str) -> list[str]:
            values = [v.strip() if isinstance(v, str) else "" for v in data.getlist(name)]
            if len(values) > MAX_ROWS or any(len(v) > MAX_FIELD for v in values):
                raise FormRefused(name)
            return values

        labels, addresses, landmarks = (
            many("place_label"),
            many("place_address"),
            many("place_landmark"),
        )
        if not len(labels) == len(addresses) == len(landmarks):
            raise FormRefused("place rows")
        places = [
            (label, address, landmark)
            for label, address, landmark in zip(labels, addresses, landmarks, strict=True)
            if label or address or landmark
        ]
        return cls(
            full_name=one("full_name"),
            call_name=one("call_name"),
            id_number=one("id_number"),
            community_id=one("community_id"),
            new_phones=[p for p in many("phone") if p],
            home_address=one("home_address"),
            home_landmark=one("home_landmark"),
            places=places,
            my_name=one("my_name"),
            my_relation=one("my_relation"),
            parent_agreed=one("parent_agreed") == "yes",
        )

    @classmethod
    def of(cls, person: Person, number: str) -> FamilyForm:
        home = next((p for p in person.places if p.kind == PlaceKind.HOME), None)
        mine = next((c for c in person.contacts if c.phone == number), None)
        return cls(
            full_name=person.full_name,
            call_name=person.call_name or "",
            home_address=home.address if home else "",
            home_landmark=(home.landmark or "") if home else "",
            places=[
                (p.label, p.address, p.landmark or "")
                for p in person.places
                if p.kind != PlaceKind.HOME
            ],
            my_name=mine.name if mine else "",
            my_relation=mine.relation if mine else "",
        )

    # --- for the template ----------------------------------------------------------------

    def place_rows(self) -> list[tuple[str, str, str]]:
        """The rows shown: the places entered and at least one empty row, up to the limit."""
        empty = max(1, EXTRA_PLACES - len(self.places))
        return (list(self.places) + [("", "", "")] * empty)[: MAX_SAVED_PLACES - 1]

    def phone_rows(self) -> list[str]:
        rows = list(self.new_phones)
        return rows + [""] * max(0, NEW_PHONE_ROWS - len(rows))

    # --- for the registration service --------------------------------------------------

    def home(self) -> PlaceInput | None:
        if not (self.home_address or self.home_landmark):
            return None
        return PlaceInput(label="家", address=self.home_address, landmark=self.home_landmark)

    def place_inputs(self, kinds: dict[str, PlaceKind] | None = None) -> list[PlaceInput]:
        kinds = kinds or {}
        return [
            PlaceInput(label, address, landmark or None, kinds.get(label, _kind_of(label)))
            for label, address, landmark in self.places
        ]

    def my_contact(self, number: str) -> ContactInput:
        return ContactInput(name=self.my_name, relation=self.my_relation, phone=number)


def _kind_of(label: str) -> PlaceKind:
    if "医院" in label or label.endswith("院"):
        return PlaceKind.HOSPITAL
    if label.endswith("家"):
        return PlaceKind.FAMILY
    return PlaceKind.OTHER


def masked_phones(person: Person) -> list[str]:
    return [mask_number(p.number) for p in person.phones]
