"""Fixtures for the hospital administration tests (helpers live in admin_helpers.py)."""

from __future__ import annotations

import pytest
from admin_helpers import NOW

from app.core.db import Database
from support.demo import demo_data
from support.live_server import add_hospital


@pytest.fixture
def demo(db: Database) -> Database:
    """The demo people and hospitals (schedules from NOW's day on)."""
    demo_data(db, today=NOW.date())
    return db


@pytest.fixture
def clinic(demo: Database) -> int:
    """A new hospital with nothing in it yet: the one the admin sets up."""
    return add_hospital(demo, "云南省第一人民医院")
