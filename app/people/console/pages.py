"""GET routes of the community console: search, the person's page, the forms, the card."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from app.consoles.auth import CommunityConsoleStaff, community_scope
from app.consoles.http import console_router
from app.consoles.templating import render
from app.core.deps import SessionDep, SettingsDep
from app.people import directory
from app.people.card import (
    MAIN_KEYS,
    NEW_CAR_NOTE,
    UNSAID_NOTE,
    place_keys,
    places_unsaid,
    written_number,
)
from app.people.console.form import PersonForm
from app.people.console.view import (
    NOTICES,
    communities_for,
    form_context,
    load_person,
    person_context,
)
from app.people.models import Community
from app.people.phones import mask_number

router = console_router()


@router.get("/people", response_class=Response)
def search_page(
    request: Request,
    staff: CommunityConsoleStaff,
    session: SessionDep,
    q: Annotated[str, Query(max_length=50)] = "",
) -> Response:
    people = directory.search(session, q, community_id=community_scope(staff))
    names = {c.id: c.name for c in communities_for(session, staff)}
    rows = [
        (
            person,
            names.get(person.community_id or 0, ""),
            [mask_number(p.number) for p in person.phones],
        )
        for person in people
    ]
    return render(request, "people/search.html", {"q": q, "rows": rows})


@router.get("/people/new", response_class=Response)
def new_form(request: Request, staff: CommunityConsoleStaff, session: SessionDep) -> Response:
    form = PersonForm(community_id=str(staff.community_id or ""))
    return render(request, "people/form.html", form_context(session, staff, form))


@router.get("/people/{person_id}", response_class=Response)
def person_page(
    request: Request,
    person_id: int,
    staff: CommunityConsoleStaff,
    session: SessionDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    person = load_person(session, staff, person_id)
    context = person_context(session, person, notice=NOTICES.get(done))
    return render(request, "people/person.html", context)


@router.get("/people/{person_id}/edit", response_class=Response)
def edit_form(
    request: Request, person_id: int, staff: CommunityConsoleStaff, session: SessionDep
) -> Response:
    person = load_person(session, staff, person_id)
    context = form_context(session, staff, PersonForm.of(person), person=person)
    return render(request, "people/form.html", context)


@router.get("/people/{person_id}/card", response_class=Response)
def card(
    request: Request,
    person_id: int,
    staff: CommunityConsoleStaff,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """The one-page card in large type to print and put beside the person's phone."""
    person = load_person(session, staff, person_id)
    community = session.get(Community, person.community_id) if person.community_id else None
    return render(
        request,
        "people/card.html",
        {
            "person": person,
            "hotline": written_number(settings.hotline_number),
            "main_keys": MAIN_KEYS,
            "places": place_keys(person),
            "new_car_note": NEW_CAR_NOTE,
            "unsaid_note": UNSAID_NOTE if places_unsaid(person) else "",
            "community": community,
            "community_phone": written_number(community.phone)
            if community and community.phone
            else "",
        },
    )
