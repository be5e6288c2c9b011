"""How the hotline sounds: the voice, the language and the speaking rates, in one place.

Older callers need slow speech: about 120-140 Chinese characters a minute, against ~180
for ordinary synthetic speech. Every transport takes its rates from here: Twilio's
`<Say>` (SSML prosody), the outbound notification calls, the offline prompt audio of
media streams (espeak-ng), and the simulator's estimate of how long a call takes.
"""

from __future__ import annotations

from app.callflow.messages import Pace

# Twilio <Say>: any voice that speaks Mandarin works, e.g. "Google.cmn-CN-Standard-A".
TWILIO_VOICE = "Polly.Zhiyu"
LANGUAGE = "cmn-CN"
PROSODY_RATE: dict[Pace, str] = {"normal": "85%", "slow": "70%"}
# Outbound notification calls (a plate read twice): one pace, between the two.
NOTIFICATION_PROSODY_RATE = "80%"

# espeak-ng "words per minute" giving ~135 (normal) and ~110 (slow) Chinese characters a
# minute, measured on espeak-ng 1.52; ordinary synthetic speech is ~175.
ESPEAK_VOICE = "cmn"
ESPEAK_WPM: dict[Pace, int] = {"normal": 105, "slow": 85}
ESPEAK_CHARS_PER_MINUTE: dict[Pace, int] = {"normal": 135, "slow": 110}

# The rate prompts are written for; the simulator's time estimates use it (an estimate
# from text length, not a measurement of audio).
ELDERLY_CHARS_PER_MINUTE = 130
