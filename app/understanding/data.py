"""Loading of the YAML grammar files in ``grammars/`` (cached: read once per process)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

#: Directory holding the grammar files; ``IVR_GRAMMARS_DIR`` overrides it.
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "grammars"


def grammars_dir() -> Path:
    """Where the grammar YAML files live."""
    return Path(os.environ.get("IVR_GRAMMARS_DIR", DEFAULT_DIR))


@cache
def load(name: str) -> dict[str, Any]:
    """Return the parsed ``grammars/<name>.yaml`` mapping (cached)."""
    import yaml  # imported on first use

    from app.core.yaml_files import FAST_SAFE_LOADER

    with (grammars_dir() / f"{name}.yaml").open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=FAST_SAFE_LOADER) or {}  # noqa: S506 (a safe loader)
    if not isinstance(data, dict):
        raise ValueError(f"grammars/{name}.yaml must hold a mapping")
    return data


def words(name: str, key: str) -> list[str]:
    """A list of phrases under ``key`` in ``grammars/<name>.yaml`` (as strings)."""
    return [str(w) for w in load(name).get(key) or []]
