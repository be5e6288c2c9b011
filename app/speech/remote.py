"""Remote recognition over the Vosk WebSocket server protocol (vosk-server asr_server.py).

Lets a deployment move decoding to separate machines. Per utterance the client opens a
WebSocket, sends `{"config": {"sample_rate": R, "words": 1, "phrase_list": [...]}}`,
then binary 16-bit PCM chunks (the server answers each with `{"partial": ...}` or, when
its own endpointer closes a segment, a `{"text": ..., "result": [...]}`), and finally
`{"eof": 1}`, answered by the last result. Segments are joined as with local Vosk.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from app.speech.recognizer import RecognitionResult, join_results, parse_vosk_result

log = logging.getLogger(__name__)


class RemoteRecognizerError(RuntimeError):
    """The remote server could not be reached or answered nonsense."""


class RemoteRecognizer:
    """`AsyncRecognizer` backed by a Vosk WebSocket server. Use `await connect()` first,
    or `async with RemoteRecognizer(...) as rec`."""

    def __init__(
        self,
        url: str,
        phrases: Sequence[str] | None = None,
        *,
        sample_rate: int = 16000,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.phrases = list(phrases) if phrases is not None else None
        self.sample_rate = sample_rate
        self.timeout = timeout
        self._ws: ClientConnection | None = None
        self._segments: list[RecognitionResult] = []
        self._partial = ""

    async def connect(self) -> RemoteRecognizer:
        try:
            self._ws = await websockets.connect(self.url, open_timeout=self.timeout, max_size=2**22)
        except (OSError, websockets.WebSocketException, TimeoutError) as exc:
            raise RemoteRecognizerError(f"cannot reach speech server {self.url}: {exc}") from exc
        config: dict[str, Any] = {"sample_rate": self.sample_rate, "words": 1}
        if self.phrases is not None:
            config["phrase_list"] = self.phrases
        await self._ws.send(json.dumps({"config": config}, ensure_ascii=False))
        return self

    async def __aenter__(self) -> RemoteRecognizer:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _exchange(self, message: str | bytes) -> dict[str, Any]:
        if self._ws is None:
            raise RemoteRecognizerError("not connected (call connect() first)")
        try:
            await self._ws.send(message)
            reply = await self._ws.recv()
            data = json.loads(reply)
        except (websockets.WebSocketException, OSError, TimeoutError) as exc:
            raise RemoteRecognizerError(f"speech server connection failed: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise RemoteRecognizerError(f"speech server sent non-JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise RemoteRecognizerError("speech server sent an unexpected message")
        return data

    async def accept(self, pcm: bytes) -> str:
        if not pcm:
            return self._joined_partial()
        data = await self._exchange(pcm)
        if "text" in data or "result" in data:
            self._segments.append(parse_vosk_result(data))
            self._partial = ""
        else:
            self._partial = str(data.get("partial", ""))
        return self._joined_partial()

    def _joined_partial(self) -> str:
        texts = [s.text for s in self._segments if s.text]
        return " ".join(texts + ([self._partial] if self._partial else []))

    async def final(self) -> RecognitionResult:
        data = await self._exchange(json.dumps({"eof": 1}))
        result = join_results([*self._segments, parse_vosk_result(data)])
        self._segments = []
        self._partial = ""
        await self.close()
        return result

    async def close(self) -> None:
        if self._ws is not None:
            ws, self._ws = self._ws, None
            try:
                await ws.close()
            except (websockets.WebSocketException, OSError):
                log.debug("speech server connection already closed")
