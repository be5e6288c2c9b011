"""Every table of the hotline, imported in one place: Alembic and the tests use `Base` from here.

Each capability keeps its models next to its services; importing this module registers
them all with the one `MetaData`.
"""

from __future__ import annotations

from app.calls import models as calls_models
from app.db.base import Base
from app.hospital import models as hospital_models
from app.hospital.fhir import models as fhir_models
from app.notify import models as notify_models
from app.operators import models as operators_models
from app.people import models as people_models
from app.retention import models as retention_models
from app.scheduler import models as scheduler_models
from app.staff import models as staff_models
from app.taxi import models as taxi_models

__all__ = [
    "Base",
    "calls_models",
    "fhir_models",
    "hospital_models",
    "notify_models",
    "operators_models",
    "people_models",
    "retention_models",
    "scheduler_models",
    "staff_models",
    "taxi_models",
]
