"""The service run as its own process by the benchmarks: a free port and its environment."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(server: subprocess.Popen[bytes], port: int, *, seconds: float = 120) -> None:
    """Return once the service on `port` answers `GET /readyz` with 200; exit the bench if
    its process ended first or it is not ready within `seconds` (the process is stopped)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
        if server.poll() is not None:
            raise SystemExit("the service exited before it was ready")
    server.terminate()
    raise SystemExit(f"the service was not ready within {seconds:.0f} s")


def service_env(database_url: str, **settings: str) -> dict[str, str]:
    """This process's environment for `ivr serve` on `database_url`, the background threads
    (outbox, retention, scheduler) off and warnings only in the log; `settings` add to it
    (IVR_* names). Bytecode is written, as after an installation."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "IVR_DATABASE_URL": database_url,
        "IVR_OUTBOX_IN_PROCESS": "false",
        "IVR_RETENTION_IN_PROCESS": "false",
        "IVR_SCHEDULER_IN_PROCESS": "false",
        "IVR_LOG_LEVEL": "WARNING",
        **settings,
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env
