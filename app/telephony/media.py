"""The bidirectional Media Streams WebSocket (/twilio/media): one call per socket.

The same `CallService` as the webhooks runs the call; only the transport differs:
- `start` starts the call (From/To arrive as custom parameters), key "start", but only
  with the per-call token the TwiML issued for this call SID and numbers
  (`stream_token`); without it the socket closes and no call starts;
- `dtmf` digits are collected per the current Listen (one key, or up to N ending with
  `#` or a pause) and sent as Keys, key "step:N:keys"; a key pressed while a prompt is
  still playing first sends `clear` (barge-in), so the old prompt stops at once;
- no key within the Listen's timeout after the prompt has played -> Silence;
- inbound `media`: when the Listen accepts speech and a model is loaded, or asks for a
  recording, the caller's audio goes to a `StreamTurn` (`stream_listen.py`): speech
  during a prompt sends `clear` once (barge-in); the recognised answer is a Speech event,
  key "step:N:speech"; nothing heard -> Silence. Record states also keep the answer as
  a WAV file under var/recordings/ (`Speech.recording_url`), even keypad-only;
- each Say is sent as 20 ms mu-law `media` frames followed by a `mark`; Twilio echoes the
  mark when the caller has heard it;
- after a Transfer or Hangup we wait for the last mark echo (the caller hears the whole
  last sentence), then close the socket: Twilio continues with the <Connect action>
  (`/twilio/voice/stream/ended`), which dials a person or hangs up;
- `stop` or a closed socket -> HangUp, key "hangup" (unless the call already ended).
A malformed frame is logged and ignored; it never ends the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from app.callflow.messages import CallStarted, Event, HangUp, Keys, Listen, Say, Silence, Speech
from app.calls.enums import CallChannel
from app.calls.service import CallService, StepResult
from app.core.logging import call_id_var, log_fields, mask_phone
from app.speech.service import Speech as SpeechLayer
from app.telephony import stream_protocol as proto
from app.telephony.prompt_audio import PromptAudio, default_prompt_audio, duration_s
from app.telephony.signature import websocket_signed
from app.telephony.stream_token import TOKEN_PARAMETER, StreamTokens

if TYPE_CHECKING:  # the listening turn (numpy, the speech stack) loads with the first turn
    from app.telephony.stream_listen import StreamTurn

logger = logging.getLogger(__name__)

router = APIRouter()

MARK_GRACE_S = 3.0  # how late a mark echo may be before we stop waiting for it
MAX_BAD_FRAMES = 50  # a peer sending only garbage is not Twilio: close after this many


def prompt_audio_for(websocket: WebSocket) -> PromptAudio:
    """`app.state.prompt_audio` if set, else espeak-ng (or the placeholder), made once."""
    state = websocket.app.state
    audio: PromptAudio | None = getattr(state, "prompt_audio", None)
    if audio is None:
        audio = default_prompt_audio()
        state.prompt_audio = audio
    return audio


def stream_tokens_for(websocket: WebSocket) -> StreamTokens:
    """The app's per-call stream tokens (one checker per process, so a token works once)."""
    state = websocket.app.state
    tokens: StreamTokens | None = getattr(state, "stream_tokens", None)
    if tokens is None:
        tokens = StreamTokens(state.settings.secret_key)
        state.stream_tokens = tokens
    return tokens


@router.websocket("/media")
async def media_stream(websocket: WebSocket) -> None:
    if not websocket_signed(websocket):
        logger.warning("rejected a media stream with a missing or invalid signature")
        await websocket.close(code=1008)
        return
    await websocket.accept()
    state = websocket.app.state
    call = MediaCall(
        websocket,
        state.call_service,
        prompt_audio_for(websocket),
        stream_tokens_for(websocket),
        speech=getattr(state, "speech", None),
        recordings_dir=state.settings.recordings_dir,
    )
    await call.run()


@dataclass
class MediaCall:
    websocket: WebSocket
    service: CallService
    audio: PromptAudio
    tokens: StreamTokens
    speech: SpeechLayer | None = None
    recordings_dir: Path | None = None  # None: recordings are not kept
    turn: StreamTurn | None = None  # listening to the caller's audio for the current Listen
    heard_at: float = 0.0  # when the caller started talking in this turn
    stream_sid: str = ""
    call_sid: str = ""
    step: int = 0
    listen: Listen | None = None
    digits: str = ""
    pending_marks: set[str] = field(default_factory=set)
    played_until: float = 0.0  # monotonic time when our queued audio should have played
    quiet_since: float = 0.0  # when the caller last heard the end of a prompt or pressed a key
    closing: bool = False  # the engine ended the call; close once the last mark is echoed
    ended: bool = False
    bad_frames: int = 0
    inbox: asyncio.Queue[proto.StreamMessage | None] = field(default_factory=asyncio.Queue)

    async def run(self) -> None:
        reader = asyncio.create_task(self._read())
        try:
            while True:
                try:
                    message = await self._next(self._wait_s())
                except TimeoutError:
                    if await self._on_timeout():
                        break
                    continue
                if message is None or isinstance(message, proto.Stop):
                    break
                if await self._on_message(message):
                    break
                # Twilio sends caller audio every 20 ms, so the wait above rarely runs
                # out while a call is up: a timer that is due is acted on here too.
                wait = self._wait_s()
                if wait is not None and wait <= 0 and await self._on_timeout():
                    break
        except WebSocketDisconnect:
            # Twilio closed the stream while we were sending (the caller hung up during a
            # prompt): the same end as a `stop`, not a failure.
            logger.info("media stream closed by Twilio while sending")
        except Exception:
            logger.exception("media stream failed; closing it so Twilio hands the call on")
        finally:
            reader.cancel()
            await self._drop_turn()
            await self._hang_up_if_open()
            with contextlib.suppress(Exception):
                await self.websocket.close()

    # --- reading ---------------------------------------------------------------------

    async def _next(self, timeout: float | None) -> proto.StreamMessage | None:
        """The next message; frames already received win over a timer that ran out."""
        if not self.inbox.empty():
            return self.inbox.get_nowait()
        return await asyncio.wait_for(self.inbox.get(), timeout)

    async def _read(self) -> None:
        """Parse frames into the inbox; None marks the end of the socket."""
        try:
            while True:
                frame = await self.websocket.receive()
                if frame["type"] == "websocket.disconnect":
                    break
                raw = frame.get("text") if frame.get("text") is not None else frame.get("bytes")
                try:
                    self.inbox.put_nowait(proto.parse(raw or ""))
                except proto.StreamProtocolError as exc:
                    self.bad_frames += 1
                    logger.warning("malformed media-stream frame ignored: %s", exc)
                    if self.bad_frames >= MAX_BAD_FRAMES:
                        break
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.inbox.put_nowait(None)

    async def _on_message(self, message: proto.StreamMessage) -> bool:
        """Handle one message; True when the socket should close."""
        if isinstance(message, proto.Start):
            return await self._start(message)
        if not self.call_sid:
            return False  # nothing but `connected` is meaningful before `start`
        if isinstance(message, proto.Media):
            return await self._on_media(message)
        if isinstance(message, proto.Dtmf):
            return await self._on_key(message.digit)
        if isinstance(message, proto.Mark):
            self.pending_marks.discard(message.name)
            if not self.pending_marks:
                self.quiet_since = time.monotonic()
                return self.closing
        return False

    # --- the call ---------------------------------------------------------------------

    async def _start(self, start: proto.Start) -> bool:
        if self.call_sid:
            return False
        from_number = start.custom_parameters.get("From") or None
        to_number = start.custom_parameters.get("To") or None
        token = start.custom_parameters.get(TOKEN_PARAMETER)
        if not self.tokens.accept(token, start.call_sid, from_number or "", to_number or ""):
            logger.warning("refused a media stream whose start has no valid per-call token")
            return True
        self.stream_sid, self.call_sid = start.stream_sid, start.call_sid
        call_id_var.set(self.call_sid)
        logger.info("media stream started", extra=log_fields(from_=mask_phone(from_number)))
        return await self._apply(CallStarted(from_number, to_number), "start")

    async def _on_media(self, media: proto.Media) -> bool:
        turn = self.turn
        if turn is None or self.closing or not media.track.startswith("inbound"):
            return False
        if await turn.feed(media.payload):
            self.heard_at = time.monotonic()
            await self._clear_prompt()  # barge-in: the caller talks over the prompt
        if turn.done:
            return await self._finish_turn()
        return False

    async def _finish_turn(self, reason: str | None = None) -> bool:
        """Turn what the caller said into Speech (with a recording) or Silence."""
        turn, self.turn = self.turn, None
        if turn is None:
            return False
        from app.telephony.stream_listen import save_recording

        outcome = await turn.finish(reason)
        url = None
        if self.recordings_dir is not None and outcome.audio is not None and outcome.audio.size:
            try:
                url = await run_in_threadpool(
                    save_recording, self.recordings_dir, self.call_sid, self.step, outcome.audio
                )
            except OSError:
                logger.exception("could not save the caller's recording")
        logger.info(
            "caller answer",
            extra=log_fields(
                listen_event=outcome.event, heard=outcome.heard, recognised=bool(outcome.text)
            ),
        )
        if outcome.event != "bad_audio" and outcome.heard and (outcome.text or url):
            event = Speech(outcome.text, outcome.confidence, recording_url=url)
            return await self._apply(event, f"step:{self.step}:speech")
        return await self._apply(Silence(), f"step:{self.step}:silence")

    async def _drop_turn(self) -> None:
        turn, self.turn = self.turn, None
        if turn is not None:
            await turn.close()

    async def _clear_prompt(self) -> None:
        """Barge-in: Twilio drops the audio not yet played (once per prompt)."""
        if self.pending_marks:
            await self._send(proto.clear_message(self.stream_sid))
            self.pending_marks.clear()
            self.played_until = time.monotonic()

    async def _on_key(self, digit: str) -> bool:
        if self.closing:
            return False  # the goodbye or hand-over sentence is never cut short
        await self._clear_prompt()
        if self.listen is None:
            return False
        if self.turn is not None:
            if digit == "#" and self.listen.record and self.turn.heard:
                return await self._finish_turn("speech_end")  # # ends speech early too
            await self._drop_turn()  # a key answers instead of the voice
        self.quiet_since = time.monotonic()
        listen = self.listen
        if listen.max_digits > 1 and listen.finish_on_key and digit in listen.finish_on_key:
            return await self._submit_digits()
        self.digits += digit
        if len(self.digits) >= max(listen.max_digits, 1):
            return await self._submit_digits()
        return False

    async def _submit_digits(self) -> bool:
        digits, self.digits = self.digits, ""
        if not digits:
            return await self._apply(Silence(), f"step:{self.step}:silence")
        return await self._apply(Keys(digits), f"step:{self.step}:keys")

    async def _on_timeout(self) -> bool:
        if self.closing:
            logger.warning("last mark not echoed in time; closing the stream")
            return True
        if self.turn is not None:
            return await self._finish_turn("max_length" if self.turn.heard else "no_input")
        if self.digits:
            return await self._submit_digits()
        return await self._apply(Silence(), f"step:{self.step}:silence")

    async def _apply(self, event: Event, key: str) -> bool:
        self.listen = None
        await self._drop_turn()
        result = await run_in_threadpool(
            self.service.handle,
            call_id=self.call_sid,
            event=event,
            event_key=key,
            channel=CallChannel.MEDIA_STREAM,
        )
        return await self._play(result)

    async def _play(self, result: StepResult) -> bool:
        """Send the step's prompts; True when the socket may close right away."""
        self.step = result.step
        now = time.monotonic()
        self.played_until = max(self.played_until, now)
        for index, output in enumerate(result.outputs):
            if isinstance(output, Say):
                audio = await run_in_threadpool(self.audio.render, output.text, output.pace)
                for chunk in proto.frames(audio):
                    await self._send(proto.media_message(self.stream_sid, chunk))
                name = f"{result.step}:{index}"
                await self._send(proto.mark_message(self.stream_sid, name))
                self.pending_marks.add(name)
                self.played_until += duration_s(audio)
            elif isinstance(output, Listen):
                self.listen = output
            elif output.kind in ("transfer", "hangup"):
                self.closing = True
                self.ended = True
        if result.ended:
            self.ended = True
            self.closing = True
        if not self.pending_marks:
            self.quiet_since = time.monotonic()
        if self.listen is not None and not self.closing:
            from app.telephony.stream_listen import StreamTurn

            self.turn = await StreamTurn.open(
                self.listen, self.speech, prompt_left_s=self.played_until - time.monotonic()
            )
        return self.closing and not self.pending_marks

    def _wait_s(self) -> float | None:
        """How long to wait for the next frame before acting on our own."""
        now = time.monotonic()
        if self.closing:
            return max(self.played_until + MARK_GRACE_S - now, 0.0)
        if self.listen is None:
            return None
        if self.turn is not None and self.turn.heard:
            # The caller is answering: the end of speech decides; this is only a backstop
            # for a stream that stops sending audio mid-answer.
            from app.telephony.stream_listen import MAX_UTTERANCE_S

            return max(self.heard_at + MAX_UTTERANCE_S + MARK_GRACE_S - now, 0.0)
        # After the prompt has played (its marks echoed); a lost echo is not waited for.
        start = self.played_until + MARK_GRACE_S if self.pending_marks else self.quiet_since
        return max(start + self.listen.timeout_s - now, 0.0)

    async def _send(self, text: str) -> None:
        await self.websocket.send_text(text)

    async def _hang_up_if_open(self) -> None:
        if not self.call_sid or self.ended:
            return
        self.ended = True
        try:
            await run_in_threadpool(
                self.service.handle,
                call_id=self.call_sid,
                event=HangUp(),
                event_key="hangup",
                channel=CallChannel.MEDIA_STREAM,
            )
        except Exception:
            logger.exception("could not record the hang-up")
