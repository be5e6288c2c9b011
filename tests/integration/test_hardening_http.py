"""Bad URLs get clear answers, and production hides what only developers need."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from app.core.config import Settings
from app.staff.enums import StaffRole
from app.taxi.models import Driver
from support.live_server import (
    PRODUCTION_READY,
    LiveServer,
    add_hospital,
    add_staff,
    csrf_from,
    sign_in,
)

PRODUCTION = PRODUCTION_READY


def test_a_nul_byte_or_odd_name_in_a_static_path_is_404(live_server: LiveServer) -> None:
    with live_server.client() as client:
        for path in ("/static/console.css%00.js", "/static/%00", "/static/..%2Fconsole.css"):
            assert client.get(path).status_code == 404, path
        assert client.get("/static/console.css").status_code == 200


def test_oversized_hospital_ids_are_404(live_server: LiveServer) -> None:
    add_hospital(live_server.db)
    add_staff(live_server.db, "boss", StaffRole.ADMIN)
    with live_server.client() as client:
        sign_in(client, "boss")
        assert client.get("/hospital/99999999999999999999").status_code == 404
        assert client.get("/hospital/1/schedules/99999999999999999999/stop").status_code == 404


def test_ids_past_a_postgresql_integer_are_404(live_server: LiveServer) -> None:
    """Ids are `integer` columns: 2**31 and up would be a database error, not a lookup."""
    hospital = add_hospital(live_server.db)
    add_staff(live_server.db, "boss", StaffRole.ADMIN)
    with live_server.client() as client:
        sign_in(client, "boss")
        for big in ("2147483648", "999999999999999999"):
            assert client.get(f"/hospital/{big}").status_code == 404, big
            assert client.get(f"/dispatch/rides/{big}/recording").status_code == 404, big
            assert client.get(f"/dispatch/fleet/drivers/{big}").status_code == 404, big
        assert client.get("/dispatch/rides/2147483647/recording").status_code == 404
        assert client.get(f"/hospital/{hospital}").status_code == 200


def test_form_and_query_ids_past_a_postgresql_integer_are_refused(
    live_server: LiveServer,
) -> None:
    hospital = add_hospital(live_server.db)
    add_staff(live_server.db, "boss", StaffRole.ADMIN)
    with live_server.client() as client:
        sign_in(client, "boss")
        token = csrf_from(client.get("/dispatch/fleet").text)
        driver = {"csrf_token": token, "company_id": "2147483648", "name": "王师傅",
                  "phone": "13800000099", "plate": "云A12345"}
        refused = client.post("/dispatch/fleet/drivers", data=driver)
        assert refused.status_code in (303, 422)  # a browser is sent back to the form
        with live_server.db.session() as session:
            assert session.scalars(select(Driver).where(Driver.plate == "云A12345")).all() == []
        printed = client.get(f"/hospital/{hospital}/day-list/print?schedule_id=2147483648")
        assert printed.status_code == 400  # a malformed field: the Chinese error page
        assert client.get(f"/hospital/{hospital}/day-list/print").status_code == 200


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_api_docs_are_hidden_outside_development(
    live_server_factory: Callable[..., LiveServer], path: str
) -> None:
    development = live_server_factory()
    # Building the OpenAPI schema of every route takes a while on a busy machine.
    assert httpx.get(development.url + path, timeout=60).status_code == 200
    for overrides in (PRODUCTION, {"environment": "test"}):
        server = live_server_factory(**overrides)
        assert httpx.get(server.url + path, timeout=60).status_code == 404, overrides


def test_readyz_shows_no_server_paths_outside_development(
    live_server_factory: Callable[..., LiveServer], tmp_path: Any
) -> None:
    server = live_server_factory(models_dir=tmp_path, **PRODUCTION)
    body = httpx.get(f"{server.url}/readyz").json()
    assert body["status"] == "ready" and body["speech"] == "keypad-only"
    assert str(tmp_path) not in httpx.get(f"{server.url}/readyz").text
    development = live_server_factory(models_dir=tmp_path)
    assert str(tmp_path) in httpx.get(f"{development.url}/readyz").json()["speech"]


@pytest.mark.parametrize("spelling", ["Production", "PRODUCTION", " production "])
def test_any_case_of_production_turns_on_the_production_checks(spelling: str) -> None:
    settings = Settings(environment=spelling)
    assert settings.is_production
    with pytest.raises(RuntimeError, match="IVR_SECRET_KEY"):
        settings.check_production_ready()


@pytest.mark.parametrize("name", ["prod", "Prodution", "staging", ""])
def test_unknown_environment_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="IVR_ENVIRONMENT must be one of"):
        Settings(environment=name)
