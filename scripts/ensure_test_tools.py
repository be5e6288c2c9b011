"""Make sure the system tools the tests use are present: Debian's chromium and ffmpeg, and a
CJK font (fonts-noto-cjk) so the browser tests lay out Chinese text as staff see it.

On a fresh Debian machine run as root, installs them with apt-get; otherwise says what to
install. The Playwright Python package drives /usr/bin/chromium, never a downloaded browser.
Without a CJK font Chromium draws Chinese as boxes of another width, and layout checks
(a button clipped in its column) pass or fail for the wrong reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable

CJK_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/wqy")


def _command(name: str) -> Callable[[], bool]:
    return lambda: shutil.which(name) is not None


def _cjk_font() -> bool:
    if shutil.which("fc-list") is not None:
        found = subprocess.run(
            ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, check=False
        )
        if found.stdout.strip():
            return True
    return any(
        os.path.isdir(d) and any("CJK" in f or "wqy" in f for f in os.listdir(d))
        for d in CJK_FONT_DIRS
    )


# Debian package -> how to tell it is there
NEEDED: dict[str, Callable[[], bool]] = {
    "chromium": _command("chromium"),
    "ffmpeg": _command("ffmpeg"),
    "fonts-noto-cjk": _cjk_font,
}


def main() -> int:
    missing = [pkg for pkg, present in NEEDED.items() if not present()]
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
