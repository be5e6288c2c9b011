"""The waiting caller's own words on the panel: served to operators only, never the
recording of a sensitive answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from app.calls.enums import CallChannel, TransferReason
from app.calls.models import Call, CallStep
from app.core.db import Database
from app.operators import requests
from app.staff.enums import StaffRole
from support.live_server import LiveServer, add_hospital, add_staff, sign_in

AUDIO = b"RIFF-fake-wave"


def _waiting_caller(db: Database, sid: str, recording: str, *, redacted: bool = False) -> int:
    said = "[redacted 18]" if redacted else "我腿疼走不动"
    with db.session() as session:
        call = Call(
            id=sid,
            channel=CallChannel.TWILIO,
            from_number="+8613800000077",
            transfer_reason=TransferReason.NOT_UNDERSTOOD,
        )
        session.add(call)
        session.flush()
        session.add(
            CallStep(
                call_id=sid,
                step=1,
                event_key="step:1:speech",
                state_before="taxi.ask",
                state_after="taxi.ask",
                outputs=[{"kind": "transfer"}],
                event={"kind": "speech", "text": said, "recording_url": recording},
            )
        )
        requests.on_transfer(session, call, now=datetime.now(UTC))
        row = requests.waiting_call(session, sid)
        assert row is not None
        return row.id


def test_operators_hear_the_callers_words_and_nobody_else_does(
    live_server_factory: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = live_server_factory(recordings_dir=tmp_path)
    (tmp_path / "CA1.wav").write_bytes(AUDIO)
    spoken = _waiting_caller(server.db, "CA1", "CA1.wav")
    secret = _waiting_caller(server.db, "CA2", "CA1.wav", redacted=True)
    add_staff(server.db, "op1", StaffRole.OPERATOR)
    add_staff(server.db, "nurse", StaffRole.HOSPITAL_STAFF, hospital_id=add_hospital(server.db))

    op1 = server.client()
    sign_in(op1, "op1")
    panel = op1.get("/dispatch/operators.html").text
    assert f"/dispatch/operators/{spoken}/recording" in panel and "我腿疼走不动" in panel
    assert f"/dispatch/operators/{secret}/recording" not in panel and "保密内容" in panel
    assert op1.get(f"/dispatch/operators/{spoken}/recording").content == AUDIO
    assert op1.get(f"/dispatch/operators/{secret}/recording").status_code == 404
    assert op1.get("/dispatch/operators/999/recording").status_code == 404

    nurse = server.client()
    sign_in(nurse, "nurse")
    assert nurse.get(f"/dispatch/operators/{spoken}/recording").status_code == 403
    with server.client() as anonymous:
        assert anonymous.get(f"/dispatch/operators/{spoken}/recording").status_code == 303
