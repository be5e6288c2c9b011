"""How long keypad-only `ivr serve` takes to be ready, from a cold start.

    .venv/bin/python bench/serve_startup.py [--runs 3]

Migrates a fresh SQLite file, then `--runs` times starts `ivr serve` as a new process
(`python -c "from app.cli import main; main()" serve`, what the installed script runs),
with no speech model (keypad-only: `IVR_SPEECH_MODEL` empty), the in-process scheduler
off, compiled bytecode cached (as after installation), and polls `GET /readyz` every
20 ms until it answers 200. Prints the wall time from spawn to that answer and the CPU
time the server process used until then (the part of the wall time that is the server's
own work on a shared machine). Includes the interpreter, every import, building the app
(flows, routes), opening the database and uvicorn's start. Excludes the first webhook.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = "from app.cli import main; main()"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPATH=str(ROOT),
        IVR_DATABASE_URL=f"sqlite:///{folder}/serve.sqlite3",
        IVR_SPEECH_MODEL="",
        IVR_SCHEDULER_IN_PROCESS="false",
    )
    run = [sys.executable, "-c", COMMAND]
    subprocess.run([*run, "db", "upgrade"], env=env, cwd=folder, check=True, capture_output=True)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for _ in range(args.runs + 1):  # the first run only writes the bytecode caches
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        started = time.perf_counter()
        server = subprocess.Popen(
            [*run, "serve", "--port", str(port)],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.02)
            if server.poll() is not None:
                raise SystemExit("ivr serve exited before it was ready")
        ready = time.perf_counter() - started
        fields = Path(f"/proc/{server.pid}/stat").read_text().split()
        cpu = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
        server.terminate()
        server.wait()
        if _ > 0:
            print(f"ready (GET /readyz 200) after {ready:.2f} s; server CPU {cpu:.2f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
