"""The admin's age-friendliness report page (GET /console/report) and its CSV export
(GET /console/report.csv); both take ``period=day|week`` and ``day=YYYY-MM-DD`` (local
time, default today)."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi import HTTPException, Request
from fastapi.responses import Response
from markupsafe import Markup

from app.consoles.auth import AdminStaff, NowDep
from app.consoles.http import console_router
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.core.local_time import local_today
from app.reports.charts import bar_chart
from app.reports.figures import Report
from app.reports.labels import (
    AGE_BAND_LABELS,
    CALLER_TYPE_LABELS,
    OUTCOME_LABELS,
    REASON_LABELS,
)
from app.reports.rows import Period, PeriodKind, report_for

router = console_router()

BAD_PERIOD = "统计周期只能是 day（按天）或 week（按周）。"
BAD_DAY = "日期格式应为 YYYY-MM-DD，例如 2026-03-02。"


def _period(period: str, day: str, today: date) -> Period:
    if period not in ("day", "week"):
        raise HTTPException(status_code=400, detail=BAD_PERIOD)
    kind: PeriodKind = "week" if period == "week" else "day"
    try:
        chosen = date.fromisoformat(day) if day else today
    except ValueError:
        raise HTTPException(status_code=400, detail=BAD_DAY) from None
    return Period.of(kind, chosen)


def charts(report: Report) -> dict[str, Markup]:
    """The page's charts, by name."""
    return {
        "outcomes": bar_chart(
            "通话结果", [(OUTCOME_LABELS[k], v) for k, v in report.outcomes.items()]
        ),
        "reasons": bar_chart(
            "转人工原因",
            [(REASON_LABELS.get(k, k), v) for k, v in report.transfers_by_reason.items()],
        ),
        "hang_ups": bar_chart(
            "各问题挂断次数", [(q.question, q.hang_ups) for q in report.questions if q.hang_ups]
        ),
        "age_bands": bar_chart(
            "各年龄段自助办完比例",
            [
                (AGE_BAND_LABELS[g.group], _percent(g.completed_share))
                for g in report.by_age_band
                if g.calls
            ],
            unit="%",
        ),
    }


def _percent(share: float | None) -> float:
    return round(100 * share, 1) if share is not None else 0.0


@router.get("/console/report", response_class=Response)
def report_page(
    request: Request,
    staff: AdminStaff,
    session: SessionDep,
    now: NowDep,
    period: str = "day",
    day: str = "",
) -> Response:
    chosen = _period(period, day, local_today(now))
    report = report_for(session, period=chosen)
    return render(
        request,
        "reports/report.html",
        {
            "period": chosen,
            "report": report,
            "charts": charts(report),
            "percent": _percent,
            "outcome_labels": OUTCOME_LABELS,
            "reason_labels": REASON_LABELS,
            "age_band_labels": AGE_BAND_LABELS,
            "caller_type_labels": CALLER_TYPE_LABELS,
        },
    )


@router.get("/console/report.csv", response_class=Response)
def report_csv(
    staff: AdminStaff,
    session: SessionDep,
    now: NowDep,
    period: str = "day",
    day: str = "",
) -> Response:
    chosen = _period(period, day, local_today(now))
    report = report_for(session, period=chosen)
    filename = f"report-{chosen.kind}-{chosen.first.isoformat()}.csv"
    return Response(
        content=report_csv_text(report, chosen),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def report_csv_text(report: Report, period: Period) -> str:
    """One figure a row: section, item, figure, value (codes, not labels, for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "item", "figure", "value"])
    span = f"{period.first.isoformat()}..{period.last.isoformat()}"
    writer.writerow(["period", period.kind, "days", span])
    writer.writerow(["calls", "all", "calls", report.calls])
    writer.writerow(["calls", "in_progress", "calls", report.in_progress])
    for outcome, value in report.outcomes.items():
        writer.writerow(["outcome", outcome, "calls", value])
    writer.writerow(["outcome", "completed", "share", _fmt(report.completed_share)])
    for reason, value in report.transfers_by_reason.items():
        writer.writerow(["transfer_reason", reason, "calls", value])
    for q in report.questions:
        writer.writerow(["question", q.question, "hang_ups", q.hang_ups])
        writer.writerow(["question", q.question, "repeats", q.repeats])
        writer.writerow(["question", q.question, "silence_reprompts", q.silence_reprompts])
        writer.writerow(
            ["question", q.question, "not_understood_reprompts", q.not_understood_reprompts]
        )
    writer.writerow(["completed", "all", "keys_per_call", _fmt(report.keys_per_completed)])
    writer.writerow(["completed", "all", "seconds_per_call", _fmt(report.seconds_per_completed)])
    reminder = report.reminder_calls
    for item in ("placed", "reached", "not_reached", "machine", "confirmed", "cancelled",
                 "person", "ringing"):
        writer.writerow(["reminder_calls", item, "calls", getattr(reminder, item)])
    for section, groups in (
        ("age_band", report.by_age_band),
        ("caller_type", report.by_caller_type),
    ):
        for g in groups:
            writer.writerow([section, g.group, "calls", g.calls])
            writer.writerow([section, g.group, "completed", g.completed])
            writer.writerow([section, g.group, "transferred", g.transferred])
            writer.writerow([section, g.group, "caller_hung_up", g.caller_hung_up])
            writer.writerow([section, g.group, "completed_share", _fmt(g.completed_share)])
    return out.getvalue()


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"
