"""The text catalogue (dialogs/messages.yaml): every text the code asks for exists, and is
given exactly the values it needs; a broken catalogue stops start-up."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from app import texts
from app.callflow.loader import FlowError
from app.core.config import Settings
from app.hotline import load_dialogs

APP_DIR = Path(texts.__file__).parent
SECTION_OF = {"sms": "sms", "voice": "voice", "spoken": "spoken", "refusal": "refusals"}


def _calls_in_code() -> list[tuple[str, str, set[str] | None, str]]:
    """(section, key, keyword names or None when **kwargs hide them, where) of every literal
    `texts.sms("key", ...)`-style call in app/."""
    found = []
    for path in APP_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            func = node.func
            if not (isinstance(func.value, ast.Name) and func.value.id == "texts"):
                continue
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if func.attr in SECTION_OF and args:
                section, key = SECTION_OF[func.attr], args[0]
            elif func.attr == "text" and len(args) == 2:
                section, key = args
            else:
                continue
            names = {k.arg for k in node.keywords if k.arg is not None}
            hidden = any(k.arg is None for k in node.keywords)
            found.append((section, key, None if hidden else names, f"{path.name}:{node.lineno}"))
    return found


def test_the_code_asks_for_texts_and_each_exists_with_the_values_it_needs() -> None:
    catalogue = texts.load_catalogue(Settings().dialogs_dir)
    calls = _calls_in_code()
    assert len(calls) >= 20  # the scan finds the calls (a broken scan would pass vacuously)
    for section, key, names, where in calls:
        assert key in catalogue[section], f"{where}: no text {section}.{key}"
        needed = texts.fields(catalogue[section][key])
        if names is not None:
            assert names == needed, f"{where}: {section}.{key} needs {needed}, given {names}"


def test_every_booking_refusal_code_has_a_text() -> None:
    catalogue = texts.load_catalogue(Settings().dialogs_dir)
    source = (APP_DIR / "hospital").rglob("*.py")
    codes = set()
    for path in source:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "BookingError"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                codes.add(node.args[0].value)
    assert codes and codes <= set(catalogue["refusals"]), codes - set(catalogue["refusals"])


def test_sms_texts_are_signed_and_a_missing_value_is_an_error() -> None:
    text = texts.sms("ride_cancelled")
    assert text.startswith("【长者服务热线】")
    with pytest.raises(texts.CatalogueError, match="needs"):
        texts.sms("ride_cancelled_driver", ride_id=1)
    with pytest.raises(texts.CatalogueError, match="no text"):
        texts.voice("no_such_text")


def test_a_broken_catalogue_stops_start_up_and_flows_check(tmp_path: Path) -> None:
    dialogs = tmp_path / "dialogs"
    shutil.copytree(Settings().dialogs_dir, dialogs)
    (dialogs / texts.CATALOGUE_FILE).write_text("signature: 【x】\nsms: {}\n", "utf-8")
    with pytest.raises(FlowError, match="section `voice` is missing"):
        load_dialogs(dialogs)
