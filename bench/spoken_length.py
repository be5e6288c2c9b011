"""How long a caller listens on each main path of the hotline.

    .venv/bin/python bench/spoken_length.py

Plays the demo callers through the real CallService (SQLite, demo data, the flows in
dialogs/) with the simulator, and for each path prints:
- the characters of the prompts actually played (every prompt heard in full, no barge-in);
- an ESTIMATE of the listening time from those texts: the simulator's
  `speaking_seconds` (130 characters a minute, `ELDERLY_CHARS_PER_MINUTE` in
  app/callflow/voice.py, plus the pauses at commas and full stops);
- a MEASUREMENT: the length of the audio the media-stream prompt voice (espeak-ng,
  `EspeakPromptAudio`, at the pace of each prompt) synthesises for the same prompts.
  Twilio's <Say> voice (Polly) is not available offline and is not measured.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from app.callflow.messages import Pace, Say  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.demo_data import load_demo  # noqa: E402
from app.hotline import build_call_service  # noqa: E402
from app.people.models import Person  # noqa: E402
from app.simulator import run_call, speaking_seconds  # noqa: E402
from app.telephony.prompt_audio import EspeakPromptAudio, duration_s  # noqa: E402

HOTLINE = "+868710000000"
TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ZHANG = "+8613800000001"  # 张秀英 (张奶奶), registered with a home
LI_MEI = "+8613900000001"  # 李梅, 张秀英's daughter
WANG = "+8613800000002"  # 王建国
UNREGISTERED = "+8613812345678"


@dataclass
class Path_:
    name: str
    caller: str
    turns: Callable[[Database], list[str]]


def _last_four(db: Database) -> str:
    with db.session() as session:
        person = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        assert person.id_number is not None
        return person.id_number[-4:].replace("X", "*")


# In this order: 张奶奶 books, then cancels, then calls a taxi, then asks about it.
PATHS = [
    Path_(
        "hospital, for self (内科, 心血管内科, yes, no car)",
        ZHANG,
        lambda db: ["2", "1", "1", "1", "2"],
    ),
    Path_(
        "cancel a booking (last 4 of the ID)",
        ZHANG,
        lambda db: ["2", "2", _last_four(db), "8", "8"],
    ),
    Path_(
        "hospital, for a relative (李梅 for her mother, no car)",
        LI_MEI,
        lambda db: ["2", "1", _last_four(db), "1", "1", "1", "2"],
    ),
    Path_("taxi, registered (one key + yes)", ZHANG, lambda db: ["1", "1"]),
    Path_("status of the ride (then hang up)", ZHANG, lambda db: ["挂断"]),
    Path_(
        "taxi, unregistered (says the address)",
        UNREGISTERED,
        lambda db: ["1", "五华区翠湖南路12号", "1"],
    ),
    Path_("emergency words at the first question", WANG, lambda db: ["我胸口疼得很，喘不过气"]),
]


def _said(lines: list[str]) -> list[Say]:
    said = []
    for line in lines:
        if line.startswith("热线"):
            head, text = line.split("：", 1)
            pace: Pace = "slow" if "慢速" in head else "normal"
            said.append(Say(text, pace=pace))
    return said


def _ending(lines: list[str]) -> str:
    """How the call ended: 挂断 (the hotline said goodbye), 转接人工：reason, or the caller."""
    if any(line.strip() == "来电者：（挂断）" or line.strip() == "来电者：挂断" for line in lines):
        return "caller hung up"
    marks = [line.strip()[1:-1] for line in lines if line.strip().startswith(("[挂断", "[转接"))]
    return marks[-1] if marks else "?"


def main() -> None:
    voice = EspeakPromptAudio()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(url)
        db = Database(url)
        load_demo(db, today=TODAY)
        service = build_call_service(Settings(database_url=url), db, clock=lambda: NOW)
        print(
            "| path | caller turns | ends | characters heard | estimate (s, 130 chars/min) "
            "| espeak-ng audio (s, measured) |"
        )
        print("|---|---|---|---|---|---|")
        for path in PATHS:
            lines: list[str] = []
            turns = path.turns(db)
            run_call(
                service,
                from_number=path.caller,
                to_number=HOTLINE,
                turns=iter(turns),
                show=lines.append,
            )
            said = _said(lines)
            chars = sum(ch.isalnum() for s in said for ch in s.text)
            estimate = speaking_seconds(said)
            measured = sum(duration_s(voice.render(s.text, s.pace)) for s in said)
            secret = _last_four(db)  # personal data, even in the demo: not printed
            shown = " ".join("(last four)" if t == secret else t for t in turns)
            print(
                f"| {path.name} | {shown} | {_ending(lines)} | {chars} | {estimate:.1f} "
                f"| {measured:.1f} |"
            )
        db.dispose()


if __name__ == "__main__":
    main()
