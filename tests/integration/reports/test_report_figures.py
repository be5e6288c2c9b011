"""The age-friendliness report computed from calls and steps stored in the database.

The mix (tests/support/report_calls.py), on Monday 2026-03-02 in Kunming:
c1 75 y, own phone, completed in 120 s with keys 1, *, 12 (a repeat at taxi.pickup);
c2 86 y, a daughter's phone, completed in 60 s, one silence at hospital.id, 18 keys typed
(stored redacted); c3 62 y (63 tomorrow), own phone, not understood once at main.menu then
transferred (not_understood); c4 no birth date, own phone, pressed 0 (asked);
c5 unregistered, hung up at taxi.pickup; c6 75 y, own phone, 00:30 local (still 1 March
in UTC), asked 再说一遍 at main.menu then hung up there; c7 unregistered, still in progress.
c8 (Wednesday, unregistered, completed in 30 s by speech) is in the week only; c9 (Sunday
23:30 local) is in neither.
"""

from __future__ import annotations

from app.core.db import Database
from app.reports.figures import GroupFigures, QuestionFigures
from app.reports.rows import Period, report_for
from support.report_calls import REPORT_DAY, add_report_calls

DAY_QUESTIONS = [
    QuestionFigures("main.menu", hang_ups=1, repeats=1, not_understood_reprompts=1),
    QuestionFigures("taxi.pickup", hang_ups=1, repeats=1),
    QuestionFigures("hospital.id", silence_reprompts=1),
]


def test_the_day_report_states_every_figure_of_the_calls_of_that_local_day(db: Database) -> None:
    add_report_calls(db)
    with db.session() as session:
        report = report_for(session, period=Period.of("day", REPORT_DAY))
    assert report.calls == 7 and report.in_progress == 1
    assert report.outcomes == {"completed": 2, "transferred": 2, "caller_hung_up": 2}
    assert report.completed_share == 2 / 6
    assert list(report.transfers_by_reason.items()) == [("asked", 1), ("not_understood", 1)]
    assert report.questions == DAY_QUESTIONS
    assert report.keys_per_completed == 11.0  # (1 + 1 + 2 + 18) / 2
    assert report.seconds_per_completed == 90.0
    assert report.by_age_band == [
        GroupFigures("60-69", calls=1, completed=0, transferred=1, caller_hung_up=0),
        GroupFigures("70-79", calls=2, completed=1, transferred=0, caller_hung_up=1),
        GroupFigures("80+", calls=1, completed=1, transferred=0, caller_hung_up=0),
        GroupFigures("unknown", calls=3, completed=0, transferred=1, caller_hung_up=1),
    ]
    assert report.by_caller_type == [
        GroupFigures("self", calls=4, completed=1, transferred=2, caller_hung_up=1),
        GroupFigures("family", calls=1, completed=1, transferred=0, caller_hung_up=0),
        GroupFigures("unregistered", calls=2, completed=0, transferred=0, caller_hung_up=1),
    ]
    assert report.by_age_band[1].completed_share == 0.5
    assert report.by_age_band[0].completed_share == 0.0


def test_the_week_report_runs_monday_to_sunday_around_the_chosen_day(db: Database) -> None:
    add_report_calls(db)
    with db.session() as session:
        report = report_for(session, period=Period.of("week", REPORT_DAY.replace(day=5)))
    assert report.calls == 8 and report.in_progress == 1
    assert report.outcomes == {"completed": 3, "transferred": 2, "caller_hung_up": 2}
    assert report.questions == DAY_QUESTIONS
    assert report.keys_per_completed == 22 / 3
    assert report.seconds_per_completed == 70.0  # (120 + 60 + 30) / 3
    assert report.by_caller_type[2] == GroupFigures(
        "unregistered", calls=3, completed=1, transferred=0, caller_hung_up=1
    )


def test_a_day_without_calls_has_no_shares_and_no_averages(db: Database) -> None:
    add_report_calls(db)
    with db.session() as session:
        report = report_for(session, period=Period.of("day", REPORT_DAY.replace(day=20)))
    assert report.calls == 0 and report.finished == 0
    assert report.completed_share is None
    assert report.keys_per_completed is None and report.seconds_per_completed is None
    assert report.questions == [] and report.transfers_by_reason == {}
    assert all(g.calls == 0 and g.completed_share is None for g in report.by_age_band)
