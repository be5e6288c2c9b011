"""Make sure the system tools the tests use are present: Debian's chromium and ffmpeg.

On a fresh Debian machine run as root, installs them with apt-get; otherwise says what to
install. The Playwright Python package drives /usr/bin/chromium, never a downloaded browser.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

NEEDED = {"chromium": "chromium", "ffmpeg": "ffmpeg"}  # command -> Debian package


def main() -> int:
    missing = [pkg for cmd, pkg in NEEDED.items() if shutil.which(cmd) is None]
    if not missing:
        return 0
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(f"Please install these system packages first: {' '.join(missing)}", file=sys.stderr)
        return 1
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"Installing {' '.join(missing)} with apt-get ...", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", *missing], check=True, env=env, stdout=subprocess.DEVNULL
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
