"""Actions of the hospital registration flow (dialogs/hospital.yaml).

They call the booking services (`app.hospital.appointments`, `appointment_offers`,
`patients`, `upcoming_appointments`), which hold every booking rule; these only keep
the call's variables (who the patient is, what was offered, which menu page is said)
and turn results and refusals into flow outcomes.

Personal data: a typed ID number is held in the call variable `secret_id_number` (the
call service keeps `secret_*` values out of stored steps and drops them when the call
ends) and stored on the person only when the booking is confirmed. Reading out a booking
or cancelling it needs the last four digits of the patient's ID number: caller ID alone
does not prove who is calling.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import select

from app import texts
from app.callflow.actions import ActionRegistry
from app.callflow.engine import SAID_WITH_KEY, SAID_WITH_NO, SAID_WITH_YES
from app.calls.service import StepContext
from app.hospital import appointments, identity, moves
from app.hospital import keypad_menus as menus
from app.hospital import offers as appointment_offers
from app.hospital import upcoming as upcoming_appointments
from app.hospital.enums import ClinicSession, ClinicType
from app.hospital.errors import BookingError, patient_in_call
from app.hospital.models import Appointment, Hospital
from app.hospital.offers import Offer
from app.hospital.own_hospital import own_hospital_id, prefer_own
from app.hospital.patients import (
    SELF,
    check_id_number,
    patient_to_caller,
    patients_for_caller,
    set_id_number,
)
from app.hospital.rules import (
    SESSION_WORDS,
    spoken_clock,
    spoken_day,
    spoken_moment,
    spoken_time,
    spoken_visit_day,
)
from app.hospital.trip_actions import cancel_car_made_for, car_note
from app.people.models import FamilyContact, Person
from app.people.names import your_relation
from app.people.resident_id import check_char
from app.taxi import hospital_trips

ID_TRIES = 3  # wrong ID numbers typed in one call before a person helps
# Wrong last four digits are counted per patient across calls: app.hospital.identity.
PLAIN_TAIL = "这天的号是："  # before the day's slot offered
LOTS = 1000  # every free slot of a half-day, to find the one nearest an hour said
# 换一天: the offer's key 3 (dialogs/hospital.yaml), pressed or said ("换一天，下午的": the
# engine's `said_with_key`), and the day of the offer it changes, kept while that offer
# stands (`_offer_first` drops it): a half-day or hour alone then belongs to a later day.
ANOTHER_DAY_KEY = "3"
ANOTHER_DAY_OF = "another_day_of"
SHORT_TRIES = 2  # answers to the last-four question that are not 4 characters, then a person
SECRET_ID = "secret_id_number"  # a typed ID number, until the booking is confirmed
SECRET_READBACK = "secret_id_readback"
ID_FOR = "typed_id_patient"  # whose number the typed one is (a patient id)
ID_CONFIRMED = "typed_id_confirmed"  # read back and confirmed by the caller
SPOKEN_DIGITS = dict(zip("0123456789X", "零一二三四五六七八九叉", strict=True))
# Relations on a family link that make the patient the caller's spouse (老伴).
SPOUSE_RELATIONS = frozenset({"妻子", "丈夫", "老伴", "配偶", "爱人"})


def register_hospital_actions(registry: ActionRegistry) -> None:
    _register_patient_actions(registry)
    _register_booking_check_actions(registry)
    _register_department_actions(registry)
    _register_offer_actions(registry)
    _register_move_actions(registry)


# --- who the patient is -----------------------------------------------------------------


def _register_patient_actions(registry: ActionRegistry) -> None:
    registry.register("choose_patient", outcomes=("self", "other", "several", "none"))(
        choose_patient
    )

    @registry.register(
        "choose_patient_asked",
        outcomes=(
            "self", "other", "several", "none", "unregistered", "unregistered_family",
            "self_unregistered",
        ),
    )
    def choose_patient_asked(ctx: StepContext) -> str:
        """As `choose_patient`, for a caller who may have named the patient at the menu
        ("给我老伴挂个号", noted as `for_spouse`, or another relative as `for_relative`):
        that relative when registered with this phone; `unregistered` when no such relative
        is (the caller hears that they must be registered first, never a booking for
        themself in silence). "给我自己挂个号" (`for_self`) is the caller themself, or, for a
        caller not registered themself, `self_unregistered` (`patient_self_asked`)."""
        spouse = bool(ctx.vars.pop("for_spouse", False))
        relative = bool(ctx.vars.pop("for_relative", False))
        for_self = bool(ctx.vars.pop("for_self", False))
        ctx.vars.pop("asked_bookings", None)  # booking, not asking about bookings
        outcome = choose_patient(ctx)
        if outcome == "none":
            return outcome
        if for_self and not (spouse or relative):
            return _self_asked(ctx) if outcome != "self" else outcome
        if not (spouse or relative):
            return outcome
        patients = ctx.vars["patients"]
        relatives = [p for p in patients if p["relation"] != SELF]
        if spouse:
            relatives = [p for p in relatives if p["relation"] in SPOUSE_RELATIONS]
        if len(relatives) == 1:
            _set_patient(ctx, relatives[0])
            return "other"
        if relatives:
            return outcome
        ctx.vars["relative_said"] = texts.spoken("relative_spouse" if spouse else "relative_other")
        ctx.vars["relative_again"] = texts.spoken(
            "relative_spouse" if spouse else "relative_other_again"
        )
        own = next((p for p in patients if p["relation"] == SELF), None)
        others = [p for p in patients if p["relation"] != SELF]
        if own is not None:
            _set_patient(ctx, own)
            ctx.vars["instead"] = texts.spoken("instead_self")
            return "unregistered"
        # Not registered themself (a daughter on her mother's family list): the relative(s)
        # she may book for, never "给您自己挂号" that only reaches a person; "给我自己" said
        # there is no key 1 (`unregistered_family`).
        if len(others) == 1:
            ctx.vars["instead"] = texts.spoken("instead_relative", title=others[0]["title"])
        else:
            ctx.vars["instead"] = texts.spoken("instead_relatives")
        return "unregistered_family"

    @registry.register("patient_self_asked", outcomes=("self", "self_unregistered"))
    def patient_self_asked(ctx: StepContext) -> str:
        """"给我自己挂" said at "是给您母亲张秀英挂号吗？" (noted `for_self`): the caller
        themself when registered with this phone, else said plainly that they are not."""
        ctx.vars.pop("for_self", None)
        return _self_asked(ctx)

    @registry.register("book_for_self", outcomes=("self", "other", "several", "none"))
    def book_for_self(ctx: StepContext) -> str:
        """Key 1 after hearing the relative asked for is not registered: the caller
        themself, else the one relative they may book for, else which of them."""
        if ctx.vars.get("patient_self"):
            return "self"
        others = [p for p in ctx.vars.get("patients", []) if p["relation"] != SELF]
        if len(others) == 1:
            _set_patient(ctx, others[0])
            return "other"
        if others:
            _patients_menu(ctx)
            return "several"
        return "none"

    @registry.register("more_patients", outcomes=("shown",))
    def more_patients(ctx: StepContext) -> str:
        ctx.vars["patients_page"] = ctx.vars.get("patients_page", 0) + 1
        _patients_menu(ctx)
        return "shown"

    @registry.register("pick_patient", outcomes=("found", "not_found"))
    def pick_patient(ctx: StepContext) -> str:
        patient = menus.chosen(
            ctx.vars.get("patients", []),
            ctx.vars.get("patients_page", 0),
            ctx.vars.get("patient_choice"),
        )
        if patient is None:
            return "not_found"
        _set_patient(ctx, patient)
        return "found"

    @registry.register("check_patient_id", outcomes=("has_id", "no_id"))
    def check_patient_id(ctx: StepContext) -> str:
        """Real-name booking: the patient's ID number must be on file, or typed, read back
        and confirmed for this same patient earlier in this call (never asked twice)."""
        person = ctx.session.get(Person, ctx.vars["patient_id"])
        known = person is not None and person.id_number
        return "has_id" if known or _confirmed_id(ctx) else "no_id"

    @registry.register("check_typed_id", outcomes=("valid", "invalid", "gave_up", "not_checked"))
    def check_typed_id(ctx: StepContext) -> str:
        """Check a typed ID number and prepare its read-back; nothing is stored yet.

        A number registered to another person is `not_checked`: the caller is handed to a
        person with words that say nothing of it (not even that the number is in use)."""
        typed = str(ctx.vars.pop("id_typed", "") or "")
        try:
            resident = check_id_number(
                ctx.session, person_id=ctx.vars["patient_id"], raw=typed, today=ctx.today
            )
        except BookingError as refusal:
            if refusal.code == "id_in_use":
                return "not_checked"
            tries = ctx.vars.get("id_tries", 0) + 1
            ctx.vars.update(id_tries=tries, id_problem=_id_problem_said(typed, refusal))
            return "gave_up" if tries >= ID_TRIES else "invalid"
        ctx.vars[SECRET_ID] = resident.number
        ctx.vars[SECRET_READBACK] = spoken_id(resident.number)
        ctx.vars[ID_FOR] = ctx.vars["patient_id"]
        ctx.vars[ID_CONFIRMED] = False
        return "valid"

    @registry.register("confirm_typed_id", outcomes=("confirmed",))
    def confirm_typed_id(ctx: StepContext) -> str:
        """The caller confirmed the read-back: usable in this call, stored only with a
        confirmed booking."""
        ctx.vars[ID_CONFIRMED] = True
        return "confirmed"

    @registry.register("forget_typed_id", outcomes=("forgotten",))
    def forget_typed_id(ctx: StepContext) -> str:
        """The caller said the read-back is wrong (type it again), or hung up."""
        _forget_id(ctx)
        return "forgotten"

    @registry.register("forget_unconfirmed_id")
    def forget_unconfirmed_id(ctx: StepContext) -> None:
        """Nothing booked: a typed number the caller has not confirmed is not kept."""
        if not ctx.vars.get(ID_CONFIRMED):
            _forget_id(ctx)

    @registry.register("note_not_booked", outcomes=("kept", "none"))
    def note_not_booked(ctx: StepContext) -> str:
        """Nothing booked (the typed number forgotten, as above): "kept" when the patient
        has a live booking the caller may hear of (their own, or a relative's after the
        last four digits), so the caller hears that it stays."""
        if not ctx.vars.get(ID_CONFIRMED):
            _forget_id(ctx)
        ctx.vars.pop("asked_bookings", None)
        ctx.vars.pop("menu_department", None)  # said with a request given up
        if not ctx.vars.get("patient_id") or not _may_hear_bookings(ctx):
            return "none"
        live = upcoming_appointments.upcoming(
            ctx.session, patient_id=ctx.vars["patient_id"], now=ctx.now
        )
        return "kept" if live else "none"


def choose_patient(ctx: StepContext) -> str:
    """Whom the caller may book for: themself and relatives who let them act for them."""
    number = ctx.call.from_number
    patients = patients_for_caller(ctx.session, number=number) if number else []
    # Held for the step: the session keeps loaded people only while referenced, and
    # the next action of this step (check_patient_id) reads the patient again.
    ctx.session.info["patients"] = [p.person for p in patients]
    ctx.vars["patients"] = [
        {
            "id": p.person.id,
            "title": _title(p.person, p.relation),
            "relation": p.relation,
            # 您父亲: who brings the ID card; "" for the caller themself
            "relation_word": ""
            if p.relation == SELF
            else patient_to_caller(p.relation, p.person.gender),
            "contact_id": p.contact_id,
        }
        for p in patients
    ]
    ctx.vars["patients_page"] = 0
    if not patients:
        return "none"
    if len(patients) > 1:
        _patients_menu(ctx)
        return "several"
    _set_patient(ctx, ctx.vars["patients"][0])
    return "self" if patients[0].relation == SELF else "other"


def _self_asked(ctx: StepContext) -> str:
    """The caller asked to book for themself: "self" when registered with this phone (that
    patient set), else `self_unregistered`, with the relative(s) they may book for as key 1
    (eleventh trial: 李梅 heard "是给您母亲张秀英挂号吗？" as if she had asked for her mother)."""
    patients = ctx.vars.get("patients", [])
    own = next((p for p in patients if p["relation"] == SELF), None)
    if own is not None:
        _set_patient(ctx, own)
        return "self"
    others = [p for p in patients if p["relation"] != SELF]
    if len(others) == 1:
        _set_patient(ctx, others[0])
        ctx.vars["instead"] = texts.spoken("instead_relative", title=others[0]["title"])
    else:
        ctx.vars["instead"] = texts.spoken("instead_relatives")
    return "self_unregistered"


def _id_problem_said(typed: str, refusal: BookingError) -> str:
    """What the caller hears about a number refused. A wrong check character says only
    that the number as a whole is wrong (any of its digits may be the one mistyped): never
    "最后一位不对", which sent callers to retype the last digit."""
    number = typed.strip().replace("*", "X").upper()
    if len(number) == 18 and number[:17].isdigit() and check_char(number[:17]) != number[17]:
        return texts.spoken("id_wrong")
    return refusal.message.rstrip("。")


# --- a booking already made: proof of identity first ------------------------------------


def _register_booking_check_actions(registry: ActionRegistry) -> None:
    @registry.register("bookings_need_identity", outcomes=("ask", "no"))
    def bookings_need_identity(ctx: StepContext) -> str:
        """A relative types the last four digits of the patient's ID number before anything
        about the patient's bookings is said, even whether there is one; so every relative,
        booked or not, is asked (asking only when there is a booking would tell)."""
        if ctx.vars.get("patient_self") or _identity_checked(ctx):
            return "no"
        person = ctx.session.get(Person, ctx.vars["patient_id"])
        return "ask" if person is not None and person.id_number else "no"

    @registry.register("find_upcoming_booking", outcomes=("booked", "none"))
    def find_upcoming_booking(ctx: StepContext) -> str:
        """Whether the patient has live bookings, and how many (their details are read only
        after the last four digits of the ID number are checked), one after another.
        A relative hears none of it unless the last four digits were checked."""
        if not _may_hear_bookings(ctx):
            return "none"
        upcoming = upcoming_appointments.upcoming(
            ctx.session, patient_id=ctx.vars["patient_id"], now=ctx.now
        )
        if not upcoming:
            return "none"
        ctx.vars["upcoming_list"] = [_upcoming_vars(ctx, booking) for booking in upcoming]
        ctx.vars["booking_count"] = _count_words(len(upcoming))
        ctx.vars["booked_lead"] = _booked_lead(ctx, [b.appointment_id for b in upcoming])
        ctx.vars["booking_hear"] = (
            "听这个号，或者取消它" if len(upcoming) == 1 else "一个一个听这些号，或者取消"
        )
        _show_booking(ctx, 0)
        return "booked"

    @registry.register(
        "find_bookings", outcomes=("booked", "booked_asked", "none", "none_asked")
    )
    def find_bookings(ctx: StepContext) -> str:
        """As `find_upcoming_booking`, for a caller who may have asked about their bookings
        ("我挂的号是哪天", `booking_query`): then `booked_asked` (read out at once, after the
        last four digits) or `none_asked` (said so)."""
        asked = bool(ctx.vars.pop("asked_bookings", False))
        found = str(find_upcoming_booking(ctx))
        return f"{found}_asked" if asked else found

    @registry.register("booking_query", outcomes=("self", "other", "several", "none", "person"))
    def booking_query(ctx: StepContext) -> str:
        """The `query` intent at a menu. About a booking ("我挂的号是哪天": noted there as
        `asks_booking`): whose, as for booking (`choose_patient`), then heard as any
        booking is; anything else (车到哪了) a question about a car (dialogs/hospital.yaml)."""
        if not ctx.vars.pop("asks_booking", False):
            return "person"
        ctx.vars["asked_bookings"] = True
        return choose_patient(ctx)

    @registry.register(
        "menu_request", outcomes=("taxi", "hospital", "query", "cancel", "words", "nothing")
    )
    def menu_request(ctx: StepContext) -> str:
        """A request said at a question of this flow (`menu` understanding, kept as
        `menu_answer`), routed as the main menu routes it: "车到哪里了" is the `query`
        (a question about a car: `booking_query`), "我要约车" the main menu's words."""
        heard = ctx.vars.get("menu_answer")
        if isinstance(heard, dict):
            return "words"
        return heard if heard in ("taxi", "hospital", "query", "cancel") else "nothing"

    @registry.register("next_booking", outcomes=("more", "done"))
    def next_booking(ctx: StepContext) -> str:
        """After one booking was kept or cancelled: the next one the caller has not heard."""
        index = ctx.vars.get("upcoming_index", 0) + 1
        if index >= len(ctx.vars.get("upcoming_list", [])):
            return "done"
        _show_booking(ctx, index)
        return "more"

    @registry.register("check_same_department", outcomes=("booked", "none"))
    def check_same_department(ctx: StepContext) -> str:
        """A department chosen that the patient has booked already (any day): name that
        booking and ask whether a second visit is wanted (an older caller who forgot the
        first booking is the usual reason to call twice)."""
        department = ctx.vars.get("department")
        if ctx.vars.get("second_visit") == department or not _may_hear_bookings(ctx):
            return "none"
        same = [
            booking
            for booking in upcoming_appointments.upcoming(
                ctx.session, patient_id=ctx.vars["patient_id"], now=ctx.now
            )
            if booking.department == department
        ]
        if not same:
            return "none"
        first = same[0]
        session = "上午" if first.session == ClinicSession.AM else "下午"
        patient = ctx.vars.get("patient_name") or "您"
        # The booking's details, its department included, only after the last four digits
        # (docs/callflow.md, "Booking details and the last four digits"): before the check
        # the caller booking for themself hears only that a booking exists.
        ctx.vars["same_department_said"] = (
            texts.spoken(
                "same_department_named",
                patient=patient,
                booking=f"{spoken_visit_day(first.day, ctx.today)}{session}"
                f"{spoken_clock(first.start_time)}，{first.hospital_name}，{department}",
            )
            if _identity_checked(ctx)
            else texts.spoken("same_department_neutral", patient=patient)
        )
        return "booked"

    @registry.register("want_second_visit", outcomes=("chosen",))
    def want_second_visit(ctx: StepContext) -> str:
        ctx.vars["second_visit"] = ctx.vars.get("department")
        return "chosen"

    @registry.register("check_identity", outcomes=("verified", "ask", "locked"))
    def check_identity(ctx: StepContext) -> str:
        """Verified in this call already, locked by wrong answers (any call, 24 h), or ask."""
        if _identity_checked(ctx):
            return "verified"
        if identity.is_locked(
            ctx.session, person_id=ctx.vars["patient_id"], now=ctx.now,
            number=ctx.call.from_number,
        ):
            return "locked"
        return "ask"

    @registry.register("check_last_four", outcomes=("verified", "wrong", "short", "gave_up"))
    def check_last_four(ctx: StepContext) -> str:
        return check_typed_last_four(ctx, ctx.vars["patient_id"])

    @registry.register("cancel_upcoming_booking", outcomes=("cancelled", "refused"), commits=True)
    def cancel_upcoming_booking(ctx: StepContext) -> str:
        """The caller confirmed: cancel the booking read out to them (before the deadline)."""
        if not _identity_checked(ctx):  # never without the last four digits
            ctx.vars["cancel_problem"] = ""
            return "refused"
        try:
            appointments.cancel(
                ctx.session,
                appointment_id=ctx.vars["upcoming_id"],
                now=ctx.now,
                reason="来电者在电话里取消",
            )
        except BookingError as refusal:
            ctx.vars["cancel_problem"] = refusal.said(ctx.today, patient=patient_in_call(ctx.vars))
            return "refused"
        cancel_car_made_for(ctx, ctx.vars["upcoming_id"])
        return "cancelled"


# --- department by keys: group, then department ------------------------------------------


def _register_department_actions(registry: ActionRegistry) -> None:
    @registry.register("department_menu", outcomes=("said",))
    def department_menu(ctx: StepContext) -> str | None:
        """The group menu of the department question (内科 / 外科 / 其他科); `said` when
        the caller named the department with the request at the main menu ("我要挂眼科",
        kept there as `menu_department`): that one, not asked again."""
        groups = menus.department_groups(appointment_offers.department_names(ctx.session))
        ctx.vars["department_groups"] = groups
        ctx.vars["department_menu"] = menus.group_menu_text(list(groups))
        said = ctx.vars.pop("menu_department", None)
        if isinstance(said, str) and said:
            ctx.vars["department"] = said
            return "said"
        return None

    for key in ("1", "2", "3"):
        _register_group(registry, key)
    for group in menus.GROUPS:
        _register_named_group(registry, group)

    @registry.register("department_page")
    def department_page(ctx: StepContext) -> None:
        """Up to three departments of the chosen group, 9 for the next ones."""
        members = ctx.vars.get("department_group_members", [])
        number = ctx.vars.get("department_page", 0)
        shown = menus.page(members, number)
        more = menus.more_label(members, number, "更多的科")
        if more is None or _last_page(members, number):
            # The way back from the last page (or the only one): 都不是, the groups again.
            more = texts.spoken("departments_none")
        ctx.vars["department_choices"] = menus.menu_text(shown, more=more)

    @registry.register("more_departments", outcomes=("shown", "back"))
    def more_departments(ctx: StepContext) -> str:
        """9: the next page; on the last page "都不是" (莫得, none of these): back to the
        department question (内科 / 外科 / 其他科, or a complaint said)."""
        members = ctx.vars.get("department_group_members", [])
        number = ctx.vars.get("department_page", 0)
        if _last_page(members, number):
            ctx.vars["department_page"] = 0
            return "back"
        ctx.vars["department_page"] = number + 1
        return "shown"

    @registry.register("choose_department", outcomes=("found", "not_found"))
    def choose_department(ctx: StepContext) -> str:
        department = menus.chosen(
            ctx.vars.get("department_group_members", []),
            ctx.vars.get("department_page", 0),
            ctx.vars.get("department_choice"),
        )
        if department is None:
            return "not_found"
        ctx.vars["department"] = department
        return "found"


def _last_page(items: list[Any], number: int) -> bool:
    return number % menus.page_count(items) == menus.page_count(items) - 1


def _register_group(registry: ActionRegistry, key: str) -> None:
    @registry.register(f"department_group_{key}", outcomes=("chosen", "only", "no_such_group"))
    def choose_group(ctx: StepContext) -> str:
        names = list(ctx.vars.get("department_groups", {}))
        if int(key) > len(names):
            return "no_such_group"
        return _choose_group(ctx, names[int(key) - 1])


def _register_named_group(registry: ActionRegistry, group: str) -> None:
    """The group said by name (内科 / 外科) rather than by its key."""

    @registry.register(
        f"department_group_{group}", outcomes=("chosen", "only", "no_such_group")
    )
    def choose_named_group(ctx: StepContext) -> str:
        return _choose_group(ctx, group)


def _choose_group(ctx: StepContext, group: str) -> str:
    """The group's departments to choose from; a group of one department is that
    department at once ("only"): no menu with a single choice."""
    groups: dict[str, list[str]] = ctx.vars.get("department_groups", {})
    if group not in groups:
        return "no_such_group"
    ctx.vars.update(
        department_group=group, department_group_members=groups[group], department_page=0
    )
    if len(groups[group]) == 1:
        ctx.vars["department"] = groups[group][0]
        # Said before the offer: "外科" here is 骨科 (tenth trial: it went straight on).
        ctx.vars["group_only_said"] = texts.spoken(
            "group_only", group=group, department=groups[group][0]
        )
        return "only"
    return "chosen"


# --- offers -----------------------------------------------------------------------------


def _register_offer_actions(registry: ActionRegistry) -> None:
    @registry.register("find_first_offer", outcomes=("found", "none", "not_offered"))
    def find_first_offer(ctx: StepContext) -> str:
        """The earliest slot (`first_offer`), after "外科只有骨科。" when a group of one
        department was chosen."""
        group_only = str(ctx.vars.pop("group_only_said", "") or "")
        found = first_offer(ctx)
        if found == "found" and group_only:
            ctx.vars["offer_lead"] = group_only + str(ctx.vars.get("offer_lead", ""))
        return found

    def first_offer(ctx: StepContext) -> str:
        """The earliest slot; a department no hospital of the hotline has (口腔科 for
        toothache) is `not_offered`, never "full"."""
        if ctx.vars.get("department") not in appointment_offers.department_names(ctx.session):
            return "not_offered"
        carried = ctx.vars.pop("menu_day", None)
        if isinstance(carried, dict) and carried.get("date"):
            # "明天要去医院" at the main menu, then 挂号: that day's offer first.
            ctx.vars["wanted"] = carried
            if find_offer_on_day(ctx) == "found":
                return "found"
        if ctx.vars.get("wants_expert"):
            # 专家号 asked for: the earliest expert's slot, else said so before an ordinary one.
            expert = _offers(ctx, clinic_type=ClinicType.EXPERT)
            if expert:
                return _offer_first(ctx, expert, lead="最早的专家号是：")
            offers = _offers(ctx)
            return _offer_first(ctx, offers, lead=texts.spoken("no_expert"))
        offers = _offers(ctx)
        own_id = own_hospital_id(ctx.session, ctx.vars.get("patient_id"))
        if offers and own_id is not None and offers[0].hospital_id != own_id:
            own = _offers(ctx, hospital_id=own_id)
            if own and prefer_own(offers[0].day, own[0].day):
                return _offer_first(ctx, own, lead=texts.spoken("offer_own_hospital"))
        return _offer_first(ctx, offers, lead="最早的号是：")

    @registry.register("find_later_offer", outcomes=("found", "none"))
    def find_later_offer(ctx: StepContext) -> str:
        """The next session with a free slot (the afternoon, or another day), not the next
        twenty minutes."""
        current = ctx.vars.get("offer") or {}
        if not current:
            return _offer_first(ctx, _offers(ctx), lead="最早的号是：")
        day = date.fromisoformat(current["day"])
        after = (day, ClinicSession(current["session"]))
        expert = (
            _offers(ctx, after=after, clinic_type=ClinicType.EXPERT)
            if ctx.vars.get("wants_expert")  # 专家号 asked for: a later expert's slot first
            else []
        )
        later = OwnFirst(expert) if expert else _own_hospital_first(
            ctx, _offers(ctx, after=after), after=after
        )
        lead = "晚一点的专家号是：" if expert else "晚一点的号是："
        if later.offers and later.offers[0].day != day:  # nothing later that day: said first
            lead = texts.spoken("no_later_that_day", day=spoken_visit_day(day, ctx.today)) + lead
        if later.own_missing:
            lead = texts.spoken(
                "own_hospital_none_later",
                own=later.own_missing,
                other=later.offers[0].hospital_name,
            )
        return _offer_first(ctx, later.offers, lead=lead)

    @registry.register("offer_refused", outcomes=("ordinary", "changed", "ask"))
    def offer_refused(ctx: StepContext) -> str:
        """A no at an offer. "不要专家" (noted as `no_expert`) at an ordinary slot keeps it
        (said to be no expert's, asked again); at an expert's slot it is the earliest
        ordinary slot instead. A plain no (不对, 不是) asks what the caller wants instead:
        it once gave a later slot unasked (user trial)."""
        if not ctx.vars.pop("no_expert", False):
            return "ask"
        offer = ctx.vars.get("offer") or {}
        if offer.get("clinic_type") != ClinicType.EXPERT.value:
            ctx.vars["offer_lead"] = texts.spoken("offer_not_expert")
            return "ordinary"
        ctx.vars["wants_expert"] = False
        ordinary = _offers(ctx, clinic_type=ClinicType.GENERAL)
        found = _offer_first(ctx, ordinary, lead=texts.spoken("offer_ordinary"))
        return "changed" if found == "found" else "ask"

    @registry.register("find_expert_offer", outcomes=("found", "none"))
    def find_expert_offer(ctx: StepContext) -> str:
        """"我要看专家" at an offer (noted as `wants_expert`): the earliest expert's slot of
        the department; an expert's slot offered already is said to be one; with none free,
        said so, and the slot heard offered again."""
        offer = ctx.vars.get("offer") or {}
        if offer.get("clinic_type") == ClinicType.EXPERT.value:
            ctx.vars["offer_lead"] = texts.spoken("offer_is_expert")
            return "none"
        found = _offer_first(
            ctx, _offers(ctx, clinic_type=ClinicType.EXPERT), lead="最早的专家号是："
        )
        if found != "found":
            ctx.vars["offer_lead"] = texts.spoken("no_expert_offer")
            return "none"
        return "found"

    @registry.register("other_department", outcomes=("ask",))
    def other_department(ctx: StepContext) -> str:
        """换个科室 after a no at an offer: the department question again, afresh."""
        for name in ("department", "second_visit", "offer", "offer_when", "days_page"):
            ctx.vars.pop(name, None)
        ctx.vars["wants_expert"] = False
        return "ask"

    @registry.register("nearest_departments")
    def nearest_departments(ctx: StepContext) -> None:
        """A department none of the hotline's hospitals has: the nearest ones some hospital
        has (`offers.nearest_departments`), by key; with none, another department (key 1)."""
        nearest = appointment_offers.nearest_departments(ctx.session, ctx.vars["department"])
        ctx.vars["nearest"] = nearest
        # 不挂了 on the key after the choices (2 after one department, 3 after two).
        decline_key = max(len(nearest), 1) + 1
        ctx.vars["nearest_decline_key"] = str(decline_key)
        ctx.vars["nearest_menu"] = (
            "；".join(
                texts.spoken(
                    "nearest_first" if key == 1 else "nearest_more", department=name, key=key
                )
                for key, name in enumerate(nearest, start=1)
            )
            or texts.spoken("nearest_none")
        ) + "。" + texts.spoken("nearest_decline", key=decline_key)
        # The re-prompt in fewer words (看老年医学科，按1。不挂了，按2), never the same again.
        ctx.vars["nearest_short"] = "。".join(
            [
                *(
                    texts.spoken("nearest_short", department=name, key=key)
                    for key, name in enumerate(nearest, start=1)
                ),
                *([] if nearest else [texts.spoken("nearest_none_short")]),
                texts.spoken("nearest_decline_short", key=decline_key),
            ]
        )

    @registry.register("take_nearest", outcomes=("found", "other", "which"))
    def take_nearest(ctx: StepContext) -> str:
        """A yes to the departments offered instead: the only one offered; "which" of two;
        "other" where none was (the menu offered another department)."""
        nearest = ctx.vars.get("nearest", [])
        if not nearest:
            return "other"
        if len(nearest) > 1:
            return "which"
        ctx.vars["department"] = nearest[0]
        return "found"

    @registry.register("choose_nearest", outcomes=("found", "other", "declined", "not_found"))
    def choose_nearest(ctx: StepContext) -> str:
        nearest = ctx.vars.get("nearest", [])
        choice = ctx.vars.get("nearest_choice")
        if str(choice) == ctx.vars.get("nearest_decline_key"):
            return "declined"
        if not nearest:
            return "other" if str(choice) == "1" else "not_found"
        department = menus.chosen(nearest, 0, choice)
        if department is None:
            return "not_found"
        ctx.vars["department"] = department
        return "found"

    @registry.register("list_days", outcomes=("listed", "none"))
    def list_days(ctx: StepContext) -> str:
        """Days with free slots, three at a time: 按1，明天星期二；… 更晚的日子，按9."""
        try:
            days = appointment_offers.days_with_offers(
                ctx.session,
                department=ctx.vars["department"],
                patient_id=ctx.vars["patient_id"],
                now=ctx.now,
            )
        except BookingError as refusal:
            ctx.vars["booking_problem"] = refusal.said(ctx.today, patient=patient_in_call(ctx.vars))
            return "none"
        if not days:
            return "none"
        days = _days_heard(ctx, days)
        number = ctx.vars.get("days_page", 0)
        tomorrow = _tomorrow(ctx)
        closed = tomorrow not in days and _why_no_offers(ctx, tomorrow) == "phone_closed"
        # Why the list starts after tomorrow, before the list (first page only).
        said = bool(ctx.vars.pop("tomorrow_closed_said", False))  # just told, for that day
        ctx.vars["days_note"] = (
            texts.spoken("days_tomorrow_closed") if closed and not number and not said else ""
        )
        shown = menus.page(days, number)
        ctx.vars["day_choices"] = [d.isoformat() for d in shown]
        more = menus.more_label(days, number, "更晚的日子")
        ctx.vars["day_menu"] = menus.menu_text(
            [spoken_visit_day(d, ctx.today) for d in shown], more=more
        )
        return "listed"

    @registry.register("note_another_day")
    def note_another_day(ctx: StepContext) -> None:
        """换一天 (3) at the offer: the day offered is the one to change, for the day menu."""
        offered = ctx.vars.get("offer") or {}
        if offered.get("day"):
            ctx.vars[ANOTHER_DAY_OF] = offered["day"]

    @registry.register("first_days", outcomes=("shown",))
    def first_days(ctx: StepContext) -> str:
        ctx.vars["days_page"] = 0
        return "shown"

    @registry.register("more_days", outcomes=("shown",))
    def more_days(ctx: StepContext) -> str:
        ctx.vars["days_page"] = ctx.vars.get("days_page", 0) + 1
        return "shown"

    @registry.register(
        "find_offer_on_day", outcomes=("found", "none", "unclear", "no_such_key", "refused")
    )
    def find_offer_on_day(ctx: StepContext) -> str:
        """The day chosen by key (1-3 of the day menu) or said ("星期五下午"). Said with a no
        or a yes at an offer (`SAID_WITH_NO`: "后天上午不行，下午嘛"; `SAID_WITH_YES`: "好，
        明天下午" at an offer of 明天上午8点, which the engine never books), a half-day alone
        is that half-day of the day offered ("不行，我下午才有空", "好，下午的"), as it is when
        asked about ("下午有没有"); with a no
        the day and half-day offered themselves ("明天不行" at an offer of tomorrow) are the
        offer `refused`: a plain no. After 换一天 (key 3's words with it, "换一天，下午的", or
        at the day menu after it) a half-day or hour alone is that of the first later day
        with a free slot then, never of the day the caller asked to change."""
        wanted: object = ctx.vars.get("wanted")
        with_no = bool(ctx.vars.pop(SAID_WITH_NO, False))
        with_yes = bool(ctx.vars.pop(SAID_WITH_YES, False))
        with_key = ctx.vars.pop(SAID_WITH_KEY, None)
        # The hour said at the offer ("好，10点的"), read by the change kind: this step only.
        clock = _clock_said(ctx.vars.pop("wanted_time", None))
        if clock is not None and not isinstance(wanted, dict):
            wanted = {"date": None, "session": None}  # "好，12点的": an hour, no half-day
        session: ClinicSession | None = None
        said_session = False  # a half-day (or an hour) the caller said, to say back
        refused_day: date | None = None  # the day of the offer refused with this answer
        if isinstance(wanted, dict):
            day = date.fromisoformat(wanted["date"]) if wanted.get("date") else None
            session = ClinicSession(wanted["session"]) if wanted.get("session") else None
            if session is None and clock is not None:  # 12点 and later: the afternoon
                session = _session_of(clock)
            said_session = session is not None
            offered = ctx.vars.get("offer") or {}
            changed = ctx.vars.get(ANOTHER_DAY_OF) or (
                offered.get("day") if with_key == ANOTHER_DAY_KEY else None
            )
            if day is None and session is not None and changed:
                # "换一天，下午的", or "下午" at the day menu after 换一天: a later day's.
                day = _later_day(ctx, date.fromisoformat(changed), session)
            if (with_yes or session is not None and not with_no) and offered:
                # "好，下午的" / "下午有没有": a half-day alone is that of the day offered
                day = day or date.fromisoformat(offered["day"])
            if with_no and offered:
                refused_day = date.fromisoformat(offered["day"])
                day = day or refused_day
                if _is_the_offer(offered, day, session, clock):
                    return "refused"
            if day is None and session is None:
                # "哪天有号就哪天", "哪天都行" (no preference): the earliest free slot.
                return _offer_first(ctx, _offers(ctx), lead="最早的号是：")
        else:
            choice = menus.chosen(ctx.vars.get("day_choices", []), 0, wanted)
            if choice is None:  # a key that is not on the day menu
                return "no_such_key"
            day = date.fromisoformat(choice)
        if day is None:
            return "unclear"
        # "您说的是…" only after speech: after a key the day is said plainly. Said back: the
        # day (said, or the one a half-day or an hour alone was placed on) and the half-day
        # and hour only when the caller said them ("您说的是明天星期二下午。" for "下午" at an
        # offer of 明天上午8点; docs/hospital_calls.md).
        heard = _said_back(
            ctx, day, session if isinstance(wanted, dict) and said_session else None, clock
        )
        said = texts.text(
            "spoken", "day_said" if isinstance(wanted, dict) else "day_chosen", day=heard
        )
        ctx.vars["day_said"] = said
        if ctx.vars.get("wants_expert"):  # 专家号 asked for (at the department or the day)
            expert = _offers(ctx, day=day, clinic_session=session, clinic_type=ClinicType.EXPERT)
            if expert:
                expert, note = _nearest(
                    ctx, expert, clock, session,
                    day=day, clinic_session=session, clinic_type=ClinicType.EXPERT,
                )
                return _offer_first(
                    ctx, expert, lead=_nearest_lead(said, note, "这天的专家号是：")
                )
        on_day = _own_hospital_first(
            ctx, _offers(ctx, day=day, clinic_session=session), day=day, clinic_session=session
        )
        tail = PLAIN_TAIL
        if ctx.vars.get("wants_expert"):
            tail = "这天" + texts.spoken("no_expert")  # 这天没有专家号，普通号是：
        elif on_day.own_missing:
            tail = texts.spoken(
                "own_hospital_none_day", own=on_day.own_missing,
                other=on_day.offers[0].hospital_name,
            )
        offers, note = _nearest(ctx, on_day.offers, clock, session, day=day, clinic_session=session)
        found = _offer_first(ctx, offers, lead=_nearest_lead(said, note, tail))
        if found == "found":
            return found
        code = _why_no_offers(ctx, day)
        if code == "phone_closed" and day == _tomorrow(ctx):
            ctx.vars["tomorrow_closed_said"] = True  # the day menu need not say it again
        problem = _day_problem(ctx, day, code)
        if session is not None and code == "full":
            # The day is open: the session asked for has no clinic (a Saturday afternoon)
            # or is full. Say so, then offer that day's other session (not the one just
            # refused: "后天上午不行，下午嘛" at an offer of 后天上午), or the next one.
            problem = _session_problem(ctx, day, session)
            if (
                day != refused_day
                and _offer_first(ctx, _offers(ctx, day=day), lead=said + problem + "这天的号是：")
                == ("found")
                or _offer_first(
                    ctx, _offers(ctx, after=(day, session)), lead=said + problem + "晚一点的号是："
                )
                == "found"
            ):
                return "found"
        ctx.vars["day_problem"] = problem
        return "none"

    @registry.register(
        "book_appointment",
        outcomes=("booked", "taken", "already_booked", "time_clash", "id_required", "refused"),
        commits=True,
    )
    def book_appointment(ctx: StepContext) -> str:
        """The caller said yes to the offer: keep a typed ID number on the person, then book."""
        typed = _confirmed_id(ctx)
        try:
            # A savepoint only around an ID number typed in this call: a refused booking
            # (a lost race) does not keep it. A refused booking writes nothing itself, and
            # a rollback costs the connection its prepared statements (psycopg).
            with ctx.session.begin_nested() if typed else nullcontext():
                if typed:
                    set_id_number(
                        ctx.session,
                        person_id=ctx.vars["patient_id"],
                        raw=typed,
                        today=ctx.today,
                    )
                appointment = appointments.book(
                    ctx.session,
                    slot_id=ctx.vars["offer"]["slot_id"],
                    patient_id=ctx.vars["patient_id"],
                    now=ctx.now,
                    booked_by_number=ctx.call.from_number,
                    booked_by_contact_id=ctx.vars.get("patient_contact_id"),
                    call_id=ctx.call.id,
                )
        except BookingError as refusal:
            ctx.vars["booking_problem"] = refusal.said(ctx.today, patient=patient_in_call(ctx.vars))
            if refusal.code in ("slot_taken", "slot_unavailable"):
                return "taken"
            if refusal.code in ("already_booked", "time_clash", "id_required"):
                return refusal.code
            return "refused"
        _forget_id(ctx)
        # A ride booked ahead that already goes to that hospital in time is joined, unchanged
        # (said after the booking); otherwise a car is offered next, another ride of that
        # morning named and kept as it is (dialogs/hospital.yaml, app/taxi/hospital_trips.py).
        hospital_trips.join_morning_ride(
            ctx.session, appointment_id=appointment.id, now=ctx.now, settings=ctx.settings
        )
        ctx.vars["trip_appointment_id"] = appointment.id
        ctx.vars["booked_text"] = ctx.vars["offer_text"]
        ctx.vars["booked_cancel_by"] = ctx.vars.get("offer_cancel_by", "")
        return "booked"


# --- moving a booking (改时间) -----------------------------------------------------------


def _register_move_actions(registry: ActionRegistry) -> None:
    @registry.register("find_move_offer", outcomes=("found", "none", "too_late"))
    def find_move_offer(ctx: StepContext) -> str:
        """改时间 at a booking read out (after the last four digits): the earliest free slot
        of the same department and hospital in another session, offered as a booking is.
        After the hospital's cancel deadline it cannot be moved by phone: `too_late`."""
        moving = _start_move(ctx)
        if moving is None:
            return "too_late"
        return _offer_first(ctx, _move_offers(ctx, moving), lead=texts.spoken("move_first"))

    @registry.register(
        "find_move_offer_on_day", outcomes=("found", "none", "refused", "too_late")
    )
    def find_move_offer_on_day(ctx: StepContext) -> str:
        """A day, half-day or hour said for the move: at the booking read out ("改到后天",
        "后天下午的", "对，后天的") or at a move offer, with a yes or a no ("好，后天的", "好，
        10点的" at 明天上午8点: never moved to the slot offered; "明天不行" there refuses
        it, `refused`). A half-day or hour alone is of the day offered (or of the booking's
        day); the slot at the hour said, else the nearest, of that day's free slots of the
        same department and hospital. "none": nothing there (`day_said` says the day)."""
        wanted: object = ctx.vars.get("wanted")
        with_no = bool(ctx.vars.pop(SAID_WITH_NO, False))
        ctx.vars.pop(SAID_WITH_YES, None)
        clock = _clock_said(ctx.vars.pop("wanted_time", None))
        moving = ctx.vars.get("moving") or _start_move(ctx)
        if moving is None:
            return "too_late"
        wanted = wanted if isinstance(wanted, dict) else {}
        day = date.fromisoformat(wanted["date"]) if wanted.get("date") else None
        session = ClinicSession(wanted["session"]) if wanted.get("session") else None
        if session is None and clock is not None:
            session = _session_of(clock)
        offered = ctx.vars.get("offer") or {}
        if with_no and offered and _is_the_offer(offered, day, session, clock):
            return "refused"  # "明天不行" at a move to 明天: not moved
        if day is None:
            base = offered.get("day") or ctx.vars.get("upcoming_day")
            day = date.fromisoformat(base) if base else None
        if day is None:
            ctx.vars["day_said"] = ""
            return "none"
        said = texts.text("spoken", "day_said", day=_said_back(ctx, day, session, clock))
        ctx.vars["day_said"] = said
        where: dict[str, Any] = {"day": day, "clinic_session": session}
        offers = _move_offers(ctx, moving, **where)
        if not offers:
            return "none"
        if offers[0].clinic_type == ClinicType.EXPERT:  # an expert's booking stays one
            where["clinic_type"] = ClinicType.EXPERT
        chosen, note = _nearest(ctx, offers, clock, session, **where, moving=moving["id"])
        ctx.vars["day_said"] = said + note  # 这天上午10点没有空的号。 before the move offered
        _offer_first(ctx, chosen, lead=texts.spoken("move_first"))
        return "found"

    @registry.register("find_later_move_offer", outcomes=("found", "none"))
    def find_later_move_offer(ctx: StepContext) -> str:
        """要晚一点的 at a move offer: the next session of that department and hospital."""
        moving, current = ctx.vars.get("moving") or {}, ctx.vars.get("offer") or {}
        if not moving or not current:
            return "none"
        after = (date.fromisoformat(current["day"]), ClinicSession(current["session"]))
        offers = _move_offers(ctx, moving, after=after)
        return _offer_first(ctx, offers, lead=texts.spoken("move_later"))

    @registry.register("find_other_day_move_offer", outcomes=("found", "none"))
    def find_other_day_move_offer(ctx: StepContext) -> str:
        """"换一天" said at a move offer: the first slot of a later day than the one offered."""
        ctx.vars.pop("another_day", None)
        moving, current = ctx.vars.get("moving") or {}, ctx.vars.get("offer") or {}
        if not moving or not current:
            return "none"
        after = (date.fromisoformat(current["day"]), ClinicSession.PM)
        offers = _move_offers(ctx, moving, after=after)
        return _offer_first(ctx, offers, lead=texts.spoken("move_other_day"))

    @registry.register("move_booking", outcomes=("moved", "taken", "refused"), commits=True)
    def move_booking(ctx: StepContext) -> str:
        """The caller said yes to the move offer: the booking heard moves to that slot in one
        transaction (`moves.move`: the old slot freed, the new one taken, or neither); the
        car to the visit follows, and one message says the new time (`moves.follow_move`)."""
        moving, offer = ctx.vars.get("moving") or {}, ctx.vars.get("offer") or {}
        if not moving or not offer or not _identity_checked(ctx):  # never without the check
            ctx.vars["booking_problem"] = ""
            return "refused"
        # Staff read it later: the date, never 明天 (12月2日 星期三 上午 08:00).
        when = (
            f"{spoken_day(date.fromisoformat(offer['day']), ClinicSession(offer['session']))}"
            f" {offer.get('start', '')}"
        ).strip()
        try:
            old, new = moves.move(
                ctx.session,
                appointment_id=moving["id"],
                slot_id=offer["slot_id"],
                now=ctx.now,
                reason=texts.spoken("move_reason", when=when),
                booked_by_number=ctx.call.from_number,
                booked_by_contact_id=ctx.vars.get("patient_contact_id"),
                call_id=ctx.call.id,
            )
        except BookingError as refusal:
            ctx.vars["booking_problem"] = refusal.said(ctx.today, patient=patient_in_call(ctx.vars))
            return "taken" if refusal.code in ("slot_taken", "slot_unavailable") else "refused"
        car = moves.follow_move(
            ctx.session,
            old=old,
            new=new,
            now=ctx.now,
            settings=ctx.settings,
            sms="appointment_moved_by_phone",
            extra_number=ctx.call.from_number,
        )
        moved_car = ""
        if car is not None and car.moved and car.when:
            moved_car = texts.spoken("move_car_moved", when=car.when)
        elif car is not None and car.cancelled:
            moved_car = texts.spoken("move_car_cancelled")
        ctx.vars.pop("moving", None)
        ctx.vars.update(
            moved_text=ctx.vars.get("offer_text", ""),
            moved_old=ctx.vars.get("cancel_text", ""),
            moved_car=moved_car,
            booked_cancel_by=ctx.vars.get("offer_cancel_by", ""),
        )
        return "moved"


def _start_move(ctx: StepContext) -> dict[str, Any] | None:
    """The booking heard, to be moved (`moving`), or None when it cannot be by phone (not
    heard, not checked, or after the cancel deadline: `cancel_problem` says why)."""
    booking = _booking_heard(ctx)
    if booking is None or not _identity_checked(ctx):
        ctx.vars["cancel_problem"] = ""
        return None
    if not booking.can_cancel:
        refusal = BookingError("cancel_too_late", deadline=booking.cancel_deadline)
        ctx.vars["cancel_problem"] = refusal.said(ctx.today, patient=patient_in_call(ctx.vars))
        return None
    moving = {
        "id": booking.appointment_id,
        "hospital_id": booking.hospital_id,
        "clinic_type": booking.clinic_type.value,
    }
    ctx.vars.update(
        department=booking.department, moving=moving, upcoming_day=booking.day.isoformat()
    )
    return moving


def _move_offers(
    ctx: StepContext,
    moving: dict[str, Any],
    *,
    after: tuple[date, ClinicSession] | None = None,
    day: date | None = None,
    clinic_session: ClinicSession | None = None,
) -> list[Offer]:
    """Where a booking may move: the same department and hospital, another session; an
    expert's booking to an expert's slot first (then any), as the caller chose before."""
    where: dict[str, Any] = {
        "hospital_id": moving["hospital_id"],
        "moving": moving["id"],
        "day": day,
        "clinic_session": clinic_session,
    }
    if moving.get("clinic_type") == ClinicType.EXPERT.value:
        expert = _offers(ctx, clinic_type=ClinicType.EXPERT, after=after, **where)
        if expert:
            return expert
    return _offers(ctx, after=after, **where)


def _booking_heard(ctx: StepContext) -> upcoming_appointments.UpcomingAppointment | None:
    """The booking last read out to the caller (booking_details), if it is still live."""
    wanted = ctx.vars.get("upcoming_id")
    for booking in upcoming_appointments.upcoming(
        ctx.session, patient_id=ctx.vars["patient_id"], now=ctx.now
    ):
        if booking.appointment_id == wanted:
            return booking
    return None


# --- helpers ----------------------------------------------------------------------------


COUNT_WORDS = "零一两三四五六七八九"


def _count_words(count: int) -> str:
    """一个号 / 两个号 / 12个号: how many bookings, as said."""
    return f"{COUNT_WORDS[count] if count < 10 else count}个号"


def _ordinal(number: int) -> str:
    """第一 / 第二 (not 两) / 第12."""
    return "零一二三四五六七八九"[number] if number < 10 else str(number)


def _booked_lead(ctx: StepContext, appointment_ids: list[int]) -> str:
    """Whose bookings: "您女儿为您挂了" to the patient when one relative made them all (the
    relation on the family link; never heard as the patient's own), else "您已经挂了" /
    "您母亲张秀英已经挂了"."""
    lead = f"{ctx.vars.get('patient_name') or '您'}已经挂了"
    if not ctx.vars.get("patient_self"):
        return lead
    bookers = set(
        ctx.session.scalars(
            select(Appointment.booked_by_contact_id).where(Appointment.id.in_(appointment_ids))
        )
    )
    booker = bookers.pop() if len(bookers) == 1 else None
    contact = ctx.session.get(FamilyContact, booker) if booker is not None else None
    if contact is None:
        return lead
    return f"{your_relation(contact.relation)}为您挂了"


def _upcoming_vars(
    ctx: StepContext, booking: upcoming_appointments.UpcomingAppointment
) -> dict[str, Any]:
    session = "上午" if booking.session == ClinicSession.AM else "下午"
    return {
        "id": booking.appointment_id,
        "text": (
            f"{spoken_visit_day(booking.day, ctx.today)}{session}"
            f"{spoken_clock(booking.start_time)}，{booking.hospital_name}，"
            f"{booking.department}{booking.doctor_name}"
        ),
        # What the cancel question names: "要取消明天星期二上午8点消化内科的号，对吗？" (the
        # day said as everywhere in the call, `spoken_visit_day`).
        "cancel_text": (
            f"{spoken_visit_day(booking.day, ctx.today)}{session}"
            f"{spoken_clock(booking.start_time)}{booking.department}"
        ),
    }


def _show_booking(ctx: StepContext, index: int) -> None:
    """Make booking `index` of the list the one the details and cancel questions name."""
    bookings = ctx.vars["upcoming_list"]
    booking = bookings[index]
    ctx.vars.update(
        upcoming_index=index,
        upcoming_id=booking["id"],
        upcoming_text=booking["text"],
        cancel_text=booking["cancel_text"],
        cancel_car=car_note(ctx, booking["id"]),
        booking_lead="这个号是：" if len(bookings) == 1 else f"第{_ordinal(index + 1)}个号是：",
    )



def check_typed_last_four(ctx: StepContext, person_id: int) -> str:
    """The last four characters of the person's ID number (X typed as *), typed into
    `last_four_typed`: "verified" (kept as `identity_checked` for this person only),
    "wrong", "short" or "gave_up". A wrong answer is counted for the person across calls
    (`app.hospital.identity`), apart for the person's own phones and each relative's
    number. Fewer or more than four characters (one key pressed, then the wait ran out)
    is no try: "short", asked again; the second such answer in a row reaches a person.
    The hospital flow checks its patient, the booking flow a booked ride's rider."""
    typed = str(ctx.vars.pop("last_four_typed", "") or "").upper()
    person = ctx.session.get(Person, person_id)
    on_file = (person.id_number or "").upper() if person is not None else ""
    if not on_file:
        return "gave_up"
    if len(typed) != 4:
        ctx.vars["last_four_short"] = ctx.vars.get("last_four_short", 0) + 1
        return "gave_up" if ctx.vars["last_four_short"] >= SHORT_TRIES else "short"
    ctx.vars["last_four_short"] = 0
    if on_file.endswith(typed):
        ctx.vars["identity_checked"] = person_id  # for this person only
        return "verified"
    locked = identity.record_failure(
        ctx.session, person_id=person_id, now=ctx.now, call_id=ctx.call.id,
        number=ctx.call.from_number,
    )
    return "gave_up" if locked else "wrong"

def _may_hear_bookings(ctx: StepContext) -> bool:
    """The caller books for themself, or the patient's last four ID digits were checked."""
    return bool(ctx.vars.get("patient_self") or _identity_checked(ctx))


def _identity_checked(ctx: StepContext) -> bool:
    """The last four digits were checked in this call for the current patient (a relative
    who books for two people proves each)."""
    checked = ctx.vars.get("identity_checked")
    return not isinstance(checked, bool) and checked == ctx.vars["patient_id"]


def _confirmed_id(ctx: StepContext) -> str | None:
    """The typed ID number, if the caller confirmed its read-back for the current patient."""
    typed = ctx.vars.get(SECRET_ID)
    if typed and ctx.vars.get(ID_CONFIRMED) and ctx.vars.get(ID_FOR) == ctx.vars["patient_id"]:
        return str(typed)
    return None


def _forget_id(ctx: StepContext) -> None:
    for name in (SECRET_ID, SECRET_READBACK, ID_FOR, ID_CONFIRMED):
        ctx.vars.pop(name, None)


def spoken_id(number: str) -> str:
    """5301 0219 4603 1212 3X, each digit said: 五三零一，零二一九，…，三叉."""
    groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    return "，".join("".join(SPOKEN_DIGITS[ch] for ch in group) for group in groups)


def _title(person: Person, relation: str) -> str:
    """您自己 / 您母亲张秀英: the patient named for the caller, relation first."""
    if relation == SELF:
        return "您自己"
    return f"{patient_to_caller(relation, person.gender)}{person.full_name}"


def _patients_menu(ctx: StepContext) -> None:
    patients = ctx.vars["patients"]
    shown = menus.page(patients, ctx.vars.get("patients_page", 0))
    more = menus.more_label(patients, ctx.vars.get("patients_page", 0), "给别人挂")
    ctx.vars["patients_menu"] = menus.menu_text([f"给{p['title']}挂" for p in shown], more=more)


def _set_patient(ctx: StepContext, patient: dict[str, Any]) -> None:
    self_booking = patient["relation"] == SELF
    ctx.vars.update(
        patient_id=patient["id"],
        patient_self=self_booking,
        patient_contact_id=patient["contact_id"],
        # A relative hears the relation and the name in every prompt (您母亲张秀英), never
        # the hotline's nickname for the patient (张奶奶).
        patient_name="您" if self_booking else patient["title"],
        patient_title=patient["title"],
        # The booked SMS reaches the caller's phone too; the patient brings their own ID.
        patient_relation=patient.get("relation_word", ""),
        sms_whose="" if self_booking else "您的",
    )


def _days_heard(ctx: StepContext, days: list[date]) -> list[date]:
    """The day menu's days as first listed in this call for this patient and department,
    so a key keeps its day all call long (a day since gone full stays on its key: choosing
    it says why). Days listed afresh for another patient or department."""
    key = f"{ctx.vars.get('patient_id')}:{ctx.vars.get('department')}"
    heard = ctx.vars.get("days_heard")
    if isinstance(heard, dict) and heard.get("for") == key:
        return [date.fromisoformat(d) for d in heard["days"]]
    ctx.vars["days_heard"] = {"for": key, "days": [d.isoformat() for d in days]}
    return days


def _clock_said(value: object) -> time | None:
    """The hour of a change answer ({"clock": [10, 0], ...}: "好，10点的"), or None."""
    clock = value.get("clock") if isinstance(value, dict) else None
    if not isinstance(clock, list | tuple) or len(clock) != 2:
        return None
    return time(int(clock[0]), int(clock[1]))


def _session_of(clock: time) -> ClinicSession:
    """The half-day of an hour said alone (12点 and later: the afternoon)."""
    return ClinicSession.AM if clock.hour < 12 else ClinicSession.PM


def _is_the_offer(
    offered: dict[str, Any], day: date | None, session: ClinicSession | None, clock: time | None
) -> bool:
    """Does what was said name only the offer itself (its day, half-day and hour, or none
    of them): "明天不行" at an offer of 明天上午8点 refuses that offer."""
    return (
        day in (None, date.fromisoformat(offered["day"]))
        and session in (None, ClinicSession(offered["session"]))
        and (clock is None or f"{clock:%H:%M}" == offered.get("start"))
    )


def _said_back(
    ctx: StepContext, day: date, session: ClinicSession | None, clock: time | None
) -> str:
    """明天星期二 / 明天星期二下午 / 明天星期二上午10点: the day, and the half-day or hour
    when given (only what the caller said is said back)."""
    heard = spoken_visit_day(day, ctx.today)
    if session is None:
        return heard
    return heard + (_clock_words(clock) if clock is not None else SESSION_WORDS[session])


def _clock_words(clock: time) -> str:
    """上午10点, 中午12点, 下午3点: an hour said back with its part of the day."""
    if clock.hour == 12:
        return "中午" + spoken_time(clock)
    return SESSION_WORDS["am" if clock.hour < 12 else "pm"] + spoken_clock(clock)


def _nearest(
    ctx: StepContext,
    offers: list[Offer],
    clock: time | None,
    session: ClinicSession | None,
    **where: Any,
) -> tuple[list[Offer], str]:
    """An hour said with the day ("好，10点的", "下午三点的"): of the free slots of that day
    and half-day at the hospital chosen, the one at that hour, else the nearest to it (the
    earlier of two as near), with "这天上午10点没有空的号。" to say first; nothing said of an
    hour, the offers as they are and nothing to say."""
    if clock is None or not offers or session is None:
        return offers, ""
    free = _offers(ctx, hospital_id=offers[0].hospital_id, limit=LOTS, **where)
    if not free:
        return offers, ""
    wanted = clock.hour * 60 + clock.minute
    best = min(
        free,
        key=lambda o: (abs(o.start_time.hour * 60 + o.start_time.minute - wanted), o.start_time),
    )
    if best.start_time == clock:
        return [best], ""
    return [best], texts.spoken("clock_not_free", clock=_clock_words(clock))


def _later_day(ctx: StepContext, changed: date, session: ClinicSession) -> date:
    """The first day after the one the caller asked to change (换一天) with a free slot in
    the half-day said, else the day after it (its problem then said as for any day)."""
    later = _offers(ctx, clinic_session=session, after=(changed, ClinicSession.PM))
    return later[0].day if later else changed + timedelta(days=1)


def _nearest_lead(said: str, note: str, tail: str) -> str:
    """您说的是…。这天上午10点没有空的号，离得最近的号是： (the plain tail), or the note before
    the tail's own words (这天没有专家号，普通号是：)."""
    if note and tail == PLAIN_TAIL:
        return said + note.removesuffix("。") + texts.spoken("nearest_slot")
    return said + note + tail


def _offers(
    ctx: StepContext,
    *,
    day: date | None = None,
    clinic_session: ClinicSession | None = None,
    after: tuple[date, ClinicSession] | None = None,
    hospital_id: int | None = None,
    clinic_type: ClinicType | None = None,
    moving: int | None = None,
    limit: int = 1,
) -> list[Offer]:
    try:
        return appointment_offers.find_offers(
            ctx.session,
            department=ctx.vars["department"],
            patient_id=ctx.vars["patient_id"],
            now=ctx.now,
            day=day,
            clinic_session=clinic_session,
            after=after,
            hospital_id=hospital_id,
            clinic_type=clinic_type,
            moving=moving,
            limit=limit,
        )
    except BookingError as refusal:  # e.g. suspended: no offers by phone
        ctx.vars["booking_problem"] = refusal.said(ctx.today, patient=patient_in_call(ctx.vars))
        return []


@dataclass(frozen=True)
class OwnFirst:
    """What to offer for a later time or another day: `offers`, and `own_missing`, the
    caller's own hospital (short name) when it has nothing for that choice and another
    hospital is offered instead (said first), else ""."""

    offers: list[Offer]
    own_missing: str = ""


def _own_hospital_first(ctx: StepContext, anywhere: list[Offer], **where: Any) -> OwnFirst:
    """The caller's own hospital stays first for a later time and another day, as for the
    first offer (`prefer_own`: its slot within `OWN_HOSPITAL_DAYS` days of the earliest);
    when it has none for that choice, the earliest anywhere, with its name to say so."""
    own_id = own_hospital_id(ctx.session, ctx.vars.get("patient_id"))
    if not anywhere or own_id is None or anywhere[0].hospital_id == own_id:
        return OwnFirst(anywhere)
    own = _offers(ctx, hospital_id=own_id, **where)
    if own and prefer_own(anywhere[0].day, own[0].day):
        return OwnFirst(own)
    hospital = ctx.session.get(Hospital, own_id)
    return OwnFirst(anywhere, own_missing=hospital.short_name if hospital else "")


def _tomorrow(ctx: StepContext) -> date:
    return date.fromordinal(ctx.today.toordinal() + 1)


def _why_no_offers(ctx: StepContext, day: date) -> str:
    """past, already_booked, full, not_yet, closed or phone_closed (see `why_no_offers`)."""
    return appointment_offers.why_no_offers(
        ctx.session,
        department=ctx.vars["department"],
        patient_id=ctx.vars["patient_id"],
        day=day,
        now=ctx.now,
    )


def _day_problem(ctx: StepContext, day: date, code: str) -> str:
    """Why the day has no offer, in words: past, booked already, full, not yet, closed."""
    department = ctx.vars["department"]
    if day == ctx.today:  # "今天下午": not gone, but not bookable by phone
        tomorrow = date.fromordinal(day.toordinal() + 1)
        return texts.spoken("day_today" if _offers(ctx, day=tomorrow) else "day_today_only")
    if code == "not_yet":
        moment = appointment_offers.release_moment(ctx.session, department=department, day=day)
        # 今天下午3点 / 明天… / 12月3号…: said as every other moment of the call.
        release = spoken_moment(moment, ctx.today) if moment else ""
        return texts.text("spoken", "day_not_yet", release=release)
    if code == "already_booked":
        return texts.text(
            "spoken",
            "day_already_booked",
            patient=ctx.vars.get("patient_name", ""),
            department=department,
        )
    return texts.text("spoken", f"day_{code}", department=department)


def _session_problem(ctx: StepContext, day: date, session: ClinicSession) -> str:
    """这天下午没有消化内科的门诊 / 这天下午消化内科的号都挂满了."""
    department = ctx.vars["department"]
    held = appointment_offers.has_clinic(
        ctx.session, department=department, day=day, clinic_session=session
    )
    return texts.text(
        "spoken",
        "session_full" if held else "session_no_clinic",
        session="上午" if session == ClinicSession.AM else "下午",
        department=department,
    )


def _offer_first(ctx: StepContext, offers: list[Offer], *, lead: str) -> str:
    if not offers:
        return "none"
    offer = offers[0]
    ctx.vars.pop(ANOTHER_DAY_OF, None)  # 换一天 said of the offer before this one
    ctx.vars["offer"] = {
        "slot_id": offer.slot_id,
        "day": offer.day.isoformat(),
        "session": offer.session.value,
        "clinic_type": offer.clinic_type.value,
        "start": f"{offer.start_time:%H:%M}",
    }
    # The offer as a day answer (`when`): the offer question's `otherwise.offered`, so a
    # yes naming another day or half-day ("好，明天下午") is never booked for this slot.
    # The hour too, as the change kind gives it (`compare_as`): "好，10点的" at 8点 differs.
    ctx.vars["offer_when"] = {
        "date": offer.day.isoformat(),
        "session": offer.session.value,
        "clock": [offer.start_time.hour, offer.start_time.minute],
    }
    # An expert's type and fee are said before the caller agrees (专家号，30元).
    expert = texts.spoken("offer_expert", fee=offer.fee_yuan)
    ctx.vars["offer_text"] = offer.spoken_short(ctx.today) + (
        expert if offer.clinic_type == ClinicType.EXPERT else ""
    )
    ctx.vars["offer_cancel_by"] = spoken_moment(offer.cancel_deadline, ctx.today)
    ctx.vars["offer_lead"] = lead
    return "found"
