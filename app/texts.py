"""The catalogue of texts callers read or hear outside the call flows (dialogs/messages.yaml).

SMS texts, outbound call bodies, sentences actions put into prompts, and booking refusals
live in one YAML file next to the flows, so a newcomer changes what an SMS says there,
not in the code. `sms()` puts the hotline's signature in front. A missing text or a
missing value raises at once (tests and start-up find it, not a caller).
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from app.core.yaml_files import FAST_SAFE_LOADER

CATALOGUE_FILE = "messages.yaml"
SECTIONS = ("sms", "voice", "spoken", "refusals")


class CatalogueError(ValueError):
    """The catalogue file is missing, malformed, or lacks a text the code asks for."""


def fields(template: str) -> set[str]:
    """The {names} a text needs."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def load_catalogue(dialogs_dir: Path) -> dict[str, Any]:
    """Read and check the catalogue: every section present, every text a formattable string."""
    path = dialogs_dir / CATALOGUE_FILE
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=FAST_SAFE_LOADER)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("signature"), str):
        raise CatalogueError(f"{path}: a mapping with a `signature` text is required")
    for section in SECTIONS:
        texts = data.get(section)
        if not isinstance(texts, dict):
            raise CatalogueError(f"{path}: section `{section}` is missing")
        for key, value in texts.items():
            if not isinstance(value, str) or not value.strip():
                raise CatalogueError(f"{path}: {section}.{key} must be a non-empty text")
            try:
                fields(value)
            except ValueError as exc:
                raise CatalogueError(f"{path}: {section}.{key}: {exc}") from exc
    return data


@cache
def _catalogue() -> dict[str, Any]:
    from app.core.config import get_settings

    return load_catalogue(get_settings().dialogs_dir)


def text(section: str, key: str, /, **values: object) -> str:
    """One text of the catalogue, filled in."""
    try:
        template = _catalogue()[section][key]
    except KeyError:
        raise CatalogueError(f"no text {section}.{key} in {CATALOGUE_FILE}") from None
    missing = fields(template) - values.keys()
    if missing:
        raise CatalogueError(f"{section}.{key} needs {', '.join(sorted(missing))}")
    return str(template.format(**values))


def sms(key: str, /, **values: object) -> str:
    """An SMS text, signed."""
    return str(_catalogue()["signature"]) + text("sms", key, **values)


def voice(key: str, /, **values: object) -> str:
    """The body of an outbound notification call."""
    return text("voice", key, **values)


def spoken(key: str, /, **values: object) -> str:
    """A sentence an action or transport puts into a call."""
    return text("spoken", key, **values)


def refusal(key: str, /, **values: object) -> str:
    """Why a booking or cancellation was refused, as the caller hears it."""
    return text("refusals", key, **values)
