"""The operators' panel of the dispatch console: callers waiting for a person.

Shown at the top of /dispatch (operators and admins, `DispatchStaff`); refreshed by the
dispatch console's event stream, whose marker includes `app.operators.panel.change_marker`.
"""

from __future__ import annotations

from pathlib import Path

from app.consoles.templating import add_template_dir
from app.operators.console.routes import routers

add_template_dir(Path(__file__).parent / "templates")

__all__ = ["routers"]
