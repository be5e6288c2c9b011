"""Fixtures for the HIS link tests: demo data, a new hospital, a fake HIS on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fhir_helpers import NOW, FakeHis

from app.core.db import Database
from support.demo import demo_data
from support.live_server import add_hospital


@pytest.fixture
def demo(db: Database) -> Database:
    demo_data(db, today=NOW.date())
    return db


@pytest.fixture
def clinic(demo: Database) -> int:
    """A new hospital whose sessions come from its HIS."""
    return add_hospital(demo, "云南省第一人民医院")


@pytest.fixture
def his() -> Iterator[FakeHis]:
    receiver = FakeHis()
    yield receiver
    receiver.close()
