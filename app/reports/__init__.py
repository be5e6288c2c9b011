"""The age-friendliness report: how well the hotline serves older callers, per day or week.

`figures` computes every figure from plain rows (no database), `rows` reads those rows
with a few queries, `charts` draws inline SVG bars and `pages` serves the admin page
(/console/report) and its CSV export (/console/report.csv).
"""

from __future__ import annotations

from pathlib import Path

from app.consoles.templating import add_template_dir

add_template_dir(Path(__file__).parent / "templates")

from app.reports import pages  # noqa: E402  (after the template directory is known)

router = pages.router
