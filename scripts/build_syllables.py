"""Write app/understanding/syllables.txt: the folded syllable of every CJK unified
ideograph (U+4E00-U+9FFF), from pypinyin, so understanding never loads pypinyin.

Run after upgrading pypinyin or changing the folding in app/understanding/fuzzy.py:
    .venv/bin/python scripts/build_syllables.py
One line per folded syllable: the syllable, a tab, then every character that has it.
Characters pypinyin has no reading for are left out (their key is the character itself).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.understanding.fuzzy import SYLLABLES_FILE, pinyin_key  # noqa: E402


def main() -> None:
    groups: dict[str, list[str]] = {}
    for code in range(0x4E00, 0xA000):
        ch = chr(code)
        key = pinyin_key(ch)
        if key != ch:
            groups.setdefault(key, []).append(ch)
    lines = [f"{key}\t{''.join(chars)}\n" for key, chars in sorted(groups.items())]
    SYLLABLES_FILE.write_text("".join(lines), encoding="utf-8")
    print(
        f"{SYLLABLES_FILE.relative_to(ROOT)}: {len(lines)} syllables, "
        f"{sum(map(len, groups.values()))} characters"
    )


if __name__ == "__main__":
    main()
