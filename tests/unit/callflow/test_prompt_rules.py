"""Prompts an 80-year-old can follow: the rules of docs/callflow.md, checked on every flow.

Every flow in dialogs/*.yaml is loaded; every question's first prompt and re-prompt is
checked. Menus built at run time (saved places, patients, departments, days) are filled
in with the largest menu their builders can make, so a long list cannot slip past.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from app import texts
from app.callflow.loader import FlowSet, StateRef, load_flows
from app.callflow.spec import StateSpec
from app.core.config import PROJECT_ROOT
from app.hospital import keypad_menus as menus
from app.hospital.rules import spoken_visit_day
from app.hotline import build_actions
from app.taxi.call_actions import PLACES_BY_KEY, place_keys, places_menu

HOTLINE_NAME = "长者服务热线"
TOP_LEVEL_MENUS = (
    "main.menu", "main.menu_home", "main.menu_home_again", "taxi.status", "taxi.no_car"
)
PAGING_WORDS = ("更多", "从头再听", "更晚")

FLOWS: FlowSet = load_flows(PROJECT_ROOT / "dialogs", build_actions())


def _largest_menus() -> dict[str, str]:
    """Each run-time menu at its longest: many places, patients, departments and days."""
    places = [
        {"id": i, "label": f"地点{i}", "position": i, "address": "某路1号"}
        for i in range(1, PLACES_BY_KEY + 3)
    ]
    many = [f"选项{i}" for i in range(10)]
    groups = menus.department_groups(
        ["心血管内科", "呼吸内科", "骨科", "普外科", "眼科", "口腔科", "皮肤科", "神经内科"]
    )
    today = date(2026, 11, 30)
    days = [today + timedelta(days=i) for i in range(10)]
    passengers = [f"给某某{i}叫车" for i in range(10)]
    return {
        "places_menu": places_menu(places, place_keys(places, exclude=1)),
        "passengers_menu": menus.menu_text(
            menus.page(passengers, 0), more=menus.more_label(passengers, 0, "给更多的人叫车")
        ),
        "booked_next": texts.spoken("ride_booked_next"),
        "patients_menu": menus.menu_text(
            [f"给{m}挂" for m in menus.page(many, 0)], more=menus.more_label(many, 0, "更多的人")
        ),
        "department_menu": menus.group_menu_text(groups),
        "department_choices": menus.menu_text(
            menus.page(many, 0), more=menus.more_label(many, 0, "更多的科")
        ),
        "day_menu": menus.menu_text(
            [spoken_visit_day(d, today) for d in menus.page(days, 0)],
            more=menus.more_label(days, 0, "更晚的日子"),
        ),
    }


class _Filled(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "某某"


MENUS = _Filled(_largest_menus())


def _text(flow: str, prompt: str) -> str:
    return FLOWS.prompt(flow, prompt).format_map(MENUS)


def _questions() -> Iterator[tuple[StateRef, StateSpec]]:
    for ref, spec in FLOWS.all_states():
        if spec.kind == "ask":
            yield ref, spec


QUESTIONS = list(_questions())
IDS = [str(ref) for ref, _ in QUESTIONS]


def _keys_named(text: str) -> set[str]:
    return set(re.findall(r"按\s*([0-9])", text))


def _choices(text: str) -> set[str]:
    """Keys offered besides 0 (a person); 9 as "more"/"from the start" pages, it is no choice."""
    keys = _keys_named(text) - {"0"}
    parts = re.split(r"[；。]", text)
    if any("按9" in part and any(word in part for word in PAGING_WORDS) for part in parts):
        keys.discard("9")
    return keys


def _first_prompts(ref: StateRef, seen: frozenset[StateRef] = frozenset()) -> list[str]:
    """The first prompt a caller can hear on entering `ref`, for every branch of its actions."""
    if ref in seen:
        return []
    spec = FLOWS.state(ref)
    if spec.say:
        return [_text(ref.flow, spec.say)]
    first = [p for p in (spec.ask, spec.transfer, spec.end) if p]
    found = [_text(ref.flow, first[0])] if first else []
    for target in [*spec.outcomes.values(), *([spec.next] if spec.next else [])]:
        found += _first_prompts(FLOWS.resolve(ref.flow, target), seen | {ref})
    return found


def test_every_caller_hears_the_hotline_named_in_the_first_sentence() -> None:
    first = _first_prompts(FLOWS.start())
    assert len(first) >= 4  # unknown, registered, registered with a home, with a ride
    for prompt in first:
        assert HOTLINE_NAME in re.split(r"[。？！]", prompt)[0], prompt


@pytest.mark.parametrize(("ref", "spec"), QUESTIONS, ids=IDS)
def test_key_0_for_a_person_is_named_in_the_first_prompt_and_the_re_prompt(
    ref: StateRef, spec: StateSpec
) -> None:
    assert spec.ask and spec.simpler
    for prompt in (spec.ask, spec.simpler):
        assert "0" in _keys_named(_text(ref.flow, prompt)), f"{ref} {prompt}: no 按0"


@pytest.mark.parametrize(("ref", "spec"), QUESTIONS, ids=IDS)
def test_the_question_comes_before_key_0_for_a_person(ref: StateRef, spec: StateSpec) -> None:
    for prompt in (spec.ask, spec.simpler):
        assert prompt
        first = re.split(r"[。？！]", _text(ref.flow, prompt))[0]
        assert "0" not in _keys_named(first), f"{ref} {prompt}: 按0 before the question"


@pytest.mark.parametrize(("ref", "spec"), QUESTIONS, ids=IDS)
def test_only_typed_numbers_end_with_the_pound_key(ref: StateRef, spec: StateSpec) -> None:
    """Speech (and a recording) ends on silence; # only ends a number of several keys."""
    for prompt in (spec.ask, spec.simpler):
        assert prompt
        if "井号" in _text(ref.flow, prompt):
            assert spec.max_digits > 1 and spec.input == "keys", f"{ref} {prompt}"


@pytest.mark.parametrize(("ref", "spec"), QUESTIONS, ids=IDS)
def test_at_most_three_choices_per_question(ref: StateRef, spec: StateSpec) -> None:
    for prompt in (spec.ask, spec.simpler):
        assert prompt
        choices = _choices(_text(ref.flow, prompt))
        assert len(choices) <= 3, f"{ref} {prompt}: {sorted(choices)}"


@pytest.mark.parametrize(("ref", "spec"), QUESTIONS, ids=IDS)
def test_every_key_named_in_a_prompt_is_one_the_question_takes(
    ref: StateRef, spec: StateSpec
) -> None:
    taken = {*spec.keys, *spec.key_answers, "0"}
    if spec.expect in ("choice", "free_text") and spec.on_value:
        taken |= set("12345678")  # chosen from a run-time menu (places, patients, pages)
    if spec.max_digits > 1:
        return  # a number is typed, not chosen
    for prompt in (spec.ask, spec.simpler):
        assert prompt
        assert _keys_named(_text(ref.flow, prompt)) <= taken, f"{ref} {prompt}"


@pytest.mark.parametrize(("ref", "spec"), QUESTIONS, ids=IDS)
def test_every_key_that_acts_is_said(ref: StateRef, spec: StateSpec) -> None:
    """No hidden key: a key a question takes (its `keys`, `key_answers`) is named in its
    prompt and re-prompt (ninth trial: 3 at the booked-car menu and the status menus, and
    2, 3 and 8 on the status menu's next page, acted unsaid). A typed number is not chosen."""
    if spec.max_digits > 1 and spec.expect == "digits":
        return
    acting = {*spec.keys, *spec.key_answers}
    for prompt in (spec.ask, spec.simpler):
        assert prompt
        hidden = acting - _keys_named(_text(ref.flow, prompt))
        assert not hidden, f"{ref} {prompt}: keys {sorted(hidden)} act unsaid"


def _target(menu: str, key: str) -> StateRef:
    ref = StateRef(*menu.split("."))
    return FLOWS.resolve(ref.flow, FLOWS.state(ref).keys[key])


def test_keys_keep_one_meaning_across_the_top_level_menus() -> None:
    """1 the taxi, 2 hospital registration, 0 a person, * repeat; cancelling only on a key
    no other top-level menu uses."""
    for menu in TOP_LEVEL_MENUS:
        assert _target(menu, "2") == FLOWS.start("hospital"), menu
        assert _target(menu, "1").flow == "taxi", menu
    cancel_keys = {
        key
        for menu in TOP_LEVEL_MENUS
        for key, target in FLOWS.state(StateRef(*menu.split("."))).keys.items()
        if "cancel" in target
    }
    used_elsewhere = {
        key
        for menu in TOP_LEVEL_MENUS
        for key, target in FLOWS.state(StateRef(*menu.split("."))).keys.items()
        if "cancel" not in target
    }
    assert cancel_keys and not cancel_keys & used_elsewhere


# --- cancelling: one key, never a habit -------------------------------------------------

CANCEL_ACTIONS = {
    "cancel_active_ride",
    "cancel_upcoming_booking",
    "cancel_booked_ride",
    "cancel_hospital_trip",  # the car to a cancelled appointment
    "cancel_reminded_appointment",  # the reminder call the day before
}
HABIT_KEY = "1"  # 对 / 挂这个号 / the taxi: the key callers press without listening
# Cancel questions reached through an action, not a menu key: the car to an appointment
# just cancelled (asked after that cancel was confirmed by 8), and the reminder call's
# cancel, asked after the last four digits of the ID number were typed (issue 16 puts
# "要取消这个号，请按2" in the reminder; the typed digits stand between that key and the
# question, so no habit sequence reaches it).
# "明天的车不要了" said at a menu (ahead.confirm_cancel_said): words that name the booked
# ride stand between the menu and the question, no key leads there.
AFTER_A_BARRIER = {
    "hospital.trip_cancel",
    "reminder.trip_cancel",
    "reminder.confirm_cancel",
    "ahead.confirm_cancel_said",
}


def _ask_states() -> list[tuple[StateRef, StateSpec]]:
    return [(ref, spec) for ref, spec in FLOWS.all_states() if spec.kind == "ask"]


def _key_targets(ref: StateRef, spec: StateSpec) -> dict[str, StateRef]:
    return {key: FLOWS.resolve(ref.flow, target) for key, target in spec.keys.items()}


def _cancel_confirmations() -> dict[StateRef, set[str]]:
    """Each question with a key that runs a cancelling action, and those keys."""
    found: dict[StateRef, set[str]] = {}
    for ref, spec in _ask_states():
        for key, to in _key_targets(ref, spec).items():
            if FLOWS.state(to).action in CANCEL_ACTIONS:
                found.setdefault(ref, set()).add(key)
    return found


def _says_no_such_choice(ref: StateRef) -> bool:
    return FLOWS.state(ref).say == "no_such_choice"


def test_every_cancel_is_a_question_of_its_own_answered_by_the_cancel_key_again() -> None:
    """A cancel runs only from "要取消…吗？", and only by the key that led there, never 1:
    "1 3 1" (再听一遍, 去医院 one menu earlier, 对) or "2,1,2,<后4位>,1" cancels nothing."""
    confirmations = _cancel_confirmations()
    cancelling = {ref for ref, spec in FLOWS.all_states() if spec.action in CANCEL_ACTIONS}
    assert {FLOWS.state(r).action for r in cancelling} == CANCEL_ACTIONS
    for ref, spec in FLOWS.all_states():  # nothing but the confirmation reaches a cancel
        for label, target in spec.targets():
            to = FLOWS.resolve(ref.flow, target)
            if to in cancelling:
                assert ref in confirmations and label.startswith(("key", "answer yes")), (
                    f"{ref} {label} cancels without its own question"
                )
    for confirmation, keys in confirmations.items():
        assert HABIT_KEY not in keys, f"{confirmation}: cancelled with the habit key"
        spec = FLOWS.state(confirmation)
        assert spec.expect == "yesno" and spec.answers.get("yes"), confirmation
        leading = {
            key
            for ref, menu in _ask_states()
            for key, to in _key_targets(ref, menu).items()
            if to == confirmation
        }
        if str(confirmation) in AFTER_A_BARRIER:
            # No menu key leads here (a habit cannot run into it), and it cancels by the
            # hotline's one cancel key, as every other confirmation.
            assert not leading and keys == {"8"}, (confirmation, leading, keys)
            continue
        assert leading and leading == keys, f"{confirmation}: led to by {leading}, cancels {keys}"


def test_the_cancel_key_means_nothing_else_in_any_menu() -> None:
    """The top-level menus, the taxi menus and every hospital menu: the cancel key is a
    cancel or "no such choice", never a place, a patient, a department or a day."""
    confirmations = _cancel_confirmations()
    cancel_keys = set().union(*confirmations.values())
    assert len(cancel_keys) == 1, cancel_keys  # one key for every cancel on the hotline
    (cancel_key,) = cancel_keys
    for ref, spec in _ask_states():
        for key, to in _key_targets(ref, spec).items():
            if key != cancel_key:
                continue
            means_cancel = to in confirmations or FLOWS.state(to).action in CANCEL_ACTIONS
            assert means_cancel or _says_no_such_choice(to), f"{ref}: {key} -> {to}"
        assert cancel_key not in spec.key_answers, f"{ref}: {cancel_key} is an answer"
    # Keys chosen from run-time menus (places, patients, departments, days) stay below it.
    assert int(cancel_key) > PLACES_BY_KEY and int(cancel_key) > menus.PAGE_SIZE
    for menu in (*TOP_LEVEL_MENUS, "taxi.confirm_home"):  # 3 is 去医院, never a cancel
        targets = _key_targets(StateRef(*menu.split(".")), FLOWS.state(StateRef(*menu.split("."))))
        assert not any(to in confirmations for key, to in targets.items() if key != cancel_key)
