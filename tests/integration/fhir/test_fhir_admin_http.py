"""The HIS link page of the admin section over real HTTP: who may use it, isolation
between hospitals, CSRF, a token shown once that then opens the API, the webhook, and
failed pushes listed."""

from __future__ import annotations

import httpx
from fhir_helpers import NOW, new_token
from sqlalchemy import select

from app.core.db import Database
from app.hospital.fhir.models import FhirClient, FhirLink
from app.hospital.models import Hospital
from app.notify.enums import OutboxKind, OutboxStatus
from app.notify.models import OutboxMessage
from app.staff.enums import StaffRole
from support.live_server import LiveServer, add_staff, csrf_from, sign_in


def _signed_in(
    server: LiveServer, name: str, role: StaffRole, hospital: int | None
) -> httpx.Client:
    add_staff(server.db, name, role, hospital_id=hospital)
    client = server.client()
    assert sign_in(client, name).status_code == 303
    return client


def _clients(db: Database) -> list[tuple[int, int, bool]]:
    with db.session() as session:
        return [
            (c.id, c.hospital_id, c.revoked_at is not None)
            for c in session.scalars(select(FhirClient).order_by(FhirClient.id))
        ]


def test_the_his_page_roles_isolation_and_tokens(
    clinic: int, demo: Database, live_server: LiveServer
) -> None:
    live_server.clock.set(NOW)
    with demo.session() as session:
        other = session.scalars(select(Hospital.id).where(Hospital.id != clinic)).first() or 0
    foreign_client, _ = new_token(demo, other)
    page = f"/hospital/{clinic}/admin/his"

    # Desk staff of the hospital and the other hospital's admin may not; admins may.
    desk = _signed_in(live_server, "desk", StaffRole.HOSPITAL_STAFF, clinic)
    assert desk.get(page).status_code == 403
    stranger = _signed_in(live_server, "stranger", StaffRole.HOSPITAL_ADMIN, other)
    assert stranger.get(page).status_code == 403
    stranger_csrf = csrf_from(stranger.get(f"/hospital/{other}/admin/his").text)
    refused = stranger.post(
        f"{page}/tokens", data={"csrf_token": stranger_csrf, "name": "x", "days": "30"}
    )
    assert refused.status_code == 403
    assert live_server.client().get(page).status_code in (303, 401)
    admin = _signed_in(live_server, "root", StaffRole.ADMIN, None)
    assert admin.get(page).status_code == 200

    office = _signed_in(live_server, "office", StaffRole.HOSPITAL_ADMIN, clinic)
    shown = office.get(page)
    assert shown.status_code == 200 and "还没有凭证" in shown.text
    csrf = csrf_from(shown.text)
    assert office.post(f"{page}/tokens", data={"name": "HIS", "days": "30"}).status_code == 403

    created = office.post(
        f"{page}/tokens", data={"csrf_token": csrf, "name": "本院HIS", "days": "30"}
    )
    # Post/Redirect/Get: the token is shown once, on the page the POST redirects to; a
    # reload shows it no more and makes no other token.
    assert created.status_code == 303 and created.headers["location"] == f"{page}#tokens"
    clients_after_one = _clients(demo)
    token = office.get(page).text.split('id="new-token-value">')[1].split("<")[0]
    assert token.startswith("ivrfhir_")
    assert token not in office.get(page).text  # shown once only
    assert _clients(demo) == clients_after_one
    api = httpx.get(
        f"{live_server.url}/fhir/{clinic}/Slot",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert api.status_code == 200
    bad = office.post(f"{page}/tokens", data={"csrf_token": csrf, "name": "", "days": "30"})
    assert bad.status_code == 409 and "请填写凭证名称" in bad.text
    bad_days = office.post(f"{page}/tokens", data={"csrf_token": csrf, "name": "x", "days": "一年"})
    assert bad_days.status_code == 409

    # Another hospital's token id through this hospital's URL: 404, nothing changed.
    before = _clients(demo)
    for action in ("revoke", "rotate"):
        response = office.post(
            f"{page}/tokens/{foreign_client}/{action}", data={"csrf_token": csrf}
        )
        assert response.status_code == 404
    assert _clients(demo) == before
    own = next(cid for cid, hospital, _ in before if hospital == clinic)
    assert office.post(f"{page}/tokens/{own}/revoke", data={"csrf_token": csrf}).status_code == 303
    assert (own, clinic, True) in _clients(demo)
    assert "已吊销" in office.get(page).text

    # The webhook: a bad URL is refused; a good one saved with a signing secret.
    refused_url = office.post(f"{page}/webhook", data={"csrf_token": csrf, "url": "his.example"})
    assert refused_url.status_code == 409
    saved = office.post(
        f"{page}/webhook", data={"csrf_token": csrf, "url": "https://his.example/in"}
    )
    assert saved.status_code == 303
    with demo.session() as session:
        link = session.get(FhirLink, clinic)
        assert link is not None and link.webhook_url == "https://his.example/in"
        assert session.get(FhirLink, other) is None
        # A push that keeps failing is listed for the admin.
        session.add(
            OutboxMessage(
                kind=OutboxKind.FHIR_PUSH,
                to_number=f"hospital:{clinic}",
                body="{}",
                idempotency_key="fhir:77:v3",
                status=OutboxStatus.FAILED,
                attempts=5,
                last_error="webhook answered HTTP 500",
            )
        )
    listed = office.get(page).text
    assert "webhook answered HTTP 500" in listed and "第3版" in listed
    assert "webhook answered HTTP 500" not in stranger.get(f"/hospital/{other}/admin/his").text
