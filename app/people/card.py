"""The printed card beside an older person's phone: the hotline, the main keys, and for
each saved place the keys that order a taxi from there (dialogs/taxi.yaml):

- home: 1 (taxi), then 1 (车到家接您。对，按1。);
- another place, key ≤ 8, with a home saved: 1, then 2 (不对), then the place's key,
  then 1 (对);
- another place without a home saved: 1, then the place's key, then 1;
- places 8 to 10 have no key in the menu (8 is 取消叫车 on the status menu, 9 means
  "none of these"): the caller reaches the place question the same way (1, then 2 with
  a home saved) and says the label there; "车到家接您。" takes no place names.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.people.enums import PlaceKind
from app.people.models import Person
from app.people.phones import local_number
from app.taxi.call_actions import PLACES_BY_KEY, PLACES_SAID

MAIN_KEYS = "按1叫车，按2挂号，按0找人工"
# With a ride already queued, 1 and 2 mean ride status and hospital (dialogs/taxi.yaml).
NEW_CAR_NOTE = "这些按键是叫一辆新车用的。已经叫了车、车还没到时再打，会先听到车的情况。"
UNSAID_NOTE = "电话里只念前两个地方；卡上其他地方不用等，直接按它的键，或说出地方的名字。"


@dataclass(frozen=True)
class CardPlace:
    label: str
    keys: str  # "1 → 2 → 3 → 1", or how to ask for it by voice


def place_keys(person: Person) -> list[CardPlace]:
    home = next((p for p in person.places if p.kind == PlaceKind.HOME), None)
    lines: list[CardPlace] = []
    for place in person.places:
        if place is home:
            keys = ["1", "1"]
        elif place.position > PLACES_BY_KEY:
            first = "按1叫车，再按2，然后说" if home is not None else "按1叫车，然后说"
            lines.append(CardPlace(place.label, f"{first}“{place.label}”"))
            continue
        elif home is not None:
            keys = ["1", "2", str(place.position), "1"]
        else:
            keys = ["1", str(place.position), "1"]
        lines.append(CardPlace(place.label, " → ".join(keys)))
    return lines


def places_unsaid(person: Person) -> bool:
    """True when the place question reads fewer places than have keys (PLACES_SAID)."""
    home = next((p for p in person.places if p.kind == PlaceKind.HOME), None)
    keyed = [p for p in person.places if p is not home and p.position <= PLACES_BY_KEY]
    return len(keyed) > PLACES_SAID


def written_number(number: str) -> str:
    """+868710000000 -> 0871-0000000; a mobile stays 13800000001 (as written in China)."""
    local = local_number(number)
    if not local.startswith("0"):
        return local
    area = 3 if local[1] in "12" else 4  # 010, 020-029 are the three-digit area codes
    return f"{local[:area]}-{local[area:]}"
