"""The family self-service page (/family): a relative proves their mobile with an SMS code,
then registers an older parent or updates one they are a family contact of.

No staff account: a short-lived signed cookie (`session.py`) names the verified number.
`router` (`routes.router`) is included by app/main.py.
"""

from __future__ import annotations

from pathlib import Path

from app.consoles.assets import add_static_dir
from app.consoles.templating import add_template_dir
from app.people.family import routes

add_template_dir(Path(__file__).parent / "templates")
add_static_dir(Path(__file__).parent / "static")

router = routes.router
