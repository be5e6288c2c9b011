"""Small Chinese numerals (一, 十五, 两, 幺, 31) to ``int`` with cn2an."""

from __future__ import annotations

#: Characters a spoken small number is made of (regex character class body).
NUM_CHARS = "0-9零〇一二两三四五六七八九十幺"
_TO_STANDARD = str.maketrans({"两": "二", "幺": "一", "〇": "零"})


def to_int(word: str) -> int | None:
    """Value of a numeral such as ``十五``, ``两``, ``31`` or ``二十一``; ``None`` if invalid."""
    if not word:
        return None
    if word.isdigit():
        return int(word)
    import cn2an  # imported on first use: ~0.25 s

    try:
        value = cn2an.cn2an(word.translate(_TO_STANDARD), "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return int(value) if float(value).is_integer() else None
