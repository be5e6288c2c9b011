"""The report page and its CSV export over real HTTP: admins only, every figure in the CSV."""

from __future__ import annotations

import csv
import io

import pytest

from app.reports.pages import BAD_DAY, BAD_PERIOD
from app.staff.enums import StaffRole
from support.live_server import (
    LiveServer,
    add_community,
    add_hospital,
    add_staff,
    sign_in,
)
from support.report_calls import add_report_calls


@pytest.mark.parametrize("role", [StaffRole.OPERATOR, StaffRole.HOSPITAL_STAFF,
                                  StaffRole.COMMUNITY_STAFF])
def test_only_admins_may_open_the_report_or_its_csv(
    live_server: LiveServer, role: StaffRole
) -> None:
    hospital_id = add_hospital(live_server.db) if role == StaffRole.HOSPITAL_STAFF else None
    community_id = add_community(live_server.db) if role == StaffRole.COMMUNITY_STAFF else None
    add_staff(live_server.db, "someone", role, hospital_id=hospital_id, community_id=community_id)
    with live_server.client() as client:
        sign_in(client, "someone")
        assert client.get("/console/report").status_code == 403
        assert client.get("/console/report.csv?period=day&day=2026-03-02").status_code == 403
        assert 'href="/console/report"' not in client.get("/console").text


def test_signed_out_visitors_are_sent_to_the_login_page(live_server: LiveServer) -> None:
    with live_server.client() as client:
        response = client.get("/console/report.csv")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_csv_has_every_figure_of_the_day(live_server: LiveServer) -> None:
    add_report_calls(live_server.db)
    add_staff(live_server.db, "admin1", StaffRole.ADMIN)
    with live_server.client() as client:
        sign_in(client, "admin1")
        assert 'href="/console/report"' in client.get("/console").text
        response = client.get("/console/report.csv?period=day&day=2026-03-02")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="report-day-2026-03-02.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["section", "item", "figure", "value"]
    figures = {(s, i, f): v for s, i, f, v in rows[1:]}
    assert len(figures) == len(rows) - 1  # no figure twice
    expected = {
        ("period", "day", "days"): "2026-03-02..2026-03-02",
        ("calls", "all", "calls"): "7",
        ("calls", "in_progress", "calls"): "1",
        ("outcome", "completed", "calls"): "2",
        ("outcome", "transferred", "calls"): "2",
        ("outcome", "caller_hung_up", "calls"): "2",
        ("outcome", "completed", "share"): "0.3333",
        ("transfer_reason", "asked", "calls"): "1",
        ("transfer_reason", "not_understood", "calls"): "1",
        ("question", "main.menu", "hang_ups"): "1",
        ("question", "main.menu", "repeats"): "1",
        ("question", "main.menu", "silence_reprompts"): "0",
        ("question", "main.menu", "not_understood_reprompts"): "1",
        ("question", "taxi.pickup", "hang_ups"): "1",
        ("question", "taxi.pickup", "repeats"): "1",
        ("question", "hospital.id", "silence_reprompts"): "1",
        ("completed", "all", "keys_per_call"): "11",
        ("completed", "all", "seconds_per_call"): "90",
        ("age_band", "70-79", "calls"): "2",
        ("age_band", "70-79", "completed_share"): "0.5",
        ("age_band", "80+", "completed"): "1",
        ("age_band", "60-69", "transferred"): "1",
        ("age_band", "unknown", "calls"): "3",
        ("caller_type", "self", "calls"): "4",
        ("caller_type", "family", "completed_share"): "1",
        ("caller_type", "unregistered", "caller_hung_up"): "1",
    }
    assert {key: figures.get(key) for key in expected} == expected


def test_the_week_csv_covers_monday_to_sunday(live_server: LiveServer) -> None:
    add_report_calls(live_server.db)
    add_staff(live_server.db, "admin1", StaffRole.ADMIN)
    with live_server.client() as client:
        sign_in(client, "admin1")
        text = client.get("/console/report.csv?period=week&day=2026-03-08").text
    rows = {tuple(row[:3]): row[3] for row in csv.reader(io.StringIO(text))}
    assert rows[("period", "week", "days")] == "2026-03-02..2026-03-08"
    assert rows[("calls", "all", "calls")] == "8"
    assert rows[("completed", "all", "seconds_per_call")] == "70"


@pytest.mark.parametrize(
    ("query", "message"),
    [("period=month", BAD_PERIOD), ("day=2026-13-01", BAD_DAY), ("day=yesterday", BAD_DAY)],
)
def test_a_bad_period_or_day_gets_a_clear_400(
    live_server: LiveServer, query: str, message: str
) -> None:
    add_staff(live_server.db, "admin1", StaffRole.ADMIN)
    with live_server.client() as client:
        sign_in(client, "admin1")
        page = client.get(f"/console/report?{query}", headers={"accept": "text/html"})
        export = client.get(f"/console/report.csv?{query}")
    assert page.status_code == 400 and message in page.text
    assert export.status_code == 400 and message in export.text
