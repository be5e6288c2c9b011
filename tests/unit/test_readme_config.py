"""The README's configuration table lists every setting the service reads."""

from __future__ import annotations

from app.core.config import PROJECT_ROOT, Settings


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    missing = [
        name
        for name in Settings.model_fields
        if ("DATABASE_URL" if name == "database_url" else f"IVR_{name.upper()}") not in readme
    ]
    assert missing == []
