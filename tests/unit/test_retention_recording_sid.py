"""Which references the retention job deletes at Twilio: only Twilio recording URLs."""

from __future__ import annotations

import pytest

from app.retention.twilio_recordings import twilio_recording_sid

SID = "RE" + "0123456789abcdef" * 2
BASE = "https://api.twilio.com/2010-04-01/Accounts/AC" + "1" * 32 + "/Recordings/"


@pytest.mark.parametrize(
    ("url", "sid"),
    [
        (BASE + SID, SID),
        (BASE + SID + ".wav", SID),
        (BASE + SID + ".mp3?Download=true", SID),
        ("http://127.0.0.1:9999/2010-04-01/Accounts/AC1/Recordings/" + SID, SID),  # fake Twilio
        ("CA123-4.wav", None),  # a file in the recordings folder
        (SID + ".wav", None),  # a file named like a sid is still a file
        (BASE + "RE123", None),  # not a sid
        ("https://example.com/Recordings/" + SID + "/other", None),
        ("", None),
    ],
)
def test_twilio_recording_sid(url: str, sid: str | None) -> None:
    assert twilio_recording_sid(url) == sid
