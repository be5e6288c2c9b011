"""Fixtures for the hospital console tests (helpers live in hospital_helpers.py)."""

from __future__ import annotations

import pytest
from hospital_helpers import DAY

from app.core.db import Database
from support.demo import demo_data


@pytest.fixture
def demo(db: Database) -> Database:
    """The demo data set with schedules from DAY (a Monday) on."""
    demo_data(db, today=DAY)
    return db
